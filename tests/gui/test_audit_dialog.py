"""The audit trail window: an admin filters the trail by user, action, dates and child and
verifies the chain (both audited, through the operations layer); a tampered row is reported;
a manager is not offered the window."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from exclusion_monitor.roles import Role
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.child_details import upns_of
from exclusion_monitor.store.children import child_id_for_upn
from exclusion_monitor.store.users import add_user, claim_first_admin
from tests.builders import Authority
from ui.app import background
from ui.app.audit_dialog import AuditTrailDialog
from ui.app.main_window import MainWindow

ADMIN = "LA\\boss"


@pytest.fixture
def town(db: Database) -> tuple[Database, list[str]]:
    town = Authority(db)
    ids = town.many(2, [town.school("Elm Primary")])
    town.done()
    claim_first_admin(db, ADMIN)
    found = upns_of(db, ids)
    upns = [found[i] for i in ids]
    first = ids[0]
    audit.record(db, "LA\\officer1", "view_child", f"child:{first}", {"page": "profile"})
    audit.record(db, "LA\\officer1", "view_child", upns[1], {"page": "profile"})
    audit.record(db, "LA\\officer2", "search", None, {"filter": "name"})
    return db, upns


def open_dialog(qtbot: QtBot, db: Database, account: str) -> tuple[MainWindow, AuditTrailDialog]:
    window = MainWindow(db, account=account)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    dialog = window.show_audit_trail()
    assert dialog is not None
    return window, dialog


def show(qtbot: QtBot, dialog: AuditTrailDialog) -> list[tuple[str, str, str]]:
    dialog.listing = None
    dialog.show_button.click()
    qtbot.waitUntil(lambda: dialog.listing is not None, timeout=10_000)
    table = dialog.table
    return [
        (table.item(r, 2).text(), table.item(r, 3).text(), table.item(r, 4).text())
        for r in range(table.rowCount())
    ]


def test_an_admin_filters_the_trail(qtbot: QtBot, town: tuple[Database, list[str]]) -> None:
    db, upns = town
    _window, dialog = open_dialog(qtbot, db, ADMIN)
    dialog.user_box.setText("la\\OFFICER1")
    rows = show(qtbot, dialog)
    assert [r[1] for r in rows] == ["view_child", "view_child"]
    dialog.user_box.clear()
    dialog.action_box.setCurrentText("search")
    assert {r[0] for r in show(qtbot, dialog)} >= {"LA\\officer2"}
    dialog.action_box.setCurrentIndex(0)
    dialog.upn_box.setText(upns[1].lower())
    assert show(qtbot, dialog) == [("LA\\officer1", "view_child", upns[1])]
    dialog.upn_box.setText(upns[0])
    assert [r[2] for r in show(qtbot, dialog)] == [f"child:{child_id_for_upn(db, upns[0])}"]
    dialog.upn_box.clear()
    dialog.since_box.set_date(dt.date.today() - dt.timedelta(days=3))
    dialog.until_box.set_date(dt.date.today() - dt.timedelta(days=1))
    assert show(qtbot, dialog) == []
    dialog.until_box.set_date(dt.date.today())
    assert len(show(qtbot, dialog)) >= 3
    # Each listing is itself a row of the trail, with the filter it used.
    listed = audit.list_entries(db, action="audit_view", account=ADMIN)
    assert any((e.detail or {}).get("filter", {}).get("upn") == upns[0] for e in listed)


def test_an_unknown_upn_and_reversed_dates_are_refused_plainly(
    qtbot: QtBot, town: tuple[Database, list[str]]
) -> None:
    db, _upns = town
    _window, dialog = open_dialog(qtbot, db, ADMIN)
    dialog.upn_box.setText("A999999999999")
    dialog.show_button.click()
    qtbot.waitUntil(lambda: "No child has the UPN" in dialog.status.text(), timeout=10_000)
    dialog.upn_box.clear()
    dialog.since_box.set_date(dt.date.today())
    dialog.until_box.set_date(dt.date.today() - dt.timedelta(days=2))
    dialog.show_button.click()
    assert dialog.status.text() == "The end date is before the start date."


def test_verify_says_intact_then_tampered(qtbot: QtBot, town: tuple[Database, list[str]]) -> None:
    db, _upns = town
    _window, dialog = open_dialog(qtbot, db, ADMIN)
    dialog.verify_button.click()
    qtbot.waitUntil(lambda: dialog.check is not None, timeout=10_000)
    assert dialog.check is not None and dialog.check.ok
    assert dialog.verdict.text().startswith("The audit trail is intact")
    with db.write() as conn:
        conn.execute(
            sa.update(t.audit_log).where(t.audit_log.c.action == "search").values(account="LA\\x")
        )
    dialog.check = None
    dialog.verify_button.click()
    qtbot.waitUntil(lambda: dialog.check is not None, timeout=10_000)
    assert dialog.check is not None and not dialog.check.ok
    assert dialog.verdict.text().startswith("The audit trail has been tampered with")


def test_a_manager_is_not_offered_the_audit_trail(
    qtbot: QtBot, town: tuple[Database, list[str]]
) -> None:
    db, _upns = town
    add_user(db, ADMIN, "LA\\manager", Role.MANAGER)
    window = MainWindow(db, account="LA\\manager")
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    assert not window.audit_action.isVisible() and not window.audit_action.isEnabled()
    assert window.show_audit_trail() is None
