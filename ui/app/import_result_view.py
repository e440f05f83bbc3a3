"""What the last import did: per file the outcome and counts, then the selected file's warnings
and rejected rows (row number, UPN, reason) with "Save rejected rows..." for the school."""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database
from imports import FileResult
from imports.rejected_export import save_rejected_rows
from ui.app import messages
from ui.app.background import BackgroundJob, run_in_background
from ui.app.import_models import RejectedRowsModel, ResultsModel, counted
from ui.app.record_table_model import SortByValueProxy
from ui.app.table_views import fit_columns, pane, selected_record, sortable_table_view, split

if TYPE_CHECKING:
    from ui.app.pages.base import AppContext

log = logging.getLogger(__name__)

NO_RESULT = (
    "<b>Nothing imported yet in this session.</b> Add files on the <i>Files to import</i> tab "
    "and press Import; what happened to each file shows here. Earlier imports are listed under "
    "<i>History</i>."
)
SPREADSHEETS = "Excel workbook (*.xlsx);;CSV file (*.csv)"


def save_rejected_for_school(db: Database, account: str, batch_id: int, out: Path) -> int:
    """Save a batch's rejected rows as a spreadsheet (role check and audit row with the file);
    the save dialog asked before offering a file that exists, so it may be replaced."""
    return save_rejected_rows(db, batch_id, out, account=account, overwrite=True)


def suggested_name(file_name: str) -> str:
    return f"{Path(file_name).stem} - rejected rows.xlsx"


def table_view(model: ResultsModel | RejectedRowsModel, name: str) -> QTableView:
    return sortable_table_view(SortByValueProxy(source=model), name, row_padding=8)


class ImportResultView(QWidget):
    """The outcome of the last run of Import."""

    # Rejected rows have been saved (the path), for tests and the status bar.
    rejected_saved = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._job: BackgroundJob | None = None
        self.summary = QLabel(NO_RESULT)
        self.summary.setObjectName("result_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.model = ResultsModel()
        self.view = table_view(self.model, "results_table")
        self.rejected_model = RejectedRowsModel()
        self.rejected_view = table_view(self.rejected_model, "rejected_rows")
        self.detail = QLabel()
        self.detail.setObjectName("result_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("Save rejected rows...")
        self.save_button.setObjectName("save_rejected_button")
        self.save_button.setToolTip(
            "Save this file's rejected rows, each with its row number and reason, as a "
            "spreadsheet to send back to the school"
        )
        self.save_button.setVisible(context.allows(Action.EXPORT_REJECTED_ROWS))
        self.save_button.setEnabled(False)
        detail_bar = QHBoxLayout()
        detail_bar.addWidget(self.detail, 1)
        detail_bar.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        lower = pane(detail_bar, self.rejected_view, (0, 4, 0, 0))
        self.splitter = split(
            "result_splitter", self.view, lower, Qt.Orientation.Vertical, stretch=(1, 2)
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        self.splitter.setVisible(False)
        self.view.selectionModel().selectionChanged.connect(self._file_selected)
        self.save_button.clicked.connect(self.save_rejected)

    def set_results(self, results: list[FileResult]) -> None:
        self.model.set_results(results)
        self.splitter.setVisible(bool(results))
        self.summary.setText(self.summary_text(results) if results else NO_RESULT)
        fit_columns(self.view, [260, 150, 130, 90, 90, 90])
        fit_columns(self.rejected_view, [70, 140])
        if results:
            # The first file with rejected rows is the one the user wants to look at.
            first = next((i for i, r in enumerate(results) if r.rejected), 0)
            self.view.selectRow(self._proxy_row(first))
        else:
            self._show_file(None)

    def _proxy_row(self, source_row: int) -> int:
        proxy = self.view.model()
        assert isinstance(proxy, SortByValueProxy)
        return proxy.mapFromSource(self.model.index(source_row, 0)).row()

    @staticmethod
    def summary_text(results: list[FileResult]) -> str:
        imported = [r for r in results if r.status == "imported"]
        refused = [r for r in results if r.status == "refused"]
        again = [r for r in results if r.status == "already_imported"]
        rows = sum(r.rows_imported for r in imported)
        rejected = sum(r.rows_rejected for r in imported)
        parts = [
            f"<b>{len(imported)} of {counted(len(results), 'file')} imported</b>: "
            f"{counted(rows, 'row')} imported, {counted(rejected, 'row')} rejected."
        ]
        if refused:
            parts.append(f"<span style='color:#a01010'>{len(refused)} refused.</span>")
        if again:
            parts.append(f"{len(again)} had been imported before (nothing added).")
        if rejected:
            parts.append("Select a file to see its rejected rows and save them for the school.")
        return " ".join(parts)

    def selected(self) -> FileResult | None:
        return selected_record(self.view, FileResult)

    def _file_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._show_file(self.selected())

    def _show_file(self, result: FileResult | None) -> None:
        self.rejected_model.set_rows(result.rejected if result else [])
        self.save_button.setEnabled(bool(result and result.rejected and result.batch_id))
        self.rejected_view.setVisible(bool(result and result.rejected))
        if result is None:
            self.detail.setText("")
            return
        name = html.escape(Path(result.file).name)
        parts: list[str] = []
        if result.message:
            parts.append(html.escape(result.message))
        if result.status == "imported":
            if result.rejected:
                parts.append(
                    f"<b>{counted(result.rows_rejected, 'row')} of {name} "
                    f"{'was' if result.rows_rejected == 1 else 'were'} not imported</b> "
                    "(listed below with the spreadsheet row number and the reason)."
                )
            else:
                parts.append(f"Every row of {name} was imported.")
        for warning in result.warnings:
            parts.append(f"<br>Warning: {html.escape(warning)}")
        if result.not_used:
            listed = ", ".join(html.escape(h) for h in result.not_used)
            parts.append(f"<br>Not used: {listed}.")
        self.detail.setText(" ".join(parts))

    def save_rejected(self) -> None:
        result = self.selected()
        if result is None or result.batch_id is None:
            return
        self.save_batch_rejected(result.batch_id, Path(result.file).name)

    def save_batch_rejected(self, batch_id: int, file_name: str) -> None:
        """Ask where, then save the batch's rejected rows in the background."""
        path = messages.choose_output_file(
            self, "Save rejected rows", suggested_name(file_name), SPREADSHEETS, (".xlsx", ".csv")
        )
        if path is None:
            return
        db, account = self.context.db, self.context.account
        self._job = run_in_background(
            lambda _p: save_rejected_for_school(db, account, batch_id, path),
            lambda count: self._saved(path, count),
            self._save_failed,
            owner=self,
            writes=True,
            name="save rejected rows",
        )

    def _saved(self, path: Path, count: int) -> None:
        self.context.signals.status_message.emit(f"Saved {count:,} rejected rows to {path.name}.")
        self.rejected_saved.emit(str(path))

    def _save_failed(self, error: BaseException) -> None:
        messages.show_error(self, "Save rejected rows", f"The rows could not be saved: {error}")
