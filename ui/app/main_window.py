"""The main window: menus, navigation, the global search box, the pages and the status bar.

Pages come from `ui.app.pages.PAGES` (see that module for how a page plugs in).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QLabel,
    QListWidget,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QToolButton,
)

from exclusion_monitor import APP_NAME, __version__
from exclusion_monitor.errors import ExclusionMonitorError
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, open_database
from exclusion_monitor.store.backup import describe_age, newest_backup_age
from exclusion_monitor.store.database import database_path
from exclusion_monitor.store.identity import count_open_reviews
from exclusion_monitor.store.status import LastImport, last_import
from operations.admin import back_up, restore_backup
from ui.app import messages
from ui.app.accessibility import name_every_dialog, name_fields
from ui.app.application import finish_owed_at_start, layout_settings
from ui.app.audit_dialog import AuditTrailDialog
from ui.app.background import Progress, run_in_background
from ui.app.backups_dialog import BackupsDialog
from ui.app.pages import PAGE_NAMES, PAGES, AppContext, Page
from ui.app.pages.children_page import ChildrenPage
from ui.app.pages.profile_page import ProfilePage
from ui.app.pages.start_page import StartPage
from ui.app.retention_dialog import RetentionDialog
from ui.app.search_box import GlobalSearch

log = logging.getLogger(__name__)

BACKUP_WARN_DAYS = 7  # the status bar warns (in amber) about an older newest backup

GETTING_STARTED = (
    "<p><b>Finding a child</b>: type a name, a UPN or a date of birth into "
    "<i>Find a child</i> (Ctrl+F) and choose from the list; the child's profile opens with "
    "their schools, exclusions, moves and flags.</p>"
    "<p><b>Pages</b>: the list on the left, or Ctrl+1 to Ctrl+9. <i>Start</i> shows the work "
    "waiting for you: new flags, your cases, cases nobody has moved for weeks, imports with "
    "rejected rows (and, in the demo, the planted stories). <i>Flags</i> lists the "
    "children the rules have flagged and why; <i>Families</i> the children linked as a "
    "family; <i>Dashboard</i> the authority's figures (a manager or an admin).</p>"
    "<p><b>Importing returns</b>: on <i>Imports</i>, choose the schools' census, exclusions "
    "or enrolments files; rows that cannot be read are listed with the reason, and nothing "
    "else in the file is lost.</p>"
    "<p><b>Printing</b>: the Print button of a list or the dashboard opens a preview first.</p>"
    "<p><b>Backups</b>: one is taken before every import; an admin, a manager or a data "
    "liaison can make one with File &gt; Back up now (Ctrl+Shift+B).</p>"
    "<p>The records are OFFICIAL-SENSITIVE: lock the screen when you leave it.</p>"
)


@dataclass(frozen=True, slots=True)
class StatusFacts:
    """What the status bar shows that must be read (in the background)."""

    backup_age: dt.timedelta | None
    last_import: LastImport | None
    open_reviews: int


# Windows opened by File > Open database stay referenced here until they close.
_windows: set[MainWindow] = set()


class MainWindow(QMainWindow):
    # A child should be shown (search, double-click, a sibling): the profile page opens.
    open_child = Signal(int)
    status_shown = Signal()  # the status bar's read-back facts are on screen
    backed_up = Signal(str)  # Back up now made this file

    def __init__(
        self, db: Database, *, owns_database: bool = False, account: str | None = None
    ) -> None:
        super().__init__()
        self.db = db
        self.owns_database = owns_database
        # Who is using the window decides what it offers (a new database makes them admin).
        self.context = AppContext.for_account(db, account)
        self.setObjectName("main_window")
        self.setWindowTitle(f"{APP_NAME} - {Path(db.location).name}")
        self.resize(1280, 800)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.addItems(PAGE_NAMES)
        self.nav.setMinimumWidth(130)
        self.nav.setMaximumWidth(220)
        self.nav.setAccessibleName("Pages")
        self.nav.setStyleSheet("QListWidget#navigation::item { padding: 5px 8px; }")
        self.stack = QStackedWidget()
        self.pages: list[Page] = []
        for _name, factory in PAGES:
            page = factory(self.context)
            self.pages.append(page)
            self.stack.addWidget(page)
        # The profile has no navigation entry: open_child shows it, Back leaves it.
        self.profile_page = ProfilePage(self.context)
        self.profile_page.back_requested.connect(self._leave_profile)
        self.pages.append(self.profile_page)
        self.stack.addWidget(self.profile_page)
        self._profile_origin = PAGE_NAMES.index("Children")
        for built in self.pages:
            name_fields(built)  # what a screen reader says of each field (ui/app/accessibility.py)
        name_every_dialog()
        start = self.pages[PAGE_NAMES.index("Start")]
        assert isinstance(start, StartPage)
        start.open_imports.connect(lambda: self.go_to(PAGE_NAMES.index("Imports")))
        # The flags are up to date once the work waiting is read: the first profile's authority
        # can be read then, before anyone opens a profile.
        start.loaded.connect(self.profile_page.read_ahead)
        self.nav.currentRowChanged.connect(self.show_page)
        self.nav.clicked.connect(self._nav_clicked)
        self.splitter = QSplitter()
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([170, 1100])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.search_box = GlobalSearch.for_database(db, self.context.account, self)
        self.search_box.setMaximumWidth(560)
        self.search_box.open_child.connect(self.context.signals.open_child)
        toolbar = QToolBar("Search")
        toolbar.setObjectName("search_toolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.addWidget(QLabel(" Find a child: "))
        toolbar.addWidget(self.search_box)
        self.addToolBar(toolbar)

        self._build_menus()
        self._build_status_bar()
        for number, page in enumerate(self.pages[: len(PAGE_NAMES)]):
            badge_changed = getattr(page, "badge_changed", None)
            if badge_changed is not None:
                badge_changed.connect(lambda text, n=number: self.set_badge(n, text))
        self.context.signals.open_child.connect(self.open_child)
        self.open_child.connect(self._show_child)
        self.context.signals.data_changed.connect(self.refresh)
        self.context.signals.status_message.connect(
            lambda text: self.statusBar().showMessage(text, 5000)
        )
        self._restore_layout()
        self._apply_role()
        if self.context.user is not None:
            self.nav.setCurrentRow(PAGE_NAMES.index("Start"))  # the work waiting
            self.show_page(self.nav.currentRow())

    # --- building ------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._action("&Open database...", self.choose_database, "Ctrl+O")
        file_menu.addAction(self.open_action)
        self.backup_action = self._action("&Back up now", self.back_up_now, "Ctrl+Shift+B")
        self.backup_action.setToolTip("Copy the database to its backups folder now")
        file_menu.addAction(self.backup_action)
        self.audit_action = self._action("&Audit trail...", self.show_audit_trail)
        file_menu.addAction(self.audit_action)
        self.retention_action = self._action("&Retention...", self.show_retention)
        file_menu.addAction(self.retention_action)
        self.backups_action = self._action("Bac&kups...", self.show_backups)
        file_menu.addAction(self.backups_action)
        file_menu.addSeparator()
        exit_action = self._action("E&xit", self.close, "Ctrl+Q")
        exit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.addAction(exit_action)

        view_menu = self.menuBar().addMenu("&View")
        self.page_actions: list[QAction] = []
        for number, name in enumerate(PAGE_NAMES, start=1):
            action = self._action(
                f"&{number} {name}", lambda _c=False, n=number - 1: self.go_to(n), f"Ctrl+{number}"
            )
            self.page_actions.append(action)
            view_menu.addAction(action)
        view_menu.addSeparator()
        self.find_action = self._action("&Find a child", self.focus_search)
        self.find_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Find)])
        view_menu.addAction(self.find_action)
        refresh = self._action("&Refresh", self.refresh)
        refresh.setShortcuts([QKeySequence(QKeySequence.StandardKey.Refresh)])
        view_menu.addAction(refresh)

        help_menu = self.menuBar().addMenu("&Help")
        self.getting_started_action = self._action(
            "&Getting started", self.show_getting_started, "F1"
        )
        help_menu.addAction(self.getting_started_action)
        help_menu.addSeparator()
        help_menu.addAction(self._action(f"&About {APP_NAME}", self.show_about))

    def _action(self, text: str, slot: object, shortcut: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_status_bar(self) -> None:
        self.status_db = QLabel()
        self.status_db.setObjectName("status_database")
        self.status_user = QLabel()
        self.status_role = QLabel("Role: -")
        self.status_role.setObjectName("status_role")
        self.status_backup = QLabel()
        self.status_backup.setObjectName("status_backup")
        self.status_import = QLabel()
        self.status_import.setObjectName("status_last_import")
        # The backup warning is actionable: whoever may back up gets the button beside it.
        self.backup_button = QToolButton()
        self.backup_button.setObjectName("status_backup_now")
        self.backup_button.setDefaultAction(self.backup_action)
        self.backup_button.setText("Back up now")
        self.backup_button.setAccessibleName("Back up now")
        bar = self.statusBar()
        bar.addWidget(self.status_db, 1)
        for label in (self.status_import, self.status_backup, self.status_user, self.status_role):
            label.setContentsMargins(8, 0, 8, 0)
            separator = QFrame()
            separator.setFrameShape(QFrame.Shape.VLine)
            separator.setFrameShadow(QFrame.Shadow.Sunken)
            bar.addPermanentWidget(separator)
            bar.addPermanentWidget(label)
            if label is self.status_backup:
                bar.addPermanentWidget(self.backup_button)
        can_audit = self.context.allows(Action.AUDIT_VIEW)
        self.audit_action.setEnabled(can_audit)
        self.audit_action.setVisible(can_audit)
        can_purge = self.context.allows(Action.RETENTION_PURGE)
        self.retention_action.setEnabled(can_purge)
        self.retention_action.setVisible(can_purge)
        can_back_up = self.context.allows(Action.BACKUP) and not self.db.is_server
        self.backup_action.setEnabled(can_back_up)
        self.backup_action.setVisible(can_back_up)
        self.backup_button.setVisible(can_back_up)
        self.backups_action.setEnabled(can_back_up)
        self.backups_action.setVisible(can_back_up)
        self._update_status()

    def _update_status(self) -> None:
        """The status bar: what the window knows at once now, what must be read (the newest
        backup, the last import, the near matches waiting) from a background job, never on the
        UI thread (a busy or distant database must not freeze the window)."""
        self.status_db.setText(f"Database: {self.db.location}")
        self.status_db.setToolTip(self.db.location)
        self.status_user.setText(f"User: {self.context.account}")
        role = self.context.role
        self.status_role.setText(f"Role: {role.value}" if role else "Role: no access")
        db = self.db
        with_reviews = self.page_allowed(PAGE_NAMES.index("Imports"))

        def read(_progress: Progress) -> StatusFacts:
            return StatusFacts(
                backup_age=None if db.is_server else newest_backup_age(db),
                last_import=last_import(db),
                open_reviews=count_open_reviews(db) if with_reviews else 0,
            )

        run_in_background(
            read,
            self._show_status,
            lambda error: log.warning("the status bar could not be read: %s", type(error).__name__),
            owner=self,
            name="status bar",
        )

    def _show_status(self, facts: StatusFacts) -> None:
        if self.db.is_server:
            self.status_backup.setText("Backed up on the server")
            self.status_backup.setStyleSheet("")
            self.status_backup.setToolTip(
                "A team database is backed up on the PostgreSQL server by IT (pg_dump)."
            )
        else:
            said = describe_age(facts.backup_age)
            self.status_backup.setText(said[0].upper() + said[1:])
            stale = facts.backup_age is None or facts.backup_age.days >= BACKUP_WARN_DAYS
            self.status_backup.setStyleSheet("color: #a04000;" if stale else "")
            self.status_backup.setToolTip(
                "Automatic backups are taken before imports, undos and restores; "
                "make one now with File > Back up now."
            )
        count = facts.open_reviews
        self.set_badge(PAGE_NAMES.index("Imports"), str(count) if count else "")
        found = facts.last_import
        if found is None:
            self.status_import.setText("Last import: no imports yet")
        else:
            when = found.imported_at.strftime("%d/%m/%Y %H:%M")
            self.status_import.setText(f"Last import: {found.file_name}, {when}")
        self.status_shown.emit()

    def set_badge(self, number: int, badge: str) -> None:
        """A count after a page's name in the navigation ("Imports (3)"), or none."""
        item = self.nav.item(number)
        item.setText(f"{PAGE_NAMES[number]} ({badge})" if badge else PAGE_NAMES[number])
        item.setToolTip(f"{badge} near matches of children to review" if badge else "")

    # --- navigation ----------------------------------------------------------------------------

    def page(self, name: str) -> Page:
        return self.pages[PAGE_NAMES.index(name)]

    @property
    def start_page(self) -> StartPage:
        page = self.page("Start")
        assert isinstance(page, StartPage)
        return page

    @property
    def children_page(self) -> ChildrenPage:
        page = self.page("Children")
        assert isinstance(page, ChildrenPage)
        return page

    def go_to(self, number: int) -> None:
        if self.nav.currentRow() == number:
            self.nav.setCurrentRow(number, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.show_page(number)
        else:
            self.nav.setCurrentRow(number)

    def page_allowed(self, number: int) -> bool:
        """Whether the user's role may open page `number` (any user may open a page that
        needs nothing more than seeing children)."""
        return self.context.allows(self.pages[number].REQUIRES or Action.VIEW_CHILD)

    def _apply_role(self) -> None:
        """Hide the pages the user's role cannot use; without access, say so and offer nothing."""
        for number in range(len(PAGE_NAMES)):  # the profile page has no navigation entry
            allowed = self.page_allowed(number)
            self.nav.item(number).setHidden(not allowed)
            self.page_actions[number].setEnabled(allowed)
            self.page_actions[number].setVisible(allowed)
        if self.context.user is None:
            self.search_box.setEnabled(False)
            self.no_access = QLabel(self.context.denied or "Your account has no access.")
            self.no_access.setObjectName("no_access")
            self.no_access.setWordWrap(True)
            self.no_access.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.stack.addWidget(self.no_access)
            self.stack.setCurrentWidget(self.no_access)

    def show_page(self, number: int) -> None:
        if not 0 <= number < len(self.pages) or not self.page_allowed(number):
            return
        self.stack.setCurrentIndex(number)
        self.pages[number].activated()
        name_fields(self.pages[number])  # fields a page built since are named too

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def _show_child(self, child_id: int) -> None:
        log.info("showing child %d", child_id)
        if self.stack.currentWidget() is self.profile_page:
            self.profile_page.show_child(child_id)  # a sibling: Back returns to this child
        else:
            self._profile_origin = self.stack.currentIndex()
            self.profile_page.show_child(child_id, origin=PAGE_NAMES[self._profile_origin])
            # The origin stays the navigation's current row, unhighlighted, for Back.
            self.nav.clearSelection()
            self.stack.setCurrentWidget(self.profile_page)

    def _leave_profile(self) -> None:
        self.go_to(self._profile_origin)

    def _nav_clicked(self, index: QModelIndex) -> None:
        # Clicking the page the profile was opened from leaves the profile (no row change).
        if self.stack.currentWidget() is self.profile_page:
            self.go_to(index.row())

    def refresh(self) -> None:
        self._update_status()
        current = self.stack.currentWidget()
        if isinstance(current, Page):
            current.refresh()

    # --- File and Help -------------------------------------------------------------------------

    def choose_database(self) -> None:
        path = messages.choose_database_file(self, str(Path(self.db.location).parent))
        if path:
            self.open_other_database(path)

    def open_other_database(self, location: str) -> MainWindow | None:
        """Open another database in a new window and close this one; None if it was refused."""
        try:
            db = open_database(location, create=False)
            finish_owed_at_start(db)
        except ExclusionMonitorError as exc:
            log.warning("database refused: %s", type(exc).__name__)
            messages.show_error(self, APP_NAME, str(exc))
            return None
        account = self.context.account  # the same person in the new window
        denied = AppContext.for_account(db, account).denied
        if denied is not None:
            db.close()
            messages.show_error(self, APP_NAME, denied)
            return None
        self.save_layout()
        window = MainWindow(db, owns_database=True, account=account)
        _windows.add(window)
        window.destroyed.connect(lambda *_: _windows.discard(window))
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        self.close()
        return window

    def back_up_now(self) -> None:
        """Copy the database to its backups folder (in the background), then say where."""
        if not self.backup_action.isEnabled():
            return
        db, account = self.db, self.context.account
        self.backup_action.setEnabled(False)
        self.statusBar().showMessage("Backing up...")
        run_in_background(
            lambda _progress: back_up(db, account).value,
            self._backed_up,
            self._backup_failed,
            owner=self,
            writes=True,
            name="back up now",
        )

    def _backed_up(self, path: Path) -> None:
        self.backup_action.setEnabled(True)
        self.statusBar().showMessage(f"Backed up to {path.name}", 8000)
        self._update_status()
        self.backed_up.emit(str(path))

    def _backup_failed(self, error: BaseException) -> None:
        self.backup_action.setEnabled(True)
        self.statusBar().clearMessage()
        text = str(error) if isinstance(error, ExclusionMonitorError) else type(error).__name__
        messages.show_error(self, "Back up now", f"The backup was not made: {text}")

    def show_audit_trail(self) -> AuditTrailDialog | None:
        if not self.audit_action.isEnabled():
            return None
        dialog = AuditTrailDialog(self.db, self.context.account, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        name_fields(dialog)
        dialog.show()
        return dialog

    def show_retention(self) -> RetentionDialog | None:
        if not self.retention_action.isEnabled():
            return None
        dialog = RetentionDialog(self.db, self.context.account, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.purged.connect(self.context.signals.data_changed)
        name_fields(dialog)
        dialog.show()
        return dialog

    def show_backups(self) -> BackupsDialog | None:
        if not self.backups_action.isEnabled():
            return None
        dialog = BackupsDialog(
            self.db, may_restore=self.context.allows(Action.RESTORE), parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.back_up_requested.connect(self.back_up_now)
        dialog.back_up_requested.connect(lambda: QTimer.singleShot(1500, dialog.refresh))
        dialog.restore_requested.connect(lambda path: self.restore_from(Path(path), dialog))
        name_fields(dialog)
        dialog.show()
        return dialog

    def restore_from(self, backup: Path, dialog: QDialog | None = None) -> MainWindow | None:
        """Put a backup in place of this database (an admin, after saying yes): the window
        closes its database, the restore checks the backup and keeps the file it replaces, and
        a new window opens on the restored database. A refusal leaves everything as it was."""
        if not self.context.allows(Action.RESTORE):
            return None
        if not messages.confirm(
            self,
            "Restore a backup",
            f"Replace this database with the backup {backup.name}? Everything done since that "
            "backup is replaced; the database as it is now is kept in the backups folder, so "
            "this can be undone by restoring that file. The window reopens on the restored "
            "database.",
        ):
            return None
        location, account = self.db.location, self.context.account
        target = database_path(location)
        if dialog is not None:
            dialog.close()
        self.save_layout()
        self.db.close()
        try:
            restore_backup(location, target, backup, account=account)
        except ExclusionMonitorError as exc:
            messages.show_error(self, "Restore", str(exc))
        return self.open_other_database(location)  # restored, or as it was after a refusal

    def show_getting_started(self) -> None:
        messages.show_about(self, "Getting started", GETTING_STARTED)

    def show_about(self) -> None:
        messages.show_about(
            self,
            f"About {APP_NAME}",
            f"<p><b>{APP_NAME}</b> {__version__}</p>"
            "<p>School exclusion and mobility monitoring for a local authority's inclusion "
            "team.</p><p>The records it holds are OFFICIAL-SENSITIVE.</p>",
        )

    # --- layout --------------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        settings = layout_settings()
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = settings.value("main_window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        for page in self.pages:
            page.restore_state(settings)

    def save_layout(self) -> None:
        settings = layout_settings()
        settings.setValue("main_window/geometry", self.saveGeometry())
        settings.setValue("main_window/splitter", self.splitter.saveState())
        for page in self.pages:
            page.save_state(settings)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.search_box.popup.hide()
        super().closeEvent(event)
        if self.owns_database:
            self.db.close()
