"""Test helpers for a child's case: change it and read it straight through the store (the
operation's role checks and audit rows are tested through operations/cases.py and the CLI)."""

from __future__ import annotations

import datetime as dt

from exclusion_monitor.roles import Role
from exclusion_monitor.store import Database
from exclusion_monitor.store import cases as store
from exclusion_monitor.store.users import add_user


def officer(db: Database, account: str, name: str | None = None) -> str:
    """A user a case may be assigned to (added once)."""
    from exclusion_monitor.store.users import get_user

    if get_user(db, account) is None:
        add_user(db, "test", account, Role.OFFICER, name)
    return account


def set_case(
    db: Database,
    child_id: int,
    account: str,
    *,
    status: str | None = None,
    officer: object = store.UNSET,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> store.CaseChange:
    with db.write() as conn:
        return store.change_case(
            conn, child_id, account, status=status, officer=officer, note=note, now=now
        )


def case_of(db: Database, child_id: int) -> store.Case:
    with db.read() as conn:
        return store.get_case(conn, child_id)


def notes_of(db: Database, child_id: int) -> list[store.CaseNote]:
    with db.read() as conn:
        return store.case_notes(conn, child_id)


def history_of(db: Database, child_id: int) -> list[store.CaseEvent]:
    with db.read() as conn:
        return store.case_history(conn, child_id)
