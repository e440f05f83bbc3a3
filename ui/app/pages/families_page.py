"""The Families page: every family of two or more children (whole-family cases first) with each
child's school, year and flags and what the family's children are flagged for; officers link
and unlink, and confirm or set aside the suggestions of children who share an address."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QWidget,
)

from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database
from exclusion_monitor.store.child_details import SchoolAndYear, schools_and_years
from exclusion_monitor.store.families import (
    Family,
    FamilyMember,
    FamilySuggestion,
    family_suggestions,
    list_families,
)
from operations.people import answer_family_suggestion, change_family
from ui.app import messages
from ui.app.background import BackgroundJob, run_in_background
from ui.app.family_models import (
    FamiliesModel,
    FamilyMembersModel,
    MemberRow,
    SuggestionsModel,
    flagged_for,
)
from ui.app.link_dialog import LinkDialog
from ui.app.pages.base import AppContext, Page
from ui.app.record_table_model import ROW_ROLE, SortByValueProxy
from ui.app.table_views import pane, record_table_view, selected_record

log = logging.getLogger(__name__)

PICK_A_FAMILY = "Select a family above to see its children."
NO_FAMILIES = (
    "<b>No families yet.</b> Children are put in families by the census family reference or "
    "by the same address; an officer can also link two children by hand."
)


@dataclass(frozen=True, slots=True)
class FamiliesData:
    families: list[Family]
    where: dict[int, SchoolAndYear]
    suggestions: list[FamilySuggestion]


def load_families(db: Database) -> FamiliesData:
    families = list_families(db)
    ids = [m.child_id for f in families for m in f.members]
    return FamiliesData(families, schools_and_years(db, ids), family_suggestions(db))


def _table(proxy: SortByValueProxy, name: str) -> QTableView:
    view = record_table_view(proxy, name, row_padding=8)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class FamiliesPage(Page):
    TITLE = "Families"
    LOADS_WHEN_FIRST_SHOWN = True
    loaded = Signal()
    # A link or unlink has been saved.
    changed = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.data: FamiliesData | None = None
        self._job: BackgroundJob | None = None
        self._reload_again = False
        self.link_dialog: LinkDialog | None = None

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter by a child's name")
        self.filter_edit.setClearButtonEnabled(True)
        self.cases_only = QCheckBox("Whole-family cases only")
        self.cases_only.setToolTip("Families with at least one flagged child")
        self.link_button = QPushButton("Link two children...")
        self.unlink_button = QPushButton("Unlink child")
        self.unlink_button.setToolTip("Take the selected child out of this family")
        can_link = context.allows(Action.LINK_FAMILY)
        self.link_button.setVisible(can_link)
        self.unlink_button.setVisible(can_link)
        self.unlink_button.setEnabled(False)
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.cases_only)
        bar.addWidget(self.link_button)
        self.layout_.addLayout(bar)
        self.summary = QLabel("Loading families...")
        self.summary.setWordWrap(True)
        self.layout_.addWidget(self.summary)

        self.model = FamiliesModel()
        self.proxy = SortByValueProxy()
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(0)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = _table(self.proxy, "families_table")
        # Whole-family cases first (the model's order) until a column header is clicked.
        self.view.horizontalHeader().setSectionsClickable(True)
        self.view.horizontalHeader().sectionClicked.connect(self._sort_clicked)
        self.members_model = FamilyMembersModel()
        self.members_proxy = SortByValueProxy()
        self.members_proxy.setSourceModel(self.members_model)
        self.members_view = _table(self.members_proxy, "family_members")
        self.members_label = QLabel(PICK_A_FAMILY)
        member_bar = QHBoxLayout()
        member_bar.addWidget(self.members_label, 1)
        member_bar.addWidget(self.unlink_button)
        lower = pane(member_bar, self.members_view, (0, 4, 0, 0))
        self.suggestions_model = SuggestionsModel()
        self.suggestions_proxy = SortByValueProxy()
        self.suggestions_proxy.setSourceModel(self.suggestions_model)
        self.suggestions_view = _table(self.suggestions_proxy, "family_suggestions")
        self.suggestions_label = QLabel("")
        self.suggestions_label.setWordWrap(True)
        self.confirm_button = QPushButton("Link as one family")
        self.confirm_button.setToolTip("These children are one family: link them")
        self.apart_button = QPushButton("Not a family")
        self.apart_button.setToolTip("Keep these children apart: their address will not link them")
        for button in (self.confirm_button, self.apart_button):
            button.setVisible(can_link)
            button.setEnabled(False)
        suggestion_bar = QHBoxLayout()
        suggestion_bar.addWidget(self.suggestions_label, 1)
        suggestion_bar.addWidget(self.confirm_button)
        suggestion_bar.addWidget(self.apart_button)
        suggested = pane(suggestion_bar, self.suggestions_view, (0, 4, 0, 0))
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("families_splitter")
        for index, (widget, stretch) in enumerate(((self.view, 3), (lower, 2), (suggested, 2))):
            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(index, stretch)
        self.splitter.setChildrenCollapsible(False)
        self.layout_.addWidget(self.splitter, 1)

        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.cases_only.toggled.connect(self._show_families)
        self.view.selectionModel().selectionChanged.connect(self._family_selected)
        self.members_view.selectionModel().selectionChanged.connect(self._member_selected)
        self.members_view.doubleClicked.connect(self._open_child)
        self.members_view.activated.connect(self._open_child)
        self.link_button.clicked.connect(self.open_link_dialog)
        self.unlink_button.clicked.connect(self.unlink_selected)
        self.suggestions_view.selectionModel().selectionChanged.connect(self._suggestion_selected)
        self.confirm_button.clicked.connect(lambda: self.decide_selected(is_family=True))
        self.apart_button.clicked.connect(lambda: self.decide_selected(is_family=False))
        self.context.signals.data_changed.connect(self.reload_if_loaded)

    # --- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self._job is not None and self._job.is_running():
            self._reload_again = True
            return
        db = self.db
        self._job = run_in_background(
            lambda _p: load_families(db), self._loaded, self._failed, owner=self, name="families"
        )

    def _failed(self, error: BaseException) -> None:
        self.summary.setText("The families could not be read.")
        messages.show_error(self, "Families", f"The families could not be read: {error}")

    def _loaded(self, data: FamiliesData) -> None:
        if self._reload_again:
            self._reload_again = False
            self.refresh()
            return
        self.data = data
        self._show_families()
        self.loaded.emit()

    def _show_families(self) -> None:
        if self.data is None:
            return
        chosen = self.selected_family()
        keep = {m.child_id for m in chosen.members} if chosen else set()
        families = self.data.families
        shown = [f for f in families if f.flagged] if self.cases_only.isChecked() else families
        self.model.set_families(shown)
        cases = sum(1 for f in families if f.flagged)
        if not families:
            self.summary.setText(NO_FAMILIES)
        else:
            self.summary.setText(
                f"{len(families):,} {'family' if len(families) == 1 else 'families'} of two or "
                f"more children; <b>{cases:,} whole-family {'case' if cases == 1 else 'cases'}"
                "</b> (a flagged child), listed first, most flagged children first."
            )
        self.view.resizeColumnToContents(1)
        self.view.resizeColumnToContents(2)
        self.view.setColumnWidth(0, max(260, min(self.view.columnWidth(0), 420)))
        self._show_suggestions()
        if keep:
            self._select_family_with(keep)
        else:
            self._family_selected(QItemSelection(), QItemSelection())

    def _show_suggestions(self) -> None:
        found = self.data.suggestions if self.data is not None else []
        self.suggestions_model.set_rows(found)
        if not found:
            self.suggestions_label.setText(
                "No suggestions: no children share an address without being linked."
            )
        else:
            self.suggestions_label.setText(
                f"<b>{len(found):,} {'suggestion' if len(found) == 1 else 'suggestions'}</b>: "
                "children who share an address the tool does not link by itself (a children's "
                "home, a refuge, a hostel, a block of flats). An officer decides; until then "
                "nobody sees the others' records."
            )
        self.suggestions_view.resizeColumnToContents(0)
        self.suggestions_view.setColumnWidth(1, max(380, self.suggestions_view.width() // 2))
        self._suggestion_selected()

    def selected_suggestion(self) -> FamilySuggestion | None:
        return selected_record(self.suggestions_view, FamilySuggestion)

    def _suggestion_selected(self, *_args: object) -> None:
        chosen = self.selected_suggestion() is not None
        self.confirm_button.setEnabled(chosen)
        self.apart_button.setEnabled(chosen)

    def decide_selected(self, *, is_family: bool) -> None:
        suggestion = self.selected_suggestion()
        if suggestion is None:
            return
        names = ", ".join(f"{c.forename} {c.surname} ({c.upn})" for c in suggestion.children)
        question = (
            f"Link {names} as one family?\n\nEach of them will see the others' names and flags "
            "on their record."
            if is_family
            else f"Keep {names} apart?\n\nThe address will not link them, now or later."
        )
        if not messages.confirm(self, "Family suggestion", question):
            return
        db, account = self.db, self.context.account
        self.confirm_button.setEnabled(False)
        self.apart_button.setEnabled(False)

        def done(_result: object) -> None:
            self.changed.emit()
            self.context.signals.status_message.emit(
                "Children linked as a family." if is_family else "Children kept apart."
            )
            self.context.signals.data_changed.emit()

        def failed(error: BaseException) -> None:
            self._suggestion_selected()
            messages.show_error(self, "Families", str(error))

        run_in_background(
            lambda _p: answer_family_suggestion(
                db, account, suggestion.children, is_family=is_family
            ),
            done,
            failed,
            owner=self,
            writes=True,
            name="family suggestion",
        )

    def _sort_clicked(self, column: int) -> None:
        if not self.view.isSortingEnabled():
            self.view.setSortingEnabled(True)
            self.view.sortByColumn(column, Qt.SortOrder.AscendingOrder)

    # --- selection -----------------------------------------------------------------------------

    def selected_family(self) -> Family | None:
        return selected_record(self.view, Family)

    def selected_member(self) -> FamilyMember | None:
        return selected_record(self.members_view, FamilyMember)

    def _select_family_with(self, child_ids: set[int]) -> bool:
        for row in range(self.proxy.rowCount()):
            family = self.proxy.index(row, 0).data(ROW_ROLE)
            if isinstance(family, Family) and child_ids & {m.child_id for m in family.members}:
                self.view.selectRow(row)
                return True
        self.view.clearSelection()
        return False

    def select_family_of(self, child_id: int) -> bool:
        return self._select_family_with({child_id})

    def _family_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        family = self.selected_family()
        if family is None or self.data is None:
            self.members_model.set_rows([])
            self.members_label.setText(PICK_A_FAMILY)
        else:
            where = self.data.where
            self.members_model.set_rows(
                [MemberRow(m, where.get(m.child_id)) for m in family.members]
            )
            flagged = family.flagged_children
            self.members_label.setText(
                f"<b>{len(family.members)} children</b>, {flagged} flagged"
                + (f": {flagged_for(family)}" if flagged else "")
                + ". Double-click a child to open their record."
            )
            self.members_view.resizeColumnsToContents()
        self._member_selected()

    def _member_selected(self, *_args: object) -> None:
        self.unlink_button.setEnabled(self.selected_member() is not None)

    def _open_child(self, index: QModelIndex) -> None:
        member = index.data(ROW_ROLE)
        if isinstance(member, FamilyMember):
            self.context.signals.open_child.emit(member.child_id)

    # --- link and unlink -----------------------------------------------------------------------

    def open_link_dialog(self) -> LinkDialog:
        dialog = LinkDialog(self.db, self.context.account, self)
        member = self.selected_member()
        if member is not None:
            dialog.preset_first(
                member.child_id, f"{member.forename} {member.surname} ({member.upn})"
            )
        dialog.accepted.connect(lambda: self._link_from(dialog))
        self.link_dialog = dialog
        dialog.open()
        return dialog

    def _link_from(self, dialog: LinkDialog) -> None:
        first, second = dialog.first, dialog.second
        if first.child_id is None or second.child_id is None:
            return
        if messages.confirm(
            self,
            "Link children",
            f"Put {first.description} and {second.description} in one family?\n\nThey stay "
            "linked whatever their addresses say, until an officer unlinks them.",
        ):
            self._change("link", first.child_id, second.child_id)

    def unlink_selected(self) -> None:
        family, member = self.selected_family(), self.selected_member()
        if family is None or member is None:
            return
        other = next((m for m in family.members if m.child_id != member.child_id), None)
        if other is None:
            return
        if messages.confirm(
            self,
            "Unlink child",
            f"Take {member.forename} {member.surname} ({member.upn}) out of this family?\n\n"
            "They stay apart from these children from now on, even at the same address.",
        ):
            self._change("unlink", member.child_id, other.child_id)

    def _change(self, change: str, child_id: int, other_id: int) -> None:
        db, account = self.db, self.context.account
        self.link_button.setEnabled(False)
        self.unlink_button.setEnabled(False)

        def done(_result: object) -> None:
            self.link_button.setEnabled(True)
            self.changed.emit()
            self.context.signals.status_message.emit(
                "Children linked." if change == "link" else "Child unlinked."
            )
            # Every page showing families (this one too) reloads.
            self.context.signals.data_changed.emit()

        def failed(error: BaseException) -> None:
            self.link_button.setEnabled(True)
            self._member_selected()
            messages.show_error(self, "Families", str(error))

        run_in_background(
            lambda _p: change_family(db, account, change, child_id, other_id),
            done,
            failed,
            owner=self,
            writes=True,
            name=f"family {change}",
        )

    # --- layout --------------------------------------------------------------------------------

    def saved_layout(self) -> dict[str, QHeaderView | QSplitter]:
        return {"families/splitter": self.splitter}
