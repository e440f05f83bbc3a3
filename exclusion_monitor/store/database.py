"""Opening the database: checks that a file is ours, sets SQLite's pragmas, creates or migrates.

The embedded database is a SQLite file. `open_database` refuses a file that is not this app's
database or was written by a newer version, and brings an older one up to date after a backup.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from exclusion_monitor.errors import DatabaseError, NewerSchemaError, NotOurDatabaseError
from exclusion_monitor.store import migrations
from exclusion_monitor.store.schema import metadata

log = logging.getLogger(__name__)

# "EXMN": written into the SQLite header so the app knows its own files.
APPLICATION_ID = 0x45584D4E
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000


class Database:
    """An open database: the engine and what the app knows about the file behind it."""

    def __init__(self, engine: sa.Engine, location: str, path: Path | None) -> None:
        self.engine = engine
        self.location = location
        self.path = path

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection for reading (one transaction, rolled back at the end)."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A connection in one transaction, committed when the block ends without error."""
        with self.engine.begin() as conn:
            yield conn

    def schema_version(self) -> int:
        with self.read() as conn:
            return _pragma_int(conn, "user_version")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pragma_int(conn: sa.Connection, name: str) -> int:
    return int(conn.exec_driver_sql(f"PRAGMA {name}").scalar_one())


def _is_url(location: str) -> bool:
    return "://" in location


def sqlite_engine(path: Path) -> sa.Engine:
    """An engine for a SQLite file with the app's pragmas on every connection.

    The driver's own transaction handling is turned off and BEGIN is emitted by SQLAlchemy, so a
    transaction covers DDL too and SAVEPOINTs work (SQLAlchemy's documented pysqlite recipe).
    """
    engine = sa.create_engine(
        f"sqlite+pysqlite:///{path.as_posix()}",
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _check_header(path: Path) -> None:
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotOurDatabaseError(
            f"{path} is not an Exclusion Monitor database: it is not a database file at all."
        )


def open_database(location: str | Path, *, create: bool = True) -> Database:
    """Open (and if need be create or migrate) the database at a path or URL.

    Raises NotOurDatabaseError for a file that is not this app's database, NewerSchemaError for
    one written by a newer version, DatabaseError when it cannot be opened.
    """
    text = str(location)
    if _is_url(text):
        if not text.startswith("sqlite"):
            raise DatabaseError(
                f"{text.split('://', 1)[0]} databases are not supported by this version; "
                "use a database file."
            )
        text = text.split(":///", 1)[-1]
    path = Path(text).expanduser()
    exists = path.exists() and path.stat().st_size > 0
    if path.exists() and path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file.")
    if not exists and not create:
        raise DatabaseError(f"There is no database at {path}.")
    if not path.parent.exists():
        raise DatabaseError(f"The folder {path.parent} does not exist.")
    if exists:
        _check_header(path)
    engine = sqlite_engine(path)
    db = Database(engine, str(path), path)
    try:
        _prepare(db)
    except sa.exc.DatabaseError as exc:
        engine.dispose()
        raise DatabaseError(f"{path} could not be opened: {exc.orig}") from exc
    except Exception:
        engine.dispose()
        raise
    log.info("opened database %s (schema %d)", path, migrations.CURRENT_VERSION)
    return db


def _prepare(db: Database) -> None:
    with db.engine.begin() as conn:
        app_id = _pragma_int(conn, "application_id")
        version = _pragma_int(conn, "user_version")
        table_count = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).scalar_one()
        if app_id == 0 and table_count == 0:
            metadata.create_all(conn)
            conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.exec_driver_sql(f"PRAGMA user_version = {migrations.CURRENT_VERSION}")
            log.info("created a new database at %s", db.path)
            return
        if app_id != APPLICATION_ID:
            raise NotOurDatabaseError(
                f"{db.path} is not an Exclusion Monitor database: it belongs to another program."
            )
        if version > migrations.CURRENT_VERSION:
            raise NewerSchemaError(
                f"{db.path} was written by a newer version of Exclusion Monitor (schema "
                f"{version}; this version knows up to {migrations.CURRENT_VERSION}). "
                "Open it with the newer version."
            )
    if version < migrations.CURRENT_VERSION:
        migrations.upgrade(db, version)
