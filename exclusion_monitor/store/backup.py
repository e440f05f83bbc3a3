"""Consistent copies of the SQLite database through SQLite's online backup API."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from exclusion_monitor import config

if TYPE_CHECKING:
    from exclusion_monitor.store.database import Database

log = logging.getLogger(__name__)


def backup_to(db: Database, destination: Path) -> Path:
    """Copy the whole database, consistently, to `destination` (which must not exist)."""
    if destination.exists():
        raise FileExistsError(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    raw = db.engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        target = sqlite3.connect(destination)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        raw.close()
    log.info("backed up %s to %s", db.path, destination)
    return destination


def automatic_backup(db: Database, reason: str) -> Path:
    """A timestamped backup in the backups folder, named after the database and the reason."""
    stem = db.path.stem if db.path else "database"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return backup_to(db, config.backups_dir() / f"{stem}-{stamp}-{reason}.db")
