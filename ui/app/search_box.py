"""The global search box: results as you type (name, UPN or former UPN) in a popup list; Enter or
a click emits open_child(child_id)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.display import uk_date
from exclusion_monitor.store.children import ChildSearchHit
from operations.viewing import search
from ui.app.background import Progress, run_in_background
from ui.app.record_table_model import ROW_ROLE, RecordTableModel
from ui.app.record_table_model import SORT_ROLE as SORT_ROLE

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 200
MAX_RESULTS = 20

COL_NAME, COL_UPN, COL_DOB, COL_SCHOOL = range(4)
HEADERS = ["Name", "UPN", "Date of birth", "School"]


class SearchResultsModel(RecordTableModel[ChildSearchHit]):
    """The hits of one search, best first (at most MAX_RESULTS)."""

    HEADERS = HEADERS

    @property
    def hits(self) -> list[ChildSearchHit]:
        return self.rows

    def set_hits(self, hits: list[ChildSearchHit]) -> None:
        self.set_rows(hits)

    def display(self, hit: ChildSearchHit, column: int) -> str:
        child = hit.child
        if column == COL_NAME:
            return f"{child.surname}, {child.forename}"
        if column == COL_UPN:
            return f"{child.upn} (former {hit.former_upn})" if hit.former_upn else child.upn
        if column == COL_DOB:
            return uk_date(child.date_of_birth)
        return child.school_name or "No census record"

    def sort_value(self, hit: ChildSearchHit, column: int) -> Any:
        child = hit.child
        values = [
            (child.surname.casefold(), child.forename.casefold()),
            child.upn,
            child.date_of_birth,
            (child.school_name or "").casefold(),
        ]
        return values[column]


class SearchPopup(QFrame):
    """The results list under the search box; it never takes the keyboard from the box."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setFrameShape(QFrame.Shape.Box)
        self.setObjectName("search_popup")
        self.model = SearchResultsModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setStyleSheet("QTableView::item { padding: 0px 8px; }")
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_SCHOOL, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel()
        self.note.setMargin(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(self.note)
        layout.addWidget(self.view)

    def show_hits(self, hits: list[ChildSearchHit], text: str, anchor: QWidget) -> None:
        self.model.set_hits(hits)
        if hits:
            more = " (the first 20: type more to narrow)" if len(hits) >= MAX_RESULTS else ""
            self.note.setText(f"{len(hits)} found{more}. Enter opens the highlighted child.")
            self.view.selectRow(0)
        else:
            self.note.setText(f"No child found for \u201c{text}\u201d.")
        self.view.setVisible(bool(hits))
        row_height = self.view.verticalHeader().defaultSectionSize()
        rows = min(len(hits), 10)
        height = self.note.sizeHint().height() + (
            self.view.horizontalHeader().height() + rows * row_height + 4 if hits else 0
        )
        width = max(anchor.width(), 680)
        self.resize(width, height + 2)
        self.move(anchor.mapToGlobal(QPoint(0, anchor.height())))
        self.show()
        self.raise_()

    def current_hit(self) -> ChildSearchHit | None:
        index = self.view.currentIndex()
        if not index.isValid() and self.model.hits:
            return self.model.hits[0]
        return index.data(ROW_ROLE) if index.isValid() else None

    def move_selection(self, step: int) -> None:
        if not self.model.hits:
            return
        row = self.view.currentIndex().row() if self.view.currentIndex().isValid() else -1
        self.view.selectRow(max(0, min(len(self.model.hits) - 1, row + step)))


class GlobalSearch(QLineEdit):
    """The search box at the top of the main window."""

    open_child = Signal(int)
    # A search finished and its results (this many) are on screen.
    results_shown = Signal(int)

    def __init__(
        self, search: Callable[[str], list[ChildSearchHit]], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self._search = search
        self._sequence = 0
        self._open_single_result = False
        self.setObjectName("global_search")
        self.setPlaceholderText("Find a child: name, UPN or former UPN (Ctrl+F)")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(360)
        self.popup = SearchPopup(self)
        self.popup.view.clicked.connect(self._open_index)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.textEdited.connect(self._text_edited)
        self.installEventFilter(self)

    @classmethod
    def for_database(cls, db: Any, account: str, parent: QWidget | None = None) -> GlobalSearch:
        """A search box on the database, each search on the audit trail as `account`'s."""
        return cls(lambda text: search(db, account, text, limit=MAX_RESULTS).value, parent)

    def _text_edited(self, text: str) -> None:
        self._open_single_result = False
        if text.strip():
            self._timer.start()
        else:
            self._timer.stop()
            self._sequence += 1  # a result still on its way is no longer wanted
            self.popup.hide()

    def search_now(self) -> None:
        """Search for the box's text off the UI thread; only the newest search is shown."""
        self._timer.stop()
        text = self.text().strip()
        if not text:
            return
        self._sequence += 1
        sequence = self._sequence
        search = self._search

        def find(_progress: Progress) -> list[ChildSearchHit]:
            return search(text)

        run_in_background(
            find,
            lambda hits: self._show(sequence, text, hits),
            self._failed,
            owner=self,
            name="global search",
        )

    def _show(self, sequence: int, text: str, hits: list[ChildSearchHit]) -> None:
        if sequence != self._sequence:
            return
        open_now, self._open_single_result = self._open_single_result and len(hits) == 1, False
        self.popup.show_hits(hits, text, self)
        self.results_shown.emit(len(hits))
        if open_now:
            self._open(hits[0])

    def _failed(self, error: BaseException) -> None:
        self.popup.hide()
        log.warning("search failed: %s", type(error).__name__)

    def _open_index(self, index: QModelIndex) -> None:
        hit = index.data(ROW_ROLE)
        if hit is not None:
            self._open(hit)

    def _open(self, hit: ChildSearchHit) -> None:
        self.popup.hide()
        self.open_child.emit(int(hit.child.id))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event.key())
        if watched is self and event.type() == QEvent.Type.FocusOut:
            # Later, so a click on a result still lands first.
            QTimer.singleShot(150, self, self._hide_unless_focused)
        return False

    def _key(self, key: int) -> bool:
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._timer.isActive() or not self.popup.isVisible():
                # Enter before the results came: open the child if exactly one is found.
                self._open_single_result = True
                self.search_now()
                return True
            hit = self.popup.current_hit()
            if hit is not None:
                self._open(hit)
            return True
        if self.popup.isVisible() and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.popup.move_selection(1 if key == Qt.Key.Key_Down else -1)
            return True
        if key == Qt.Key.Key_Escape and self.popup.isVisible():
            self.popup.hide()
            return True
        return False

    def _hide_unless_focused(self) -> None:
        if not self.hasFocus():
            self.popup.hide()
