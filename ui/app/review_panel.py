"""The review panel of one flag: its status (a drop-down), the assigned officer, its dated notes
and recorded changes, and a box to add a note. Controls the user's role does not allow are
disabled, with a line saying why."""

from __future__ import annotations

import logging
from collections.abc import Callable
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.display import review_status_word as status_word
from exclusion_monitor.flagging import FlagView
from exclusion_monitor.records import ReviewStatus
from exclusion_monitor.roles import Action, Role, allows
from exclusion_monitor.store import Database
from ui.app import messages
from ui.app.background import Progress, run_in_background
from ui.app.review_ops import (
    FlagReview,
    add_note,
    assign_officer,
    change_status,
    load_review,
)

log = logging.getLogger(__name__)
UNASSIGNED = "(unassigned)"


class ReviewPanel(QGroupBox):
    # A review was changed in the database (the page reloads what it shows).
    changed = Signal()
    # The notes and history of the shown flag have been read.
    review_loaded = Signal()

    def __init__(self, db: Database, account: str, parent: QWidget | None = None) -> None:
        super().__init__("Review", parent)
        self.setObjectName("review_panel")
        self.db = db
        self.account = account
        self.flag: FlagView | None = None
        self.upn = ""
        self.role: Role | None = None
        self.review: FlagReview | None = None

        self.flag_title = QLabel("Choose a flag to review it.")
        self.flag_title.setWordWrap(True)
        self.flag_title.setTextFormat(Qt.TextFormat.RichText)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("status_combo")
        for status in ReviewStatus:
            self.status_combo.addItem(status_word(status), status.value)
        self.officer_combo = QComboBox()
        self.officer_combo.setObjectName("officer_combo")
        self.officer_combo.setEditable(True)
        self.officer_combo.setMinimumContentsLength(12)
        self.officer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.assign_button = QPushButton("Assign")
        officer_row = QHBoxLayout()
        officer_row.setContentsMargins(0, 0, 0, 0)
        officer_row.addWidget(self.officer_combo, 1)
        officer_row.addWidget(self.assign_button)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Status:", self.status_combo)
        form.addRow("Officer:", officer_row)
        self.last_change = QLabel("")
        self.last_change.setWordWrap(True)
        self.last_change.setObjectName("last_change")
        self.notes = QListWidget()
        self.notes.setObjectName("notes_list")
        self.notes.setWordWrap(True)
        self.notes.setAlternatingRowColors(True)
        self.notes.setMinimumHeight(self.fontMetrics().height() * 3)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("note_edit")
        self.note_edit.setPlaceholderText("Write a note: what was done, who was contacted...")
        self.note_edit.setFixedHeight(self.fontMetrics().height() * 2 + 14)
        self.add_note_button = QPushButton("Add note")
        self.role_note = QLabel("")
        self.role_note.setWordWrap(True)
        self.role_note.setObjectName("role_note")
        self.role_note.hide()

        layout = QVBoxLayout(self)
        # Writing a note comes before the list of notes, so it stays in view on small screens.
        layout.addWidget(self.flag_title)
        layout.addLayout(form)
        layout.addWidget(self.note_edit)
        note_row = QHBoxLayout()
        note_row.addWidget(self.role_note, 1)
        note_row.addStretch(0)
        note_row.addWidget(self.add_note_button)
        layout.addLayout(note_row)
        layout.addWidget(self.last_change)
        layout.addWidget(QLabel("Notes (oldest first):"))
        layout.addWidget(self.notes, 1)

        self.status_combo.activated.connect(self._status_chosen)
        self.assign_button.clicked.connect(self._assign)
        officer_edit = self.officer_combo.lineEdit()
        assert officer_edit is not None
        officer_edit.returnPressed.connect(self._assign)
        self.add_note_button.clicked.connect(self._add_note)
        self.note_edit.textChanged.connect(self._update_enabled)
        self.show_flag(None, "")

    # --- showing -------------------------------------------------------------------------------

    def set_user(self, role: Role | None, officers: list[str]) -> None:
        self.role = role
        current = self.officer_combo.currentText()
        self.officer_combo.clear()
        self.officer_combo.addItem(UNASSIGNED)
        self.officer_combo.addItems(officers)
        self.officer_combo.setCurrentText(current)
        missing = [
            phrase
            for action, phrase in (
                (Action.CHANGE_FLAG_STATUS, "change a status"),
                (Action.ASSIGN_FLAG, "assign"),
                (Action.ADD_NOTE, "write notes"),
            )
            if not self._may(action)
        ]
        self.role_note.setVisible(bool(missing))
        if missing:
            role_name = role.value if role else "unknown"
            self.role_note.setText(
                f"Your role ({role_name}) can read reviews but not {' or '.join(missing)}."
            )
        self._update_enabled()

    def _may(self, action: Action) -> bool:
        return self.role is not None and allows(self.role, action)

    def show_flag(self, flag: FlagView | None, upn: str) -> None:
        """Show a flag's review (None: nothing chosen) and read its notes in the background."""
        self.flag = flag
        self.upn = upn
        self.review = None
        self.notes.clear()
        self.note_edit.clear()
        if flag is None:
            self.flag_title.setText("Choose a flag above to see and record its review.")
            self.last_change.setText("")
        else:
            cleared = f" Cleared on {flag.cleared_on:%d/%m/%Y}." if flag.cleared_on else ""
            self.flag_title.setText(
                f"<b>{escape(flag.label)}</b> (rule version {flag.rule_version}).{cleared}"
                f"<br>{escape(flag.reason)}"
            )
            self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(flag.status)))
            self.officer_combo.setCurrentText(flag.assigned_to or UNASSIGNED)
            self.last_change.setText("Reading notes...")
            if flag.flag_id is not None:
                self._load(flag.flag_id)
        self._update_enabled()

    def _load(self, flag_id: int) -> None:
        db = self.db

        def read(_progress: Progress) -> FlagReview:
            return load_review(db, flag_id)

        run_in_background(
            read,
            self._loaded,
            self._failed,
            on_cancelled=self._cancelled,
            owner=self,
            name="flag review",
        )

    def _loaded(self, review: FlagReview) -> None:
        if self.flag is None or review.flag_id != self.flag.flag_id:
            return
        self.review = review
        self.notes.clear()
        for note in review.notes:
            item = QListWidgetItem(f"{note.written_at:%d/%m/%Y %H:%M}  {note.author}\n{note.text}")
            item.setData(Qt.ItemDataRole.UserRole, note.id)
            self.notes.addItem(item)
        if not review.notes:
            placeholder = QListWidgetItem("No notes yet.")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.notes.addItem(placeholder)
        if review.history:
            last = review.history[-1]
            self.last_change.setText(
                f"Last changed on {last.changed_at:%d/%m/%Y %H:%M} by {last.changed_by} "
                f"({len(review.history)} change{'' if len(review.history) == 1 else 's'} in all)."
            )
        else:
            self.last_change.setText("Not reviewed yet.")
        self.review_loaded.emit()

    def _update_enabled(self) -> None:
        has_flag = self.flag is not None and self.flag.flag_id is not None
        self.status_combo.setEnabled(has_flag and self._may(Action.CHANGE_FLAG_STATUS))
        may_assign = has_flag and self._may(Action.ASSIGN_FLAG)
        self.officer_combo.setEnabled(may_assign)
        self.assign_button.setEnabled(may_assign)
        may_note = has_flag and self._may(Action.ADD_NOTE)
        self.note_edit.setEnabled(may_note)
        self.add_note_button.setEnabled(may_note and bool(self.note_edit.toPlainText().strip()))

    # --- changing ------------------------------------------------------------------------------

    def _target(self) -> list[tuple[int, str]]:
        assert self.flag is not None and self.flag.flag_id is not None
        return [(self.flag.flag_id, self.upn)]

    def _status_chosen(self, _index: int) -> None:
        if self.flag is None or self.status_combo.currentData() == self.flag.status:
            return
        db, account, target = self.db, self.account, self._target()
        status = str(self.status_combo.currentData())

        def write(_progress: Progress) -> int:
            return change_status(db, account, target, status)

        self._write(write, f"Status set to {status_word(status).lower()}.")

    def _assign(self) -> None:
        if self.flag is None or not self.assign_button.isEnabled():
            return
        text = self.officer_combo.currentText().strip()
        officer = None if text in ("", UNASSIGNED) else text
        if officer == self.flag.assigned_to:
            return
        db, account, target = self.db, self.account, self._target()

        def write(_progress: Progress) -> int:
            return assign_officer(db, account, target, officer)

        self._write(write, f"Assigned to {officer}." if officer else "Unassigned.")

    def _add_note(self) -> None:
        text = self.note_edit.toPlainText().strip()
        if self.flag is None or self.flag.flag_id is None or not text:
            return
        db, account, flag_id, upn = self.db, self.account, self.flag.flag_id, self.upn

        def write(_progress: Progress) -> object:
            return add_note(db, account, flag_id, upn, text)

        self.note_edit.clear()
        self._write(write, "Note added.")

    def _write(self, fn: Callable[[Progress], object], done_text: str) -> None:
        self.setEnabled(False)

        def done(_result: object) -> None:
            self.setEnabled(True)
            self.last_change.setText(done_text)
            self.changed.emit()

        run_in_background(
            fn,
            done,
            self._failed,
            on_cancelled=self._cancelled,
            owner=self,
            writes=True,
            name="flag review change",
        )

    def _cancelled(self) -> None:
        self.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.setEnabled(True)
        if self.flag is not None:  # put the controls back as the flag is
            self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(self.flag.status)))
        self.last_change.setText("")
        messages.show_error(self, "Flag review", str(error))
