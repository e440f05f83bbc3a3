"""The child profile: who the child is (with badges), their school life on a timeline, and tabs
for flags with the review panel, exclusions, moves, census history and family. Opened by
`open_child` from anywhere; "Back" returns to the sibling or page it was opened from."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.codelists import year_group_label
from exclusion_monitor.flagging import read_authority_ahead
from exclusion_monitor.profile import (
    ChildProfile,
    family_flag_summary,
    profile_summary,
    totals_words,
)
from exclusion_monitor.roles import Action, Role
from exclusion_monitor.rules.wording import count as _n
from ui.app.background import BackgroundJob, Progress, ProgressBar, run_in_background
from ui.app.pages.base import AppContext, Page
from ui.app.profile_models import (
    CensusModel,
    ExclusionsModel,
    FamilyModel,
    FlagsModel,
    MovesModel,
)
from ui.app.record_table_model import ROW_ROLE, SORT_ROLE, RecordTableModel
from ui.app.review_ops import FLAGS_UPDATING, LoadedProfile, load_profile
from ui.app.review_panel import ReviewPanel
from ui.app.table_views import pane, record_table_view, split
from ui.app.timeline_widget import TimelineWidget

log = logging.getLogger(__name__)
# The name of the background job that reads the authority ahead (`ProfilePage.read_ahead`).
READ_AHEAD_JOB = "authority read ahead"

SEX_WORDS = {"F": "Female", "M": "Male"}
BADGE_STYLE = (
    "QLabel {{ background: {bg}; color: {fg}; border-radius: 8px; padding: 2px 8px; "
    "font-weight: bold; }}"
)
SEN_WORDS = {"K": "SEN support", "E": "EHC plan", "S": "Statement"}


def _long_day(value: dt.date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else "not known"


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def badge(text: str, bg: str, fg: str = "white", tip: str = "") -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(BADGE_STYLE.format(bg=bg, fg=fg))
    label.setToolTip(tip)
    label.setObjectName("badge")
    return label


def _table(model: RecordTableModel[Any], name: str) -> QTableView:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = record_table_view(proxy, name)
    view.setSortingEnabled(True)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    return view


class ProfilePage(Page):
    TITLE = "Child profile"
    # A profile has been shown (or could not be read).
    loaded = Signal()
    # "Back" with no sibling to go back to: return to the page the profile was opened from.
    back_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.child_id: int | None = None
        self.profile: ChildProfile | None = None
        self.role: Role | None = None
        self.origin = ""
        self.history: list[int] = []
        self._job: BackgroundJob | None = None
        self._pending: tuple[int, bool] | None = None
        self._ahead: BackgroundJob | None = None

        self.back_button = QPushButton("\u25c0 Back")
        self.back_button.setObjectName("back_button")
        self.back_button.clicked.connect(self.go_back)
        self.layout_.removeWidget(self.heading)
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.heading, 1)
        self.layout_.addLayout(top)
        # Below the top row everything scrolls, so small screens still reach every part.
        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("profile_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(content)
        self.layout_.addWidget(self.scroll_area, 1)

        self.identity = QLabel("")
        self.identity.setObjectName("identity")
        self.identity.setWordWrap(True)
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badges = QHBoxLayout()
        self.badges.setContentsMargins(0, 0, 0, 0)
        self.badges.setSpacing(6)
        badge_row = QWidget()
        badge_row.setLayout(self.badges)
        self.summary = QLabel("")
        self.summary.setObjectName("profile_summary")
        self.summary.setWordWrap(True)
        self.progress = ProgressBar(FLAGS_UPDATING, hide_when_done=True)
        body.addWidget(self.identity)
        body.addWidget(badge_row)
        body.addWidget(self.summary)
        body.addWidget(self.progress)

        self.timeline = TimelineWidget()
        body.addWidget(self.timeline)

        self.flags_model = FlagsModel()
        self.exclusions_model = ExclusionsModel()
        self.moves_model = MovesModel()
        self.census_model = CensusModel()
        self.family_model = FamilyModel()
        self.flags_view = _table(self.flags_model, "flags_table")
        self.exclusions_view = _table(self.exclusions_model, "exclusions_table")
        self.moves_view = _table(self.moves_model, "moves_table")
        self.census_view = _table(self.census_model, "census_table")
        self.family_view = _table(self.family_model, "family_table")
        self.family_view.setCursor(Qt.CursorShape.PointingHandCursor)
        self.family_view.clicked.connect(self._open_member)
        self.flags_view.selectionModel().currentRowChanged.connect(self._flag_chosen)
        self.flags_view.setWordWrap(True)

        self.review = ReviewPanel(context.db, context.account)
        self.review.changed.connect(self._review_changed)
        self.flag_splitter = split("profile_flag_splitter", self.flags_view, self.review)

        self.totals = QLabel("")
        self.totals.setWordWrap(True)
        self.totals.setObjectName("exclusion_totals")
        exclusions_tab = pane(self.totals, self.exclusions_view, (4, 4, 4, 4))
        self.family_note = QLabel("")
        self.family_note.setWordWrap(True)
        self.family_note.setObjectName("family_note")
        family_tab = pane(self.family_note, self.family_view, (4, 4, 4, 4))

        self.tabs = QTabWidget()
        self.tabs.setObjectName("profile_tabs")
        self.tabs.addTab(self.flag_splitter, "Flags")
        self.tabs.addTab(exclusions_tab, "Exclusions")
        self.tabs.addTab(self.moves_view, "Moves")
        self.tabs.addTab(self.census_view, "Census history")
        self.tabs.addTab(family_tab, "Family")
        self.tabs.setMinimumHeight(self.fontMetrics().height() * 12)
        body.addWidget(self.tabs, 1)
        self._show_nothing("No child chosen yet: find a child with the search box (Ctrl+F).")

    # --- opening -------------------------------------------------------------------------------

    def read_ahead(self) -> None:
        """Read in the background what every profile needs and the app keeps while the data
        stays as it is: the authority (the schools, their links, the censuses each returned),
        most of a first profile's time at an authority's size. Nothing of any child is read, so
        nothing goes on the audit trail. The main window calls this once the Start page has
        brought the flags up to date."""
        if not self.context.allows(Action.VIEW_CHILD):
            return
        if self._ahead is not None and self._ahead.is_running():
            return
        db = self.db
        self._ahead = run_in_background(
            lambda _progress: read_authority_ahead(db),
            lambda _none: None,
            lambda error: log.warning("the authority was not read ahead: %s", type(error).__name__),
            owner=self,
            name=READ_AHEAD_JOB,
        )

    def show_child(self, child_id: int, *, origin: str | None = None) -> None:
        """Open a child's profile (recording the view). With `origin` (a page name) the history
        of siblings starts afresh; without it, the child shown now is remembered for Back."""
        if origin is not None:
            self.origin = origin
            self.history.clear()
        elif self.child_id is not None and self.child_id != child_id:
            self.history.append(self.child_id)
        self._update_back()
        self._load(child_id, record_view=True)

    def refresh(self) -> None:
        if self.child_id is not None:
            self._load(self.child_id, record_view=False)

    def go_back(self) -> None:
        if self.history:
            previous = self.history.pop()
            self._update_back()
            self._load(previous, record_view=True)
        else:
            self.back_requested.emit()

    def _update_back(self) -> None:
        self.back_button.setText(
            "\u25c0 Back to the previous child"
            if self.history
            else f"\u25c0 Back to {self.origin}"
            if self.origin
            else "\u25c0 Back"
        )

    def _load(self, child_id: int, *, record_view: bool) -> None:
        if self._job is not None and self._job.is_running():
            self._pending = (child_id, record_view or bool(self._pending and self._pending[1]))
            return
        if child_id != self.child_id:
            self._show_nothing("Reading the child's record...")
        self.child_id = child_id
        db, account = self.db, self.context.account

        def read(progress: Progress) -> LoadedProfile:
            return load_profile(db, account, child_id, record_view=record_view, progress=progress)

        self._job = run_in_background(
            read,
            self._loaded,
            self._failed,
            self.progress.show_progress,
            on_cancelled=self._cancelled,
            owner=self,
            writes=True,
            name="child profile",
        )

    def _after_job(self) -> bool:
        self.progress.hide()
        if self._pending is not None:
            child_id, record_view = self._pending
            self._pending = None
            self._job = None
            self._load(child_id, record_view=record_view)
            return True
        return False

    def _failed(self, error: BaseException) -> None:
        if self._after_job():
            return
        self._show_nothing(f"This child's record could not be shown. {error}")
        self.loaded.emit()

    def _cancelled(self) -> None:
        if not self._after_job():
            self.loaded.emit()

    def _loaded(self, result: LoadedProfile) -> None:
        if self._after_job():
            return
        if result.profile.child.id != self.child_id:
            return
        self.role = result.role
        self.review.set_user(result.role, result.officers)
        self.flags_model.officer_names = self.family_model.officer_names = result.names
        self.show_profile(result.profile)
        self.loaded.emit()

    # --- showing -------------------------------------------------------------------------------

    def _show_nothing(self, text: str) -> None:
        self.profile = None
        self.heading.setText(self.TITLE)
        self.identity.setText(text)
        self.summary.setText("")
        self._set_badges([])
        self.timeline.set_profile(None)
        for model in (
            self.flags_model,
            self.exclusions_model,
            self.moves_model,
            self.census_model,
            self.family_model,
        ):
            model.set_records([])
        self.review.show_flag(None, "")
        self.tabs.setEnabled(False)

    def show_profile(self, p: ChildProfile) -> None:
        chosen = self.review.flag.rule if self.review.flag else None
        previous = self.profile.child.id if self.profile else None
        self.profile = p
        c = p.child
        self.heading.setText(f"{c.forename} {c.surname}")
        latest = p.census[-1] if p.census else None
        current = next((s for s in p.enrolments if s.current), None)
        parts = [f"UPN <b>{c.upn}</b>"]
        if c.date_of_birth:
            parts.append(
                f"born {_long_day(c.date_of_birth)} (age {_age(c.date_of_birth, p.as_of)})"
            )
        parts.append(SEX_WORDS.get(c.sex or "", "sex not recorded"))
        if current is not None:
            year = f"{year_group_label(latest.nc_year)} at " if latest and latest.nc_year else ""
            parts.append(f"{year}{current.school_name}")
        elif p.place is not None and p.place.school_name and p.place.date:
            # Left, missing or no current school: say which, with the last school and date.
            word = {"left": "left", "missing": "<b>missing</b>"}.get(p.place.status, "on no roll")
            parts.append(
                f"{word}: last known at {p.place.school_name} on {_long_day(p.place.date)}"
            )
        else:
            parts.append("on no school roll now")
        parts.append(f"as of {_long_day(p.as_of)}")
        text = " \u00b7 ".join(parts)
        if c.former_upns:
            text += f"<br>Former UPNs: {', '.join(c.former_upns)}"
        self.identity.setText(text)
        self.identity.setTextFormat(Qt.TextFormat.RichText)
        self._set_badges(self._badges(p))
        self.summary.setText(profile_summary(p))
        self.timeline.set_profile(p)

        flags = [*p.flags, *p.cleared_flags]
        self.flags_model.set_records(flags)
        self.exclusions_model.set_records(p.exclusions)
        self.moves_model.set_records(p.moves)
        self.census_model.set_records(p.census)
        self.family_model.set_records(p.family)
        self.totals.setText(self._totals(p))
        self.family_note.setText(self._family_text(p))
        for view in (
            self.flags_view,
            self.exclusions_view,
            self.moves_view,
            self.census_view,
            self.family_view,
        ):
            view.resizeColumnsToContents()
            for column in range(view.model().columnCount() - 1):
                view.setColumnWidth(column, min(view.columnWidth(column), 320))
        self.flags_view.resizeRowsToContents()
        for tab, count in enumerate(
            (len(p.flags), len(p.exclusions), len(p.moves), len(p.census), len(p.family))
        ):
            name = self.tabs.tabText(tab).split(" (")[0]
            self.tabs.setTabText(tab, f"{name} ({count})")
        self.tabs.setEnabled(True)
        if previous != c.id:
            chosen = None
            self.tabs.setCurrentIndex(0)
        rules = [f.rule for f in flags]
        row = rules.index(chosen) if chosen in rules else (0 if flags else -1)
        if row >= 0:
            proxy = self.flags_view.model()
            source_index = self.flags_model.index(row, 0)
            assert isinstance(proxy, QSortFilterProxyModel)
            self.flags_view.setCurrentIndex(proxy.mapFromSource(source_index))
            self.review.show_flag(flags[row], c.upn, c.id)
        else:
            self.review.show_flag(None, c.upn, c.id)

    def _set_badges(self, badges: list[QLabel]) -> None:
        while self.badges.count():
            item = self.badges.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for label in badges:
            self.badges.addWidget(label)
        self.badges.addStretch(1)

    @staticmethod
    def _badges(p: ChildProfile) -> list[QLabel]:
        latest = p.census[-1] if p.census else None
        found = []
        if latest is not None and latest.sen and latest.sen != "N":
            word = SEN_WORDS.get(latest.sen, latest.sen)
            found.append(
                badge(
                    f"SEN: {word}",
                    "#6a1b9a",
                    tip=f"SEN provision {latest.sen} at the {latest.census_date:%d/%m/%Y} census",
                )
            )
        if latest is not None and latest.fsm:
            found.append(
                badge(
                    "FSM",
                    "#00695c",
                    tip="Eligible for free school meals at the "
                    f"{latest.census_date:%d/%m/%Y} census",
                )
            )
        if any(c.looked_after for c in p.census[-3:]):
            found.append(badge("Looked after", "#ad1457", tip="Recorded as looked after"))
        if p.child.upn[-1:].isalpha():
            found.append(
                badge("Temporary UPN", "#f9a825", "black", "The current UPN is a temporary one")
            )
        if p.child.former_upns:
            found.append(
                badge(
                    f"Former UPNs: {len(p.child.former_upns)}",
                    "#546e7a",
                    tip=", ".join(p.child.former_upns),
                )
            )
        if not found:
            found.append(badge("No SEN, FSM or looked-after status recorded", "#eceff1", "#37474f"))
        if p.flags:
            found.append(
                badge(_n(len(p.flags), "flag"), "#c62828", tip=", ".join(f.label for f in p.flags))
            )
        return found

    @staticmethod
    def _totals(p: ChildProfile) -> str:
        if not p.exclusions:
            return "No exclusions on record."
        years = "; ".join(f"{y.totals.label}: {totals_words(y.totals)}" for y in p.year_totals)
        return f"By academic year: {years}."

    @staticmethod
    def _family_text(p: ChildProfile) -> str:
        if not p.family:
            return "No brothers or sisters found (by family reference or address)."
        return (
            f"Family linked by {p.family_basis or 'unknown basis'}: "
            f"{family_flag_summary(*p.family_flagged)}. Click a brother or sister to open their "
            "profile."
        )

    # --- reacting ------------------------------------------------------------------------------

    def _flag_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        flag = current.data(ROW_ROLE) if current.isValid() else None
        if self.profile is not None and (self.review.flag is not flag):
            self.review.show_flag(flag, self.profile.child.upn, self.profile.child.id)

    def _open_member(self, index: QModelIndex) -> None:
        member = index.data(ROW_ROLE)
        if member is not None:
            self.context.signals.open_child.emit(int(member.child_id))

    def _review_changed(self) -> None:
        self.refresh()
        self.context.signals.reviews_changed.emit()

    # --- layout --------------------------------------------------------------------------------

    def saved_layout(self) -> dict[str, QHeaderView | QSplitter]:
        return {"profile_page/flag_splitter": self.flag_splitter}
