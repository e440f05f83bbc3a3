"""The Imports page: drop or add files, check each file's kind and mapping (and fix it), import
in the background with a progress bar and Cancel, then the result, the history with undo, and
the near matches of children waiting for a decision."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.roles import Action
from imports import FilePreview, FileResult, inspect_file
from imports import save_mapping_profile as save_profile
from operations import ImportRequest, run_imports
from ui.app import messages
from ui.app.background import BackgroundJob, Progress, run_in_background
from ui.app.identity_review_panel import IdentityReviewPanel
from ui.app.import_history_view import ImportHistoryView
from ui.app.import_models import IMPORTABLE_SUFFIXES, PendingFile, PendingFilesModel
from ui.app.import_result_view import ImportResultView
from ui.app.mapping_editor import NO_FILES, NOTHING_SELECTED, MappingEditor
from ui.app.pages.base import AppContext, Page
from ui.app.table_views import Selection, record_table_view, split

log = logging.getLogger(__name__)

DROP_HINT = (
    "Drop census, exclusion, enrolment or school register files on this page "
    "(.xlsx, .xlsm, .xls, .ods, .csv) or Common Transfer Files (.xml), or use Add files."
)
NO_RIGHTS = (
    "Importing needs the liaison or admin role; your account can look at the history but not "
    "import or undo."
)
TAB_FILES, TAB_RESULT, TAB_HISTORY, TAB_IDENTITY = range(4)


def importable(path: Path) -> bool:
    return path.suffix.lower() in IMPORTABLE_SUFFIXES


def import_requests(files: list[PendingFile]) -> list[ImportRequest]:
    """What the user settled for each ready file: kind, census date (when needed), mapping."""
    return [
        ImportRequest(
            f.path,
            f.kind,
            f.census_date if f.needs_census_date else None,
            dict(f.mapping),
        )
        for f in files
        if f.ready
    ]


class ImportsPage(Page):
    TITLE = "Imports"
    LOADS_WHEN_FIRST_SHOWN = True
    REQUIRES = Action.IMPORT_FILE
    # Every added file has been read (its kind and mapping are shown).
    inspected = Signal()
    # An import finished and its result is shown.
    imported = Signal(list)
    # A mapping profile was saved.
    profile_saved = Signal()
    # The number of open near matches changed (navigation badge).
    badge_changed = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.can_import = context.allows(Action.IMPORT_FILE)
        self._inspecting: dict[int, BackgroundJob] = {}
        self._import_job: BackgroundJob | None = None
        self._profile_job: BackgroundJob | None = None
        self._cancel = threading.Event()
        self.setAcceptDrops(self.can_import)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("imports_tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._build_files_tab(), "Files to import")
        self.result_view = ImportResultView(context)
        self.tabs.addTab(self.result_view, "Result")
        self.history = ImportHistoryView(context)
        self.tabs.addTab(self.history, "History")
        self.identity = IdentityReviewPanel(context)
        self.tabs.addTab(self.identity, "Near matches")
        self.layout_.addWidget(self.tabs, 1)

        self.history.save_rejected_requested.connect(self.result_view.save_batch_rejected)
        self.identity.count_changed.connect(self._show_identity_count)
        self.context.signals.data_changed.connect(self.reload_if_loaded)
        self._update_import_bar()

    def _build_files_tab(self) -> QWidget:
        self.add_button = QPushButton("Add files...")
        self.add_button.setObjectName("add_files_button")
        self.remove_button = QPushButton("Remove from the list")
        self.remove_button.setEnabled(False)
        self.hint = QLabel(DROP_HINT if self.can_import else NO_RIGHTS)
        self.hint.setObjectName("drop_hint")
        self.hint.setWordWrap(True)
        for button in (self.add_button, self.remove_button):
            button.setVisible(self.can_import)
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addWidget(self.remove_button)
        bar.addWidget(self.hint, 1)

        self.files_model = PendingFilesModel()
        self.files_view = record_table_view(
            self.files_model,
            "pending_files",
            selection=Selection.ExtendedSelection,
            row_padding=8,
        )
        header = self.files_view.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate([280, 130, 150, 85]):
            header.resizeSection(column, width)

        self.editor = MappingEditor()
        self.editor.setObjectName("mapping_editor")
        self.splitter = split(
            "imports_splitter",
            self.files_view,
            self.editor,
            Qt.Orientation.Vertical,
            stretch=(1, 3),
        )
        # A short list of files; most of the room for the mapping and its preview rows.
        self.splitter.setSizes([150, 450])

        self.import_button = QPushButton("Import")
        self.import_button.setObjectName("import_button")
        self.import_button.setDefault(True)
        self.import_button.setVisible(self.can_import)
        self.progress = QProgressBar()
        self.progress.setObjectName("import_progress")
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancel_import_button")
        self.cancel_button.setVisible(False)
        self.ready_label = QLabel()
        self.ready_label.setObjectName("ready_label")
        self.ready_label.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.ready_label, 1)
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.cancel_button)
        bottom.addWidget(self.import_button)

        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)

        self.add_button.clicked.connect(self.choose_files)
        self.remove_button.clicked.connect(self.remove_selected)
        self.files_view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.editor.changed.connect(self._editor_changed)
        self.editor.kind_chosen.connect(self._kind_chosen)
        self.editor.save_requested.connect(self.save_mapping)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel_import)
        return tab

    # --- page hooks ----------------------------------------------------------------------------

    def refresh(self) -> None:
        self.history.refresh()
        self.identity.refresh()

    def saved_layout(self) -> dict[str, QHeaderView | QSplitter]:
        return {
            "imports/splitter": self.splitter,
            "imports/files_header": self.files_view.horizontalHeader(),
        }

    def _show_identity_count(self, count: int) -> None:
        title = f"Near matches ({count})" if count else "Near matches"
        self.tabs.setTabText(TAB_IDENTITY, title)
        self.tabs.setTabToolTip(
            TAB_IDENTITY, f"{count} pairs of children to merge or keep apart" if count else ""
        )
        self.badge_changed.emit(str(count) if count else "")

    # --- adding files --------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if self.can_import and any(importable(Path(u.toLocalFile())) for u in urls):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        wanted = [p for p in paths if importable(p)]
        if wanted:
            event.acceptProposedAction()
            self.tabs.setCurrentIndex(TAB_FILES)
            self.add_files(wanted)
        skipped = len(paths) - len(wanted)
        if skipped:
            self.context.signals.status_message.emit(
                f"{skipped} dropped file{'s were' if skipped != 1 else ' was'} not a spreadsheet "
                "or CSV file and was left out."
            )

    def choose_files(self) -> None:
        self.add_files([Path(p) for p in messages.choose_import_files(self)])

    def add_files(self, paths: list[Path]) -> None:
        """Put the files on the list and read each one in the background."""
        if not self.can_import:
            return
        known = {f.path.resolve() for f in self.files_model.files}
        first_new = -1
        for path in paths:
            if path.resolve() in known:
                continue
            known.add(path.resolve())
            pending = PendingFile(path)
            row = self.files_model.add(pending)
            first_new = row if first_new < 0 else first_new
            self._inspect(pending)
        if first_new >= 0 and not self.files_view.selectionModel().hasSelection():
            self.files_view.selectRow(first_new)
        self._update_import_bar()

    def _inspect(self, pending: PendingFile, kind: str | None = None) -> None:
        db, path = self.db, pending.path
        key = id(pending)
        self._inspecting[key] = run_in_background(
            lambda _p: inspect_file(path, kind=kind, db=db),
            lambda preview: self._inspected(pending, preview),
            lambda error: self._inspect_failed(pending, error),
            owner=self,
            name=f"inspect {path.suffix}",
        )

    def _inspected(self, pending: PendingFile, preview: FilePreview) -> None:
        self._inspecting.pop(id(pending), None)
        pending.failed = None
        pending.set_preview(preview)
        self._file_changed(pending, reshow=True)

    def _inspect_failed(self, pending: PendingFile, error: BaseException) -> None:
        self._inspecting.pop(id(pending), None)
        pending.failed = f"the file could not be read ({type(error).__name__}); see the log."
        self._file_changed(pending, reshow=True)

    def _file_changed(self, pending: PendingFile, *, reshow: bool) -> None:
        self.files_model.changed(pending)
        if reshow and self.editor.pending is pending:
            self.editor.set_file(pending)
        self._update_import_bar()
        if not self._inspecting:
            self.inspected.emit()

    def _kind_chosen(self, kind: str) -> None:
        pending = self.editor.pending
        if pending is None:
            return
        pending.preview = None
        self._inspect(pending, kind)
        self._file_changed(pending, reshow=True)

    def selected_files(self) -> list[PendingFile]:
        rows = sorted(i.row() for i in self.files_view.selectionModel().selectedRows())
        return [self.files_model.files[r] for r in rows]

    def _selection_changed(self, _s: QItemSelection, _d: QItemSelection) -> None:
        chosen = self.selected_files()
        self.remove_button.setEnabled(bool(chosen) and not self.importing)
        self.editor.set_file(chosen[0] if len(chosen) == 1 else None)

    def select_file(self, name: str) -> PendingFile:
        """Select the pending file called `name` (as a click on its row would)."""
        for row, pending in enumerate(self.files_model.files):
            if pending.name == name:
                self.files_view.selectRow(row)
                return pending
        raise KeyError(name)

    def remove_selected(self) -> None:
        rows = [i.row() for i in self.files_view.selectionModel().selectedRows()]
        for row in rows:
            job = self._inspecting.pop(id(self.files_model.files[row]), None)
            if job is not None:
                job.cancel()
        self.files_model.remove(rows)
        self.editor.set_file(None)
        self._update_import_bar()
        if not self._inspecting:
            self.inspected.emit()

    def _editor_changed(self) -> None:
        if self.editor.pending is not None:
            self._file_changed(self.editor.pending, reshow=False)

    # --- mapping profiles ----------------------------------------------------------------------

    def save_mapping(self) -> None:
        pending = self.editor.pending
        if pending is None or pending.preview is None or pending.kind is None:
            return
        db, account = self.db, self.context.account
        headers, kind, mapping = list(pending.preview.headers), pending.kind, dict(pending.mapping)
        signature = pending.preview.header_signature

        def saved(_result: object) -> None:
            # Other files on the list with the same headers are read the same way at once.
            for other in self.files_model.files:
                same = other.preview is not None and other.preview.header_signature == signature
                if other is not pending and same and other.kind == kind:
                    other.mapping = dict(mapping)
                    self._file_changed(other, reshow=True)
            self.context.signals.status_message.emit(
                f"Saved the mapping: the next {kind.replace('_', ' ')} file with these "
                "columns will be read the same way."
            )
            self.profile_saved.emit()

        self._profile_job = run_in_background(
            lambda _p: save_profile(db, headers, kind, mapping, account=account),
            saved,
            lambda error: messages.show_error(
                self, "Save the mapping", f"The mapping was not saved: {error}"
            ),
            owner=self,
            writes=True,
            name="save mapping profile",
        )

    # --- importing -----------------------------------------------------------------------------

    @property
    def importing(self) -> bool:
        return self._import_job is not None and self._import_job.is_running()

    def _update_import_bar(self) -> None:
        files = self.files_model.files
        ready = [f for f in files if f.ready]
        waiting = len(files) - len(ready)
        busy = self.importing
        self.import_button.setEnabled(self.can_import and bool(ready) and not busy)
        self.import_button.setText(
            f"Import {len(ready)} file{'s' if len(ready) != 1 else ''}" if ready else "Import"
        )
        self.add_button.setEnabled(not busy)
        self.remove_button.setEnabled(bool(self.selected_files()) and not busy)
        self.editor.idle_text = NOTHING_SELECTED if files else NO_FILES
        if self.editor.pending is None:
            self.editor.update_note()
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if busy:
            self.ready_label.setText("Importing...")
        elif not files:
            self.ready_label.setText("No files on the list yet.")
        elif waiting:
            self.ready_label.setText(
                f"{len(ready)} ready; {waiting} not ready (select one to see why and fix it)."
            )
        else:
            self.ready_label.setText(f"{len(ready)} ready to import.")

    def start_import(self) -> None:
        ready = [f for f in self.files_model.files if f.ready]
        if not ready or self.importing or not self.can_import:
            return
        requests = import_requests(ready)
        db, account, cancel = self.db, self.context.account, threading.Event()
        self._cancel = cancel

        def work(progress: Progress) -> list[FileResult]:
            def report(done: int, total: int) -> None:
                # Cancel goes through the intake's own cancel (it rolls the file back cleanly).
                if not cancel.is_set():
                    progress(done, total)

            outcome = run_imports(
                db, requests, account=account, progress=report, cancel=cancel.is_set
            )
            return outcome.value

        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self._import_job = run_in_background(
            work,
            lambda results: self._import_done(ready, results),
            self._import_failed,
            self._import_progress,
            owner=self,
            writes=True,
            name="import files",
        )
        self._update_import_bar()

    def _import_progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def cancel_import(self) -> None:
        if self.importing:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.ready_label.setText("Cancelling: the file being read is rolled back...")

    def _import_done(self, sent: list[PendingFile], results: list[FileResult]) -> None:
        finished = {str(r.file) for r in results if r.status in ("imported", "already_imported")}
        rows = [self.files_model.row_of(f) for f in sent if str(f.path) in finished]
        self.files_model.remove([r for r in rows if r >= 0])
        self.editor.set_file(None)
        self.files_view.clearSelection()
        self._update_import_bar()
        self.result_view.set_results(results)
        self.tabs.setCurrentIndex(TAB_RESULT)
        imported = sum(r.status == "imported" for r in results)
        self.context.signals.status_message.emit(
            f"Imported {imported} of {len(results)} file{'s' if len(results) != 1 else ''}."
        )
        if imported:
            self.context.signals.data_changed.emit()
        self.imported.emit(results)

    def _import_failed(self, error: BaseException) -> None:
        self._update_import_bar()
        messages.show_error(self, "Import", f"The import did not run: {error}")
