"""SQLite's own checks on a database file, run on a read-only connection so that a damaged file is
never written to, and the sentence that offers the newest backup when one fails.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from exclusion_monitor import config
from exclusion_monitor.errors import DamagedDatabaseError
from exclusion_monitor.store.backup import newest_backup


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file (SQLite opens it O_RDONLY)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def check_file(path: Path, *, thorough: bool = False) -> str | None:
    """None when the file passes SQLite's quick_check (integrity_check when `thorough`), else
    the first problem SQLite reports."""
    pragma = "integrity_check" if thorough else "quick_check"
    try:
        conn = read_only_connection(path)
        try:
            rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    if rows == ["ok"]:
        return None
    return first_problem(rows)


def first_problem(rows: list[str]) -> str:
    lines = [line for row in rows for line in row.splitlines() if line and "***" not in line]
    return lines[0] if lines else "an unknown problem"


def restore_hint(database: Path) -> str:
    """The sentence that tells the user how to restore `database` from its newest backup."""
    newest = newest_backup(database)
    if newest is None:
        return (
            "There is no backup of it: keep the file exactly as it is and ask IT support for "
            "help; do not delete it."
        )
    db_option = ""
    if str(database) != config.default_database():
        db_option = f' --db "{database}"'
    return (
        f"Restore the newest backup ({newest.taken_at:%d/%m/%Y %H:%M}) with: "
        f'exclusion-monitor{db_option} restore "{newest.path}"'
    )


def damaged_error(database: Path, problem: str) -> DamagedDatabaseError:
    return DamagedDatabaseError(
        f"The database {database} is damaged (SQLite reports: {problem}). It has not been "
        f"changed. {restore_hint(database)}"
    )


def ensure_sound(database: Path) -> None:
    """Raise DamagedDatabaseError (with the restore command) when quick_check fails."""
    problem = check_file(database)
    if problem is not None:
        raise damaged_error(database, problem)
