"""Where the app keeps its files: data, backups and logs, per user, overridable for tests; and
who may read them: the folders are created for their owner only (0700) and the database, its WAL
and shared-memory files, backups and logs likewise (0600), whatever the umask. On Windows the
user's local application-data folder is already the owner's alone, and is left to that.

Set EXCLUSION_MONITOR_HOME to keep everything under one folder (tests, portable installs).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path

import platformdirs

APP_DIR_NAME = "ExclusionMonitor"
APP_AUTHOR = "ExclusionMonitor"
HOME_ENV = "EXCLUSION_MONITOR_HOME"
DB_ENV = "EXCLUSION_MONITOR_DB"
DB_FILE_NAME = "exclusion-monitor.db"
WORKERS_ENV = "EXCLUSION_MONITOR_WORKERS"


def _home_override() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value) if value else None


OWNER_ONLY_FOLDER = 0o700
OWNER_ONLY_FILE = 0o600


def _posix() -> bool:
    """Whether file modes protect the files (Linux, macOS); on Windows the profile's ACLs do."""
    return sys.platform != "win32"


def owner_only_folder(path: Path) -> Path:
    """Create `path` (and any missing parents) readable by its owner alone; a folder of ours that
    an earlier version left open to others is closed (0700)."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=OWNER_ONLY_FOLDER)
    _restrict(path, OWNER_ONLY_FOLDER)
    return path


def create_owner_only(path: Path) -> Path:
    """Create the file at `path` empty and owner-only (0600) if it does not exist, or take the
    permissions of others away from one that does, before anything is written into it."""
    if _posix():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
        except FileExistsError:
            _restrict(path, OWNER_ONLY_FILE)
        else:
            os.close(fd)
    return path


def restrict_database_files(database: Path) -> None:
    """The database file (created empty if missing) and any WAL, shared-memory or journal file
    beside it, owner-only. SQLite gives the WAL and shared-memory files it creates later the
    database file's own permissions."""
    create_owner_only(database)
    for suffix in ("-wal", "-shm", "-journal"):
        side = database.with_name(database.name + suffix)
        if side.exists():
            _restrict(side, OWNER_ONLY_FILE)


def _restrict(path: Path, mode: int) -> None:
    """Take group and other permissions off a file or folder this account owns (never widen,
    never touch another account's file)."""
    if not _posix():
        return
    with contextlib.suppress(OSError):
        info = path.stat()
        if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077:
            path.chmod(stat.S_IMODE(info.st_mode) & mode)


def data_dir() -> Path:
    """Per-user local (not roaming) application data folder."""
    home = _home_override()
    if home is not None:
        path = home / "data"
    else:
        path = Path(platformdirs.user_data_dir(APP_DIR_NAME, APP_AUTHOR, roaming=False))
    return owner_only_folder(path)


def backups_dir() -> Path:
    return owner_only_folder(data_dir() / "backups")


def log_dir() -> Path:
    home = _home_override()
    if home is not None:
        path = home / "logs"
    else:
        path = Path(platformdirs.user_log_dir(APP_DIR_NAME, APP_AUTHOR))
    return owner_only_folder(path)


def user_codelists_dir() -> Path:
    """Folder where an admin may drop extra code-list rows (same file names as the shipped ones)."""
    return data_dir() / "codelists"


def worker_limit() -> int | None:
    """The most worker processes a long job may start, as IT set it in EXCLUSION_MONITOR_WORKERS
    (1: none, on a terminal server shared by many users, say); None when unset or not a whole
    number of at least 1."""
    value = os.environ.get(WORKERS_ENV, "").strip()
    return int(value) if value.isdigit() and int(value) >= 1 else None


def default_database() -> str:
    """The database to open when none is given: EXCLUSION_MONITOR_DB, else the per-user file."""
    return os.environ.get(DB_ENV) or str(data_dir() / DB_FILE_NAME)
