"""What an import says when the database goes away under it, and the follow-up it leaves owed,
made to happen at exact moments (the timed trials in test_interrupted_work.py hit them by
chance): through the real command line, on both engines (docs/output-and-failures.md)."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path
from typing import Any

import pytest

import operations.imports
from exclusion_monitor import identity
from exclusion_monitor.errors import ConnectionLostError
from exclusion_monitor.flagging import flags_are_current
from exclusion_monitor.store import open_database
from exclusion_monitor.store.audit import list_entries
from exclusion_monitor.store.batches import list_batches
from exclusion_monitor.store.owed_work import owe_refresh, owed
from exclusion_monitor.upn import check_letter
from ui.cli.main import main

HEADERS = ["UPN", "Surname", "Forename", "Date of birth", "Sex", "NC year", "LAESTAB"]
LOST = "The connection to the database server for the test database was lost."


@pytest.fixture(autouse=True)
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "os_account", lambda: "LA\\admin1")


@pytest.fixture
def census(tmp_path: Path) -> Path:
    path = tmp_path / "autumn.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(1, 6):
            body = f"330400215{i:03d}"
            writer.writerow([check_letter(body) + body, "Tester", f"Kid{i}", "01/03/2013", "M",
                             "4", "3304002"])  # fmt: skip
    return path


def run_import(
    capsys: pytest.CaptureFixture[str], location: str, census: Path
) -> tuple[int, dict[str, Any], str]:
    code = main(["--db", location, "import", str(census), "--census-date", "2023-10-05",
                 "--format", "json"])  # fmt: skip
    out, err = capsys.readouterr()
    (result,) = json.loads(out)
    return code, result, err


def test_connection_lost_as_the_import_committed_is_reported_saved(
    capsys: pytest.CaptureFixture[str],
    db: Any,
    db_location: str,
    census: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The commit reached the server, the answer did not: look, and say saved."""
    real = operations.imports.import_files

    def commit_then_lose(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise ConnectionLostError(LOST)

    monkeypatch.setattr(operations.imports, "import_files", commit_then_lose)
    code, result, err = run_import(capsys, db_location, census)
    assert code == 0 and result["status"] == "imported" and result["rows_imported"] == 5, err
    assert result["batch_id"] == list_batches(db)[0].id
    assert any("after reconnecting, it is in the database whole" in w for w in result["warnings"])
    audited = [e for e in list_entries(db) if e.action == "import_file"]
    assert len(audited) == 1 and audited[0].target == f"batch:{result['batch_id']}"
    assert owed(db) == [] and flags_are_current(db)  # the follow-up ran once reconnected


def test_connection_lost_before_the_commit_is_reported_not_saved(
    capsys: pytest.CaptureFixture[str],
    db: Any,
    db_location: str,
    census: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def lose(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionLostError(LOST)

    monkeypatch.setattr(operations.imports, "import_files", lose)
    code, result, err = run_import(capsys, db_location, census)
    assert code == 3 and result["status"] == "refused" and result["try_again"] is True
    assert "after reconnecting nothing from this file is in the database" in result["message"]
    assert "Import it again." in result["message"] and "something went wrong" not in err
    assert list_batches(db) == []


def test_a_server_that_stays_away_is_said_plainly(
    capsys: pytest.CaptureFixture[str],
    db: Any,
    db_location: str,
    census: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def lose(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionLostError(LOST)

    def still_away(*_args: Any, **_kwargs: Any) -> Any:
        raise ConnectionLostError(LOST)

    monkeypatch.setattr(operations.imports, "import_files", lose)
    monkeypatch.setattr(operations.imports, "batch_saved_since", still_away)
    monkeypatch.setattr(operations.imports, "RECONNECT_SECONDS", 0.5)
    code, result, _ = run_import(capsys, db_location, census)
    assert code == 3 and result["try_again"] is True
    assert "to see whether it was saved" in result["message"]
    assert "run `exclusion-monitor batches`" in result["message"]


def test_owed_follow_up_is_finished_at_the_next_start_and_check_says_so(
    capsys: pytest.CaptureFixture[str],
    db: Any,
    db_location: str,
    census: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The import is saved, then the server goes before its flags are brought up to date."""

    def lost_before_the_flags(_db: Any, progress: Any = None) -> None:
        raise ConnectionLostError(LOST)

    monkeypatch.setattr(operations.imports, "finish_owed_work", lost_before_the_flags)
    code, result, _ = run_import(capsys, db_location, census)
    assert code == 0 and result["status"] == "imported"
    assert any("done at the next start of any command" in w for w in result["warnings"])
    (pending,) = owed(db)
    assert pending.after == f"import batch {result['batch_id']}"
    assert not flags_are_current(db)
    monkeypatch.undo()
    monkeypatch.setattr(identity, "os_account", lambda: "LA\\admin1")

    assert main(["--db", db_location, "check", "--format", "json"]) == 0
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    detail = checks["follow-up work"]["detail"]
    assert checks["follow-up work"]["ok"] and "brought up to date now" in detail
    assert f"import batch {result['batch_id']}" in detail
    assert owed(db) == [] and flags_are_current(db)
    assert main(["--db", db_location, "check", "--format", "json"]) == 0
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["follow-up work"]["detail"].startswith("none owed")


def test_any_command_finishes_owed_work_first(
    capsys: pytest.CaptureFixture[str], db: Any, db_location: str, census: Path
) -> None:
    assert main(["--db", db_location, "import", str(census), "--census-date", "2023-10-05"]) == 0
    capsys.readouterr()
    with db.write() as conn:  # as a kill right after the import's commit leaves it
        owe_refresh(conn, "import batch 1")
        conn.exec_driver_sql("DELETE FROM settings WHERE key = 'flags.state'")
    assert main(["--db", db_location, "children", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert len(json.loads(out)) == 5  # standard output stays the command's own (JSON)
    assert "brought the flags and the children list up to date, as import batch 1" in err
    assert owed(db) == [] and flags_are_current(db)


@pytest.mark.sqlite_only
def test_check_on_a_read_only_database_reports_owed_work_it_cannot_finish(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, census: Path
) -> None:
    path = tmp_path / "x.db"
    assert main(["--db", str(path), "import", str(census), "--census-date", "2023-10-05"]) == 0
    with open_database(path) as database:
        with database.write() as conn:
            owe_refresh(conn, "import batch 1")
        database.checkpoint()
    capsys.readouterr()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)  # marked read-only (see test_integrity_and_...)
    try:
        code = main(["--db", str(path), "check", "--format", "json"])
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert code == 1 and not checks["follow-up work"]["ok"]
    assert "read-only" in checks["follow-up work"]["detail"]
    assert "import batch 1" in checks["follow-up work"]["detail"]
