"""Opening the database: checks that a file is ours, sets SQLite's pragmas, creates or migrates.

The embedded database is a SQLite file. `open_database` refuses a file that is not this app's
database or was written by a newer version, runs SQLite's quick_check on a read-only connection
before anything is written, refuses network and cloud-synced folders, and brings an older one up to
date after a backup. Writes turn SQLite's disk-full and read-only errors into plain sentences.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from exclusion_monitor.errors import (
    DatabaseError,
    DatabaseLocationError,
    DatabaseWriteError,
    ExclusionMonitorError,
    NewerSchemaError,
    NotOurDatabaseError,
)
from exclusion_monitor.location import check_database_location
from exclusion_monitor.store import migrations
from exclusion_monitor.store.backup import list_backups
from exclusion_monitor.store.integrity import damaged_error, ensure_sound
from exclusion_monitor.store.schema import metadata

log = logging.getLogger(__name__)

# "EXMN": written into the SQLite header so the app knows its own files.
APPLICATION_ID = 0x45584D4E
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000
# Execution option that makes Database.write() start with BEGIN IMMEDIATE.
_IMMEDIATE = "exclusion_monitor_begin_immediate"


class Database:
    """An open database: the engine and what the app knows about the file behind it."""

    def __init__(
        self, engine: sa.Engine, location: str, path: Path | None, *, read_only: bool = False
    ) -> None:
        self.engine = engine
        self.location = location
        self.path = path
        self.read_only = read_only

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection for reading (one transaction, rolled back at the end)."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except sa.exc.DBAPIError as exc:
            mapped = self._plain_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A connection in one transaction, committed when the block ends without error.

        The transaction starts with BEGIN IMMEDIATE, so it holds SQLite's write lock from the
        start: a read-then-write (an audit row after its predecessor's hash) cannot interleave
        with another process's. Disk-full, read-only and damaged-file errors become plain
        sentences (DatabaseWriteError, DamagedDatabaseError); everything committed before is intact.
        """
        conn = self.engine.connect()
        try:
            conn.execution_options(**{_IMMEDIATE: True})
            conn.begin()
            yield conn
            conn.commit()
        except BaseException as exc:
            _end_failed_transaction(conn)
            mapped = self._plain_error(exc) if isinstance(exc, sa.exc.DBAPIError) else None
            if mapped is None:
                raise
            raise mapped from exc
        finally:
            conn.close()

    def _plain_error(self, exc: sa.exc.DBAPIError) -> ExclusionMonitorError | None:
        mapped = sqlite_error_sentence(exc.orig, self.path or Path(self.location))
        if mapped is None:
            return None
        log.warning("database error %s", getattr(exc.orig, "sqlite_errorname", type(exc.orig)))
        return mapped

    def checkpoint(self) -> bool:
        """Copy the WAL into the database file and empty it; False when a reader kept part of it
        (it is then copied at a later checkpoint)."""
        raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            busy, _log_frames, _done = driver.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            raw.close()
        return not busy

    def schema_version(self) -> int:
        with self.read() as conn:
            return _pragma_int(conn, "user_version")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _end_failed_transaction(conn: sa.Connection) -> None:
    """Roll back after a failed write without hiding why it failed.

    SQLite rolls a transaction back by itself after some errors (SQLITE_FULL, SQLITE_IOERR): a
    ROLLBACK then fails with "cannot rollback - no transaction is active" and would replace the
    real error. So look first; when SQLite has already rolled back, drop the connection instead.
    """
    try:
        driver = conn.connection.driver_connection
        still_open = bool(getattr(driver, "in_transaction", True))
        if still_open:
            conn.rollback()
        else:
            log.info("SQLite had already rolled back the failed transaction")
            conn.invalidate()
    except Exception:
        log.warning("could not end the failed transaction cleanly", exc_info=True)


