"""Restoring a backup: the file is copied aside and checked (header, application id, integrity,
schema version, its audit chain) before anything is replaced; the database it replaces is kept as
a backup; the old database's WAL and shared-memory side files are removed so they cannot be
applied to it. A backup whose audit chain is broken is refused unless an admin accepts it with a
reason, which the restore's audit row records.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import exc as sa_exc

from exclusion_monitor.errors import (
    DamagedDatabaseError,
    DatabaseError,
    NewerSchemaError,
    NotOurDatabaseError,
    PermissionDeniedError,
)
from exclusion_monitor.store.backup import copy_database_file, new_backup_path
from exclusion_monitor.store.database import APPLICATION_ID, SQLITE_HEADER
from exclusion_monitor.store.integrity import check_file, first_problem, read_only_connection
from exclusion_monitor.store.migrations import CURRENT_VERSION

log = logging.getLogger(__name__)

SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True, slots=True)
class RestoreResult:
    database: Path
    restored_from: Path
    kept_copy: Path | None  # the database that was replaced, kept in the backups folder
    schema_version: int
    audit_problem: str | None = None  # the backup's broken audit chain, restored by decision


class BrokenAuditChainError(DatabaseError):
    """The backup's audit trail does not verify: restoring it would put a tampered history in
    place. An admin may still restore it, giving a reason."""


def audit_problem(staged: Path) -> str | None:
    """Why the audit chain of the (staged copy of the) backup does not verify, or None."""
    from exclusion_monitor.store.audit import verify
    from exclusion_monitor.store.database import Database, sqlite_engine

    engine = sqlite_engine(staged, read_only=True)
    try:
        result = verify(Database(engine, str(staged), staged, read_only=True))
    except sa_exc.SQLAlchemyError:
        return "its audit trail cannot be read"
    finally:
        engine.dispose()
    return result.problem


def _side(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _remove_with_sides(path: Path) -> None:
    for candidate in (path, *(_side(path, s) for s in SIDE_SUFFIXES)):
        candidate.unlink(missing_ok=True)


def stage_backup(source: Path, staging: Path) -> int:
    """Copy `source` to `staging` and check the copy; returns its schema version.

    Raises NotOurDatabaseError, NewerSchemaError or DamagedDatabaseError with a plain sentence.
    The copy, not the original, is checked, because the copy is what will be put in place.
    """
    if not source.is_file():
        raise DatabaseError(f"There is no backup file at {source}.")
    with source.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise NotOurDatabaseError(
                f"{source} is not an Exclusion Monitor backup: it is not a database file at all."
            )
    _remove_with_sides(staging)
    try:
        original = read_only_connection(source)
        try:
            copy_database_file(original, staging, metadata=False)
        finally:
            original.close()
        conn = sqlite3.connect(staging)
        try:
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if app_id != APPLICATION_ID:
                raise NotOurDatabaseError(
                    f"{source} is not an Exclusion Monitor backup: it belongs to another program."
                )
            if version > CURRENT_VERSION:
                raise NewerSchemaError(
                    f"{source} was written by a newer version of Exclusion Monitor (schema "
                    f"{version}; this version knows up to {CURRENT_VERSION}); restore it with "
                    "the newer version."
                )
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        _remove_with_sides(staging)
        raise DamagedDatabaseError(
            f"{source} is damaged (SQLite reports: {exc}); it cannot be restored. Choose an "
            "earlier backup (exclusion-monitor backups lists them)."
        ) from exc
    except DatabaseError:
        _remove_with_sides(staging)
        raise
    if rows != ["ok"]:
        _remove_with_sides(staging)
        raise DamagedDatabaseError(
            f"{source} is damaged (SQLite reports: {first_problem(rows)}); it cannot be "
            "restored. Choose an earlier backup (exclusion-monitor backups lists them)."
        )
    return version


def keep_current(database: Path) -> Path | None:
    """Keep the database about to be replaced in the backups folder, whatever its state.

    A sound database is copied through SQLite's backup API (consistent, WAL included); a damaged
    one is copied byte for byte with its WAL file, exactly as it is, for whoever investigates.
    """
    if not database.exists() or database.stat().st_size == 0:
        return None
    if check_file(database) is None:
        kept = new_backup_path(database, "before-restore")
        source = read_only_connection(database)
        try:
            copy_database_file(source, kept)
        finally:
            source.close()
    else:
        kept = new_backup_path(database, "before-restore-damaged")
        shutil.copy2(database, kept)
        if _side(database, "-wal").exists():
            shutil.copy2(_side(database, "-wal"), _side(kept, "-wal"))
    log.info("kept the replaced database as %s", kept.name)
    return kept


def restore_database(
    database: Path,
    source: Path,
    *,
    permitted: Callable[[Path], bool] | None = None,
    accept_broken_audit: bool = False,
) -> RestoreResult:
    """Replace `database` with the backup `source` after checking it; keep the replaced file.

    `permitted(staged_copy)` may refuse the restore after the backup has been checked (for the
    role check when the current database cannot be asked). A backup whose audit chain does not
    verify is refused (BrokenAuditChainError) unless `accept_broken_audit`. Nothing is replaced
    before every check has passed. The app must not have the database open meanwhile.
    """
    source, database = source.resolve(), database.resolve()
    if source == database:
        raise DatabaseError("A database cannot be restored from itself; choose a backup file.")
    staging = database.with_name(f".{database.name}.restoring")
    version = stage_backup(source, staging)
    try:
        if permitted is not None and not permitted(staging):
            raise PermissionDeniedError(
                "Restoring needs the admin role, in the current database or, when that cannot "
                "be read, in the backup being restored."
            )
        problem = audit_problem(staging)
        if problem is not None and not accept_broken_audit:
            raise BrokenAuditChainError(
                f"{source}'s audit trail does not verify ({problem}), so restoring it would put "
                "a tampered history in place; it was not restored. Choose another backup, or, "
                "as an admin who has looked into it, restore it anyway with "
                '--accept-broken-audit --reason "why" (the reason is recorded in the audit '
                "trail)."
            )
        kept = keep_current(database)
        for suffix in SIDE_SUFFIXES:
            # The replaced database's WAL would otherwise be applied to the restored file.
            _side(database, suffix).unlink(missing_ok=True)
        staging.replace(database)
    except PermissionError as exc:
        raise DatabaseError(
            f"{database} is in use; close Exclusion Monitor wherever it has this database open, "
            "then restore again."
        ) from exc
    finally:
        _remove_with_sides(staging)
    _sync_folder(database.parent)
    log.info("restored %s from %s (schema %d)", database.name, source.name, version)
    return RestoreResult(database, source, kept, version, problem)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX; Windows has no directory handles to sync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
