"""The Children page: every child in the authority in one table, filtered and sorted in SQL."""

from __future__ import annotations

import logging

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QWidget,
)

from exclusion_monitor.codelists import NC_YEARS, codelist
from exclusion_monitor.places import STATUS_WORDS
from exclusion_monitor.refresh import refresh_derived
from exclusion_monitor.store.children import (
    ChildFilter,
    child_schools,
    child_year_groups,
    count_children,
)
from operations.viewing import record_list_filter
from ui.app.background import Progress, run_in_background
from ui.app.children_table_model import (
    COL_DATE,
    COL_DOB,
    COL_FLAGS,
    COL_NAME,
    COL_SCHOOL,
    COL_STATUS,
    COL_UPN,
    COL_YEAR,
    ROW_ROLE,
    ChildListSource,
    ChildrenTableModel,
    StoreChildListSource,
)
from ui.app.pages.base import AppContext, Page
from ui.app.table_views import note_label, record_table_view, table_or_note

log = logging.getLogger(__name__)

FILTER_DELAY_MS = 200
# A filter that has stood this long is a search on the audit trail (docs/data-protection.md).
RECORD_DELAY_MS = 1500
_WIDTHS = {
    COL_UPN: 140,
    COL_NAME: 220,
    COL_DOB: 100,
    COL_YEAR: 80,
    COL_STATUS: 130,
    COL_SCHOOL: 280,
    COL_DATE: 100,
    COL_FLAGS: 60,
}
_NO_CHILDREN = (
    "<p><b>No children yet.</b></p><p>Children appear here once a school census return has been "
    "imported. Until the Imports page is ready, import from the command line:<br>"
    "<code>exclusion-monitor import census.xlsx</code></p>"
)


