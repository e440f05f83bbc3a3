"""The case panel: the child's one case (docs/rules.md#cases), seen from any of their flags. Its
status and officer change only when Save is pressed (a turn of the mouse wheel over a box changes
nothing), the officer is chosen from the users, closing asks for a note, and the notes and the
history of every change are listed with who and when. The flag chosen above can be marked
reviewed. Controls the user's role does not allow are disabled, with a line saying why."""

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
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.display import review_status_word as status_word
from exclusion_monitor.display import uk_date, uk_time
from exclusion_monitor.flagging import FlagView
from exclusion_monitor.records import ReviewStatus
from exclusion_monitor.roles import Action, Role, allows
from exclusion_monitor.rules.registry import rule_label
from exclusion_monitor.store import Database
from exclusion_monitor.store.cases import CLOSED_STATUSES, UNSET, CaseEvent
from exclusion_monitor.store.users import User
from operations.cases import CaseFile, change_case, mark_flag_reviewed, officer_label
from ui.app import messages
from ui.app.background import Progress, run_in_background
from ui.app.combo import deliberate_combo
from ui.app.review_ops import load_case

log = logging.getLogger(__name__)
UNASSIGNED = "(nobody)"


def event_text(event: CaseEvent, names: dict[str, str]) -> str:
    """One line of a case's history, as an officer reads it."""
    when, who = uk_time(event.at), names.get(event.account, event.account)
    on = f" (on the {rule_label(event.flag_rule).lower()} flag)" if event.flag_rule else ""
    if event.what == "status":
        old = status_word(event.old_value or "new")
        return f"{when}  {who}: status {old} \u2192 {status_word(event.new_value or 'new')}{on}"
    if event.what == "officer":
        new = names.get(event.new_value or "", event.new_value) if event.new_value else "nobody"
        return f"{when}  {who}: assigned to {new}{on}"
    if event.what == "note":
        return f"{when}  {who}: wrote a note{on}"
    if event.what == "reviewed":
        return f"{when}  {who}: reviewed the {rule_label(event.flag_rule or '').lower()} flag"
    return f"{when}  {who}: {event.what}{on}"


