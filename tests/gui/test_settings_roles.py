"""What each role is offered: the status bar says the role and the backup's age; a viewer sees
no dashboard, print, export, save or link; an account without access is told so."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from exclusion_monitor.roles import Role
from exclusion_monitor.store import Database
from exclusion_monitor.store.backup import automatic_backup
from exclusion_monitor.store.users import add_user, claim_first_admin
from tests.builders import Authority
from ui.app import background
from ui.app.main_window import MainWindow
from ui.app.pages import PAGE_NAMES
from ui.app.pages.dashboard_page import DashboardPage
from ui.app.pages.families_page import FamiliesPage
from ui.app.pages.schools_page import SchoolsPage
from ui.app.pages.settings_page import SettingsPage

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
    town.many(5, [town.school("Elm Primary")])
    town.done()
    claim_first_admin(db, ADMIN)
    return db


def shown_pages(window: MainWindow) -> list[str]:
    return [
        window.nav.item(i).text()
        for i in range(window.nav.count())
        if not window.nav.item(i).isHidden()
    ]


def test_a_viewer_sees_no_dashboard_print_export_save_or_link(qtbot: QtBot, town: Database) -> None:
    add_user(town, ADMIN, "LA\\viewer", Role.VIEWER)
    window = window_for(qtbot, town, "LA\\viewer")
    assert window.status_role.text() == "Role: viewer"
    assert "Dashboard" not in shown_pages(window)
    assert not window.page_actions[PAGE_NAMES.index("Dashboard")].isEnabled()
    window.go_to(PAGE_NAMES.index("Dashboard"))
    assert not isinstance(window.stack.currentWidget(), DashboardPage)
    dashboard = window.page("Dashboard")
    assert isinstance(dashboard, DashboardPage)
    assert dashboard.print_button.isHidden() and dashboard.export_button.isHidden()
    settings = window.page("Settings")
    assert isinstance(settings, SettingsPage)
    assert settings.save_button.isHidden() and settings.restore_button.isHidden()
    assert settings.users_panel is None
    assert "Only an admin" in settings.status.text()
    assert not settings.editors["repeated_suspensions"].spins["min_suspensions"].isEnabled()
    families = window.page("Families")
    assert isinstance(families, FamiliesPage)
    assert families.link_button.isHidden() and families.unlink_button.isHidden()
    schools = window.page("Schools")
    assert isinstance(schools, SchoolsPage)
    assert schools.export_button.isHidden()


def test_a_manager_sees_the_dashboard_with_print_and_export(qtbot: QtBot, town: Database) -> None:
    add_user(town, ADMIN, "LA\\manager", Role.MANAGER)
    window = window_for(qtbot, town, "LA\\manager")
    assert "Dashboard" in shown_pages(window)
    dashboard = window.page("Dashboard")
    assert isinstance(dashboard, DashboardPage)
    assert not dashboard.print_button.isHidden() and not dashboard.export_button.isHidden()
    settings = window.page("Settings")
    assert isinstance(settings, SettingsPage) and settings.save_button.isHidden()
    families = window.page("Families")
    assert isinstance(families, FamiliesPage) and not families.link_button.isHidden()


def test_status_bar_shows_the_newest_backup(qtbot: QtBot, town: Database) -> None:
    window = window_for(qtbot, town, ADMIN)
    assert window.status_role.text() == "Role: admin"
    assert window.status_backup.text() == "No backup yet"
    automatic_backup(town, "test")
    with qtbot.waitSignal(window.status_shown, timeout=10_000):
        window.refresh()
    assert window.status_backup.text() == "Backed up just now"
    # The refresh also reloads the children list in the background: let it finish.
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)


def test_an_account_without_access_is_told_and_offered_nothing(
    qtbot: QtBot, town: Database
) -> None:
    window = window_for(qtbot, town, "LA\\stranger")
    assert window.status_role.text() == "Role: no access"
    assert shown_pages(window) == []
    assert not window.search_box.isEnabled()
    assert window.stack.currentWidget() is window.no_access
    assert "has not been given access" in window.no_access.text()
