"""The history of import batches, newest first, with "Undo this import..." (confirmation first,
a backup, then the records that batch alone brought are removed) and its rejected rows."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from exclusion_monitor.roles import Action
from exclusion_monitor.store.batches import BatchSummary, UndoResult, list_batches
from operations import undo_import
from ui.app import messages
from ui.app.background import BackgroundJob, run_in_background
from ui.app.import_models import BatchesModel, kind_label
from ui.app.record_table_model import SortByValueProxy
from ui.app.table_views import fit_columns, selected_record, sortable_table_view

if TYPE_CHECKING:
    from ui.app.pages.base import AppContext

log = logging.getLogger(__name__)

NO_BATCHES = (
    "<b>No imports yet.</b> Every file imported from the <i>Files to import</i> tab (or with "
    "<code>exclusion-monitor import</code>) is listed here, and can be undone."
)
RECORD_WORDS = {
    "children": "children",
    "child_identifiers": "UPNs",
    "census_observations": "census rows",
    "enrolments": "enrolments",
    "exclusions": "exclusions",
    "schools": "schools",
    "school_links": "school links",
}


def describe_undo(result: UndoResult) -> str:
    removed = [f"{n:,} {RECORD_WORDS.get(t, t)}" for t, n in result.removed.items() if n]
    kept = sum(result.kept.values())
    text = f"Undid import batch {result.batch_id}: removed " + (", ".join(removed) or "nothing")
    if kept:
        text += f"; kept {kept:,} records that another import also brought"
    return text + "."


class ImportHistoryView(QWidget):
    loaded = Signal()
    # A batch has been undone (its id).
    undone = Signal(int)
    # "Save rejected rows..." for a batch: (batch id, file name).
    save_rejected_requested = Signal(int, str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._job: BackgroundJob | None = None
        self._undo_job: BackgroundJob | None = None
        self._again = False
        self.summary = QLabel("Reading the import history...")
        self.summary.setObjectName("history_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.model = BatchesModel()
        self.proxy = SortByValueProxy(source=self.model)
        self.view = sortable_table_view(self.proxy, "batches_table", row_padding=8)
        self.save_button = QPushButton("Save rejected rows...")
        self.save_button.setObjectName("history_save_rejected")
        self.save_button.setVisible(context.allows(Action.EXPORT_REJECTED_ROWS))
        self.undo_button = QPushButton("Undo this import...")
        self.undo_button.setObjectName("undo_button")
        self.undo_button.setToolTip(
            "Remove every record that this import alone brought (a backup is taken first)"
        )
        self.undo_button.setVisible(context.allows(Action.UNDO_BATCH))
        self.selected_label = QLabel("")
        self.selected_label.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.selected_label, 1)
        bar.addWidget(self.save_button)
        bar.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)
        self.view.selectionModel().selectionChanged.connect(self._selected_changed)
        self.undo_button.clicked.connect(self.undo_selected)
        self.save_button.clicked.connect(self._save_selected)
        self._update_buttons()

    def refresh(self) -> None:
        if self._job is not None and self._job.is_running():
            self._again = True
            return
        db = self.context.db
        self._job = run_in_background(
            lambda _p: list_batches(db), self._loaded, self._failed, owner=self, name="batches"
        )

    def _loaded(self, batches: list[BatchSummary]) -> None:
        if self._again:
            self._again = False
            self.refresh()
            return
        chosen = self.selected()
        self.model.set_batches(batches)
        fit_columns(self.view, [60, 260, 130, 95, 125, 100, 70, 90, 90])
        self.view.setVisible(bool(batches))
        live = [b for b in batches if b.status != "undone"]
        if batches:
            self.summary.setText(
                f"<b>{len(batches):,} import{'s' if len(batches) != 1 else ''}</b>, newest first "
                f"({len(live):,} in the records, {len(batches) - len(live):,} undone). Select one "
                "to undo it or to save its rejected rows for the school."
            )
        else:
            self.summary.setText(NO_BATCHES)
        if chosen is not None:
            self.select_batch(chosen.id)
        self._update_buttons()
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.summary.setText("The import history could not be read; the details are in the log.")
        self.loaded.emit()

    def selected(self) -> BatchSummary | None:
        return selected_record(self.view, BatchSummary)

    def select_batch(self, batch_id: int) -> None:
        for row, batch in enumerate(self.model.batches):
            if batch.id == batch_id:
                self.view.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())

    def _selected_changed(self, _s: QItemSelection, _d: QItemSelection) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        batch = self.selected()
        busy = self._undo_job is not None and self._undo_job.is_running()
        live = batch is not None and batch.status != "undone"
        self.undo_button.setEnabled(live and not busy)
        self.save_button.setEnabled(batch is not None and batch.rows_rejected > 0)
        if batch is None:
            self.selected_label.setText("")
        elif batch.status == "undone":
            self.selected_label.setText(f"Batch {batch.id} was undone; its records are gone.")
        else:
            self.selected_label.setText(
                f"Batch {batch.id}: {batch.file_name} ({kind_label(batch.kind)}), "
                f"{batch.rows_imported:,} rows imported, {batch.rows_rejected:,} rejected."
            )

    def _save_selected(self) -> None:
        batch = self.selected()
        if batch is not None:
            self.save_rejected_requested.emit(batch.id, batch.file_name)

    def undo_selected(self) -> None:
        batch = self.selected()
        if batch is None or batch.status == "undone":
            return
        when = f"{batch.imported_at:%d/%m/%Y %H:%M}"
        if not messages.confirm(
            self,
            "Undo an import",
            f"Undo the import of {batch.file_name} (batch {batch.id}, {when}, "
            f"{batch.rows_imported:,} rows)?\n\nEvery record that only this file brought is "
            "removed; records another import also brought stay. A backup is taken first.",
        ):
            return
        db, account, batch_id = self.context.db, self.context.account, batch.id
        self._undo_job = run_in_background(
            lambda _p: undo_import(db, batch_id, account=account).value,
            self._undo_done,
            self._undo_failed,
            owner=self,
            writes=True,
            name="undo import",
        )
        self._update_buttons()

    def _undo_done(self, result: UndoResult) -> None:
        log.info("batch %d undone", result.batch_id)
        self.context.signals.status_message.emit(describe_undo(result))
        self.undone.emit(result.batch_id)
        self.context.signals.data_changed.emit()
        self.refresh()

    def _undo_failed(self, error: BaseException) -> None:
        self._update_buttons()
        messages.show_error(self, "Undo an import", f"The import was not undone: {error}")
