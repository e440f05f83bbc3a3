"""Where the app keeps its files: data, backups and logs, per user, overridable for tests.

Set EXCLUSION_MONITOR_HOME to keep everything under one folder (tests, portable installs).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_DIR_NAME = "ExclusionMonitor"
APP_AUTHOR = "ExclusionMonitor"
HOME_ENV = "EXCLUSION_MONITOR_HOME"
DB_ENV = "EXCLUSION_MONITOR_DB"
DB_FILE_NAME = "exclusion-monitor.db"


def _home_override() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value) if value else None


def data_dir() -> Path:
    """Per-user local (not roaming) application data folder."""
    home = _home_override()
    if home is not None:
        path = home / "data"
    else:
        path = Path(platformdirs.user_data_dir(APP_DIR_NAME, APP_AUTHOR, roaming=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def backups_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    home = _home_override()
    if home is not None:
        path = home / "logs"
    else:
        path = Path(platformdirs.user_log_dir(APP_DIR_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_codelists_dir() -> Path:
    """Folder where an admin may drop extra code-list rows (same file names as the shipped ones)."""
    return data_dir() / "codelists"


def default_database() -> str:
    """The database to open when none is given: EXCLUSION_MONITOR_DB, else the per-user file."""
    return os.environ.get(DB_ENV) or str(data_dir() / DB_FILE_NAME)
