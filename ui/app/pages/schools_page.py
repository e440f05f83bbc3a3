"""The Schools page: the school register with this academic year's exclusions and rates against
the authority, and the children flagged at the selected school (double-click opens a child)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QWidget,
)

from exclusion_monitor.display import uk_date
from exclusion_monitor.flagging import FlaggedChild
from exclusion_monitor.reports.school_register import (
    SchoolRegister,
    SchoolRow,
    build_school_register,
    register_table,
)
from exclusion_monitor.roles import Action
from exclusion_monitor.rules.wording import count
from operations.output import export_report
from ui.app import messages
from ui.app.background import BackgroundJob, run_in_background
from ui.app.date_entry import DateEntry
from ui.app.pages.base import AppContext, Page
from ui.app.record_table_model import ROW_ROLE, SortByValueProxy
from ui.app.school_models import (
    COL_NAME,
    COL_SUSP_RATE,
    FlaggedAtSchoolModel,
    SchoolRegisterModel,
)
from ui.app.table_views import pane, record_table_view, selected_record, split

log = logging.getLogger(__name__)

PICK_A_SCHOOL = "Select a school above to list the children flagged there."


def _table(proxy: SortByValueProxy, name: str) -> QTableView:
    view = record_table_view(proxy, name, row_padding=8)
    view.setSortingEnabled(True)
    return view


class SchoolsPage(Page):
    TITLE = "Schools"
    LOADS_WHEN_FIRST_SHOWN = True
    loaded = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.register: SchoolRegister | None = None
        self._job: BackgroundJob | None = None
        self._sequence = 0

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by school name or LAESTAB")
        self.filter_edit.setClearButtonEnabled(True)
        self.export_button = QPushButton("Export...")
        self.export_button.setToolTip(
            "The register as an Excel workbook, counts from 1 to 4 shown as 'c'"
        )
        self.export_button.setVisible(context.allows(Action.EXPORT))
        self.export_button.setEnabled(False)
        self.date_edit = DateEntry("School register as-of date")
        self.date_edit.set_placeholder("latest data")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("As of:"))
        bar.addWidget(self.date_edit)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.export_button)
        self.layout_.addLayout(bar)
        self.summary = QLabel("Loading the school register...")
        self.summary.setWordWrap(True)
        self.summary.setObjectName("schools_summary")
        self.summary.setToolTip(
            "Counts on this page are exact: everyone who can open it may see the children's "
            "records. The export suppresses counts from 1 to 4 as 'c', as published statistics do."
        )
        self.layout_.addWidget(self.summary)

        self.model = SchoolRegisterModel()
        self.proxy = SortByValueProxy()
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = _table(self.proxy, "schools_table")
        self.view.sortByColumn(COL_SUSP_RATE, Qt.SortOrder.DescendingOrder)
        self.flagged_model = FlaggedAtSchoolModel()
        self.flagged_proxy = SortByValueProxy()
        self.flagged_proxy.setSourceModel(self.flagged_model)
        self.flagged_view = _table(self.flagged_proxy, "flagged_at_school")
        self.flagged_view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.flagged_view.horizontalHeader().setStretchLastSection(True)
        self.flagged_label = QLabel(PICK_A_SCHOOL)
        lower = pane(self.flagged_label, self.flagged_view, (0, 4, 0, 0))
        self.splitter = split("schools_splitter", self.view, lower, Qt.Orientation.Vertical)
        self.layout_.addWidget(self.splitter, 1)

        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.view.selectionModel().selectionChanged.connect(self._school_selected)
        self.flagged_view.doubleClicked.connect(self._open_child)
        self.flagged_view.activated.connect(self._open_child)
        self.export_button.clicked.connect(self.export_register)
        self.date_edit.chosen.connect(lambda _day: self.refresh())
        self.context.signals.data_changed.connect(
            lambda: self.reload_if_loaded(only_when_visible=True)
        )

    # --- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self._job is not None and self._job.is_running():
            self._job.cancel()
        db = self.db
        as_of = self.date_edit.date()
        self._sequence += 1
        sequence = self._sequence
        self._job = run_in_background(
            lambda progress: build_school_register(db, as_of=as_of, progress=progress),
            lambda register: self._show(register) if sequence == self._sequence else None,
            self._failed,
            owner=self,
            name="school register",
        )

    def _failed(self, error: BaseException) -> None:
        self.summary.setText("The school register could not be read.")
        messages.show_error(self, "Schools", f"The school register could not be read: {error}")

    def _show(self, register: SchoolRegister) -> None:
        selected = self.selected_school()
        self.register = register
        self.date_edit.set_date(register.as_of)
        self.model.set_rows(register.schools)
        self._fit_columns()
        a = register.authority
        census = uk_date(register.census_date) or None
        if not register.schools:
            self.summary.setText(
                "<b>No schools yet.</b> Schools appear once a schools register or a census "
                "return has been imported."
            )
        elif census is None:
            self.summary.setText(
                f"Academic year <b>{register.academic_year}</b>: no spring census recorded, "
                "so no rolls or rates. Choose an as-of date in a year with a spring census."
            )
        else:
            rate = f"{a.suspension_rate:.2f}" if a.suspension_rate is not None else "-"
            perm = f"{a.permanent_rate:.2f}" if a.permanent_rate is not None else "-"
            self.summary.setText(
                f"Academic year <b>{register.academic_year}</b>, rolls at the spring census "
                f"({census}). Whole authority: {a.pupils:,} pupils, "
                f"{count(a.suspensions, 'suspension')} ({rate} per 100; {a.lunchtimes:,} of them "
                f"at lunchtime), {count(a.permanents, 'permanent exclusion')} ({perm} per 100; "
                f"{a.reversed_permanents:,} more reversed on review, not counted)."
            )
        self.export_button.setEnabled(bool(register.schools))
        if selected is not None:
            self.select_school(selected.laestab)
        self.loaded.emit()

    def _fit_columns(self) -> None:
        self.view.resizeColumnsToContents()
        self.view.setColumnWidth(COL_NAME, min(max(self.view.columnWidth(COL_NAME), 200), 340))

    # --- selection -----------------------------------------------------------------------------

    def selected_school(self) -> SchoolRow | None:
        return selected_record(self.view, SchoolRow)

    def select_school(self, laestab: str) -> bool:
        for row in range(self.proxy.rowCount()):
            school = self.proxy.index(row, 0).data(ROW_ROLE)
            if isinstance(school, SchoolRow) and school.laestab == laestab:
                self.view.selectRow(row)
                return True
        return False

    def _school_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        school = self.selected_school()
        if school is None:
            self.flagged_model.set_children([])
            self.flagged_label.setText(PICK_A_SCHOOL)
            return
        self.flagged_model.set_children(list(school.flagged))
        count = len(school.flagged)
        if count:
            self.flagged_label.setText(
                f"<b>{count} flagged {'child' if count == 1 else 'children'}</b> at "
                f"{school.name}. Double-click a child to open their record."
            )
        else:
            self.flagged_label.setText(f"No children with an open flag at {school.name}.")
        self.flagged_view.resizeColumnsToContents()

    def _open_child(self, index: QModelIndex) -> None:
        child = index.data(ROW_ROLE)
        if isinstance(child, FlaggedChild):
            self.context.signals.open_child.emit(child.child_id)

    # --- export --------------------------------------------------------------------------------

    def export_register(self) -> None:
        register = self.register
        if register is None:
            return
        suggested = f"schools-{register.academic_year.replace('/', '-')}.xlsx"
        target = messages.choose_output_file(
            self, "Export the school register", suggested, "Excel workbooks (*.xlsx)", (".xlsx",)
        )
        if target is None:
            return
        db, account = self.db, self.context.account
        title = f"School register {register.academic_year}"
        run_in_background(
            lambda _p: (
                export_report(
                    db,
                    account,
                    target,
                    [register_table(register)],
                    title=title,
                    as_of=register.as_of,
                    filter_description=f"academic year {register.academic_year}",
                    target=None,
                    detail={"report": "schools", "academic_year": register.academic_year},
                    overwrite=True,  # the save dialog asked before offering a name that exists
                ).value.path
            ),
            lambda done: self.context.signals.status_message.emit(f"Exported to {done}"),
            lambda error: messages.show_error(self, "Schools", str(error)),
            owner=self,
            writes=True,
            name="export schools",
        )

    # --- layout --------------------------------------------------------------------------------

    def saved_layout(self) -> dict[str, QHeaderView | QSplitter]:
        return {"schools/splitter": self.splitter}

    def school_names(self) -> list[str]:
        """The schools as listed now (sorted and filtered), for tests and checks."""
        return [str(self.proxy.index(row, COL_NAME).data()) for row in range(self.proxy.rowCount())]
