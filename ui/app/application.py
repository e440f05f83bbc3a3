"""Starting the desktop app: the QApplication, the database, the main window."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from exclusion_monitor import APP_NAME, __version__, config
from exclusion_monitor.errors import ExclusionMonitorError
from exclusion_monitor.store import open_database
from ui.app import messages

log = logging.getLogger(__name__)

LAYOUT_FILE_NAME = "window-layout.ini"


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QCoreApplication.setOrganizationName("ExclusionMonitor")
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    return QApplication(argv if argv is not None else sys.argv[:1])


def layout_settings() -> QSettings:
    """Window geometry and column layout: an INI file in the app's data folder (so tests and
    portable installs keep their own); domain settings live in the database instead."""
    return QSettings(str(config.data_dir() / LAYOUT_FILE_NAME), QSettings.Format.IniFormat)


def _report_unexpected(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    """An exception nobody caught: log it with its traceback and tell the user, never crash."""
    log.critical("unexpected error", exc_info=(kind, error, trace))
    if isinstance(error, ExclusionMonitorError):
        text = str(error)
    else:
        text = (
            "Something went wrong that the app did not expect. What you were doing may not have "
            f"finished. The details are in the log in {config.log_dir()}."
        )
    messages.show_error(QApplication.activeWindow(), APP_NAME, text)


def run_app(db_location: str | None) -> int:
    """Open the main window on the database; a refused database is explained, not a traceback."""
    from ui.app.main_window import MainWindow

    app = make_application()
    sys.excepthook = _report_unexpected
    location = db_location or config.default_database()
    try:
        db = open_database(location)
    except ExclusionMonitorError as exc:
        log.warning("database refused at start: %s", type(exc).__name__)
        messages.show_error(None, APP_NAME, str(exc))
        return 2
    window = MainWindow(db, owns_database=True)
    window.show()
    return int(app.exec())
