"""File > Backups...: this database's backups listed, Back up now, and for an admin Restore,
which asks, keeps the database it replaces, and reopens the window on the restored one."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from exclusion_monitor.roles import Role
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.backup import list_backups
from exclusion_monitor.store.database import database_path
from exclusion_monitor.store.users import add_user, claim_first_admin, list_users
from operations.admin import back_up
from tests.builders import Authority
from ui.app import background, messages
from ui.app.backups_dialog import BackupsDialog
from ui.app.main_window import MainWindow

ADMIN = "LA\\boss"


@pytest.fixture
def town(db: Database) -> Database:
    if db.is_server:
        pytest.skip("a team database's backups are its server's")
    town = Authority(db)
    town.many(3, [town.school("Elm Primary")])
    town.done()
    claim_first_admin(db, ADMIN)
    return db


def open_backups(qtbot: QtBot, db: Database, account: str) -> tuple[MainWindow, BackupsDialog]:
    window = MainWindow(db, account=account)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    assert window.backups_action.isVisible()
    dialog = window.show_backups()
    assert dialog is not None
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    return window, dialog


def test_an_admin_restores_a_backup_and_the_window_reopens_on_it(
    qtbot: QtBot, town: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = back_up(town, ADMIN).value
    add_user(town, ADMIN, "LA\\later", Role.OFFICER)  # done after the backup
    window, dialog = open_backups(qtbot, town, ADMIN)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "backed up by hand"
    assert dialog.table.item(0, 3).text() == taken.name
    assert not dialog.restore_button.isEnabled()
    dialog.table.selectRow(0)
    assert dialog.restore_button.isEnabled()

    asked: list[str] = []
    monkeypatch.setattr(messages, "confirm", lambda _p, _t, text: asked.append(text) and False)
    dialog.restore_button.click()
    assert asked and "Replace this database with the backup" in asked[0]
    assert "LA\\later" in [u.account for u in list_users(town)]  # said no: nothing changed

    location = town.location
    errors: list[str] = []
    monkeypatch.setattr(messages, "confirm", lambda *_a: True)
    monkeypatch.setattr(messages, "show_error", lambda _p, _t, text: errors.append(text))
    reopened = window.restore_from(taken)
    assert errors == [] and reopened is not None
    assert not window.isVisible() and reopened.context.account == ADMIN
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    assert "LA\\later" not in [u.account for u in list_users(reopened.db)]
    assert [e.action for e in audit.list_entries(reopened.db)][-1] == "restore"
    kept = [b for b in list_backups(database_path(location)) if b.reason == "before-restore"]
    assert len(kept) == 1  # the database the restore replaced
    reopened.close()


def test_a_manager_lists_and_backs_up_but_is_not_offered_restore(
    qtbot: QtBot, town: Database
) -> None:
    add_user(town, ADMIN, "LA\\manager", Role.MANAGER)
    back_up(town, ADMIN)
    _window, dialog = open_backups(qtbot, town, "LA\\manager")
    assert dialog.table.rowCount() == 1
    assert not dialog.restore_button.isVisible()
    assert dialog.role_note.text() == "Only an admin restores a backup."
    dialog.back_up_button.click()
    qtbot.waitUntil(
        lambda: len(list_backups(Path(database_path(town.location)))) == 2, timeout=10_000
    )
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=10_000)


def test_an_officer_is_not_offered_backups(qtbot: QtBot, town: Database) -> None:
    add_user(town, ADMIN, "LA\\officer", Role.OFFICER)
    window = MainWindow(town, account="LA\\officer")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    assert not window.backups_action.isVisible() and window.show_backups() is None
