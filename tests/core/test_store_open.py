"""Opening, creating, refusing and migrating databases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from exclusion_monitor.errors import DatabaseError, NewerSchemaError, NotOurDatabaseError
from exclusion_monitor.store import open_database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import APPLICATION_ID
from exclusion_monitor.store.migrations import CURRENT_VERSION


def _pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


def test_new_database_is_marked_as_ours(db_path: Path) -> None:
    open_database(db_path).close()
    assert _pragma(db_path, "application_id") == APPLICATION_ID
    assert _pragma(db_path, "user_version") == CURRENT_VERSION
    assert _pragma(db_path, "journal_mode") == "wal"


def test_connections_have_the_safety_pragmas(db_path: Path) -> None:
    db = open_database(db_path)
    with db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    db.close()


def test_foreign_keys_are_enforced(db_path: Path) -> None:
    db = open_database(db_path)
    with pytest.raises(sa.exc.IntegrityError), db.write() as conn:
        conn.execute(
            t.child_identifiers.insert().values(child_id=999, upn="B801200005001", kind="current")
        )
    db.close()


def test_a_failed_write_leaves_nothing_behind(db_path: Path) -> None:
    db = open_database(db_path)
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute(t.schools.insert().values(laestab="3304000", name="Somewhere School"))
        raise RuntimeError("stop")
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.schools)).scalar() == 0
    db.close()


def test_reopening_keeps_data(db_path: Path) -> None:
    db = open_database(db_path)
    with db.write() as conn:
        conn.execute(t.schools.insert().values(laestab="3304000", name="Somewhere School"))
    db.close()
    db = open_database(db_path)
    with db.read() as conn:
        assert conn.execute(sa.select(t.schools.c.name)).scalar() == "Somewhere School"
    db.close()


def test_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("shopping list\n")
    with pytest.raises(NotOurDatabaseError, match="not an Exclusion Monitor database"):
        open_database(path)
    assert path.read_text() == "shopping list\n"


def test_another_programs_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE things (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotOurDatabaseError, match="belongs to another program"):
        open_database(path)


def test_newer_schema_is_refused(db_path: Path) -> None:
    open_database(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(NewerSchemaError, match="newer version"):
        open_database(db_path)


def test_missing_folder_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="does not exist"):
        open_database(tmp_path / "no" / "such" / "x.db")


def test_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="is a folder"):
        open_database(tmp_path)


def test_other_engines_are_not_accepted_yet() -> None:
    with pytest.raises(DatabaseError, match="not supported"):
        open_database("mysql://somewhere/db")


def test_sqlite_url_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "u.db"
    open_database(f"sqlite:///{path}").close()
    assert path.exists()


def test_bulk_values_are_stored_as_sqlite_always_held_them(db_path: Path) -> None:
    """Dates as ISO text, times with a space, booleans as 1 and 0, None as NULL, whether a date
    comes as itself or already written out (`stored_dates`), so every route stores alike."""
    import datetime as dt

    from exclusion_monitor.store.bulk import bulk_insert, stored_dates

    db = open_database(db_path)
    created = dt.datetime(2024, 1, 5, 9, 30, 15, 250)
    with db.write() as conn:
        day = stored_dates(conn)
        rows = [
            (1, "Testerton", "Pupil", dt.date(2012, 3, 4), None, created, None, True),
            (2, "Testerton", "Pupil", day[dt.date(2012, 3, 4)], "F", created, None, False),
        ]
        bulk_insert(
            conn,
            t.children,
            ["id", "surname", "forename", "date_of_birth", "sex", "created_at", "batch_id",
             "looked_after"],
            rows,
        )  # fmt: skip
    db.close()
    raw = sqlite3.connect(db_path)
    stored = raw.execute(
        "SELECT date_of_birth, typeof(sex), created_at, typeof(batch_id), looked_after, "
        "typeof(looked_after) FROM children ORDER BY id"
    ).fetchall()
    raw.close()
    assert stored == [
        ("2012-03-04", "null", "2024-01-05 09:30:15.000250", "null", 1, "integer"),
        ("2012-03-04", "text", "2024-01-05 09:30:15.000250", "null", 0, "integer"),
    ]
