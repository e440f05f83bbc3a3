"""The identity review queue: pairs of children the intake found alike, or that a Former UPN joins
but that disagree, and would not merge on its own, side by side (UPNs, names, dates of birth,
sex, schools), to merge or keep apart."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.display import uk_date
from exclusion_monitor.store import Database
from exclusion_monitor.store.child_details import SchoolAndYear, schools_and_years
from exclusion_monitor.store.identity import (
    IdentityReview,
    ReviewChild,
    list_identity_reviews,
)
from operations.people import DECIDE_IDENTITY, decide_identity_review
from ui.app import messages
from ui.app.background import BackgroundJob, run_in_background
from ui.app.record_table_model import RecordTableModel, SortByValueProxy
from ui.app.table_views import fit_columns, selected_record, sortable_table_view, split

if TYPE_CHECKING:
    from ui.app.pages.base import AppContext

log = logging.getLogger(__name__)

NO_REVIEWS = (
    "<b>No near matches to review.</b> When an import finds a child who looks like one already "
    "held (the same surname and date of birth with a similar forename, say) but not certainly "
    "the same, or a Former UPN joins two children whose details disagree, the pair waits here "
    "for someone to merge them or keep them apart."
)
PICK_ONE = "Select a pair above to compare the two records."


@dataclass(frozen=True, slots=True)
class ReviewPair:
    review: IdentityReview
    where: dict[int, SchoolAndYear]

    def school(self, child: ReviewChild) -> str:
        found = self.where.get(child.id)
        if found is None or not (found.school_name or found.school_laestab):
            return "not known"
        name = found.school_name or ""
        return f"{name} ({found.school_laestab})" if found.school_laestab else name

    def year(self, child: ReviewChild) -> str:
        found = self.where.get(child.id)
        return (found.nc_year or "not known") if found else "not known"


def load_reviews(db: Database) -> list[ReviewPair]:
    reviews = list_identity_reviews(db)
    ids = [c.id for r in reviews for c in (r.child, r.candidate)]
    where = schools_and_years(db, ids)
    return [ReviewPair(r, where) for r in reviews]


def _name(child: ReviewChild) -> str:
    return f"{child.surname}, {child.forename}"


def _dob(child: ReviewChild) -> str:
    return uk_date(child.date_of_birth, "not known")


REVIEW_HEADERS = ["Why they look alike", "Held: UPN", "Held: name", "Held: born", "New: UPN",
                  "New: name", "New: born"]  # fmt: skip
HELD, BROUGHT = "The child already held", "The child the import brought in"
REVIEW_TIPS = [None, HELD, HELD, HELD, BROUGHT, BROUGHT, BROUGHT]


def _sides(pair: ReviewPair) -> tuple[ReviewChild, ReviewChild]:
    # The intake's candidate is the child already held; its child the one just brought.
    return pair.review.candidate, pair.review.child


class ReviewsModel(RecordTableModel[ReviewPair]):
    HEADERS = REVIEW_HEADERS
    HEADER_TIPS = REVIEW_TIPS

    @property
    def pairs(self) -> list[ReviewPair]:
        return self.rows

    def set_pairs(self, pairs: list[ReviewPair]) -> None:
        self.set_rows(pairs)

    def display(self, pair: ReviewPair, column: int) -> str:
        held, brought = _sides(pair)
        values = [
            pair.review.why,
            held.upns[0] if held.upns else "",
            _name(held),
            _dob(held),
            brought.upns[0] if brought.upns else "",
            _name(brought),
            _dob(brought),
        ]
        return values[column]

    def tooltip(self, pair: ReviewPair, column: int) -> str:
        return self.display(pair, column)

    def sort_value(self, pair: ReviewPair, column: int) -> str:
        if column in (3, 6):
            child = _sides(pair)[0 if column == 3 else 1]
            return child.date_of_birth.isoformat() if child.date_of_birth else ""
        return self.display(pair, column).casefold()


ROWS = ["UPNs", "Name", "Date of birth", "Sex", "School", "Year group"]
SEX_WORDS = {"F": "Female", "M": "Male"}


class IdentityReviewPanel(QWidget):
    """The queue, the selected pair side by side, and Merge / Keep apart."""

    loaded = Signal()
    # The number of open reviews (for the tab's badge).
    count_changed = Signal(int)
    # A decision has been saved (records changed when it was a merge).
    decided = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._job: BackgroundJob | None = None
        self._again = False
        self.summary = QLabel("Reading the near matches...")
        self.summary.setObjectName("identity_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.model = ReviewsModel()
        self.proxy = SortByValueProxy(source=self.model)
        self.view = sortable_table_view(self.proxy, "identity_reviews")

        self.compare = QFrame()
        self.compare.setObjectName("identity_compare")
        self.compare.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self.compare)
        grid.setHorizontalSpacing(24)
        self.heads = [QLabel("<b>Already held</b>"), QLabel("<b>Brought by the import</b>")]
        grid.addWidget(self.heads[0], 0, 1)
        grid.addWidget(self.heads[1], 0, 2)
        self.cells: list[list[QLabel]] = []
        for row, title in enumerate(ROWS, start=1):
            grid.addWidget(QLabel(f"{title}:"), row, 0, Qt.AlignmentFlag.AlignTop)
            pair = [QLabel(), QLabel()]
            for side, label in enumerate(pair):
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                label.setWordWrap(True)
                grid.addWidget(label, row, 1 + side, Qt.AlignmentFlag.AlignTop)
            self.cells.append(pair)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        self.pick_note = QLabel(PICK_ONE)
        self.merge_button = QPushButton("Merge into one child...")
        self.merge_button.setObjectName("merge_button")
        self.merge_button.setToolTip(
            "They are the same child: every record moves to one child, who keeps both UPNs"
        )
        self.apart_button = QPushButton("Keep apart")
        self.apart_button.setObjectName("keep_apart_button")
        self.apart_button.setToolTip("They are different children: never ask about them again")
        can_decide = context.allows(DECIDE_IDENTITY)
        for button in (self.merge_button, self.apart_button):
            button.setVisible(can_decide)
            button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.pick_note, 1)
        buttons.addWidget(self.apart_button)
        buttons.addWidget(self.merge_button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 4, 0, 0)
        lower_layout.addWidget(self.compare)
        lower_layout.addLayout(buttons)
        lower_layout.addStretch(1)
        # Neither pane is given the spare room before the other (Qt's default).
        self.splitter = split(
            "identity_splitter", self.view, lower, Qt.Orientation.Vertical, stretch=(0, 0)
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        self.view.selectionModel().selectionChanged.connect(self._selected_changed)
        self.merge_button.clicked.connect(lambda: self.decide("merge"))
        self.apart_button.clicked.connect(lambda: self.decide("keep_apart"))
        self._show_pair(None)

    # --- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self._job is not None and self._job.is_running():
            self._again = True
            return
        db = self.context.db
        self._job = run_in_background(
            lambda _p: load_reviews(db),
            self._loaded,
            self._failed,
            owner=self,
            name="identity reviews",
        )

    def _loaded(self, pairs: list[ReviewPair]) -> None:
        if self._again:
            self._again = False
            self.refresh()
            return
        self.model.set_pairs(pairs)
        fit_columns(self.view, [250, 120, 150, 90, 120, 150])
        self.splitter.setVisible(bool(pairs))
        if pairs:
            count = len(pairs)
            self.summary.setText(
                f"<b>{count} pair{'s' if count != 1 else ''} of children to review.</b> Each "
                "pair looked alike to the intake but was not merged: compare them and decide."
            )
            self.view.selectRow(0)
        else:
            self.summary.setText(NO_REVIEWS)
            self._show_pair(None)
        self.count_changed.emit(len(pairs))
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.summary.setText("The near matches could not be read; the details are in the log.")
        self.loaded.emit()

    # --- the selected pair ---------------------------------------------------------------------

    def selected(self) -> ReviewPair | None:
        return selected_record(self.view, ReviewPair)

    def _selected_changed(self, _s: QItemSelection, _d: QItemSelection) -> None:
        self._show_pair(self.selected())

    def _show_pair(self, pair: ReviewPair | None) -> None:
        self.compare.setVisible(pair is not None)
        self.pick_note.setText(PICK_ONE if pair is None else f"Found because: {pair.review.why}.")
        for button in (self.merge_button, self.apart_button):
            button.setEnabled(pair is not None)
        if pair is None:
            return
        sides = (pair.review.candidate, pair.review.child)
        for row, (a, b) in enumerate(self.cells):
            texts = [self._value(pair, child, row) for child in sides]
            differ = texts[0] != texts[1]
            for label, text in zip((a, b), texts, strict=True):
                shown = html.escape(text)
                label.setText(f"<b>{shown}</b>" if differ else shown)
                label.setToolTip("Differs between the two" if differ else "")

    @staticmethod
    def _value(pair: ReviewPair, child: ReviewChild, row: int) -> str:
        if row == 0:
            return ", ".join(child.upns) or "none"
        if row == 1:
            return f"{child.forename} {child.surname}"
        if row == 2:
            return _dob(child)
        if row == 3:
            return SEX_WORDS.get(child.sex or "", child.sex or "not known")
        if row == 4:
            return pair.school(child)
        return pair.year(child)

    # --- deciding ------------------------------------------------------------------------------

    def decide(self, decision: str) -> None:
        pair = self.selected()
        if pair is None:
            return
        review = pair.review
        if decision == "merge" and not messages.confirm(
            self,
            "Merge two children",
            f"Merge {_name(review.child)} ({', '.join(review.child.upns)}) "
            f"into {_name(review.candidate)} ({', '.join(review.candidate.upns)})?\n\n"
            "Every school record, census row and exclusion moves to one child, who keeps both "
            "UPNs. The flags are worked out again. This cannot be undone from the app.",
        ):
            return
        for button in (self.merge_button, self.apart_button):
            button.setEnabled(False)
        db, account = self.context.db, self.context.account
        self._job = run_in_background(
            lambda _p: decide_identity_review(db, account, review.id, decision),
            lambda _r: self._decided(decision),
            self._decide_failed,
            owner=self,
            writes=True,
            name="identity decision",
        )

    def _decided(self, decision: str) -> None:
        said = "Merged the two children." if decision == "merge" else "Kept the two apart."
        self.context.signals.status_message.emit(said)
        self.decided.emit(decision)
        if decision == "merge":
            self.context.signals.data_changed.emit()
        self.refresh()

    def _decide_failed(self, error: BaseException) -> None:
        self._show_pair(self.selected())
        messages.show_error(self, "Near matches", f"The decision was not saved: {error}")
