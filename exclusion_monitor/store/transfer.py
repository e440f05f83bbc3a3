"""Copying a whole database into a new, empty one: how a pilot on one desktop's SQLite file grows
into a team database on a PostgreSQL server (`exclusion-monitor migrate --to postgresql://...`).

Tables are copied parent before child (by their foreign keys) in one transaction on the target,
through the bulk route (COPY on PostgreSQL), so a failed copy leaves the target empty. Afterwards
the row counts are compared and the audit chain is verified on the target, where it must reach
the same head as on the source.
"""

from __future__ import annotations

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
    audit_head: str  # 'id:hash' of the chain on both databases


def rows_held(conn: sa.Connection) -> dict[str, int]:
    """Rows in each of the app's tables, parents first."""
    return {
        table.name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
        for table in t.metadata.sorted_tables
    }


def copy_database(
    source: Database, target: Database, *, progress: Progress | None = None
) -> TransferResult:
    """Copy every row of `source` into `target`, which must hold no rows at all.

    Raises DatabaseError when the target already holds data, or when the copy does not match
    the source (row counts, audit chain); the target is then left as the copy made it, for IT
    to inspect, and nothing in the source changes.
    """
    if source.location == target.location:
        raise DatabaseError("The database cannot be copied onto itself.")
    with target.read() as conn:
        held = {name: n for name, n in rows_held(conn).items() if n}
    if held:
        listed = ", ".join(f"{name} ({n} rows)" for name, n in held.items())
        raise DatabaseError(
            f"{target.location} already holds data ({listed}): the database is only copied "
            "into a new, empty team database. Ask IT support for an empty one."
        )
    before = audit.verify(source)
    with source.read() as conn:
        expected = rows_held(conn)
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
    with target.read() as conn:
        copied = rows_held(conn)
    if copied != expected:
        differ = [name for name in expected if copied.get(name) != expected[name]]
        raise DatabaseError(
            f"The copy in {target.location} does not match the source (row counts differ in "
            f"{', '.join(differ)}). Ask IT support to empty it before trying again."
        )
    after = audit.verify(target)
    if after.head != before.head or after.ok != before.ok:
        raise DatabaseError(
            f"The audit trail copied to {target.location} does not verify as the source's does "
            f"({after.problem or 'a different chain head'}). Ask IT support to empty it before "
            "trying again."
        )
    if not after.ok:
        log.warning("the source's audit chain was already broken: %s", before.problem)
    return TransferResult(copied, after.rows_checked, after.head.label)
