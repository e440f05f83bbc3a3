"""Owner-only files (issue 20, item 13): on Linux and macOS the database, its WAL and shared-memory
files, backups and their metadata, logs and the app's folders are created for their owner alone,
whatever the umask, and an earlier version's open ones are closed; on Windows the local
application-data folder's own protection is relied on (tested with the platform mocked)."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from exclusion_monitor import config, identity
from tests.cli.databases import new_database
from tests.support.hostile_sheets import census_row, csv_text
from ui.cli.main import main

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


@pytest.fixture(autouse=True)
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "os_account", lambda: "LA\\it.admin")


def test_database_side_files_backups_and_logs_are_owner_only(
    tmp_path: Path, umask: int, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "team" / "exclusions.db"
    db.parent.mkdir()
    census = tmp_path / "census.csv"
    census.write_text(csv_text([census_row(1), census_row(2)]), encoding="utf-8")
    new_database(db)
    assert main(["--db", str(db), "check"]) == 0
    reader = sqlite3.connect(db)  # held open, so the import's WAL and shared memory stay
    reader.execute("SELECT count(*) FROM audit_log").fetchone()
    try:
        assert main(["--db", str(db), "import", str(census), "--census-date", "2023-10-05"]) == 0
        assert main(["--db", str(db), "backup"]) == 0
        capsys.readouterr()
        wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
        assert wal.exists() and shm.exists()
        files = [db, wal, shm]
        backups = list(config.backups_dir().iterdir())
        assert {p.suffix for p in backups} == {".db", ".json"} and len(backups) >= 4
        logs = list(config.log_dir().glob("exclusion-monitor.log*"))
        assert logs
        for path in [*files, *backups, *logs]:
            assert mode(path) == 0o600, f"{path.name}: {oct(mode(path))} with umask {oct(umask)}"
        for folder in (config.data_dir(), config.backups_dir(), config.log_dir()):
            assert mode(folder) == 0o700, f"{folder}: {oct(mode(folder))}"
    finally:
        reader.close()


def test_files_an_earlier_version_left_open_are_closed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_database(tmp_path / "old.db")
    assert main(["--db", str(db), "check"]) == 0
    db.chmod(0o644)
    config.backups_dir().chmod(0o755)
    config.log_dir().chmod(0o755)
    assert main(["--db", str(db), "check"]) == 0
    capsys.readouterr()
    assert mode(db) == 0o600
    assert mode(config.backups_dir()) == 0o700 and mode(config.log_dir()) == 0o700


def test_on_windows_the_local_app_data_folder_is_relied_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No POSIX modes on Windows: the data lives in the user's local (not roaming) application
    data folder, which Windows gives to the user alone; nothing tries to chmod there."""
    local = tmp_path / "Users" / "jsmith" / "AppData" / "Local"
    asked: list[dict[str, object]] = []

    def user_data_dir(name: str, author: str, **options: object) -> str:
        asked.append({"name": name, "author": author, **options})
        return str(local / author / name)

    def no_chmod(*_: object, **__: object) -> None:
        raise AssertionError("chmod on Windows")

    monkeypatch.delenv(config.HOME_ENV)
    monkeypatch.setattr(config.platformdirs, "user_data_dir", user_data_dir)
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(os, "chmod", no_chmod)
    monkeypatch.setattr(Path, "chmod", no_chmod)
    folder = config.data_dir()
    assert folder == local / "ExclusionMonitor" / "ExclusionMonitor" and folder.is_dir()
    assert asked == [{"name": "ExclusionMonitor", "author": "ExclusionMonitor", "roaming": False}]
    assert config.backups_dir() == folder / "backups"
    database = folder / config.DB_FILE_NAME
    config.restrict_database_files(database)  # nothing to do: SQLite creates the file
    assert not database.exists()
    assert config.default_database() == str(database)
