"""Text stored before the intake cleaned it (an older database can hold names with NUL, control
characters or bidi overrides): cleaned as the database is copied to a team server, which cannot
store a NUL at all; what must not change is refused before anything is kept."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.errors import DatabaseError
from exclusion_monitor.store import schema as t
from exclusion_monitor.text_safety import clean_text, has_unsafe

log = logging.getLogger(__name__)


def _keys(table: sa.Table) -> set[str]:
    """Columns that identify a row (primary key, unique): cleaning could make two rows one."""
    names = {column.name for column in table.primary_key.columns}
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            names.update(column.name for column in constraint.columns)
    for index in table.indexes:
        if index.unique:
            names.update(column.name for column in index.columns)
    names.update(column.name for column in table.columns if column.unique)
    return names


def _text_positions(table: sa.Table) -> tuple[list[int], list[int]]:
    """(positions of free text to clean, positions that must stay as they are) in a row."""
    keys = _keys(table)
    clean: list[int] = []
    keep: list[int] = []
    for position, column in enumerate(table.columns):
        if not isinstance(column.type, sa.String):
            continue
        # The audit trail is sealed by its hashes: a changed character would break the chain.
        sealed = table.name == t.audit_log.name or column.name in keys
        (keep if sealed else clean).append(position)
    return clean, keep


def rows_for_server(table: sa.Table, rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """The rows as a server can store them: free text cleaned of control characters, escapes and
    bidi overrides; DatabaseError (a plain sentence) for a NUL where text must stay as it is."""
    clean, keep = _text_positions(table)
    out: list[tuple[Any, ...]] = []
    cleaned = 0
    for row in rows:
        values = list(row)
        for position in keep:
            value = values[position]
            if isinstance(value, str) and "\x00" in value:
                what = (
                    "the audit trail, which cannot be changed (each row is sealed by its hash)"
                    if table.name == t.audit_log.name
                    else f"{table.name}.{table.columns[position].name}, which identifies the row"
                )
                raise DatabaseError(
                    f"Row {values[0]} of {table.name} holds a NUL character, which a PostgreSQL "
                    f"database cannot store, in {what}. Nothing was copied and the team "
                    "database is still empty; ask IT support to look at that row in the file."
                )
        for position in clean:
            value = values[position]
            if isinstance(value, str) and has_unsafe(value):
                values[position] = clean_text(value)
                cleaned += 1
        out.append(tuple(values))
    if cleaned:
        log.info(
            "copy: %d values in %s held control characters and were cleaned", cleaned, table.name
        )
    return out
