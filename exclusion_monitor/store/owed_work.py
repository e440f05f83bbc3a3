"""Follow-up work an import or undo owes (bringing the flags and the children list up to date),
recorded in the same transaction as the change, so a crash or a lost server between the change
and its follow-up leaves a note that the next start of any command or the app acts on.

The note is one settings row (`work.owed`): a list of {"after": ..., "since": ...} entries.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database

OWED_KEY = "work.owed"


@dataclass(frozen=True, slots=True)
class OwedWork:
    """One change whose follow-up (flags, children list) has not been done yet."""

    after: str  # what left it, e.g. "import batch 12"
    since: dt.datetime


def _load(conn: sa.Connection) -> list[OwedWork]:
    raw = conn.execute(
        sa.select(t.settings.c.value).where(t.settings.c.key == OWED_KEY)
    ).scalar_one_or_none()
    if not raw:
        return []
    return [
        OwedWork(str(item["after"]), dt.datetime.fromisoformat(str(item["since"])))
        for item in json.loads(raw)
    ]


def _save(conn: sa.Connection, items: list[OwedWork]) -> None:
    conn.execute(t.settings.delete().where(t.settings.c.key == OWED_KEY))
    if not items:
        return
    text = json.dumps([{"after": i.after, "since": i.since.isoformat()} for i in items])
    conn.execute(t.settings.insert().values(key=OWED_KEY, value=text, updated_at=dt.datetime.now()))


def owe_refresh(conn: sa.Connection, after: str) -> None:
    """Inside the change's own write transaction: its follow-up is owed until `settle` clears
    it (the write lock of `Database.write()` makes this read-then-write safe)."""
    items = _load(conn)
    items.append(OwedWork(after, dt.datetime.now().replace(microsecond=0)))
    _save(conn, items)


def owed(db_or_conn: Database | sa.Connection) -> list[OwedWork]:
    """The follow-up work owed now, oldest first."""
    if isinstance(db_or_conn, Database):
        with db_or_conn.read() as conn:
            return _load(conn)
    return _load(db_or_conn)


def settle(db: Database, done: list[OwedWork]) -> None:
    """Clear the entries that the follow-up just done covered (an entry added meanwhile by
    another import stays owed)."""
    if not done:
        return
    with db.write() as conn:
        _save(conn, [item for item in _load(conn) if item not in done])
