"""The windowed Windows program has no console (sys.stdout and sys.stderr are None); commands
must still run, and the check command reports on the program's own code lists."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from exclusion_monitor.logging_setup import LOG_FILE_NAME
from tests.cli.databases import new_database
from ui.cli.main import main


def test_commands_run_with_no_console(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["--db", str(new_database(tmp_path / "x.db")), "children", "--format", "json"]) == 0
    assert main(["--db", str(new_database(tmp_path / "y.db")), "check"]) == 0
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0


def test_a_refused_database_without_console_is_logged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, private_home: Path
) -> None:
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_bytes(b"plain text, not a database\n" * 200)
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["--db", str(not_a_db), "children"]) == 2
    logged = (private_home / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "starting: children" in logged and "command children refused" in logged


def test_check_reports_the_code_lists(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--db", str(new_database(tmp_path / "x.db")), "check", "--format", "json"]) == 0
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    shipped = Path(__file__).resolve().parents[2] / "exclusion_monitor" / "data" / "codelists"
    assert checks["code lists"]["ok"] is True
    assert checks["code lists"]["detail"].startswith(f"{len(list(shipped.glob('*.csv')))} code")


def test_check_fails_on_an_unreadable_added_code_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, private_home: Path
) -> None:
    extra = private_home / "data" / "codelists"
    extra.mkdir(parents=True)
    (extra / "sex.csv").write_bytes(b"code,label\n\xff\xfe\x00broken")
    assert main(["--db", str(new_database(tmp_path / "x.db")), "check", "--format", "json"]) == 1
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["code lists"]["ok"] is False
    assert str(extra) in checks["code lists"]["detail"]