class ReviewPanel(QGroupBox):
    # The case was changed in the database (the page reloads what it shows).
    changed = Signal()
    # The case, its notes and history have been read.
    review_loaded = Signal()

    def __init__(self, db: Database, account: str, parent: QWidget | None = None) -> None:
        super().__init__("Case", parent)
        self.setObjectName("review_panel")
        self.db = db
        self.account = account
        self.flag: FlagView | None = None
        self.child_id: int | None = None
        self.upn = ""
        self.role: Role | None = None
        self.case: CaseFile | None = None
        self.names: dict[str, str] = {}

        self.flag_title = QLabel("")
        self.flag_title.setWordWrap(True)
        self.flag_title.setTextFormat(Qt.TextFormat.RichText)
        self.reviewed_label = QLabel("")
        self.reviewed_label.setObjectName("reviewed_label")
        self.reviewed_label.setWordWrap(True)
        self.reviewed_button = QPushButton("Mark this flag &reviewed")
        self.reviewed_button.setObjectName("reviewed_button")
        reviewed_row = QHBoxLayout()
        reviewed_row.setContentsMargins(0, 0, 0, 0)
        reviewed_row.addWidget(self.reviewed_label, 1)
        reviewed_row.addWidget(self.reviewed_button)

        self.status_combo = deliberate_combo("status_combo")
        for status in ReviewStatus:
            self.status_combo.addItem(status_word(status), status.value)
        self.status_combo.setAccessibleName("Case status")
        self.officer_combo = deliberate_combo("officer_combo")
        self.officer_combo.setAccessibleName("Assigned officer")
        self.officer_combo.setMinimumContentsLength(16)
        self.officer_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        status_label, officer_label_ = QLabel("&Status:"), QLabel("&Officer:")
        status_label.setBuddy(self.status_combo)
        officer_label_.setBuddy(self.officer_combo)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(status_label, self.status_combo)
        form.addRow(officer_label_, self.officer_combo)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("note_edit")
        self.note_edit.setAccessibleName("New note")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setPlaceholderText(
            "Write a note: what was done, who was contacted... (needed to close a case)"
        )
        self.note_edit.setFixedHeight(self.fontMetrics().height() * 2 + 14)
        self.save_button = QPushButton("&Save")
        self.save_button.setObjectName("save_case")
        self.save_button.setToolTip("Save the status, the officer and the note together")
        self.undo_button = QPushButton("Cancel")
        self.undo_button.setObjectName("cancel_case")
        self.undo_button.setToolTip("Put the status and officer back as saved")
        self.role_note = QLabel("")
        self.role_note.setWordWrap(True)
        self.role_note.setObjectName("role_note")
        self.role_note.hide()
        self.last_change = QLabel("")
        self.last_change.setWordWrap(True)
        self.last_change.setObjectName("last_change")
        self.notes = QListWidget()
        self.notes.setObjectName("notes_list")
        self.notes.setAccessibleName("Case notes")
        self.notes.setWordWrap(True)
        self.notes.setAlternatingRowColors(True)
        self.notes.setMinimumHeight(self.fontMetrics().height() * 3)
        self.history = QListWidget()
        self.history.setObjectName("history_list")
        self.history.setAccessibleName("Case history")
        self.history.setWordWrap(True)
        self.history.setMinimumHeight(self.fontMetrics().height() * 3)

        layout = QVBoxLayout(self)
        layout.addWidget(self.flag_title)
        layout.addLayout(reviewed_row)
        layout.addLayout(form)
        layout.addWidget(self.note_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.role_note, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        layout.addWidget(self.last_change)
        notes_label, history_label = QLabel("&Notes (oldest first):"), QLabel("&History:")
        notes_label.setBuddy(self.notes)
        history_label.setBuddy(self.history)
        layout.addWidget(notes_label)
        layout.addWidget(self.notes, 2)
        layout.addWidget(history_label)
        layout.addWidget(self.history, 1)

        self.status_combo.currentIndexChanged.connect(self._update_enabled)
        self.officer_combo.currentIndexChanged.connect(self._update_enabled)
        self.note_edit.textChanged.connect(self._update_enabled)
        self.save_button.clicked.connect(self.save)
        self.undo_button.clicked.connect(self._put_back)
        self.reviewed_button.clicked.connect(self._mark_reviewed)
        self.show_flag(None, "")

    # --- showing -------------------------------------------------------------------------------

    def set_user(self, role: Role | None, officers: list[User]) -> None:
        self.role = role
        self.names = {u.account: u.display_name or u.account for u in officers}
        current = self.officer_combo.currentData()
        self.officer_combo.blockSignals(True)
        self.officer_combo.clear()
        self.officer_combo.addItem(UNASSIGNED, None)
        for user in officers:
            self.officer_combo.addItem(officer_label(user), user.account)
        self.officer_combo.setCurrentIndex(max(0, self.officer_combo.findData(current)))
        self.officer_combo.blockSignals(False)
        missing = [
            phrase
            for action, phrase in (
                (Action.CHANGE_FLAG_STATUS, "change its status"),
                (Action.ASSIGN_FLAG, "assign it"),
                (Action.ADD_NOTE, "write notes"),
            )
            if not self._may(action)
        ]
        self.role_note.setVisible(bool(missing))
        if missing:
            role_name = role.value if role else "unknown"
            self.role_note.setText(
                f"Your role ({role_name}) can read the case but not {' or '.join(missing)}."
            )
        self._update_enabled()

    def _may(self, action: Action) -> bool:
        return self.role is not None and allows(self.role, action)

    def show_flag(self, flag: FlagView | None, upn: str, child_id: int | None = None) -> None:
        """Show the child's case from one of their flags (None: no flag chosen) and read the
        case's notes and history in the background."""
        same_child = child_id is not None and child_id == self.child_id
        self.flag = flag
        self.upn = upn
        if child_id is not None:
            self.child_id = child_id
        elif not upn:
            self.child_id = None
        if not same_child:
            self.case = None
            self.notes.clear()
            self.history.clear()
            self.note_edit.clear()
        if flag is None:
            self.flag_title.setText("The child's case (choose a flag above to see its reason).")
            self.reviewed_label.setText("")
        else:
            cleared = f" Cleared on {uk_date(flag.cleared_on)}." if flag.cleared_on else ""
            self.flag_title.setText(
                f"<b>{escape(flag.label)}</b> (rule version {flag.rule_version}).{cleared}"
                f"<br>{escape(flag.reason)}"
            )
            self._show_reviewed(flag)
        if flag is not None and not same_child:
            self._set_controls(flag.status, flag.assigned_to)
        if self.child_id is not None:
            if not same_child:
                self.last_change.setText("Reading the case...")
            self._load(self.child_id)
        else:
            self.last_change.setText("")
        self._update_enabled()

    def _show_reviewed(self, flag: FlagView) -> None:
        if flag.reviewed_at is not None:
            who = self.names.get(flag.reviewed_by or "", flag.reviewed_by or "someone")
            self.reviewed_label.setText(f"Reviewed by {who} on {uk_date(flag.reviewed_at)}.")
        else:
            self.reviewed_label.setText("This flag has not been reviewed yet.")

    def _set_controls(self, status: str, officer: str | None) -> None:
        for combo, value in ((self.status_combo, status), (self.officer_combo, officer)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)

    def _load(self, child_id: int) -> None:
        db, account = self.db, self.account

        def read(_progress: Progress) -> CaseFile:
            return load_case(db, account, child_id)

        run_in_background(
            read,
            self._loaded,
            self._failed,
            on_cancelled=self._cancelled,
            owner=self,
            name="case",
        )

    def _loaded(self, found: CaseFile) -> None:
        if found.case.child_id != self.child_id:
            return
        self.case = found
        self._set_controls(found.case.status, found.case.assigned_to)
        self.notes.clear()
        for note in found.notes:
            on = f" (on the {rule_label(note.flag_rule).lower()} flag)" if note.flag_rule else ""
            who = self.names.get(note.author, note.author)
            item = QListWidgetItem(f"{uk_time(note.written_at)}  {who}{on}\n{note.text}")
            item.setData(Qt.ItemDataRole.UserRole, note.id)
            self.notes.addItem(item)
        if not found.notes:
            placeholder = QListWidgetItem("No notes yet.")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.notes.addItem(placeholder)
        self.history.clear()
        for event in reversed(found.history):
            self.history.addItem(event_text(event, self.names))
        case = found.case
        if case.last_action_at is not None:
            who = self.names.get(case.last_action_by or "", case.last_action_by or "")
            count = len(found.history)
            self.last_change.setText(
                f"Last action on {uk_time(case.last_action_at)} by {who} "
                f"({count} change{'' if count == 1 else 's'} in all)."
            )
        else:
            self.last_change.setText("Nobody has acted on this case yet.")
        self._update_enabled()
        self.review_loaded.emit()

    def _chosen(self) -> tuple[str, str | None]:
        return str(self.status_combo.currentData()), self.officer_combo.currentData()

    def _saved(self) -> tuple[str, str | None]:
        if self.case is not None:
            return self.case.case.status, self.case.case.assigned_to
        if self.flag is not None:
            return self.flag.status, self.flag.assigned_to
        return ReviewStatus.NEW.value, None

    def pending(self) -> bool:
        """Whether something is chosen or written and not yet saved."""
        return self._chosen() != self._saved() or bool(self.note_edit.toPlainText().strip())

    def _update_enabled(self) -> None:
        has_case = self.child_id is not None
        self.status_combo.setEnabled(has_case and self._may(Action.CHANGE_FLAG_STATUS))
        self.officer_combo.setEnabled(has_case and self._may(Action.ASSIGN_FLAG))
        may_note = has_case and self._may(Action.ADD_NOTE)
        self.note_edit.setEnabled(may_note)
        pending = has_case and self.pending()
        self.save_button.setEnabled(pending)
        self.undo_button.setEnabled(pending)
        flag_id = self.flag.flag_id if self.flag is not None else None
        self.reviewed_button.setEnabled(
            flag_id is not None
            and self._may(Action.CHANGE_FLAG_STATUS)
            and (self.flag is None or self.flag.reviewed_at is None)
        )

    # --- changing ------------------------------------------------------------------------------

    def _put_back(self) -> None:
        self._set_controls(*self._saved())
        self._update_enabled()

    def save(self) -> None:
        """Save what is chosen and written, as one change; closing asks for a note first."""
        if self.child_id is None or not self.save_button.isEnabled():
            return
        status, officer = self._chosen()
        saved_status, saved_officer = self._saved()
        note = self.note_edit.toPlainText().strip()
        if status != saved_status and status in CLOSED_STATUSES and not note:
            note, ok = QInputDialog.getMultiLineText(
                self,
                "Close the case",
                f"Why is the case {status_word(status).lower()}? The note stays on the case "
                "for the next person who reads it.",
            )
            note = note.strip()
            if not ok or not note:
                return
        db, account, child_id = self.db, self.account, self.child_id
        change_status = status if status != saved_status else None
        change_officer: object = officer if officer != saved_officer else UNSET

        def write(_progress: Progress) -> object:
            return change_case(
                db, account, child_id, status=change_status, officer=change_officer, note=note
            )

        self._write(write, "Saved.")

    def _mark_reviewed(self) -> None:
        if self.flag is None or self.flag.flag_id is None:
            return
        db, account, flag_id = self.db, self.account, self.flag.flag_id

        def write(_progress: Progress) -> object:
            return mark_flag_reviewed(db, account, flag_id)

        self._write(write, "Flag marked reviewed.")

    def _write(self, fn: Callable[[Progress], object], done_text: str) -> None:
        self.setEnabled(False)

        def done(_result: object) -> None:
            self.setEnabled(True)
            self.note_edit.clear()
            self.last_change.setText(done_text)
            self.changed.emit()

        run_in_background(
            fn,
            done,
            self._failed,
            on_cancelled=self._cancelled,
            owner=self,
            writes=True,
            name="case change",
        )

    def _cancelled(self) -> None:
        self.setEnabled(True)

    def _failed(self, error: BaseException) -> None:
        self.setEnabled(True)
        self.last_change.setText("")
        messages.show_error(self, "Case", str(error))
