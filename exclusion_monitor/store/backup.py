"""Consistent copies of the SQLite database (SQLite's online backup API), named, listed and thinned.

A team database on a PostgreSQL server is backed up on the server by its administrators (pg_dump
on a schedule, or the server's own base backups); the app takes none and says so.

A backup is `<stem>-<key>-<YYYYMMDD-HHMMSS-ffffff>-<reason>.db` in the backups folder, where key is
a digest of the database's full path, so thinning only ever touches this database's backups.
Beside it, `<backup>.json` is its metadata: where its audit chain starts and its head, a witness
of the chain that store/audit_witnesses.py holds the database to.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import logging
import os
import re
import sqlite3
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from exclusion_monitor import config

if TYPE_CHECKING:
    from exclusion_monitor.store.database import Database

log = logging.getLogger(__name__)

_STAMP_FORMAT = "%Y%m%d-%H%M%S-%f"
_PARTIAL_SUFFIX = ".partial"
KEEP_DAILY_DAYS = 14
KEEP_WEEKLY_DAYS = 91


SERVER_BACKUPS = (
    "This is a team database on a PostgreSQL server: it is backed up on the server by its "
    "administrators (pg_dump on a schedule), not by this program, and restored there with "
    "pg_restore. The README's section for IT shows how."
)


def ensure_file_database(db: Database) -> Path:
    """The database's file; DatabaseError with the server-backup sentence for a server."""
    if db.path is None:
        from exclusion_monitor.errors import DatabaseError

        raise DatabaseError(SERVER_BACKUPS)
    return db.path


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    reason: str
    size_bytes: int


def _database_key(database: Path) -> str:
    text = str(database.resolve())
    if sys.platform == "win32":
        text = text.casefold()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _prefix(database: Path) -> str:
    return f"{database.stem}-{_database_key(database)}-"


def _clean_reason(reason: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]+", "-", reason.lower()).strip("-")
    return cleaned or "backup"


def new_backup_path(database: Path, reason: str, now: dt.datetime | None = None) -> Path:
    """Where a backup of `database` taken now for `reason` goes (the file does not exist yet)."""
    stamp = (now or dt.datetime.now()).strftime(_STAMP_FORMAT)
    return config.backups_dir() / f"{_prefix(database)}{stamp}-{_clean_reason(reason)}.db"


def copy_database_file(
    source: sqlite3.Connection, destination: Path, *, metadata: bool = True
) -> Path:
    """Copy an open SQLite database, consistently, to `destination` (which must not exist),
    owner-only, with its metadata beside it (unless `metadata` is False: a working copy).

    The copy is written under a temporary name and renamed when complete, so a half-written
    backup is never mistaken for a good one.
    """
    if destination.exists():
        raise FileExistsError(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + _PARTIAL_SUFFIX)
    partial.unlink(missing_ok=True)
    config.create_owner_only(partial)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        # A backup is one self-contained file: no WAL side files when it is opened later.
        target.execute("PRAGMA journal_mode = DELETE")
        chain = _chain_metadata(target) if metadata else None
    finally:
        target.close()
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    if metadata:
        _write_metadata(metadata_path(destination), {"audit": chain})
    partial.replace(destination)
    _sync_folder(destination.parent)
    return destination


def metadata_path(backup: Path) -> Path:
    """Where a backup's metadata is kept: beside it, named after it."""
    return backup.with_name(backup.name + ".json")


def _chain_metadata(conn: sqlite3.Connection) -> dict[str, object] | None:
    """The copy's audit chain: its id (the hash of row 1 ever), where it starts and its head."""
    try:
        first = conn.execute(
            "SELECT id, prev_hash, hash FROM audit_log ORDER BY id LIMIT 1"
        ).fetchone()
        head = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    if first is None or head is None:
        return None
    chain = str(first[2]) if first[0] == 1 else None
    if chain is None:
        for (detail,) in conn.execute(
            "SELECT detail FROM audit_log WHERE action = 'retention_purge' ORDER BY id DESC"
        ):
            cut = json.loads(detail).get("audit_cut") if detail else None
            if isinstance(cut, dict) and cut.get("id") == first[0] - 1:
                chain = cut.get("chain")
                break
    return {
        "chain": chain,
        "first_id": int(first[0]),
        "anchor_hash": str(first[1]),
        "head_id": int(head[0]),
        "head_hash": str(head[1]),
    }


