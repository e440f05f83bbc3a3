"""Copying a whole database into a new, empty one: how a pilot on one desktop's SQLite file grows
into a team database on a PostgreSQL server (`exclusion-monitor migrate --to postgresql://...`).

Tables are copied parent before child (by their foreign keys) in one transaction on the target,
through the bulk route (COPY on PostgreSQL); the row counts and the audit chain's last row are
compared, and the copy's own audit row written, before that transaction commits, so a failed or
killed copy leaves the target empty and a retry can use it. Afterwards the whole audit chain is
verified on the target.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.errors import DatabaseError
from exclusion_monitor.store import audit
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import bulk_insert
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.stored_text import rows_for_server

log = logging.getLogger(__name__)

_CHUNK = 20_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class TransferResult:
    rows: dict[str, int]  # table -> rows copied
    audit_rows: int
    audit_head: str  # 'id:hash' of the chain on the source (the copy ends on the same row)
    resumed: bool = False  # an earlier run had copied it all before it was stopped


MIGRATE_IN = "migrate_in"


def rows_held(conn: sa.Connection) -> dict[str, int]:
    """Rows in each of the app's tables, parents first."""
    return {
        table.name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
        for table in t.metadata.sorted_tables
    }


def copy_database(
    source: Database,
    target: Database,
    *,
    account: str,
    progress: Progress | None = None,
) -> TransferResult:
    """Copy every row of `source` into `target`, which must hold no rows at all, and record
    the copy (`migrate_in`, with the source's chain head) in the target's audit trail.

    Everything happens in one transaction on the target, checked before it commits (row
    counts, the audit chain's last row): a copy that is stopped, killed or does not match
    leaves the target empty for a retry. A target that already holds a finished copy of this
    source (an earlier run stopped after its commit) is recognised and reported as such.
    Raises DatabaseError when the target holds anything else; nothing in the source changes.
    """
    if source.location == target.location:
        raise DatabaseError("The database cannot be copied onto itself.")
    before = audit.verify(source)
    with source.read() as conn:
        expected = rows_held(conn)
    with target.read() as conn:
        held = {name: n for name, n in rows_held(conn).items() if n}
        finished = _finished_copy(conn, expected, before.head.label) if held else False
    if finished:
        log.info("the target already holds a finished copy of this source")
        return _verified(source, target, expected, before, resumed=True)
    if held:
        listed = ", ".join(f"{name} ({n} rows)" for name, n in held.items())
        raise DatabaseError(
            f"{target.location} already holds data ({listed}): the database is only copied "
            "into a new, empty team database. Ask IT support for an empty one."
        )
    total, done = sum(expected.values()), 0
    with source.read() as reading, target.write() as writing:
        for table in t.metadata.sorted_tables:
            columns = [c.name for c in table.columns]
            primary = list(table.primary_key.columns)
            result = reading.execution_options(yield_per=_CHUNK).execute(
                sa.select(table).order_by(*primary)
            )
            for chunk in result.partitions(_CHUNK):
                bulk_insert(writing, table, columns, rows_for_server(table, chunk))
                done += len(chunk)
                if progress is not None:
                    progress(done, total)
            log.info("copied table %s: %d rows", table.name, expected[table.name])
        copied = rows_held(writing)
        if copied != expected:
            differ = [name for name in expected if copied.get(name) != expected[name]]
            raise DatabaseError(
                f"The copy in {target.location} did not match the source (row counts differ in "
                f"{', '.join(differ)}), so it was not kept; {target.location} is still empty."
            )
        if audit.chain_head(writing) != before.head:
            raise DatabaseError(
                f"The audit trail copied to {target.location} does not end on the source's last "
                "row, so the copy was not kept; the team database is still empty."
            )
        audit.record(
            writing,
            account,
            MIGRATE_IN,
            source.location,
            {"rows": sum(expected.values()), "source_head": before.head.label},
        )
    return _verified(source, target, expected, before, resumed=False)


def _finished_copy(conn: sa.Connection, expected: dict[str, int], source_head: str) -> bool:
    """Whether the target holds a whole copy of the source as it is now: its newest audit row
    is the migrate_in of a copy made at the source's present chain head, and every table holds
    the source's rows (the audit trail one more)."""
    newest = audit.chain_head(conn)
    rows = conn.execute(
        sa.select(t.audit_log.c.action, t.audit_log.c.detail).where(
            t.audit_log.c.id == newest.last_id
        )
    ).first()
    if rows is None or rows.action != MIGRATE_IN or not rows.detail:
        return False
    if json.loads(rows.detail).get("source_head") != source_head:
        return False
    held = rows_held(conn)
    return held == {**expected, t.audit_log.name: expected[t.audit_log.name] + 1}


def _verified(
    source: Database,
    target: Database,
    expected: dict[str, int],
    before: audit.VerifyResult,
    *,
    resumed: bool,
) -> TransferResult:
    """The committed copy's whole chain verified on the target, as it verified on the source."""
    after = audit.verify(target)
    if after.ok != before.ok:
        raise DatabaseError(
            f"The audit trail copied to {target.location} does not verify as the source's does "
            f"({after.problem}). Ask IT support to empty it before trying again."
        )
    if not after.ok:
        log.warning("the source's audit chain was already broken: %s", before.problem)
    return TransferResult(expected, before.rows_checked, before.head.label, resumed)