class ChildrenPage(Page):
    TITLE = "Children"
    # The list has been (re)read and shows the current filter.
    loaded = Signal()

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        source: ChildListSource | None = None,
    ) -> None:
        super().__init__(context, parent)
        self.model = ChildrenTableModel(source or StoreChildListSource(context.db))
        self._selected_child: int | None = None
        self._loaded_once = False
        self._updating_filters = False
        self._recorded: ChildFilter | None = None  # the last search written to the audit trail
        self._total_children = 0

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Filter by name or UPN")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(150)
        self.school_combo = QComboBox()
        self.school_combo.setMinimumContentsLength(14)
        self.school_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.year_combo = QComboBox()
        self.year_combo.setMinimumContentsLength(15)
        self.year_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.status_combo = QComboBox()
        self.status_combo.addItem("Any status", None)
        for status, word in STATUS_WORDS.items():
            self.status_combo.addItem(word, str(status))
        self.flagged_check = QCheckBox("With open flags only")
        self.flagged_check.setToolTip(
            "Children with a flag still raised that no officer has closed (closed or no further "
            "action)"
        )
        self.clear_button = QPushButton("Clear filters")
        self.filter_bar = QWidget()
        filters = QHBoxLayout(self.filter_bar)
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.search_edit, 2)
        filters.addWidget(QLabel("School:"))
        filters.addWidget(self.school_combo, 2)
        filters.addWidget(QLabel("Year group:"))
        filters.addWidget(self.year_combo)
        filters.addWidget(QLabel("Status:"))
        filters.addWidget(self.status_combo)
        filters.addWidget(self.flagged_check)
        filters.addWidget(self.clear_button)
        self.layout_.addWidget(self.filter_bar)

        self.summary = QLabel("Loading the children list...")
        self.summary.setObjectName("children_summary")
        self.layout_.addWidget(self.summary)

        # Fixed row heights and no size-to-contents: the view then never asks for every row.
        self.view = record_table_view(self.model, "children_table", row_padding=8)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        for column, width in _WIDTHS.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(COL_SCHOOL, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(COL_NAME, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)

        self.empty_note = note_label(_NO_CHILDREN)
        self.body = table_or_note(self.view, self.empty_note)
        self.layout_.addWidget(self.body, 1)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filters)
        self.search_edit.textEdited.connect(lambda _text: self._filter_timer.start())
        self._record_timer = QTimer(self)
        self._record_timer.setSingleShot(True)
        self._record_timer.setInterval(RECORD_DELAY_MS)
        self._record_timer.timeout.connect(self._record_search)
        self.search_edit.returnPressed.connect(self.apply_filters)
        self.school_combo.currentIndexChanged.connect(self._filters_changed)
        self.year_combo.currentIndexChanged.connect(self._filters_changed)
        self.status_combo.currentIndexChanged.connect(self._filters_changed)
        self.flagged_check.toggled.connect(self._filters_changed)
        self.clear_button.clicked.connect(self.clear_filters)
        self.view.activated.connect(self._open_row)
        self.view.selectionModel().currentRowChanged.connect(self._remember_selection)
        self.model.modelReset.connect(self._after_reset)

    # --- loading -----------------------------------------------------------------------------

    def activated(self) -> None:
        if not self._loaded_once:
            self.refresh()

    def refresh(self) -> None:
        """Show the list as it is now, then bring its rows up to date in the background (a write
        only when the records changed since the last refresh) and show them again if they were."""
        self._loaded_once = True
        self._show_current()
        db = self.db

        def bring_up_to_date(progress: Progress) -> bool:
            # Each child's status is worked out with the flags, so both come up to date.
            return refresh_derived(db, progress)

        run_in_background(
            bring_up_to_date,
            self._up_to_date,
            self._load_failed,
            owner=self,
            writes=True,
            name="children list refresh",
        )

    def _show_current(self) -> None:
        self._total_children = count_children(self.db)
        self._load_choices()
        self.model.where = self.current_filter()
        self.model.reload()
        self._show_summary()

    def _up_to_date(self, refreshed: bool) -> None:
        if refreshed:
            self._show_current()
        self.loaded.emit()

    def _load_failed(self, error: BaseException) -> None:
        self.summary.setText(f"The children list could not be brought up to date: {error}")
        self.loaded.emit()

    def _load_choices(self) -> None:
        school = self.school_combo.currentData()
        year = self.year_combo.currentData()
        self._updating_filters = True
        try:
            self.school_combo.clear()
            self.school_combo.addItem("All schools", None)
            for school_id, name in child_schools(self.db):
                self.school_combo.addItem(name, school_id)
            self.year_combo.clear()
            self.year_combo.addItem("All year groups", None)
            for code in child_year_groups(self.db):
                found = codelist(NC_YEARS).get(code)
                self.year_combo.addItem(found.label if found else code, code)
            self.school_combo.setCurrentIndex(max(0, self.school_combo.findData(school)))
            self.year_combo.setCurrentIndex(max(0, self.year_combo.findData(year)))
        finally:
            self._updating_filters = False

    # --- filters ------------------------------------------------------------------------------

    def current_filter(self) -> ChildFilter:
        return ChildFilter(
            search=self.search_edit.text().strip(),
            school_id=self.school_combo.currentData(),
            nc_year=self.year_combo.currentData(),
            flagged_only=self.flagged_check.isChecked(),
            status=self.status_combo.currentData(),
        )

    def _filters_changed(self) -> None:
        if not self._updating_filters:
            self.apply_filters()

    def apply_filters(self) -> None:
        self._filter_timer.stop()
        if not self._loaded_once:
            return
        where = self.current_filter()
        self.model.set_filter(where)
        self._show_summary()
        self._record_timer.start()

    def _record_search(self) -> None:
        """A typed name or UPN is a search, on the audit trail as the search box's and the
        command line's are, once the filter has settled (not each letter as it is typed), and
        written in the background; the list does not wait for it."""
        where = self.model.where
        if not where.search or where == self._recorded:
            return
        self._recorded = where
        db, account, shown = self.db, self.context.account, self.model.rowCount()
        run_in_background(
            lambda _p: record_list_filter(db, account, where, shown),
            lambda _outcome: None,
            lambda error: log.warning("a children list search was not recorded: %s", error),
            owner=self,
            writes=True,
            name="children list search",
        )

    def clear_filters(self) -> None:
        self._updating_filters = True
        try:
            self.search_edit.clear()
            self.school_combo.setCurrentIndex(0)
            self.year_combo.setCurrentIndex(0)
            self.status_combo.setCurrentIndex(0)
            self.flagged_check.setChecked(False)
        finally:
            self._updating_filters = False
        self.apply_filters()

    def _show_summary(self) -> None:
        shown = self.model.rowCount()
        total = self._total_children
        self.body.setCurrentWidget(self.view if total else self.empty_note)
        self.filter_bar.setVisible(bool(total))
        if not total:
            self.summary.setText("")
        elif self.model.where == ChildFilter():
            self.summary.setText(f"{total:,} children")
        elif shown == 0:
            self.summary.setText(f"No children match these filters (of {total:,}).")
        else:
            self.summary.setText(f"Showing {shown:,} of {total:,} children")

    # --- selection -----------------------------------------------------------------------------

    def select_child(self, child_id: int, *, clear_filters: bool = True) -> bool:
        """Scroll to a child and select their row, clearing filters that hide them if asked."""
        if not self._loaded_once:
            return False
        row = self.model.row_of_child(child_id)
        if row is None and clear_filters and self.model.where != ChildFilter():
            self.clear_filters()
            row = self.model.row_of_child(child_id)
        if row is None:
            return False
        index = self.model.index(row, COL_NAME)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._selected_child = child_id
        return True

    def selected_child_id(self) -> int | None:
        index = self.view.currentIndex()
        child = index.data(ROW_ROLE) if index.isValid() else None
        return None if child is None else int(child.id)

    def _remember_selection(self, current: QModelIndex, _previous: QModelIndex) -> None:
        child = current.data(ROW_ROLE) if current.isValid() else None
        if child is not None:
            self._selected_child = int(child.id)

    def _after_reset(self) -> None:
        # Sorting or filtering re-reads the rows: keep the selected child selected when shown.
        if self._selected_child is not None:
            wanted = self._selected_child
            QTimer.singleShot(0, self, lambda: self.select_child(wanted, clear_filters=False))

    def _open_row(self, index: QModelIndex) -> None:
        child = index.data(ROW_ROLE)
        if child is not None:
            self.context.signals.open_child.emit(int(child.id))

    # --- layout --------------------------------------------------------------------------------

    def saved_layout(self) -> dict[str, QHeaderView | QSplitter]:
        return {"children_page/header": self.view.horizontalHeader()}
