"""A page that a later version fills in: it says plainly what will be there and what to do now."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from ui.app.pages.base import AppContext, Page


class PlaceholderPage(Page):
    def __init__(
        self, context: AppContext, title: str, text: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(context, parent, title=title)
        box = QFrame()
        box.setObjectName("placeholder_box")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QVBoxLayout(box)
        self.note = QLabel(text)
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.note.setMaximumWidth(760)
        inner.addWidget(self.note)
        self.layout_.addWidget(box)
        self.layout_.addStretch(1)
