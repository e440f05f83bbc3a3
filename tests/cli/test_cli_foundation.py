"""The command line's first commands: --version, check and children."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from exclusion_monitor import __version__
from tests.cli.databases import new_database
from ui.cli.main import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"exclusion-monitor {__version__}"


def test_check_on_a_new_then_existing_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = new_database(tmp_path / "x.db")
    code, out, _ = run_cli(capsys, "--db", str(path), "check")
    assert code == 0 and "All checks passed." in out
    code, out, _ = run_cli(capsys, "--db", str(path), "check", "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["schema_version"] >= 1
    assert {c["name"] for c in report["checks"]} >= {"integrity", "schema", "identity"}


def test_children_json_is_an_empty_list_on_a_new_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = new_database(tmp_path / "x.db")
    code, out, _ = run_cli(capsys, "--db", str(path), "children", "--format", "json")
    assert code == 0 and json.loads(out) == []


def test_children_lists_a_stored_child(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import datetime as dt

    from exclusion_monitor.store import open_database
    from exclusion_monitor.store import schema as t

    path = tmp_path / "x.db"
    db = open_database(path)
    with db.write() as conn:
        school = conn.execute(
            t.schools.insert().values(laestab="3302001", name="Elm Primary", phase="primary")
        ).inserted_primary_key[0]
        child = conn.execute(
            t.children.insert().values(
                surname="Testchild",
                forename="Alex",
                date_of_birth=dt.date(2015, 3, 1),
                sex="F",
                created_at=dt.datetime(2024, 1, 1),
            )
        ).inserted_primary_key[0]
        conn.execute(
            t.child_identifiers.insert().values(child_id=child, upn="B801200005001", kind="current")
        )
        conn.execute(
            t.census_observations.insert().values(
                child_id=child,
                school_id=school,
                census_date=dt.date(2024, 1, 18),
                nc_year="3",
                enrol_status="C",
            )
        )
    db.close()
    code, out, _ = run_cli(capsys, "--db", str(path), "children", "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert rows == [
        {
            "upn": "B801200005001",
            "surname": "Testchild",
            "forename": "Alex",
            "date_of_birth": "2015-03-01",
            "sex": "F",
            "nc_year": "3",
            "status": "on_roll",
            "school_laestab": "3302001",
            "school_name": "Elm Primary",
            "status_date": "2024-01-18",
            "flags": 0,
        }
    ]
    code, out, _ = run_cli(capsys, "--db", str(path), "children", "--format", "csv")
    assert out.splitlines()[1].startswith("B801200005001,Testchild,Alex,2015-03-01")


def test_not_our_file_exits_non_zero_with_a_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "letter.db"
    path.write_text("Dear parent,\n")
    code, out, err = run_cli(capsys, "--db", str(path), "check")
    assert code != 0 and out == ""
    assert "is not an Exclusion Monitor database" in err and "Traceback" not in err


def test_other_programs_database_exits_non_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    code, _, err = run_cli(capsys, "--db", str(path), "children")
    assert code != 0 and "belongs to another program" in err


def test_installed_console_script_runs(tmp_path: Path) -> None:
    """The real entry point, in a child process, as a user would run it."""
    result = subprocess.run(
        [sys.executable, "-m", "ui", "--db", str(new_database(tmp_path / "y.db")), "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "All checks passed." in result.stdout