def _write_metadata(path: Path, metadata: Mapping[str, object]) -> None:
    config.create_owner_only(path)
    with path.open("w", encoding="utf-8") as handle:
        json.dump(metadata, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles to sync)."""
    if sys.platform == "win32":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def backup_to(db: Database, destination: Path) -> Path:
    """Copy the whole database, consistently, to `destination` (which must not exist)."""
    raw = db.engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        copy_database_file(source, destination)
    finally:
        raw.close()
    log.info("backed up %s to %s", db.path, destination)
    return destination


def automatic_backup(db: Database, reason: str) -> Path:
    """A timestamped backup in the backups folder, named after the database and the reason."""
    return backup_to(db, new_backup_path(ensure_file_database(db), reason))


def backup_before(db: Database, reason: str) -> Path | None:
    """Back up before a risky change (import, migration, undo, restore), then thin old backups.

    Returns the backup's path, or None for a database that is not a local file (a server
    database is backed up by its own administrators).
    """
    if not db.is_sqlite or db.path is None:
        return None
    path = automatic_backup(db, reason)
    try:
        thin_backups(db.path)
    except OSError:
        log.warning("thinning old backups failed", exc_info=True)
    return path


def list_backups(database: Path) -> list[BackupInfo]:
    """This database's backups, newest first (other databases' files are not listed)."""
    prefix = _prefix(database)
    pattern = re.compile(re.escape(prefix) + r"(\d{8}-\d{6}-\d{6})-([a-z0-9-]+)\.db")
    found = []
    for path in config.backups_dir().iterdir():
        match = pattern.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        taken_at = dt.datetime.strptime(match.group(1), _STAMP_FORMAT)
        found.append(BackupInfo(path, taken_at, match.group(2), path.stat().st_size))
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def newest_backup(database: Path) -> BackupInfo | None:
    backups = list_backups(database)
    return backups[0] if backups else None


def newest_backup_age(db: Database, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How old the newest backup of `db` is (None when there is none), for the status bar."""
    if db.path is None:
        return None
    newest = newest_backup(db.path)
    if newest is None:
        return None
    return max(dt.timedelta(0), (now or dt.datetime.now()) - newest.taken_at)


def describe_age(age: dt.timedelta | None) -> str:
    """'no backup yet', 'backed up 3 minutes ago', 'backed up 2 days ago'."""
    if age is None:
        return "no backup yet"
    seconds = int(age.total_seconds())
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"backed up {count} {unit}{'' if count == 1 else 's'} ago"
    return "backed up just now"


def backups_to_delete(backups: list[BackupInfo], now: dt.datetime) -> list[BackupInfo]:
    """Which backups thinning removes: all of today's stay, the newest of each day for a
    fortnight, the newest of each week for three months, none older; the newest always stays."""
    if not backups:
        return []
    ordered = sorted(backups, key=lambda b: b.taken_at, reverse=True)
    keep = {ordered[0].path}
    days: set[dt.date] = set()
    weeks: set[tuple[int, int]] = set()
    today = now.date()
    for backup in ordered:
        age_days = (today - backup.taken_at.date()).days
        if age_days <= 0:
            keep.add(backup.path)
        elif age_days <= KEEP_DAILY_DAYS:
            if backup.taken_at.date() not in days:
                days.add(backup.taken_at.date())
                keep.add(backup.path)
        elif age_days <= KEEP_WEEKLY_DAYS:
            week = backup.taken_at.isocalendar()[:2]
            if week not in weeks:
                weeks.add((week[0], week[1]))
                keep.add(backup.path)
    return [b for b in ordered if b.path not in keep]


def thin_backups(database: Path, now: dt.datetime | None = None) -> list[Path]:
    """Delete this database's backups that the thinning rule no longer keeps; returns them."""
    now = now or dt.datetime.now()
    _remove_stale_partials(database, now)
    doomed = backups_to_delete(list_backups(database), now)
    for backup in doomed:
        backup.path.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm", ".json"):
            Path(f"{backup.path}{suffix}").unlink(missing_ok=True)
        log.info("thinned backup %s", backup.path.name)
    return [b.path for b in doomed]


def _remove_stale_partials(database: Path, now: dt.datetime) -> None:
    """Remove half-written copies left by a process that was killed mid-backup (never listed as
    backups); an hour's grace leaves alone one that another process is writing now."""
    folder = config.backups_dir()
    if not folder.is_dir():
        return
    for path in folder.glob(f"{glob.escape(_prefix(database))}*{_PARTIAL_SUFFIX}"):
        try:
            written = dt.datetime.fromtimestamp(path.stat().st_mtime)
        except OSError:
            continue
        if now - written > dt.timedelta(hours=1):
            path.unlink(missing_ok=True)
            log.info("removed an unfinished backup %s", path.name)
