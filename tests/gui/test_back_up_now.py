"""Back up now in the app: the status bar's backup warning has its button beside it for the roles
that may back up; the backup is made through the operations layer (a file in the backups folder,
an audit row) and the warning turns into its age. A viewer and an officer are not offered it.
Help offers Getting started as well as About."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from exclusion_monitor.roles import Role
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.backup import list_backups
from exclusion_monitor.store.users import add_user, claim_first_admin
from tests.builders import Authority
from ui.app import background, messages
from ui.app.main_window import MainWindow

ADMIN = "LA\\boss"


def window_for(qtbot: QtBot, db: Database, account: str) -> MainWindow:
    window = MainWindow(db, account=account)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    return window


@pytest.fixture
def town(db: Database) -> Database:
    town = Authority(db)
    town.many(3, [town.school("Elm Primary")])
    town.done()
    claim_first_admin(db, ADMIN)
    return db


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.LIAISON])
def test_the_backup_warning_has_a_button_that_backs_up(
    qtbot: QtBot, town: Database, role: Role
) -> None:
    account = ADMIN if role is Role.ADMIN else f"LA\\{role.value}"
    if role is not Role.ADMIN:
        add_user(town, ADMIN, account, role)
    window = window_for(qtbot, town, account)
    assert window.status_backup.text() == "No backup yet"
    button = window.backup_button
    assert button.isVisible() and button.isEnabled()
    assert button.accessibleName() == "Back up now"
    database = Path(town.location)
    assert list_backups(database) == []
    with qtbot.waitSignal(window.backed_up, timeout=10_000) as made:
        button.click()
    path = Path(made.args[0])
    backups = list_backups(database)
    assert [b.path for b in backups] == [path] and path.stat().st_size > 0
    assert "Backed up to" in window.statusBar().currentMessage()
    rows = audit.list_entries(town, action="backup")
    assert [(r.account, (r.detail or {}).get("file")) for r in rows] == [(account, path.name)]
    qtbot.waitUntil(lambda: window.status_backup.text() == "Backed up just now", timeout=10_000)
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    assert window.backup_action.isEnabled()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OFFICER])
def test_a_viewer_or_officer_is_not_offered_back_up_now(
    qtbot: QtBot, town: Database, role: Role
) -> None:
    account = f"LA\\{role.value}"
    add_user(town, ADMIN, account, role)
    window = window_for(qtbot, town, account)
    assert window.backup_button.isHidden()
    assert not window.backup_action.isEnabled() and not window.backup_action.isVisible()
    window.back_up_now()  # the shortcut of a disabled action does nothing; nor does a call
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    assert list_backups(Path(town.location)) == []


def test_help_offers_getting_started(
    qtbot: QtBot, town: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = window_for(qtbot, town, ADMIN)
    help_menu = next(
        a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Help"
    )
    names = [a.text().replace("&", "") for a in help_menu.actions() if not a.isSeparator()]
    assert names[0] == "Getting started" and names[-1].startswith("About")
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(messages, "show_about", lambda _p, title, text: shown.append((title, text)))
    window.getting_started_action.trigger()
    assert shown and shown[0][0] == "Getting started"
    assert "Find a child" in shown[0][1] and "Back up now" in shown[0][1]
