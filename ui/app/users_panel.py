"""The Settings page's users tab (admins only): who may use the database and in which role."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.roles import ACTION_PHRASES, ROLE_ACTIONS, Role
from exclusion_monitor.store import Database
from exclusion_monitor.store.users import User, list_users
from operations import admin
from ui.app import messages
from ui.app.background import run_in_background
from ui.app.record_table_model import RecordTableModel
from ui.app.table_views import selected_record

USER_HEADERS = ["Account", "Name", "Role", "Active", "Since"]


def role_tip(role: Role) -> str:
    if role is Role.ADMIN:
        return "admin: everything, including settings, users, retention and restore"
    return f"{role.value}: " + ", ".join(ACTION_PHRASES[a] for a in sorted(ROLE_ACTIONS[role]))


class UsersModel(RecordTableModel[User]):
    HEADERS = USER_HEADERS

    def set_users(self, users: list[User]) -> None:
        self.set_rows(users)

    def display(self, user: User, column: int) -> str:
        return [
            user.account,
            user.display_name or "",
            user.role.value,
            "yes" if user.active else "deactivated",
            user.created_at.strftime("%d/%m/%Y"),
        ][column]

    def sort_value(self, user: User, column: int) -> Any:
        return None  # the list is shown in the store's order and never sorted

    def tooltip(self, user: User, column: int) -> str | None:
        return role_tip(user.role) if column == 2 else None


class UsersPanel(QWidget):
    """List users; add one, change a role, deactivate (each audited by the store)."""

    changed = Signal()

    def __init__(self, db: Database, account: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.account = db, account
        self.model = UsersModel()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.new_account = QLineEdit()
        self.new_account.setPlaceholderText("Windows account, e.g. LA\\jsmith")
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("Name, as cases show it")
        self.new_name.setAccessibleName("The new user's name")
        self.role_combo = QComboBox()
        for role in Role:
            self.role_combo.addItem(role.value, role)
            self.role_combo.setItemData(
                self.role_combo.count() - 1, role_tip(role), Qt.ItemDataRole.ToolTipRole
            )
        self.role_combo.setCurrentText(Role.VIEWER.value)
        self.add_button = QPushButton("Add user")
        self.set_role_button = QPushButton("Give selected this role")
        self.rename_button = QPushButton("Rename selected...")
        self.deactivate_button = QPushButton("Deactivate selected")
        add_row = QHBoxLayout()
        add_row.addWidget(QLabel("Account:"))
        add_row.addWidget(self.new_account, 1)
        add_row.addWidget(QLabel("Name:"))
        add_row.addWidget(self.new_name, 1)
        add_row.addWidget(QLabel("Role:"))
        add_row.addWidget(self.role_combo)
        add_row.addWidget(self.add_button)
        change_row = QHBoxLayout()
        change_row.addWidget(self.set_role_button)
        change_row.addWidget(self.rename_button)
        change_row.addWidget(self.deactivate_button)
        change_row.addStretch(1)
        note = QLabel(
            "Access is given person by person. Hover over a role to see what it may do. "
            "Every change is recorded in the audit trail."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.view, 1)
        layout.addLayout(add_row)
        layout.addLayout(change_row)
        self.add_button.clicked.connect(self.add_clicked)
        self.set_role_button.clicked.connect(self.set_role_clicked)
        self.rename_button.clicked.connect(self.rename_clicked)
        self.deactivate_button.clicked.connect(self.deactivate_clicked)

    def refresh(self) -> None:
        db = self.db
        run_in_background(
            lambda _p: list_users(db),
            self.model.set_users,
            lambda error: messages.show_error(self, "Users", str(error)),
            owner=self,
            name="users",
        )

    def selected_user(self) -> User | None:
        return selected_record(self.view, User)

    def _run(self, what: str, fn: Any) -> None:
        db, account = self.db, self.account

        def job(_p: object) -> list[User]:
            fn(db, account)
            return list_users(db)

        def done(users: list[User]) -> None:
            self.model.set_users(users)
            self.changed.emit()

        run_in_background(
            job,
            done,
            lambda error: messages.show_error(self, "Users", str(error)),
            owner=self,
            writes=True,
            name=what,
        )

    def add_clicked(self) -> None:
        account = self.new_account.text().strip()
        role = Role(self.role_combo.currentData())
        if not account:
            messages.show_error(self, "Users", "Type the Windows account name, e.g. LA\\jsmith.")
            return
        name = self.new_name.text().strip() or None
        self.new_account.clear()
        self.new_name.clear()
        self._run("add user", lambda db, by: admin.add_user(db, by, account, role, name))

    def set_role_clicked(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        role = Role(self.role_combo.currentData())
        if messages.confirm(self, "Change role", f"Make {user.account} {role.value}?"):
            self._run("set role", lambda db, by: admin.set_role(db, by, user.account, role))

    def rename_clicked(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        name = messages.ask_text(
            self,
            "Rename user",
            f"The name cases and printouts show for {user.account} (blank: the account alone):",
            user.display_name or "",
        )
        if name is not None and name.strip() != (user.display_name or ""):
            self._run(
                "rename user", lambda db, by: admin.set_display_name(db, by, user.account, name)
            )

    def deactivate_clicked(self) -> None:
        user = self.selected_user()
        if user is None:
            return
        if messages.confirm(
            self,
            "Deactivate user",
            f"Stop {user.account} using this database? Their past actions stay in the audit trail.",
        ):
            self._run("deactivate user", lambda db, by: admin.deactivate(db, by, user.account))
