"""Follow-up work an import or undo owes (bringing the flags and the children list up to date),
recorded in the same transaction as the change, so a crash or a lost server between the change
and its follow-up leaves a note that the next start of any command or the app acts on.

The note is one settings row (`work.owed`): a list of {"after": ..., "since": ...} entries. A
change that knows which children it touched also writes them ("children") and the data's
fingerprint before and after it ("before", "data"), so the follow-up can recompute only those
children when nothing else changed in between (docs/architecture.md#incremental-flags).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.flags import data_fingerprint

OWED_KEY = "work.owed"
# Beyond this many children a change is followed by a whole recompute (cheaper by then), so its
# note does not list them.
MOST_CHILDREN_NOTED = 100_000


@dataclass(frozen=True, slots=True)
class OwedWork:
    """One change whose follow-up (flags, children list) has not been done yet."""

    after: str  # what left it, e.g. "import batch 12"
    since: dt.datetime
    children: frozenset[int] | None = None  # the children it touched, when known
    data_before: str | None = None  # the data's fingerprint before the change
    data_after: str | None = None  # and after it


def _load(conn: sa.Connection) -> list[OwedWork]:
    raw = conn.execute(
        sa.select(t.settings.c.value).where(t.settings.c.key == OWED_KEY)
    ).scalar_one_or_none()
    if not raw:
        return []
    return [
        OwedWork(
            str(item["after"]),
            dt.datetime.fromisoformat(str(item["since"])),
            None if item.get("children") is None else frozenset(item["children"]),
            item.get("before"),
            item.get("data"),
        )
        for item in json.loads(raw)
    ]


def _save(conn: sa.Connection, items: list[OwedWork]) -> None:
    conn.execute(t.settings.delete().where(t.settings.c.key == OWED_KEY))
    if not items:
        return
    text = json.dumps([_entry(i) for i in items])
    conn.execute(t.settings.insert().values(key=OWED_KEY, value=text, updated_at=dt.datetime.now()))


def _entry(item: OwedWork) -> dict[str, object]:
    entry: dict[str, object] = {"after": item.after, "since": item.since.isoformat()}
    if item.children is not None:
        entry["children"] = sorted(item.children)
        entry["before"] = item.data_before
        entry["data"] = item.data_after
    return entry


def owe_refresh(
    conn: sa.Connection,
    after: str,
    *,
    children: Iterable[int] | None = None,
    data_before: str | None = None,
) -> None:
    """Inside the change's own write transaction, as its last step: its follow-up is owed until
    `settle` clears it (the write lock of `Database.write()` makes this read-then-write safe).

    `children` are the children whose flags the change can alter and `data_before` the data's
    fingerprint (`store.flags.data_fingerprint`) at the start of the transaction; with both, the
    follow-up may recompute those children only."""
    noted = None if children is None or data_before is None else frozenset(children)
    if noted is not None and len(noted) > MOST_CHILDREN_NOTED:
        noted = None
    items = _load(conn)
    since = dt.datetime.now().replace(microsecond=0)
    if noted is None:
        items.append(OwedWork(after, since))
    else:
        items.append(OwedWork(after, since, noted, data_before, data_fingerprint(conn)))
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
