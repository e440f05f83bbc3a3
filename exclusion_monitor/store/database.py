"""Opening the database: checks that it is ours, sets SQLite's pragmas, creates or migrates.

The embedded database is a SQLite file; a team database is on a PostgreSQL server
(`postgresql://user@host/dbname`). `open_database` refuses a database that is not this app's or
was written by a newer version, runs SQLite's quick_check on a read-only connection before anything
is written to a file, refuses network and cloud-synced folders for files, and brings an older
schema up to date (after a backup, for a file). Write errors become plain sentences.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import sqlite3
import stat
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from exclusion_monitor import config
from exclusion_monitor.errors import (
    ConnectionLostError,
    DatabaseBusyError,
    DatabaseError,
    DatabaseLocationError,
    DatabaseUnavailableError,
    DatabaseWriteError,
    ExclusionMonitorError,
    NewerSchemaError,
    NoDatabaseError,
    NotOurDatabaseError,
)
from exclusion_monitor.location import check_database_location
from exclusion_monitor.store import credentials, migrations
from exclusion_monitor.store.backup import list_backups
from exclusion_monitor.store.dialect import APPLICATION_ID as APPLICATION_ID
from exclusion_monitor.store.dialect import (
    mark_as_ours,
    read_marker,
    take_write_lock,
)
from exclusion_monitor.store.integrity import damaged_error, ensure_sound
from exclusion_monitor.store.schema import metadata

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 15_000
SERVER_SCHEMES = ("postgresql", "postgres")
# Execution option that makes Database.write() start with BEGIN IMMEDIATE.
_IMMEDIATE = "exclusion_monitor_begin_immediate"


class Database:
    """An open database: the engine and what the app knows about the file or server behind it.

    `location` is what the user sees (a path, or a server URL without any password); `path` is
    the file, None for a server database.
    """

    def __init__(
        self, engine: sa.Engine, location: str, path: Path | None, *, read_only: bool = False
    ) -> None:
        self.engine = engine
        self.location = location
        self.path = path
        self.read_only = read_only
        self.created = False  # True when open_database made it just now

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_server(self) -> bool:
        """A shared database on a server (PostgreSQL), backed up by its administrators."""
        return not self.is_sqlite

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection for reading (one transaction, rolled back at the end). Its queries all
        see one snapshot of the data, on a server as in a file (REPEATABLE READ: reading never
        waits for a writer and never fails because of one)."""
        conn = self._connect()
        try:
            with conn:
                if self.is_server:
                    conn.execution_options(isolation_level="REPEATABLE READ")
                yield conn
        except Exception as exc:
            mapped = self._plain_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    def _connect(self) -> sa.Connection:
        """A connection from the pool; a server that cannot be reached is said so plainly."""
        try:
            return self.engine.connect()
        except Exception as exc:
            mapped = self._plain_error(exc)
            if isinstance(mapped, ConnectionLostError):
                mapped = DatabaseUnavailableError(
                    f"The database server for {self.location} could not be reached. Check the "
                    "network connection; if it goes on, ask IT support."
                )
            if mapped is None:
                raise
            raise mapped from exc

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A connection in one transaction, committed when the block ends without error.

        The transaction holds the database's write lock from the start (SQLite: BEGIN IMMEDIATE;
        PostgreSQL: the app's advisory lock), so a read-then-write (an audit row after its
        predecessor's hash) cannot interleave with another process's. Disk-full, read-only,
        lost-connection and damaged-file errors become plain sentences (DatabaseWriteError,
        DamagedDatabaseError); everything committed before is intact.
        """
        conn = self._connect()
        try:
            conn.execution_options(**{_IMMEDIATE: True})
            conn.begin()
            if self.is_server:
                # Wait for another writer's lock for a bounded time, as SQLite's busy timeout.
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT_MS)}")
            take_write_lock(conn)
            yield conn
            conn.commit()
        except BaseException as exc:
            _end_failed_transaction(conn)
            mapped = self._plain_error(exc) if isinstance(exc, Exception) else None
            if mapped is None:
                raise
            raise mapped from exc
        finally:
            conn.close()

    def _plain_error(self, exc: BaseException) -> ExclusionMonitorError | None:
        """The plain sentence for a driver error a user can act on, or None for any other.
        Errors the driver raised directly (COPY on the raw connection) are mapped too."""
        if isinstance(exc, ExclusionMonitorError):
            return None
        orig: object = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
        if not _is_driver_error(orig):
            return None
        if self.is_server:
            lost = isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated
            mapped = server_error_sentence(orig, self.location, lost=lost)
            code = getattr(orig, "sqlstate", None)
        else:
            mapped = sqlite_error_sentence(orig, self.path or Path(self.location))
            code = getattr(orig, "sqlite_errorname", None)
        if mapped is None:
            return None
        log.warning("database error %s (%s)", code or type(orig).__name__, type(mapped).__name__)
        return mapped

    def checkpoint(self) -> bool:
        """Copy the WAL into the database file and empty it; False when a reader kept part of it
        (it is then copied at a later checkpoint). A server database has nothing to do here."""
        if self.is_server:
            return True
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
            return read_marker(conn)[1]

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Dates and times reach SQLite as ISO text, as Python's own sqlite3 adapters write them (and as
# SQLAlchemy reads them back). Registered here because those defaults are deprecated from Python
# 3.12, and for dates as the C method itself: a census binds a million dates.
sqlite3.register_adapter(dt.date, dt.date.isoformat)
sqlite3.register_adapter(dt.datetime, functools.partial(dt.datetime.isoformat, sep=" "))
# Booleans and None are bound as they always were (1 or 0, and NULL), but through an adapter found
# at once: without one the driver searches for an adaptation protocol on every such value (rows of
# three NULLs and two booleans: 0.37 s for 250,000 without, 0.20 s with). {}.get gives None.
sqlite3.register_adapter(bool, int)
_NOTHING: dict[None, None] = {}
sqlite3.register_adapter(type(None), _NOTHING.get)


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


def _is_driver_error(error: object) -> bool:
    if isinstance(error, sqlite3.Error):
        return True
    module = type(error).__module__
    return module.startswith("psycopg")


BUSY_SENTENCE = (
    "the database is busy (another import is running); try again in a few minutes. "
    "Nothing was changed"
)


def busy_error(where: object) -> DatabaseBusyError:
    seconds = f"{BUSY_TIMEOUT_MS / 1000:g}"
    return DatabaseBusyError(
        f"Waited {seconds} seconds, but {BUSY_SENTENCE}: {where} stayed busy all that time."
    )


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
        return busy_error(path)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return damaged_error(path, str(error))
    return None


def server_error_sentence(
    error: object, where: str, *, lost: bool = False
) -> ExclusionMonitorError | None:
    """The plain sentence for a PostgreSQL error a user can act on, or None for any other.

    `lost` is the driver's own judgement that the connection is gone (libpq gives no SQLSTATE
    when the server goes away mid-statement).
    """
    state = str(getattr(error, "sqlstate", "") or "")
    if state == "55P03":
        return busy_error(where)
    unchanged = "The change was not saved; everything saved before it is intact."
    if state == "53100":
        return DatabaseWriteError(
            f"The database server for {where} has run out of disk space, so the change could "
            f"not be written. {unchanged} Ask IT support to free space on the server."
        )
    if state == "25006":
        return DatabaseWriteError(
            f"The database {where} is read-only (a standby server or a read-only login), so the "
            f"change could not be saved. {unchanged} Ask IT support for the writable server."
        )
    if state == "42501":
        return DatabaseWriteError(
            f"Your database login may not make this change in {where}. {unchanged} Ask IT "
            "support to grant your login the team role (see the README's section for IT)."
        )
    if state in ("40001", "40P01", "57014"):
        return DatabaseWriteError(
            f"Another person's change to {where} got in the way and did not finish in time. "
            f"{unchanged} Try again in a moment."
        )
    closed = bool(getattr(getattr(error, "pgconn", None), "status", 0))  # CONNECTION_BAD
    if lost or closed or state.startswith("08") or state in ("57P01", "57P02", "57P03"):
        return ConnectionLostError(
            f"The connection to the database server for {where} was lost before the change "
            "was confirmed. A change is saved whole or not at all: look before repeating it. "
            "Check the network connection; if it goes on, ask IT support."
        )
    if not state and type(error).__name__ == "OperationalError":
        return DatabaseUnavailableError(
            f"The database server for {where} could not be reached. Check the address and the "
            "network connection; if it goes on, ask IT support."
        )
    return None


def _connection_refused(error: object, url: sa.URL, where: str) -> DatabaseError:
    """Why the server could not be used at all, in a sentence (libpq's reason included)."""
    state = str(getattr(error, "sqlstate", "") or "")
    reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
    reason = reason.split("FATAL:", 1)[-1].strip()
    # libpq gives no SQLSTATE for a refused connection: its message says why.
    if state == "3D000" or (reason.endswith("does not exist") and "database" in reason):
        return DatabaseError(
            f"There is no database '{url.database}' on the server for {where}. Ask IT support "
            "to create it (the README's section for IT shows how)."
        )
    if state in ("28P01", "28000") or "password" in reason or "authentication" in reason:
        return DatabaseError(
            f"The database server for {where} refused the login ({reason}). Keep your password "
            f"in this computer's credential store with: exclusion-monitor db set-password {where}"
        )
    return DatabaseUnavailableError(
        f"The database server for {where} could not be reached ({reason}). Check the address "
        "and the network connection; if it goes on, ask IT support."
    )


def _is_url(location: str) -> bool:
    return "://" in location


def is_server_location(location: str | Path) -> bool:
    """Whether a location names a PostgreSQL server database rather than a file."""
    text = str(location)
    return _is_url(text) and text.split("://", 1)[0].split("+", 1)[0] in SERVER_SCHEMES


def server_url(location: str | Path) -> sa.URL:
    """The SQLAlchemy URL (psycopg driver) of a `postgresql://...` location."""
    try:
        url = sa.make_url(str(location))
    except sa.exc.ArgumentError as exc:
        raise DatabaseError(f"'{location}' is not a database address that can be read.") from exc
    if not url.database:
        raise DatabaseError(
            f"'{display_location(url)}' names no database: write it as "
            "postgresql://user@host/dbname."
        )
    return url.set(drivername="postgresql+psycopg")


def display_location(url: sa.URL) -> str:
    """A server URL as people write it, without any password (safe for screens and logs)."""
    shown = url.set(drivername="postgresql", password=None).render_as_string(hide_password=True)
    return urllib.parse.unquote(shown)


def server_engine(url: sa.URL) -> sa.Engine:
    """An engine for a PostgreSQL database. The password is the URL's, else the one kept in the
    operating system's credential store, else libpq finds one itself (PGPASSWORD, pgpass)."""
    connect_args: dict[str, Any] = {
        "application_name": "Exclusion Monitor",
        "connect_timeout": 15,
    }
    if url.password is None:
        password = credentials.stored_password(url)
        if password is not None:
            connect_args["password"] = password
    return sa.create_engine(
        url, connect_args=connect_args, pool_pre_ping=True, hide_parameters=True
    )


def sqlite_engine(path: Path, *, read_only: bool = False, cache_mb: int = 64) -> sa.Engine:
    """An engine for a SQLite file with the app's pragmas on every connection.

    The driver's own transaction handling is turned off and BEGIN is emitted by SQLAlchemy, so a
    transaction covers DDL too and SAVEPOINTs work (SQLAlchemy's documented pysqlite recipe).
    `read_only` opens the file with SQLite's mode=ro, as SQLite itself does when the operating
    system refuses to open a file for writing. `cache_mb` is each connection's page cache.
    """
    if read_only:
        url = f"sqlite+pysqlite:///{path.resolve().as_uri()}?mode=ro&uri=true"
    else:
        url = f"sqlite+pysqlite:///{path.as_posix()}"
    engine = sa.create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        hide_parameters=True,  # a failed statement's values (names, UPNs) never reach a log
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
        cursor.execute(f"PRAGMA cache_size = -{cache_mb * 1024}")
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
    if is_server_location(text):
        raise DatabaseError(
            f"{display_location(server_url(text))} is a team database on a PostgreSQL server: "
            "this works on database files only. The server's backups and restores are done by "
            "its administrators (pg_dump and pg_restore; see the README's section for IT)."
        )
    if _is_url(text):
        if not text.startswith("sqlite"):
            raise DatabaseError(
                f"{text.split('://', 1)[0]} databases are not supported; use a database file "
                "or a postgresql:// address."
            )
        text = text.split(":///", 1)[-1]
    return Path(text).expanduser()


NO_DATABASE_HINT = (
    "Check the path given with --db (or EXCLUSION_MONITOR_DB); only `import`, `demo` and the "
    "app's first start create a new database."
)


def open_database(location: str | Path, *, create: bool = True) -> Database:
    """Open (and if need be create or migrate) the database at a path or URL.

    With `create=False` a missing file, or an empty server database, is refused with
    NoDatabaseError (a mistyped path must never become a new, empty database). `db.created`
    says whether this call created it. Raises NotOurDatabaseError for a database that is not
    this app's, NewerSchemaError for one written by a newer version, DatabaseError when it
    cannot be opened.
    """
    if is_server_location(location):
        return _open_server(location, create=create)
    path = database_path(location)
    exists = path.exists() and path.stat().st_size > 0
    if path.exists() and path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file.")
    if not exists and not create:
        if path.exists():
            raise NoDatabaseError(f"{path} is an empty file, not a database. {NO_DATABASE_HINT}")
        if not path.parent.exists():
            raise NoDatabaseError(
                f"There is no database at {path}: the folder {path.parent} does not exist. "
                f"{NO_DATABASE_HINT}"
            )
        raise NoDatabaseError(f"There is no database at {path.absolute()}. {NO_DATABASE_HINT}")
    if not path.parent.exists():
        raise DatabaseError(
            f"The folder {path.parent} does not exist, so no database can be created there."
        )
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
    if not read_only:
        config.restrict_database_files(path)  # owner-only, before SQLite creates its side files
    engine = sqlite_engine(path, read_only=read_only)
    db = Database(engine, str(path), path, read_only=read_only)
    try:
        db.created = _prepare(db, create=True)
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


def _open_server(location: str | Path, *, create: bool) -> Database:
    url = server_url(location)
    where = display_location(url)
    engine = server_engine(url)
    db = Database(engine, where, None)
    try:
        db.created = _prepare(db, create=create)
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        state = str(getattr(exc.orig, "sqlstate", "") or "")
        if not state or state.startswith(("08", "28")) or state == "3D000":
            raise _connection_refused(exc.orig, url, where) from exc
        mapped = server_error_sentence(exc.orig, where)
        if mapped is not None:
            raise mapped from exc
        raise DatabaseError(f"{where} could not be opened: {exc.orig}") from exc
    except Exception:
        engine.dispose()
        raise
    log.info("opened server database %s (schema %d)", where, migrations.CURRENT_VERSION)
    return db


READER_CACHE_MB = 8


@dataclass(frozen=True, slots=True)
class ReaderAddress:
    """How another process of this program (a worker) opens the same database to read it: the
    file, or the server's URL with the password the person gave in it, if any (it travels to the
    worker through a pipe, never on a command line or into a log; one kept in the operating
    system's credential store is looked up again there)."""

    path: str | None
    url: str | None = field(repr=False)  # may hold a password: never in a repr, a log, a trace
    read_only: bool = False


def reader_address(db: Database) -> ReaderAddress:
    """Where a worker finds `db`."""
    if db.path is not None:
        return ReaderAddress(str(db.path), None, db.read_only)
    return ReaderAddress(None, db.engine.url.render_as_string(hide_password=False))


def open_reader(address: ReaderAddress) -> Database:
    """The database at `address`, for reading in a worker. The process that sent the address
    has opened it already (checked, migrated), so none of that is done again: a whole-file check
    of a large file takes seconds."""
    if address.path is not None:
        path = Path(address.path)
        # A worker reads its chunks once, in order: a small page cache does (the operating
        # system's file cache is shared by all), and several workers' memory adds up.
        engine = sqlite_engine(path, read_only=address.read_only, cache_mb=READER_CACHE_MB)
        return Database(engine, str(path), path, read_only=True)
    assert address.url is not None
    url = server_url(address.url)
    return Database(server_engine(url), display_location(url), None, read_only=True)


def check_login(location: str | Path) -> None:
    """Connect to a server database once and disconnect: DatabaseError, in a sentence, when the
    server cannot be reached, refuses the login, or has no such database."""
    url = server_url(location)
    engine = server_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.select(1)).scalar_one()
    except sa.exc.DBAPIError as exc:
        raise _connection_refused(exc.orig, url, display_location(url)) from exc
    finally:
        engine.dispose()


