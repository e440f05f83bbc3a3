"""A damaged database is found on open, before any write, and left as it is, with the restore
command in the message; disk-full and read-only writes give a plain sentence, keep earlier data
and never hide the real error behind a failed ROLLBACK."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from exclusion_monitor.errors import DamagedDatabaseError, DatabaseWriteError
from exclusion_monitor.store import Database, open_database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.backup import backup_before
from exclusion_monitor.store.checks import run_checks


def _big_database(path: Path) -> None:
    db = open_database(path)
    with db.write() as conn:
        conn.execute(
            t.schools.insert(),
            [{"laestab": f"33{i:05d}", "name": f"School number {i}"} for i in range(3000)],
        )
    db.close()


def _files(path: Path) -> dict[str, str]:
    """Digest of the database and of what its WAL holds, to prove nothing was written. (The
    read-only check may leave an empty -wal and a -shm, as any SQLite reader does: no data.)"""
    wal = Path(f"{path}-wal")
    return {
        "db": hashlib.sha256(path.read_bytes()).hexdigest(),
        "wal": hashlib.sha256(wal.read_bytes()).hexdigest() if wal.exists() else "",
    }


def _overwrite_middle(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xff" * 4096)


def _truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 3)


@pytest.mark.parametrize("damage", [_overwrite_middle, _truncate], ids=["pages", "truncated"])
def test_damaged_database_is_refused_untouched_with_the_restore_command(
    db_path: Path, damage: object
) -> None:
    _big_database(db_path)
    db = open_database(db_path)
    backup = backup_before(db, "nightly")
    db.close()
    damage(db_path)  # type: ignore[operator]
    before = _files(db_path)
    with pytest.raises(DamagedDatabaseError) as refused:
        open_database(db_path)
    message = str(refused.value)
    assert f"The database {db_path} is damaged" in message
    assert "It has not been changed." in message
    assert f'--db "{db_path}" restore "{backup}"' in message
    after = _files(db_path)
    assert after["db"] == before["db"]
    assert after["wal"] in (before["wal"], hashlib.sha256(b"").hexdigest())


def test_damaged_database_without_a_backup_says_to_keep_the_file(db_path: Path) -> None:
    _big_database(db_path)
    _overwrite_middle(db_path)
    with pytest.raises(DamagedDatabaseError, match="There is no backup of it: keep the file"):
        open_database(db_path)


def test_emptied_database_with_backups_is_not_silently_recreated(db_path: Path) -> None:
    db = open_database(db_path)
    backup_before(db, "nightly")
    db.close()
    db_path.write_bytes(b"")
    with pytest.raises(DamagedDatabaseError, match="the file is empty, though backups"):
        open_database(db_path)
    assert db_path.stat().st_size == 0


def test_check_reports_integrity_of_a_sound_database(db: Database) -> None:
    results = {r.name: r for r in run_checks(db)}
    assert results["integrity"].ok and results["audit trail"].ok


@pytest.mark.sqlite_only
def test_disk_full_gives_a_sentence_and_keeps_earlier_data(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    with db.write() as conn:
        conn.execute(t.schools.insert().values(laestab="3302001", name="Elm Primary"))
    with db.read() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    caplog.set_level("INFO", logger="exclusion_monitor.store.database")
    with pytest.raises(DatabaseWriteError) as failed, db.write() as conn:
        # max_page_count makes SQLite answer SQLITE_FULL as a full disk would.
        conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}")
        conn.execute(
            t.schools.insert(),
            [{"laestab": f"34{i:05d}", "name": "x" * 200} for i in range(2000)],
        )
    message = str(failed.value)
    # SQLite rolled the transaction back itself: the trap where a ROLLBACK would hide the error.
    assert "SQLite had already rolled back" in caplog.text
    assert message.startswith("The disk is full")
    assert "everything saved before it is intact" in message
    assert "cannot rollback" not in message and "no transaction is active" not in message
    assert "cannot rollback" not in str(failed.value.__cause__)
    with db.read() as conn:
        names = conn.execute(sa.select(t.schools.c.name)).scalars().all()
    assert names == ["Elm Primary"]
    with db.write() as conn:  # the next write works once there is room again
        conn.exec_driver_sql("PRAGMA max_page_count = 1073741823")
        conn.execute(t.schools.insert().values(laestab="3302002", name="Oak Academy"))


def test_read_only_file_opens_for_reading_and_refuses_writes_plainly(db_path: Path) -> None:
    db = open_database(db_path)
    with db.write() as conn:
        conn.execute(t.schools.insert().values(laestab="3302001", name="Elm Primary"))
    db.close()
    # The tests run as root, whom file permissions do not stop; the app honours the read-only
    # mark itself (owner write bit cleared, as Windows shows its read-only attribute) and opens
    # the file with SQLite's mode=ro, so SQLite itself refuses every write with SQLITE_READONLY,
    # exactly as when the operating system refuses to open the file for writing.
    db_path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    try:
        db = open_database(db_path)
        assert db.read_only
        with db.read() as conn:
            assert conn.execute(sa.select(t.schools.c.name)).scalars().all() == ["Elm Primary"]
        with pytest.raises(DatabaseWriteError) as failed, db.write() as conn:
            conn.execute(t.schools.insert().values(laestab="3302002", name="Oak Academy"))
        assert str(failed.value).startswith(f"The database file {db_path} is read-only")
        assert "everything saved before it is intact" in str(failed.value)
        db.close()
    finally:
        db_path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    db = open_database(db_path)
    assert not db.read_only
    with db.read() as conn:
        assert conn.execute(sa.select(t.schools.c.name)).scalars().all() == ["Elm Primary"]
    db.close()


def test_errors_raised_by_the_caller_pass_through_unchanged(db: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), db.write() as conn:
        conn.execute(t.schools.insert().values(laestab="3302001", name="A"))
        conn.execute(t.schools.insert().values(laestab="3302001", name="B"))
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.schools)).scalar() == 0


def test_a_failed_bulk_insert_names_no_values(db: Database) -> None:
    """A statement that fails says which statement, never the values it carried (a child's name
    or UPN must not reach the log through an error message)."""
    import datetime as dt

    from exclusion_monitor.store.bulk import bulk_insert

    rows = [(1, "Zebedee", "Quillfeather", dt.datetime(2024, 1, 1), 999)]  # no batch 999
    with pytest.raises(sa.exc.DBAPIError) as caught, db.write() as conn:
        bulk_insert(conn, t.children, ["id", "surname", "forename", "created_at", "batch_id"], rows)
    assert "Zebedee" not in str(caught.value) and "Quillfeather" not in str(caught.value)
    assert "children" in str(caught.value)
