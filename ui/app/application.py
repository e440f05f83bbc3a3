"""Starting the desktop app: the QApplication, the database, the main window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from exclusion_monitor import APP_NAME, __version__, config
from exclusion_monitor.errors import ExclusionMonitorError
from exclusion_monitor.store import open_database
from ui.app import messages

log = logging.getLogger(__name__)


def make_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QCoreApplication.setOrganizationName("ExclusionMonitor")
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    return QApplication(argv if argv is not None else sys.argv[:1])


def run_app(db_location: str | None) -> int:
    """Open the main window on the database; a refused database is explained, not a traceback."""
    from ui.app.main_window import MainWindow

    app = make_application()
    location = db_location or config.default_database()
    try:
        db = open_database(location)
    except ExclusionMonitorError as exc:
        log.warning("database refused at start: %s", type(exc).__name__)
        messages.show_error(None, APP_NAME, str(exc))
        return 2
    window = MainWindow(db)
    window.show()
    code = app.exec()
    db.close()
    return int(code)