def sqlite_error_sentence(error: object, path: Path) -> ExclusionMonitorError | None:
    """The plain sentence for a SQLite error a user can act on, or None for any other error."""
    name = str(getattr(error, "sqlite_errorname", ""))
    unchanged = "The change was not saved; everything saved before it is intact."
    if name == "SQLITE_FULL":
        return DatabaseWriteError(
            f"The disk is full (or the database has reached its size limit), so the change "
            f"could not be written to {path}. {unchanged} Free some space and try again."
        )
    if name.startswith("SQLITE_READONLY"):
        return DatabaseWriteError(
            f"The database file {path} is read-only, so the change could not be saved. "
            f"{unchanged} Ask IT support to make the file writable for your account."
        )
    if name.startswith("SQLITE_IOERR"):
        return DatabaseWriteError(
            f"The computer could not read or write the database file {path} (a disk error). "
            f"{unchanged} If this happens again, ask IT support to check the disk."
        )
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED") or name.startswith("SQLITE_BUSY_"):
        return DatabaseWriteError(
            f"Another program is changing the database {path} and did not finish in time. "
            f"{unchanged} Try again in a moment."
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return damaged_error(path, str(error))
    return None


def _pragma_int(conn: sa.Connection, name: str) -> int:
    return int(conn.exec_driver_sql(f"PRAGMA {name}").scalar_one())


def _is_url(location: str) -> bool:
    return "://" in location


def sqlite_engine(path: Path, *, read_only: bool = False) -> sa.Engine:
    """An engine for a SQLite file with the app's pragmas on every connection.

    The driver's own transaction handling is turned off and BEGIN is emitted by SQLAlchemy, so a
    transaction covers DDL too and SAVEPOINTs work (SQLAlchemy's documented pysqlite recipe).
    `read_only` opens the file with SQLite's mode=ro, as SQLite itself does when the operating
    system refuses to open a file for writing.
    """
    if read_only:
        url = f"sqlite+pysqlite:///{path.resolve().as_uri()}?mode=ro&uri=true"
    else:
        url = f"sqlite+pysqlite:///{path.as_posix()}"
    engine = sa.create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not read_only:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _check_header(path: Path) -> None:
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise NotOurDatabaseError(
            f"{path} is not an Exclusion Monitor database: it is not a database file at all."
        )


def database_path(location: str | Path) -> Path:
    """The file behind a path or sqlite:/// URL; DatabaseError for a server URL."""
    text = str(location)
    if _is_url(text):
        if not text.startswith("sqlite"):
            raise DatabaseError(
                f"{text.split('://', 1)[0]} databases are not supported by this version; "
                "use a database file."
            )
        text = text.split(":///", 1)[-1]
    return Path(text).expanduser()


def open_database(location: str | Path, *, create: bool = True) -> Database:
    """Open (and if need be create or migrate) the database at a path or URL.

    Raises NotOurDatabaseError for a file that is not this app's database, NewerSchemaError for
    one written by a newer version, DatabaseError when it cannot be opened.
    """
    path = database_path(location)
    exists = path.exists() and path.stat().st_size > 0
    if path.exists() and path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file.")
    if not exists and not create:
        raise DatabaseError(f"There is no database at {path}.")
    if not path.parent.exists():
        raise DatabaseError(f"The folder {path.parent} does not exist.")
    problem = check_database_location(path)
    if problem is not None:
        raise DatabaseLocationError(problem.message)
    read_only = False
    if exists:
        _check_header(path)
        # Before any write (even the journal-mode pragma): a damaged file is left as it is.
        ensure_sound(path)
        read_only = file_is_read_only(path)
    elif path.exists() and list_backups(path):
        raise damaged_error(path, "the file is empty, though backups of it exist")
    engine = sqlite_engine(path, read_only=read_only)
    db = Database(engine, str(path), path, read_only=read_only)
    try:
        _prepare(db)
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        mapped = sqlite_error_sentence(exc.orig, path)
        if mapped is not None:
            raise mapped from exc
        raise DatabaseError(f"{path} could not be opened: {exc.orig}") from exc
    except Exception:
        engine.dispose()
        raise
    log.info("opened database %s (schema %d)", path, migrations.CURRENT_VERSION)
    return db


def file_is_read_only(path: Path) -> bool:
    """Whether the file is marked read-only: no write permission for this account, or the
    owner's write bit cleared (on Windows, the read-only attribute shows as that bit).

    The owner bit is honoured even for an administrator or root, who could write anyway: someone
    marked the file read-only on purpose, and the app opens it read-only as SQLite would.
    """
    if not os.access(path, os.W_OK):
        return True
    return not path.stat().st_mode & stat.S_IWUSR


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
