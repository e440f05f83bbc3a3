"""Backups and restores: consistent copies, thinning over time, ages, and the restore drill with
its checks, the kept copy of the replaced database and the old WAL file out of the way."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from exclusion_monitor import config
from exclusion_monitor.errors import (
    DamagedDatabaseError,
    DatabaseError,
    NewerSchemaError,
    NotOurDatabaseError,
)
from exclusion_monitor.store import Database, open_database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.backup import (
    BackupInfo,
    backup_before,
    backups_to_delete,
    describe_age,
    list_backups,
    new_backup_path,
    newest_backup_age,
    thin_backups,
)
from exclusion_monitor.store.migrations import CURRENT_VERSION
from exclusion_monitor.store.restore import restore_database


def _add_school(db: Database, laestab: str, name: str) -> None:
    with db.write() as conn:
        conn.execute(t.schools.insert().values(laestab=laestab, name=name))


def _schools(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM schools ORDER BY laestab")]
    finally:
        conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.sqlite_only
def test_backup_before_makes_a_consistent_single_file_copy(db: Database, db_path: Path) -> None:
    _add_school(db, "3302001", "Elm Primary")
    path = backup_before(db, "before import")
    assert path is not None and path.parent == config.backups_dir()
    assert path.name.startswith("test-") and path.name.endswith("-before-import.db")
    assert _schools(path) == ["Elm Primary"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert [b.path for b in list_backups(db_path)] == [path]
    assert not list(config.backups_dir().glob("*.partial"))


@pytest.mark.sqlite_only
def test_backups_of_another_database_are_neither_listed_nor_thinned(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    other_folder = tmp_path / "other"
    other_folder.mkdir()
    other = open_database(other_folder / db_path.name)  # same file name, another database
    old = dt.datetime.now() - dt.timedelta(days=400)
    theirs = [backup_before(other, "x")]
    other_old = new_backup_path(other_folder / db_path.name, "old", now=old)
    shutil.copy(theirs[0], other_old)  # type: ignore[arg-type]
    other.close()
    mine = backup_before(db, "mine")
    assert [b.path for b in list_backups(db_path)] == [mine]
    thin_backups(db_path)
    assert other_old.exists(), "thinning must only touch this database's backups"


def _info(name: str, taken_at: dt.datetime) -> BackupInfo:
    return BackupInfo(Path(name), taken_at, "x", 1)


def test_thinning_keeps_today_then_daily_then_weekly_then_none() -> None:
    now = dt.datetime(2024, 6, 30, 18, 0)
    backups = [
        _info("today-1", dt.datetime(2024, 6, 30, 9, 0)),
        _info("today-2", dt.datetime(2024, 6, 30, 12, 0)),
        _info("yesterday-am", dt.datetime(2024, 6, 29, 9, 0)),
        _info("yesterday-pm", dt.datetime(2024, 6, 29, 17, 0)),
        _info("13-days", dt.datetime(2024, 6, 17, 10, 0)),
        _info("week-a-mon", dt.datetime(2024, 5, 20, 10, 0)),  # ISO week 21
        _info("week-a-fri", dt.datetime(2024, 5, 24, 10, 0)),  # ISO week 21, newer
        _info("week-b", dt.datetime(2024, 5, 8, 10, 0)),
        _info("too-old", dt.datetime(2024, 3, 1, 10, 0)),
    ]
    deleted = {b.path.name for b in backups_to_delete(backups, now)}
    assert deleted == {"yesterday-am", "week-a-mon", "too-old"}


def test_thinning_never_deletes_the_newest_backup() -> None:
    lonely = [_info("ancient", dt.datetime(2020, 1, 1))]
    assert backups_to_delete(lonely, dt.datetime(2024, 6, 30)) == []


@pytest.mark.sqlite_only
def test_thin_backups_deletes_files(db: Database, db_path: Path) -> None:
    first = backup_before(db, "a")
    assert first is not None
    old = new_backup_path(db_path, "old", now=dt.datetime.now() - dt.timedelta(days=200))
    shutil.copy(first, old)
    assert thin_backups(db_path) == [old]
    assert not old.exists() and first.exists()


@pytest.mark.sqlite_only
def test_age_of_the_newest_backup_for_the_status_bar(db: Database) -> None:
    assert newest_backup_age(db) is None
    assert describe_age(None) == "no backup yet"
    path = backup_before(db, "a")
    assert path is not None
    later = dt.datetime.now() + dt.timedelta(hours=3, minutes=5)
    age = newest_backup_age(db, now=later)
    assert age is not None and dt.timedelta(hours=3) < age < dt.timedelta(hours=3, minutes=6)
    assert describe_age(age) == "backed up 3 hours ago"
    assert describe_age(dt.timedelta(days=1, hours=2)) == "backed up 1 day ago"
    assert describe_age(dt.timedelta(seconds=20)) == "backed up just now"


def test_restore_drill(db_path: Path) -> None:
    db = open_database(db_path)
    _add_school(db, "3302001", "Elm Primary")
    backup = backup_before(db, "drill")
    _add_school(db, "3302002", "Oak Academy")
    db.close()
    assert backup is not None
    result = restore_database(db_path, backup)
    assert _schools(db_path) == ["Elm Primary"]
    assert result.kept_copy is not None and _schools(result.kept_copy) == [
        "Elm Primary",
        "Oak Academy",
    ]
    assert "before-restore" in result.kept_copy.name
    assert result.schema_version == CURRENT_VERSION
    reopened = open_database(db_path)
    with reopened.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.schools)).scalar() == 1
    reopened.close()


def test_restore_keeps_the_wal_of_the_replaced_database_and_never_applies_it(
    db_path: Path, tmp_path: Path
) -> None:
    db = open_database(db_path)
    _add_school(db, "3302001", "Elm Primary")
    backup = backup_before(db, "drill")
    db.close()
    assert backup is not None
    # A crash leaves committed changes in the -wal file: copy the files while a writer holds them.
    writer = sqlite3.connect(db_path)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("INSERT INTO schools (laestab, name) VALUES ('3302002', 'Oak Academy')")
    writer.commit()
    crashed = tmp_path / "crashed" / db_path.name
    crashed.parent.mkdir()
    shutil.copy(db_path, crashed)
    shutil.copy(f"{db_path}-wal", f"{crashed}-wal")
    writer.close()
    assert Path(f"{crashed}-wal").stat().st_size > 0

    result = restore_database(crashed, backup)
    assert not Path(f"{crashed}-wal").exists() or Path(f"{crashed}-wal").stat().st_size == 0
    assert _schools(crashed) == ["Elm Primary"]
    assert result.kept_copy is not None
    assert _schools(result.kept_copy) == ["Elm Primary", "Oak Academy"], "WAL content kept"


def _damage(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xff" * 4096)


def _big_database(path: Path) -> None:
    db = open_database(path)
    with db.write() as conn:
        conn.execute(
            t.schools.insert(),
            [{"laestab": f"33{i:05d}", "name": f"School number {i}"} for i in range(3000)],
        )
    db.close()


@pytest.mark.parametrize(
    ("make_source", "error", "message"),
    [
        (lambda p: p.write_text("not a database"), NotOurDatabaseError, "not a database file"),
        (
            lambda p: sqlite3.connect(p).execute("CREATE TABLE x (y)").connection.commit(),
            NotOurDatabaseError,
            "belongs to another program",
        ),
    ],
)
def test_restore_refuses_files_that_are_not_our_backups(
    db_path: Path, tmp_path: Path, make_source: object, error: type[Exception], message: str
) -> None:
    _big_database(db_path)
    before = _digest(db_path)
    source = tmp_path / "candidate.db"
    make_source(source)  # type: ignore[operator]
    with pytest.raises(error, match=message):
        restore_database(db_path, source)
    assert _digest(db_path) == before
    assert list_backups(db_path) == [], "nothing kept: nothing was replaced"


def test_restore_refuses_a_newer_schema_and_a_damaged_backup(db_path: Path, tmp_path: Path) -> None:
    _big_database(db_path)
    before = _digest(db_path)
    newer = tmp_path / "newer.db"
    shutil.copy(db_path, newer)
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(NewerSchemaError, match="newer version"):
        restore_database(db_path, newer)
    damaged = tmp_path / "damaged.db"
    shutil.copy(db_path, damaged)
    _damage(damaged)
    with pytest.raises(DamagedDatabaseError, match="cannot be restored"):
        restore_database(db_path, damaged)
    with pytest.raises(DatabaseError, match="no backup file"):
        restore_database(db_path, tmp_path / "missing.db")
    assert _digest(db_path) == before
    assert not list(db_path.parent.glob(".*restoring*"))


def test_restore_over_a_damaged_database_keeps_it_byte_for_byte(db_path: Path) -> None:
    _big_database(db_path)
    db = open_database(db_path)
    backup = backup_before(db, "good")
    db.close()
    assert backup is not None
    _damage(db_path)
    damaged = db_path.read_bytes()
    result = restore_database(db_path, backup)
    assert result.kept_copy is not None and "damaged" in result.kept_copy.name
    assert result.kept_copy.read_bytes() == damaged
    assert len(_schools(db_path)) == 3000
