"""Where SQLite and PostgreSQL differ, in one place: the app's marker and schema version, the
write lock, driver-level placeholders and id sequences.

SQLite keeps the marker in its header (`application_id`, `user_version`); PostgreSQL has no such
thing, so a server database carries a one-row table, `app_meta`, outside the versioned schema.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

log = logging.getLogger(__name__)

APPLICATION_NAME = "Exclusion Monitor"
# "EXMN": SQLite's application_id, and the key of the PostgreSQL lock that serialises writers.
APPLICATION_ID = 0x45584D4E

# Not part of schema.metadata: the embedded database keeps the same facts in its file header.
server_metadata = sa.MetaData()
app_meta = sa.Table(
    "app_meta",
    server_metadata,
    sa.Column("application", sa.String(100), primary_key=True),
    sa.Column("schema_version", sa.Integer, nullable=False),
)


@compiles(sa.String, "postgresql")
def _unbounded_string(type_: sa.String, compiler: Any, **kw: Any) -> str:
    """String(n) is VARCHAR without a limit on PostgreSQL, as SQLite treats it: the lengths in
    schema.py describe the data, and a school's overlong cell (a 40-character "UPN" in a
    rejected row, a long address) must import, or migrate, the same on both engines."""
    return "VARCHAR"


def is_sqlite(conn: sa.Connection) -> bool:
    return conn.dialect.name == "sqlite"


def read_marker(conn: sa.Connection) -> tuple[bool, int, bool]:
    """(marked as this app's, schema version, empty) of the database behind `conn`.

    "Empty" means it holds no tables at all, so it may become this app's database.
    """
    if is_sqlite(conn):
        app_id = int(conn.exec_driver_sql("PRAGMA application_id").scalar_one())
        version = int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())
        tables = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).scalar_one()
        return app_id == APPLICATION_ID, version, app_id == 0 and tables == 0
    names = sa.inspect(conn).get_table_names()
    if app_meta.name not in names:
        return False, 0, not names
    row = conn.execute(sa.select(app_meta.c.application, app_meta.c.schema_version)).first()
    if row is None:
        return False, 0, False
    return row.application == APPLICATION_NAME, int(row.schema_version), False


def mark_as_ours(conn: sa.Connection, version: int) -> None:
    """Mark a newly created database as this app's, at schema `version`."""
    if is_sqlite(conn):
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    else:
        server_metadata.create_all(conn)
        conn.execute(app_meta.insert().values(application=APPLICATION_NAME, schema_version=0))
    set_schema_version(conn, version)


def set_schema_version(conn: sa.Connection, version: int) -> None:
    if is_sqlite(conn):
        conn.exec_driver_sql(f"PRAGMA user_version = {int(version)}")
    else:
        conn.execute(app_meta.update().values(schema_version=version))


def take_write_lock(conn: sa.Connection) -> None:
    """Hold the database's one write lock until the transaction ends.

    SQLite takes it with BEGIN IMMEDIATE (see `database.sqlite_engine`). On PostgreSQL a
    transaction-level advisory lock does the same job: writers queue one behind another, so a
    read-then-write (the next free id, the audit chain's previous hash, a flag's current status)
    never interleaves with another desktop's; readers are never blocked.
    """
    if not is_sqlite(conn):
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(APPLICATION_ID)))


def sqlite_null_order(
    conn: sa.Connection, column: sa.ColumnElement[Any], descending: bool
) -> sa.ColumnElement[Any]:
    """An ORDER BY term that puts NULLs where SQLite does (first ascending, last descending)
    on every engine; PostgreSQL's own default is the other way round. SQLite gets the plain term
    so its planner still walks the list's indexes."""
    term = column.desc() if descending else column.asc()
    if is_sqlite(conn):
        return term
    return term.nulls_last() if descending else term.nulls_first()


def driver_sql(conn: sa.Connection, sql: str) -> str:
    """SQL written with `?` placeholders, in the driver's own placeholder style."""
    if conn.dialect.paramstyle in ("format", "pyformat"):
        return sql.replace("?", "%s")
    return sql


