"""Pick two children (by name or UPN, results as you type) to put in one family."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.store import Database
from exclusion_monitor.store.children import ChildSearchHit
from ui.app.search_box import GlobalSearch


class ChildPicker(QWidget):
    """A search box and the child picked from its results."""

    def __init__(self, db: Database, account: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = GlobalSearch.for_database(db, account, self)
        self.search.setPlaceholderText("Name, UPN or former UPN")
        self.chosen_label = QLabel("No child picked yet")
        self.child_id: int | None = None
        self.description = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.chosen_label)
        self.search.open_child.connect(self._picked)

    def pick(self, child_id: int, description: str) -> None:
        self.child_id, self.description = child_id, description
        self.chosen_label.setText(f"<b>{description}</b>")

    def _picked(self, child_id: int) -> None:
        hits: list[ChildSearchHit] = self.search.popup.model.hits
        hit = next((h for h in hits if h.child.id == child_id), None)
        text = (
            f"{hit.child.forename} {hit.child.surname} ({hit.child.upn})"
            if hit
            else f"child {child_id}"
        )
        self.pick(child_id, text)


class LinkDialog(QDialog):
    """Two children to link; OK once both are picked and they differ."""

    def __init__(self, db: Database, account: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Link two children into one family")
        self.first = ChildPicker(db, account, self)
        self.second = ChildPicker(db, account, self)
        note = QLabel(
            "Linked children stay in one family whatever their addresses say, until an officer "
            "unlinks them."
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("First child:", self.first)
        form.addRow("Second child:", self.second)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Link")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(560, 240)
        for picker in (self.first, self.second):
            picker.search.open_child.connect(self._update_ok)
        self._update_ok()

    def _update_ok(self) -> None:
        ok = (
            self.first.child_id is not None
            and self.second.child_id is not None
            and self.first.child_id != self.second.child_id
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def preset_first(self, child_id: int, description: str) -> None:
        self.first.pick(child_id, description)
        self._update_ok()
