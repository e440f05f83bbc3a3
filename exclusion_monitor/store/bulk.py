"""The one bulk-insert route: many rows through the driver's fast path in the caller's transaction
(SQLAlchemy's per-row parameter handling costs more than the insert at 250,000 rows).

SQLite: INSERT statements of several hundred rows each (`VALUES (...), (...), ...`, with ON
CONFLICT DO NOTHING when conflicts are to be skipped): one statement step inserts all its rows, so
the per-row cost of an executemany (a step and a reset of the statement each) goes, and the
driver binds the values in C from one flat list.

PostgreSQL: COPY ... FROM STDIN through psycopg; rows that may break a unique constraint are
copied into a temporary table first and moved with INSERT ... SELECT ... ON CONFLICT DO NOTHING.
Rows given with explicit ids (the intake numbers its own rows) move the table's id sequence past
them, so the server's own numbering carries on after them. Below COPY_FROM rows a COPY's fixed
cost (and a staging table's) outweighs its speed, so small batches go by executemany (psycopg 3
pipelines it) on PostgreSQL too.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from exclusion_monitor.store.dialect import advance_id_sequence, index_reads, is_sqlite

COPY_FROM = 2_000
SQLITE_VALUES_PER_STATEMENT = 8_000  # bound values per multi-row INSERT (SQLite allows 32,766)


class _DateText(dict[Any, Any]):
    """A date's ISO text (what SQLite holds), each distinct date written out once."""

    def __missing__(self, value: Any) -> Any:
        text = self[value] = None if value is None else value.isoformat()
        return text


class _AsGiven(dict[Any, Any]):
    def __missing__(self, value: Any) -> Any:
        self[value] = value
        return value


def stored_dates(conn: sa.Connection) -> dict[Any, Any]:
    """How the dates of bulk rows are handed to the database (look each up: `stored[day]`).
    SQLite keeps a date as ISO text, so each distinct date is written out once here rather than by
    the driver's adapter for every row (a census binds three quarters of a million dates); a
    server takes the dates themselves. `existing_keys` reads dates back the same way."""
    return _DateText() if is_sqlite(conn) else _AsGiven()


