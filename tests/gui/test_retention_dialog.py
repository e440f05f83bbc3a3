"""The retention window: an admin sees what is past its retention period (counts by kind)
before anything is deleted, a refused confirmation deletes nothing, a confirmed purge deletes
those records and is audited; a manager is not offered it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from exclusion_monitor.roles import Role
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.users import add_user, claim_first_admin
from tests.builders import Authority
from ui.app import background, messages
from ui.app.main_window import MainWindow
from ui.app.retention_dialog import RetentionDialog

ADMIN = "LA\\boss"


@pytest.fixture
def old(db: Database) -> Database:
    town = Authority(db)
    town.many(2, [town.school("Elm Primary")])
    town.done()
    claim_first_admin(db, ADMIN)
    with db.write() as conn:
        batch = conn.execute(
            t.import_batches.insert().values(
                file_name="census-2012.xlsx",
                file_hash="1" * 64,
                kind="census",
                imported_at=dt.datetime(2012, 2, 1),
            )
        ).inserted_primary_key[0]
        conn.execute(
            t.rejected_rows.insert().values(
                batch_id=batch, row_number=7, reason="bad UPN", raw=json.dumps({"x": "y"})
            )
        )
    return db


def rejected_rows(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(t.rejected_rows)).scalar())


def open_dialog(qtbot: QtBot, db: Database) -> RetentionDialog:
    window = MainWindow(db, account=ADMIN)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    dialog = window.show_retention()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.due is not None, timeout=10_000)
    return dialog


def test_the_preview_comes_first_and_a_refusal_deletes_nothing(
    qtbot: QtBot, old: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_dialog(qtbot, old)
    assert dialog.due is not None
    due = {d.record_type: d.count for d in dialog.due if d.count}
    assert due and sum(due.values()) >= 1
    shown = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert set(due) <= set(shown)
    assert dialog.purge_button.isEnabled()
    monkeypatch.setattr(messages, "confirm", lambda *_a: False)
    dialog.purge_button.click()
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    assert dialog.purged_records is None and rejected_rows(old) == 1


def test_a_confirmed_purge_deletes_what_was_shown(
    qtbot: QtBot, old: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = open_dialog(qtbot, old)
    assert dialog.due is not None
    expected = sum(d.count for d in dialog.due)
    monkeypatch.setattr(messages, "confirm", lambda *_a: True)
    dialog.purge_button.click()
    qtbot.waitUntil(lambda: dialog.purged_records is not None, timeout=20_000)
    assert sum(d.count for d in dialog.purged_records or []) == expected
    assert rejected_rows(old) == 0
    assert dialog.status.text().startswith(f"Purged {expected} record(s)")
    assert audit.list_entries(old, action="retention_purge")
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.due is not None, timeout=10_000)
    assert dialog.status.text() == "Nothing is past its retention period."
    assert not dialog.purge_button.isEnabled()
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)


def test_a_manager_is_not_offered_retention(qtbot: QtBot, old: Database) -> None:
    add_user(old, ADMIN, "LA\\manager", Role.MANAGER)
    window = MainWindow(old, account="LA\\manager")
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    assert not window.retention_action.isVisible()
    assert window.show_retention() is None
