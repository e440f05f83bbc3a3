"""The one bulk-insert route: many rows through the driver's executemany in the caller's
transaction (SQLAlchemy's per-row parameter handling costs more than the insert at 250,000 rows).
A PostgreSQL backend adds its own fast route here, behind the same function."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite


def bulk_insert(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert rows (tuples in the order of `columns`), optionally skipping rows that break a
    unique constraint."""
    if not rows:
        return
    stmt: Any = sa.insert(table)
    if ignore_conflicts:
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    compiled = stmt.compile(dialect=conn.dialect, column_keys=list(columns))
    order = list(compiled.positiontup or [])
    if order != list(columns):
        position = {name: i for i, name in enumerate(columns)}
        rows = [tuple(row[position[name]] for name in order) for row in rows]
    conn.exec_driver_sql(str(compiled), rows)