def stored_moment(conn: sa.Connection, when: dt.datetime) -> Any:
    """A date and time as bulk rows hand it to the database: SQLite holds ISO text (written out
    once for every row that carries it), a server takes the value itself."""
    return when.isoformat(" ") if is_sqlite(conn) else when


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
    unknown = [name for name in columns if name not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column {unknown[0]}")
    if not is_sqlite(conn):
        if len(rows) >= COPY_FROM:
            _copy_insert(conn, table, columns, rows, ignore_conflicts=ignore_conflicts)
        else:
            _execute_many(conn, table, columns, rows, ignore_conflicts=ignore_conflicts)
        if "id" in columns:
            advance_id_sequence(conn, table)
        return
    _sqlite_insert(conn, table, columns, rows, ignore_conflicts=ignore_conflicts)


def _sqlite_insert(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool,
) -> None:
    """Multi-row INSERTs of up to SQLITE_VALUES_PER_STATEMENT values each, in the caller's
    transaction."""
    if set(map(len, rows)) != {len(columns)}:
        raise ValueError(f"every row for {table.name} must have {len(columns)} values")
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    head = f"INSERT INTO {quote(table.name)} ({names}) VALUES "  # noqa: S608 - quoted names
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    one = "(" + ", ".join("?" * len(columns)) + ")"
    per = max(1, SQLITE_VALUES_PER_STATEMENT // len(columns))
    full = head + ", ".join([one] * per) + tail
    flat = itertools.chain.from_iterable
    for start in range(0, len(rows), per):
        part = rows[start : start + per]
        sql = full if len(part) == per else head + ", ".join([one] * len(part)) + tail
        conn.exec_driver_sql(sql, tuple(flat(part)))


def _execute_many(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool,
) -> None:
    """One prepared INSERT through the driver's executemany, for a server's small batches (rows
    in the statement's order)."""
    stmt: Any = sa.insert(table)
    if ignore_conflicts:
        stmt = postgresql.insert(table).on_conflict_do_nothing()
    compiled = stmt.compile(dialect=conn.dialect, column_keys=list(columns))
    if compiled.positiontup is None:  # named parameters (psycopg): one mapping a row
        conn.exec_driver_sql(str(compiled), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    order = list(compiled.positiontup)
    if order != list(columns):
        position = {name: i for i, name in enumerate(columns)}
        rows = [tuple(row[position[name]] for name in order) for row in rows]
    conn.exec_driver_sql(str(compiled), rows)


def _copy_insert(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    ignore_conflicts: bool,
) -> None:
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    target = quote(table.name)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if not ignore_conflicts:
            _copy(cursor, f"COPY {target} ({names}) FROM STDIN", rows)
            return
        staging = quote(f"bulk_{table.name}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608 - quoted names
            f"SELECT {names} FROM {target} WITH NO DATA"
        )
        _copy(cursor, f"COPY {staging} ({names}) FROM STDIN", rows)
        cursor.execute(
            f"INSERT INTO {target} ({names}) SELECT {names} FROM {staging} "  # noqa: S608
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute(f"DROP TABLE {staging}")
    finally:
        cursor.close()


def _copy(cursor: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


_IN_BATCH = 900  # ids per IN (...) list: under SQLite's oldest limit of bound values


def id_batches(ids: Iterable[int], size: int = _IN_BATCH) -> Iterator[tuple[int, int, list[int]]]:
    """The distinct ids in order, in batches of at most `size` (900 by default, for IN lists):
    (lowest, highest, the batch)."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), size):
        part = ordered[start : start + size]
        yield part[0], part[-1], part


def _one_of(
    key: sa.ColumnElement[int], low: int, high: int, part: list[int]
) -> sa.ColumnElement[bool]:
    """`key` one of `part` (sorted, from `low` to `high`): the list, and the range it lies in."""
    return sa.and_(key.between(low, high), key.in_(part))


def rows_of_children(
    conn: sa.Connection, query: sa.Select[Any], key: sa.ColumnElement[int], ids: Iterable[int]
) -> list[Any]:
    """The rows of `query` whose `key` (a child id column with an index) is one of `ids`, asked
    for 900 ids at a time, each id looked up in the index. With statistics saying the table is
    empty PostgreSQL thinks any plan costs nothing, and given a list of ids read the whole table
    for each batch, comparing every row with every id (2.4 s a batch at 250,000 children): so
    the look-ups are made under `index_reads`, and the range of the batch's ids bounds whatever
    the server does instead."""
    found: list[Any] = []
    with index_reads(conn):
        for low, high, part in id_batches(ids):
            found += conn.execute(query.where(_one_of(key, low, high, part))).all()
    return found


def delete_children_rows(conn: sa.Connection, table: sa.Table, ids: Iterable[int]) -> None:
    """Delete the rows of `table` (keyed by an indexed `child_id`) of these children, 900 at a
    time, as `rows_of_children` reads them."""
    key = table.c.child_id
    with index_reads(conn):
        for low, high, part in id_batches(ids):
            conn.execute(table.delete().where(_one_of(key, low, high, part)))


def replace_child_rows(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    first_id: int,
    last_id: int,
    child_ids: Sequence[int] | None = None,
) -> None:
    """Make a table of one row a child (keyed by `child_id`, the first of `columns`) hold exactly
    `rows` for a batch of children (ids first..last, or exactly `child_ids`): the rows that
    differ from the stored ones, or are new, are written; the stored rows of the batch's children
    that are not in `rows` go; the rest are left alone (a recompute mostly finds what is there)."""
    key = table.c.child_id
    query = sa.select(*[table.c[name] for name in columns])
    found: Iterable[Any] = (
        conn.execute(query.where(key.between(first_id, last_id)))
        if child_ids is None
        else rows_of_children(conn, query, key, child_ids)
    )
    stored = {row[0]: tuple(row) for row in found}
    given = {row[0]: tuple(row) for row in rows}
    delete_children_rows(conn, table, [c for c, old in stored.items() if given.get(c) != old])
    bulk_insert(
        conn, table, columns, [row for child, row in given.items() if stored.get(child) != row]
    )


@contextmanager
def indexes_built_after(conn: sa.Connection, table: sa.Table) -> Iterator[None]:
    """On SQLite, the table's secondary indexes dropped for a bulk write and built again after
    it, in the caller's transaction: building an index once from all the rows is several times
    faster than keeping it up to date row by row. A unique index built after checks the same rule
    at the end (a duplicate fails the write); the table's own constraints stay. An error inside
    leaves the indexes to the rollback.

    A server keeps its indexes: there, dropping one locks the table against every other
    session's reads until the transaction ends, so a colleague's children list or profile would
    wait for the whole write (SQLite's readers keep reading the last committed state)."""
    if not is_sqlite(conn):
        yield
        return
    dropped: list[str] = []
    for name, sql in conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY name",
        (table.name,),
    ).all():
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
        dropped.append(str(sql))
    yield
    for sql in dropped:
        conn.exec_driver_sql(sql)
