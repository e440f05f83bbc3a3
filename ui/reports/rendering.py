"""Qt for printing from the command line: a GUI application object without a window."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication


def ensure_gui_application() -> QCoreApplication:
    """The running Qt application, or a new one; headless (offscreen) where there is no display.

    A QApplication (not just a QGuiApplication), so that the desktop app or a test can share it.
    """
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
