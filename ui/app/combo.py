"""Drop-downs whose value changes only by a deliberate choice: a turn of the mouse wheel over
one, while scrolling a page, never changes a status or an officer (a wheel over the profile's
status box once closed a flag with no note)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QComboBox, QWidget


class _NoWheel(QObject):
    """Swallows wheel events over a combo box: its value changes only by a deliberate choice."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return event.type() == QEvent.Type.Wheel


def deliberate_combo(name: str, parent: QWidget | None = None) -> QComboBox:
    """A drop-down that ignores the mouse wheel and takes keyboard focus only when clicked or
    tabbed to (a scroll over the page never changes it)."""
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    guard = _NoWheel(combo)
    combo.installEventFilter(guard)
    return combo