def advance_id_sequence(conn: sa.Connection, table: sa.Table) -> None:
    """After rows were inserted with explicit ids, move the table's id sequence past them, so
    the server's own numbering (an insert without an id) carries on from the highest id.
    SQLite needs nothing: its next rowid is always one past the largest."""
    if is_sqlite(conn) or "id" not in table.c or not table.c.id.autoincrement:
        return
    sequence = sa.func.pg_get_serial_sequence(table.name, "id")
    highest = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)).scalar_subquery()
    conn.execute(sa.select(sa.func.setval(sequence, highest + 1, False)))


# A table under this size (in pages of 8 kB) is read in moments by any plan; its statistics are
# never checked.
_SETTLE_PAGES = 128
# About this many pages of a table are sampled to count its rows.
_SAMPLE_PAGES = 64


def settle_statistics(conn: sa.Connection) -> list[str]:
    """On PostgreSQL, analyse each of the app's tables whose statistics say it holds far fewer
    rows than it does; returns their names. SQLite plans without such statistics: nothing to do.

    The server plans every query from each table's last analysis. An undo deletes a whole
    census; the server's automatic analysis, running after it (or while the corrected file's
    rows are being written), records the table as empty although its pages are full again
    minutes later; every plan built on that believes a join or a list of ids costs nothing
    whichever way it is done, and picks ways that read the whole table once per row (minutes
    or hours at an authority's size, where a second will do). So the recomputes, the children
    list's rebuild and undo call this before they read back what was just written: a table of
    more than a megabyte has about sixty of its pages counted (a sample, a few milliseconds), and
    only a table holding more than four times the rows its statistics say is analysed, in the
    caller's transaction (which sees the transaction's own rows). A table the app's account does
    not own is left as it is (the server warns and skips it)."""
    if is_sqlite(conn):
        return []
    quote = conn.dialect.identifier_preparer.quote
    candidates = conn.exec_driver_sql(
        "SELECT c.relname, c.reltuples, c.relpages, "
        "pg_relation_size(c.oid) / current_setting('block_size')::int AS pages "
        "FROM pg_class c "
        "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' "
        "AND c.reltuples >= 0 AND c.relpages > 0 "
        "AND pg_relation_size(c.oid) / current_setting('block_size')::int >= %s "
        "ORDER BY c.relname",
        (_SETTLE_PAGES,),
    ).all()
    analysed: list[str] = []
    for name, reltuples, relpages, pages in candidates:
        believed = float(reltuples) / int(relpages) * int(pages)
        share = min(100.0, 100.0 * _SAMPLE_PAGES / int(pages))
        sample = sa.tablesample(sa.table(name), sa.func.system(share))
        sampled = conn.execute(sa.select(sa.func.count()).select_from(sample)).scalar_one()
        counted = int(sampled) * 100.0 / share
        if counted >= 1000 and counted > 4 * believed:
            conn.exec_driver_sql(f"ANALYZE {quote(name)}")
            log.info(
                "analysed %s: its statistics said about %d rows, a sample about %d",
                name,
                believed,
                counted,
            )
            analysed.append(str(name))
    return analysed


@contextmanager
def index_reads(conn: sa.Connection) -> Iterator[None]:
    """Around reads that look up a few keys at a time (a list of up to 900 keys, a subquery of
    a batch's families): on PostgreSQL the plans inside take an index wherever one serves, as they
    would if the statistics were right. With a table said to be empty, the server reads it whole
    and compares every row with every key of the list instead (seconds a batch where a look-up
    takes milliseconds). The setting is the transaction's own and is put back on the way out;
    a failure leaves it to the rollback."""
    if is_sqlite(conn):
        yield
        return
    before = conn.exec_driver_sql("SELECT current_setting('enable_seqscan')").scalar_one()
    conn.exec_driver_sql("SELECT set_config('enable_seqscan', 'off', true)")
    yield
    conn.exec_driver_sql("SELECT set_config('enable_seqscan', %s, true)", (before,))
