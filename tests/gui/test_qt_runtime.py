"""The Qt binding itself: a release that mishandles references would crash a long session."""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QFont, QImage, QPainter, QTextDocument
from PySide6.QtWidgets import QApplication

CALLS = 200


def test_void_qt_calls_keep_their_reference_to_none(qapp: QApplication) -> None:
    """PySide6 6.12.0 returned None from every void method without a new reference: each call
    took one from None's count, and Python 3.11 aborted ("none_dealloc") a few thousand calls
    into printing a long flag list. Any binding the app runs on must leave None's count alone."""
    font = QFont()
    document = QTextDocument()
    image = QImage(20, 20, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            font.setBold(True)
            document.setPageSize(QSizeF(100, 100))
            painter.save()
            painter.restore()
            document.drawContents(painter, QRectF(0, 0, 10, 10))
        after = sys.getrefcount(None)
    finally:
        painter.end()
    assert after >= before - 10, f"None lost {before - after} references in {CALLS} rounds"
