"""Where SQLite and PostgreSQL differ, in one place: the app's marker and schema version, the
write lock, driver-level placeholders and id sequences.

SQLite keeps the marker in its header (`application_id`, `user_version`); PostgreSQL has no such
thing, so a server database carries a one-row table, `app_meta`, outside the versioned schema.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

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
