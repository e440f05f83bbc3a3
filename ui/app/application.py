"""Starting the desktop app: the QApplication, the database, the main window."""

from __future__ import annotations

import logging
import sys
import threading
from importlib import resources
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication

from exclusion_monitor import APP_NAME, __version__, config
from exclusion_monitor.errors import (
    DatabaseError,
    ExclusionMonitorError,
    NoDatabaseError,
    user_message,
)
from exclusion_monitor.logging_setup import LOG_FILE_NAME
from exclusion_monitor.refresh import finish_owed_work
from exclusion_monitor.store import Database, open_database
from ui.app import messages

log = logging.getLogger(__name__)

LAYOUT_FILE_NAME = "window-layout.ini"
ICON_FILE = "exclusion_monitor.png"  # drawn by build/icon/draw_icon.py
EXIT_UNEXPECTED = 70


def app_icon() -> QIcon:
    """The window icon, read from ui/resources the same way in the frozen build and from source."""
    data = (resources.files("ui") / "resources" / ICON_FILE).read_bytes()
    pixmap = QPixmap()
    if not pixmap.loadFromData(data, "PNG"):
        log.warning("the window icon %s could not be read", ICON_FILE)
    return QIcon(pixmap)


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        QCoreApplication.setOrganizationName("ExclusionMonitor")
        QCoreApplication.setApplicationName(APP_NAME)
        QCoreApplication.setApplicationVersion(__version__)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setWindowIcon(app_icon())
    return app


def handle_unexpected_error(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """The desktop app's sys.excepthook: the traceback to the log, a plain message to the user.

    A windowed program has no console, so without this an error in a slot would vanish.
    """
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    log.critical("unexpected error", exc_info=(exc_type, exc, tb))
    if threading.current_thread() is not threading.main_thread():
        return  # message boxes belong to the UI thread; the log has it
    if QApplication.instance() is None:
        return
    text = user_message(exc, program=APP_NAME, log_file=config.log_dir() / LOG_FILE_NAME)
    try:
        messages.show_error(None, APP_NAME, text)
    except Exception:
        log.exception("could not show the unexpected-error message")


def install_excepthook() -> None:
    sys.excepthook = handle_unexpected_error


def layout_settings() -> QSettings:
    """Window geometry and column layout: an INI file in the app's data folder (so tests and
    portable installs keep their own); domain settings live in the database instead."""
    return QSettings(str(config.data_dir() / LAYOUT_FILE_NAME), QSettings.Format.IniFormat)


FIRST_RUN_QUESTION = (
    "There is no {app} database at\n{location}\nyet.\n\nCreate a new, empty database there? "
    "Your account becomes its admin; you can add other people under Settings."
)


def open_at_start(location: str) -> Database | None:
    """The database to open the window on. The first-run question is the app's one way to
    create a database (so a mistyped path is seen, not silently made a new one); None when the
    person says no."""
    try:
        db = open_database(location, create=False)
    except NoDatabaseError:
        question = FIRST_RUN_QUESTION.format(app=APP_NAME, location=location)
        if not messages.confirm(None, f"{APP_NAME} - new database", question):
            log.info("no database created at start")
            return None
        db = open_database(location, create=True)
    finish_owed_at_start(db)
    return db


def finish_owed_at_start(db: Database) -> None:
    """Bring the flags up to date if an interrupted import left them owed (rarely needed, so
    done before the window opens; the window then shows current flags)."""
    try:
        done = finish_owed_work(db)
    except DatabaseError as exc:
        log.warning("owed follow-up work not finished at start: %s", type(exc).__name__)
        messages.show_error(None, APP_NAME, str(exc))
        return
    if done:
        log.info("finished owed follow-up work at start: %d entries", len(done))


def run_app(db_location: str | None) -> int:
    """Open the main window on the database; a refused database is explained, not a traceback."""
    from ui.app.main_window import MainWindow

    app = make_application()
    install_excepthook()
    location = db_location or config.default_database()
    try:
        opened = open_at_start(location)
    except ExclusionMonitorError as exc:
        log.warning("database refused at start: %s", type(exc).__name__)
        messages.show_error(None, APP_NAME, str(exc))
        return 2
    if opened is None:
        return 2
    db = opened
    from ui.app.pages.base import AppContext

    denied = AppContext.for_account(db).denied
    if denied is not None:
        # Special-category data about children: an account without a role sees nothing at all.
        log.warning("no access for this account")
        messages.show_error(None, APP_NAME, denied)
        db.close()
        return 3
    try:
        window = MainWindow(db, owns_database=True)
        window.show()
        log.info("main window shown")
        code = app.exec()
    except Exception as exc:
        handle_unexpected_error(type(exc), exc, exc.__traceback__)
        return EXIT_UNEXPECTED
    finally:
        db.close()
    return int(code)
