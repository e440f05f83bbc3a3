"""What every page of the main window has: the shared context, and the Page base class."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from exclusion_monitor.identity import os_account
from exclusion_monitor.store import Database


class AppSignals(QObject):
    """Signals any page may emit or listen to."""

    # A child should be shown (search result, double-click, a sibling): the profile page opens.
    open_child = Signal(int)
    # Records changed (an import, an undo, a review): pages showing them refresh.
    data_changed = Signal()
    # A short message for the status bar.
    status_message = Signal(str)
    # A flag's review changed (status, officer, note): pages listing reviews read them again.
    reviews_changed = Signal()


class AppContext:
    """Handed to every page: the open database, the signed-in account (its role is checked with
    access.require in each background job) and the application-wide signals."""

    def __init__(self, db: Database, account: str | None = None) -> None:
        self.db = db
        self.account = account or os_account()
        self.signals = AppSignals()


class Page(QWidget):
    """A page in the main window's navigation. Subclasses set TITLE and build their widgets in
    __init__(context); `activated()` runs each time the page is shown (load data lazily there)."""

    TITLE = ""

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, *, title: str | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.title = title or self.TITLE
        self.setObjectName(f"page_{self.title.lower().replace(' ', '_')}")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(12, 8, 12, 8)
        heading = QLabel(self.title)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        heading.setFont(font)
        heading.setObjectName("page_heading")
        self.heading = heading
        self.layout_.addWidget(heading)

    @property
    def db(self) -> Database:
        return self.context.db

    def activated(self) -> None:
        """The page has just been shown."""

    def refresh(self) -> None:
        """Read the data again (View > Refresh, or after records changed)."""

    def save_state(self, settings: QSettings) -> None:
        """Remember layout (column widths and order, splitters) in the window settings."""

    def restore_state(self, settings: QSettings) -> None:
        """Put back what save_state remembered."""
