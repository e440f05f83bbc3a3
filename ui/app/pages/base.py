"""What every page of the main window has: the shared context, and the Page base class."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QHeaderView, QLabel, QSplitter, QVBoxLayout, QWidget

from exclusion_monitor.errors import PermissionDeniedError
from exclusion_monitor.roles import Action, Role, allows
from exclusion_monitor.store import Database
from exclusion_monitor.store.users import User


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
    """Handed to every page: the open database, who is using it, and the application-wide
    signals. `user` is None for an account without access (pages then offer nothing)."""

    def __init__(
        self, db: Database, account: str | None = None, *, user: User | None = None
    ) -> None:
        from exclusion_monitor.identity import os_account

        self.db = db
        self.account = account or os_account()
        self.user = user
        self.signals = AppSignals()

    @classmethod
    def for_account(cls, db: Database, account: str | None = None) -> AppContext:
        """The context for `account` (default: the OS account). A new database makes its first
        user the admin; an account without access gets `user` None and `denied` says why."""
        from exclusion_monitor.access import require

        context = cls(db, account=account)
        try:
            context.user = require(db, context.account, Action.VIEW_CHILD)
        except PermissionDeniedError as exc:
            context.denied = str(exc)
        return context

    denied: str | None = None

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user is not None else None

    def allows(self, action: Action) -> bool:
        """Whether the current user's role allows `action` (never, without access)."""
        return self.user is not None and self.user.active and allows(self.user.role, action)


class Page(QWidget):
    """A page in the main window's navigation. Subclasses set TITLE and build their widgets in
    __init__(context); `activated()` runs each time the page is shown (load data lazily there)."""

    TITLE = ""
    LOADS_WHEN_FIRST_SHOWN = False
    # The action a role must allow to see this page at all (None: any user of the database).
    REQUIRES: Action | None = None

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, *, title: str | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.shown_once = False
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
        """The page has just been shown. A page with LOADS_WHEN_FIRST_SHOWN reads its data the
        first time (through refresh), not when the window is built."""
        if self.LOADS_WHEN_FIRST_SHOWN and not self.shown_once:
            self.shown_once = True
            self.refresh()

    def reload_if_loaded(self, *, only_when_visible: bool = False) -> None:
        """After records changed: read again if the page has been shown (and, if asked, only
        while it is on screen; a hidden page then reads again when it is next refreshed)."""
        if self.shown_once and (self.isVisible() or not only_when_visible):
            self.refresh()

    def refresh(self) -> None:
        """Read the data again (View > Refresh, or after records changed)."""

    def saved_layout(self) -> dict[str, QHeaderView | QSplitter]:
        """The headers (column widths and order) and splitters kept in the window settings, by
        settings key."""
        return {}

    def save_state(self, settings: QSettings) -> None:
        """Remember the layout in the window settings."""
        for key, part in self.saved_layout().items():
            settings.setValue(key, part.saveState())

    def restore_state(self, settings: QSettings) -> None:
        """Put back what save_state remembered."""
        for key, part in self.saved_layout().items():
            state = settings.value(key)
            if state is not None:
                part.restoreState(state)
