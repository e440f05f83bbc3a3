"""The Flags page: the review queue. One row per flagged child with rule chips, filters (rule,
school, status, officer, family), status changes and assignment for the selected children,
whole-family grouping, print preview and export. Notes are written on the child's profile
(double-click a row)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QWidget,
)

from exclusion_monitor.display import REVIEW_STATUS_WORDS as STATUS_WORDS
from exclusion_monitor.flagging import FlagFilter, FlaggedChild
from exclusion_monitor.records import ReviewStatus
from exclusion_monitor.roles import Action, Role, allows
from exclusion_monitor.store.cases import CLOSED_STATUSES
from operations.cases import officer_label
from operations.output import Printout, export_flag_list
from ui.app import messages
from ui.app.background import Progress, ProgressBar, run_in_background
from ui.app.combo import deliberate_combo
from ui.app.flags_table_model import (
    COL_FAMILY,
    COL_NAME,
    COL_OFFICER,
    COL_RULES,
    COL_SCHOOL,
    COL_STATUS,
    COL_UPN,
    ROW_ROLE,
    RULE_CHOICES,
    UNASSIGNED,
    FlagQueueFilter,
    FlagQueueModel,
    RuleChipDelegate,
)
from ui.app.pages.base import AppContext, Page
from ui.app.report_output import prepare_chosen_print
from ui.app.review_ops import (
    FLAGS_UPDATING,
    FlagQueue,
    change_cases,
    load_flag_queue,
)
from ui.app.table_views import note_label, record_table_view, table_or_note
from ui.reports.pdf import paint_document

log = logging.getLogger(__name__)

_WIDTHS = {
    COL_UPN: 120,
    COL_NAME: 150,
    COL_SCHOOL: 180,
    COL_STATUS: 100,
    COL_OFFICER: 100,
    COL_FAMILY: 200,
}
_NO_FLAGS = (
    "<p><b>No child is flagged.</b></p><p>Flags are raised when a child's exclusions or school "
    "moves meet a rule (permanent exclusion, repeated or escalating suspensions, high mobility "
    "and others). They appear here once census and exclusion returns have been imported.</p>"
)


class FlagsPage(Page):
    TITLE = "Flags"
    # The queue has been (re)read.
    loaded = Signal()
    # A status change or assignment from this page has been written (and the queue re-read).
    changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.queue: FlagQueue | None = None
        self.role: Role | None = None
        self._stale = True
        self._loading = False
        self.model = FlagQueueModel()
        self.proxy = FlagQueueFilter()
        self.proxy.setSourceModel(self.model)

        self.rule_combo = self._combo("rule_filter", 14)
        self.school_combo = self._combo("school_filter", 16)
        self.status_combo = self._combo("status_filter", 12)
        self.officer_combo = self._combo("officer_filter", 10)
        self.family_check = QCheckBox("Family cases only")
        self.family_check.setToolTip("Only children with a brother or sister on record")
        self.group_check = QCheckBox("Group whole-family cases")
        self.group_check.setToolTip("Keep the children of one family together")
        self.clear_button = QPushButton("Clear filters")
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        for label, widget in (
            ("Rule:", self.rule_combo),
            ("School:", self.school_combo),
            ("Status:", self.status_combo),
            ("Officer:", self.officer_combo),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget, 1)
        self.filter_bar = QWidget()
        self.filter_bar.setLayout(filters)
        options = QHBoxLayout()
        options.setContentsMargins(0, 0, 0, 0)
        options.addWidget(self.family_check)
        options.addWidget(self.group_check)
        options.addWidget(self.clear_button)
        options.addStretch(1)
        self.initials_check = QCheckBox("Initials only")
        self.initials_check.setToolTip("Print and export children's initials instead of names")
        self.print_button = QPushButton("Print...")
        self.print_button.setToolTip("Print preview of the list as filtered (Ctrl+P)")
        self.export_button = QPushButton("Export...")
        self.export_button.setToolTip("Save the list as filtered as Excel or CSV")
        self.export_menu = QMenu(self.export_button)
        self.export_one_sheet = self.export_menu.addAction(
            "One sheet for the authority (Excel or CSV)..."
        )
        self.export_per_school = self.export_menu.addAction(
            "With a sheet per school as well (Excel)..."
        )
        self.export_button.setMenu(self.export_menu)
        options.addWidget(self.initials_check)
        options.addWidget(self.print_button)
        options.addWidget(self.export_button)
        self.options_bar = QWidget()
        self.options_bar.setLayout(options)
        self.layout_.addWidget(self.filter_bar)
        self.layout_.addWidget(self.options_bar)

        self.summary = QLabel("Reading the flag list...")
        self.summary.setObjectName("flags_summary")
        self.summary.setWordWrap(True)
        self.progress = ProgressBar(FLAGS_UPDATING, hide_when_done=True)
        self.layout_.addWidget(self.summary)
        self.layout_.addWidget(self.progress)

        self.view = record_table_view(
            self.proxy, "flags_queue", selection=QAbstractItemView.SelectionMode.ExtendedSelection
        )
        self.view.setItemDelegateForColumn(COL_RULES, RuleChipDelegate(self.view))
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        for column, width in _WIDTHS.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(COL_RULES, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
        self.empty_note = note_label(_NO_FLAGS)
        self.body = table_or_note(self.view, self.empty_note)
        self.layout_.addWidget(self.body, 1)

        self.new_status = deliberate_combo("new_status")
        for status, word in STATUS_WORDS.items():
            self.new_status.addItem(word, status.value)
        self.set_status_button = QPushButton("Set case status")
        self.assign_combo = deliberate_combo("assign_to")
        self.assign_combo.setMinimumContentsLength(16)
        self.assign_button = QPushButton("Assign")
        self.open_button = QPushButton("Open profile")
        self.open_button.setToolTip("Open the child's profile to read the history and add notes")
        self.selection_label = QLabel("")
        actions = QHBoxLayout()
        actions.setContentsMargins(0, 0, 0, 0)
        actions.addWidget(self.selection_label, 1)
        actions.addWidget(QLabel("Status:"))
        actions.addWidget(self.new_status)
        actions.addWidget(self.set_status_button)
        actions.addSpacing(12)
        actions.addWidget(QLabel("Officer:"))
        actions.addWidget(self.assign_combo)
        actions.addWidget(self.assign_button)
        actions.addSpacing(12)
        actions.addWidget(self.open_button)
        self.action_bar = QWidget()
        self.action_bar.setLayout(actions)
        self.layout_.addWidget(self.action_bar)

        self.print_action = QAction("Print flag list...", self)
        self.print_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.print_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_action.triggered.connect(self.print_list)
        self.addAction(self.print_action)

        for combo in (self.rule_combo, self.school_combo, self.status_combo, self.officer_combo):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.family_check.toggled.connect(self._filters_changed)
        self.group_check.toggled.connect(self._filters_changed)
        self.clear_button.clicked.connect(self.clear_filters)
        self.view.doubleClicked.connect(lambda _index: self.open_selected())
        self.open_button.clicked.connect(self.open_selected)
        self.set_status_button.clicked.connect(self.set_status_of_selected)
        self.assign_button.clicked.connect(self.assign_selected)
        self.print_button.clicked.connect(self.print_list)
        self.export_one_sheet.triggered.connect(lambda: self.export_list())
        self.export_per_school.triggered.connect(lambda: self.export_list(per_school=True))
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        context.signals.data_changed.connect(self._mark_stale)
        context.signals.reviews_changed.connect(self._mark_stale)
        self._fill_fixed_choices()
        self._update_actions()

    @staticmethod
    def _combo(name: str, chars: int) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setMinimumContentsLength(chars)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        return combo

    def _fill_fixed_choices(self) -> None:
        self.rule_combo.addItem("All rules", None)
        for rule_id, label in RULE_CHOICES:
            self.rule_combo.addItem(label, rule_id)
        self.status_combo.addItem("Any status", None)
        for status, word in STATUS_WORDS.items():
            self.status_combo.addItem(word, status.value)
        self.school_combo.addItem("All schools", None)
        self.officer_combo.addItem("Any officer", None)

    # --- loading -------------------------------------------------------------------------------

    def activated(self) -> None:
        if self._stale:
            self.refresh()

    def _mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        if self._loading:
            return
        self._loading = True
        self._stale = False
        db, account = self.db, self.context.account

        def read(progress: Progress) -> FlagQueue:
            return load_flag_queue(db, account, progress)

        run_in_background(
            read,
            self._loaded,
            self._failed,
            self.progress.show_progress,
            on_cancelled=self._cancelled,
            owner=self,
            writes=True,
            name="flag queue",
        )

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self.progress.hide()
        self.summary.setText(f"The flag list could not be read. {error}")
        self.loaded.emit()

    def _cancelled(self) -> None:
        self._loading = False
        self.progress.hide()
        self.loaded.emit()

    def _loaded(self, queue: FlagQueue) -> None:
        self._loading = False
        self.progress.hide()
        self.queue = queue
        self.role = queue.user.role
        chosen = {r.child_id for r in self.selected_rows()}
        self.model.set_rows(queue.rows, queue.year_groups, queue.names)
        self._fill_choices(queue)
        self._update_summary()
        self._reselect(chosen)
        self._update_actions()
        self.loaded.emit()

    def _fill_choices(self, queue: FlagQueue) -> None:
        school, officer = self.school_combo.currentData(), self.officer_combo.currentData()
        schools = sorted(
            {(r.school_name or "", r.school_laestab) for r in queue.rows if r.school_laestab}
        )
        officers = sorted({f.assigned_to for r in queue.rows for f in r.flags if f.assigned_to})
        for combo in (self.school_combo, self.officer_combo):
            combo.blockSignals(True)
        self.school_combo.clear()
        self.school_combo.addItem("All schools", None)
        for name, laestab in schools:
            self.school_combo.addItem(f"{name} ({laestab})", laestab)
        self.officer_combo.clear()
        self.officer_combo.addItem("Any officer", None)
        self.officer_combo.addItem("Unassigned", UNASSIGNED)
        names = queue.names
        for account in officers:
            self.officer_combo.addItem(names.get(account, account), account)
        self.school_combo.setCurrentIndex(max(0, self.school_combo.findData(school)))
        self.officer_combo.setCurrentIndex(max(0, self.officer_combo.findData(officer)))
        for combo in (self.school_combo, self.officer_combo):
            combo.blockSignals(False)
        chosen = self.assign_combo.currentData()
        self.assign_combo.clear()
        self.assign_combo.addItem("(nobody)", None)
        for user in queue.officers:
            self.assign_combo.addItem(officer_label(user), user.account)
        self.assign_combo.setCurrentIndex(max(0, self.assign_combo.findData(chosen)))
        self._filters_changed()

    # --- filters -------------------------------------------------------------------------------

    def _filters_changed(self, *_args: Any) -> None:
        self.proxy.set_filters(self.current_filter(), group_families=self.group_check.isChecked())
        self._update_summary()
        self._update_actions()

    def clear_filters(self) -> None:
        for combo in (self.rule_combo, self.school_combo, self.status_combo, self.officer_combo):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        for check in (self.family_check, self.group_check):
            check.blockSignals(True)
            check.setChecked(False)
            check.blockSignals(False)
        self._filters_changed()

    def current_filter(self) -> FlagFilter:
        """The page's filters: the one FlagFilter the table on screen, the printed list and
        the export all apply."""
        rule, status = self.rule_combo.currentData(), self.status_combo.currentData()
        return FlagFilter(
            as_of=self.queue.as_of if self.queue else None,
            rules=[rule] if rule else None,
            school_laestab=self.school_combo.currentData(),
            statuses=[status] if status else None,
            officer=self.officer_combo.currentData(),  # "" is the flags nobody has
            family_only=self.family_check.isChecked(),
        )

    def _update_summary(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        self.body.setCurrentWidget(self.view if total or self.queue is None else self.empty_note)
        if self.queue is None:
            return
        as_of = f" as of {self.queue.as_of:%d/%m/%Y}" if self.queue.as_of else ""
        flags = sum(len(self.proxy.matching_flags(r)) for r in self.visible_rows())
        if not total:
            self.summary.setText("")
        elif shown == total and flags == sum(len(r.flags) for r in self.model.rows):
            self.summary.setText(
                f"{total:,} flagged children, {flags:,} flags{as_of}. "
                "Double-click a child to open their profile and notes."
            )
        elif shown == 0:
            self.summary.setText(f"No flagged child matches these filters (of {total:,}).")
        else:
            self.summary.setText(
                f"Showing {shown:,} of {total:,} flagged children "
                f"({flags:,} matching flags){as_of}."
            )

    # --- selection and changes -----------------------------------------------------------------

    def visible_rows(self) -> list[FlaggedChild]:
        return [self.proxy.index(i, 0).data(ROW_ROLE) for i in range(self.proxy.rowCount())]

    def selected_rows(self) -> list[FlaggedChild]:
        rows = self.view.selectionModel().selectedRows()
        return [index.data(ROW_ROLE) for index in sorted(rows, key=lambda i: i.row())]

    def selected_flags(self) -> list[tuple[int, str]]:
        """(flag id, UPN) of the selected children's flags that match the filters."""
        return [
            (f.flag_id, r.upn)
            for r in self.selected_rows()
            for f in self.proxy.matching_flags(r)
            if f.flag_id is not None
        ]

    def _reselect(self, child_ids: set[int]) -> None:
        selection = self.view.selectionModel()
        for i in range(self.proxy.rowCount()):
            index = self.proxy.index(i, 0)
            if index.data(ROW_ROLE).child_id in child_ids:
                selection.select(
                    index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows
                )

    def _may(self, action: Action) -> bool:
        return self.role is not None and allows(self.role, action)

    def _update_actions(self) -> None:
        children = self.selected_rows()
        flags = self.selected_flags()
        self.selection_label.setText(
            f"{len(children)} selected ({len(flags)} flag{'' if len(flags) == 1 else 's'})"
            if children
            else "Select children (Ctrl/Shift+click) to change their flags."
        )
        may_status, may_assign = self._may(Action.CHANGE_FLAG_STATUS), self._may(Action.ASSIGN_FLAG)
        for widget in (self.new_status, self.set_status_button):
            widget.setEnabled(bool(flags) and may_status)
        for widget in (self.assign_combo, self.assign_button):
            widget.setEnabled(bool(flags) and may_assign)
        self.open_button.setEnabled(len(children) == 1)
        reason = "" if may_status else "Your role cannot change flag reviews."
        self.set_status_button.setToolTip(reason)
        self.assign_button.setToolTip("" if may_assign else "Your role cannot assign flags.")
        may_print, may_export = self._may(Action.PRINT_REPORT), self._may(Action.EXPORT)
        has_rows = self.proxy.rowCount() > 0
        self.print_button.setEnabled(may_print and has_rows)
        self.print_action.setEnabled(may_print and has_rows)
        self.export_button.setEnabled(may_export and has_rows)
        self.initials_check.setEnabled(may_print or may_export)
        need = "" if may_print else "Printing needs the manager role."
        self.print_button.setToolTip(need or "Print preview of the list as filtered (Ctrl+P)")
        self.export_button.setToolTip(
            "Save the list as filtered as Excel or CSV"
            if may_export
            else "Exporting needs the manager role."
        )

    def open_selected(self) -> None:
        rows = self.selected_rows()
        if len(rows) == 1:
            self.context.signals.open_child.emit(rows[0].child_id)

    def selected_children(self) -> list[int]:
        """The selected children with a flag that matches the filters (whose cases change)."""
        return [r.child_id for r in self.selected_rows() if self.proxy.matching_flags(r)]

    def set_status_of_selected(self) -> None:
        children = self.selected_children()
        if not children:
            return
        status = str(self.new_status.currentData())
        word = STATUS_WORDS[ReviewStatus(status)]
        many = f"{len(children)} child{'ren' if len(children) != 1 else ''}"
        note: str | None = None
        if status in CLOSED_STATUSES:
            note, ok = QInputDialog.getMultiLineText(
                self,
                "Close cases",
                f"Why are the cases of {many} \u201c{word.lower()}\u201d? The note is written "
                "on each case.",
            )
            note = note.strip()
            if not ok or not note:
                return
        elif not messages.confirm(
            self, "Change case status", f"Set the cases of {many} to \u201c{word}\u201d?"
        ):
            return
        db, account = self.db, self.context.account
        self._write(
            lambda _p: change_cases(db, account, children, status=status, note=note),
            f"The cases of {many} set to {word.lower()}.",
        )

    def assign_selected(self) -> None:
        children = self.selected_children()
        if not children:
            return
        officer = self.assign_combo.currentData()
        name = self.assign_combo.currentText()
        db, account = self.db, self.context.account
        many = f"{len(children)} child{'ren' if len(children) != 1 else ''}"
        self._write(
            lambda _p: change_cases(db, account, children, officer=officer),
            f"The cases of {many} assigned to {name}."
            if officer
            else f"The cases of {many} unassigned.",
        )

    def _write(self, fn: Any, done_text: str) -> None:
        self.action_bar.setEnabled(False)

        def done(_result: object) -> None:
            self.action_bar.setEnabled(True)
            self.context.signals.status_message.emit(done_text)
            self._stale = True
            self.loaded.connect(self._announce_change)
            self.refresh()
            self.context.signals.reviews_changed.emit()

        run_in_background(
            fn, done, self._write_failed, owner=self, writes=True, name="flag queue change"
        )

    def _announce_change(self) -> None:
        self.loaded.disconnect(self._announce_change)
        self.changed.emit()

    def _write_failed(self, error: BaseException) -> None:
        self.action_bar.setEnabled(True)
        messages.show_error(self, "Flags", str(error))

    # --- print and export ----------------------------------------------------------------------

    def _group_by(self) -> str:
        return (
            "family" if self.group_check.isChecked() or self.family_check.isChecked() else "school"
        )

    def print_list(self) -> None:
        """Ask what to print (the list one line per child or in detail, a school's report, the
        dashboard), then lay it out in the background and show the print preview."""
        if not self.print_button.isEnabled():
            return
        filters = self.current_filter()
        schools = sorted(
            {
                (r.school_laestab, r.school_name or "")
                for r in self.visible_rows()
                if r.school_laestab
            },
            key=lambda s: s[1].casefold(),
        )
        choice = messages.choose_print(
            self,
            schools,
            filters.describe(),
            family=self._group_by() == "family",
            initials=self.initials_check.isChecked(),
        )
        if choice is None:
            return
        db, account = self.db, self.context.account

        def build(_progress: Progress) -> Printout:
            return prepare_chosen_print(db, account, choice, filters)

        self.print_button.setEnabled(False)
        run_in_background(
            build,
            self._preview,
            self._report_failed,
            owner=self,
            writes=True,
            name="flag list print",
        )

    def _preview(self, printout: Printout) -> None:
        self._update_actions()
        document, context = printout
        messages.print_preview(
            self,
            document.title,
            document.landscape,
            lambda device: paint_document(device, document, context),
        )

    def export_list(self, *, per_school: bool = False) -> None:
        """Save the list as filtered: one flat sheet for the authority (and the flags; with
        `per_school` a sheet per school as well) or a CSV file of one row per child."""
        if not self.export_button.isEnabled():
            return
        suggested = f"flag-list-{dt.date.today():%Y-%m-%d}.xlsx"
        path = messages.choose_output_file(
            self,
            "Export flag list (a sheet per school as well)" if per_school else "Export flag list",
            suggested,
            "Excel workbook (*.xlsx)"
            if per_school
            else "Excel workbook (*.xlsx);;CSV file (*.csv)",
            (".xlsx",) if per_school else (".xlsx", ".csv"),
        )
        if path is None:
            return
        db, account, filters = self.db, self.context.account, self.current_filter()
        group_by, initials = self._group_by(), self.initials_check.isChecked()

        def write(_progress: Progress) -> int:
            return export_flag_list(
                db,
                account,
                filters,
                path,
                group_by=group_by,
                initials=initials,
                per_school=per_school,
                overwrite=True,  # the save dialog asked before offering a name that exists
            ).value.rows

        def done(rows: int) -> None:
            self._update_actions()
            self.context.signals.status_message.emit(f"Exported {rows} children to {path.name}.")
            self.exported.emit(str(path))

        self.export_button.setEnabled(False)
        run_in_background(
            write, done, self._report_failed, owner=self, writes=True, name="flag list export"
        )

    # The flag list was exported to this file.
    exported = Signal(str)

    def _report_failed(self, error: BaseException) -> None:
        self._update_actions()
        messages.show_error(self, "Flags", str(error))

    # --- layout --------------------------------------------------------------------------------

    def saved_layout(self) -> dict[str, QHeaderView | QSplitter]:
        return {"flags_page/header": self.view.horizontalHeader()}