def _prepare(db: Database, *, create: bool) -> bool:
    """Create a new database (when `create`), or check that an existing one is ours and not
    newer, then bring an older one up to date; True when it was created.

    The common case (ours, current) takes no lock, so opening never waits for an import. The
    write lock makes two desktops opening a new team database at the same moment create it
    once."""
    with db.engine.connect() as conn:
        ours, version, empty = read_marker(conn)
    if ours and version == migrations.CURRENT_VERSION:
        return False
    if empty and not create:
        raise NoDatabaseError(
            f"There is no Exclusion Monitor database at {db.location} yet (it holds no tables). "
            f"{NO_DATABASE_HINT}"
        )
    with db.engine.begin() as conn:
        if db.is_server:
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(BUSY_TIMEOUT_MS)}")
        take_write_lock(conn)
        ours, version, empty = read_marker(conn)
        if empty:
            metadata.create_all(conn)
            mark_as_ours(conn, migrations.CURRENT_VERSION)
            log.info("created a new database at %s", db.location)
            return True
        if not ours:
            raise NotOurDatabaseError(
                f"{db.location} is not an Exclusion Monitor database: it belongs to another "
                "program."
            )
        if version > migrations.CURRENT_VERSION:
            raise NewerSchemaError(
                f"{db.location} was written by a newer version of Exclusion Monitor (schema "
                f"{version}; this version knows up to {migrations.CURRENT_VERSION}). "
                "Open it with the newer version."
            )
    if version < migrations.CURRENT_VERSION:
        migrations.upgrade(db, version)
    return False
