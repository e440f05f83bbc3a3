"""Qt for printing from the command line: a GUI application object without a window, whose own
warnings go to the log file instead of flooding standard error."""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QCoreApplication, QMessageLogContext, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _to_log(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    # Qt's messages name fonts, files and platform plugins, never a record: safe for the log.
    category = context.category or "qt"
    log.log(_LEVELS.get(kind, logging.WARNING), "%s: %s", category, message)


def send_qt_messages_to_log() -> None:
    """Qt's own warnings (fonts, platform plugins, painting) to the log file, not the console."""
    qInstallMessageHandler(_to_log)


def ensure_gui_application() -> QCoreApplication:
    """The running Qt application, or a new one; headless (offscreen) where there is no display.

    A QApplication (not just a QGuiApplication), so that the desktop app or a test can share it.
    """
    send_qt_messages_to_log()
    existing = QApplication.instance()
    if existing is not None:
        return existing
    argv = ["exclusion-monitor"]
    headless = not sys.platform.startswith("win") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
    if headless and "QT_QPA_PLATFORM" not in os.environ:
        argv += ["-platform", "offscreen"]
    return QApplication(argv)
