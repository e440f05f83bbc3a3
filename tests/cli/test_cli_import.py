"""The import, batches and undo commands: JSON contract, exit codes, messages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from exclusion_monitor.upn import check_letter
from ui.cli.main import main

HEADERS = ["UPN", "Surname", "Forename", "Date of birth", "Sex", "NC year", "LAESTAB"]


def _upn(serial: int) -> str:
    body = f"330400215{serial:03d}"
    return check_letter(body) + body


def _census(path: Path, rows: int, bad: int = 0) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for i in range(1, rows + 1):
            writer.writerow([_upn(i), "Tester", f"Kid{i}", f"{i % 28 + 1:02d}/03/2013", "M", "4",
                             "330/4002"])  # fmt: skip
        for i in range(bad):
            writer.writerow(
                ["A801200005001", "Tester", f"Bad{i}", "01/03/2013", "M", "4", "3304002"]
            )
    return path


def test_import_json_batches_and_undo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.db")
    census = _census(tmp_path / "autumn.csv", 3, bad=1)
    code = main(["--db", db, "import", str(census), "--census-date", "2023-10-05",
                 "--format", "json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    (result,) = out
    keys = ("kind", "status", "rows_read", "rows_imported", "rows_rejected")
    assert {k: result[k] for k in keys} == {
        "kind": "census", "status": "imported", "rows_read": 4, "rows_imported": 3,
        "rows_rejected": 1,
    }  # fmt: skip
    assert result["file"] == str(census)
    assert result["rejected"] == [
        {"row": 5, "reason": "UPN 'A801200005001': the UPN's check letter does not match its "
                             "digits: please check the whole UPN",
         "upn": "A801200005001"}
    ]  # fmt: skip
    assert isinstance(result["warnings"], list)

    assert main(["--db", db, "import", str(census), "--census-date", "2023-10-05"]) == 0
    assert "already imported (batch 1)" in capsys.readouterr().out

    assert main(["--db", db, "batches", "--format", "json"]) == 0
    batches = json.loads(capsys.readouterr().out)
    assert [(b["id"], b["rows_imported"], b["status"]) for b in batches] == [(1, 3, "imported")]

    out_file = tmp_path / "rejected.xlsx"
    assert main(["--db", db, "batches", "--rejected", "1", "--out", str(out_file)]) == 0
    assert "Saved 1 rejected rows of batch 1" in capsys.readouterr().out
    assert out_file.stat().st_size > 0

    assert main(["--db", db, "undo", "1"]) == 0
    assert "Undid batch 1: removed" in capsys.readouterr().out
    assert main(["--db", db, "children", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["--db", db, "undo", "1"]) == 2
    assert "already undone" in capsys.readouterr().err


def test_refused_file_exits_non_zero_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _census(tmp_path / "good.csv", 2)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    code = main(["--db", str(tmp_path / "c.db"), "import", str(good), str(empty),
                 "--census-date", "2023-10-05", "--format", "json"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 2
    statuses = [r["status"] for r in json.loads(captured.out)]
    assert statuses == ["imported", "refused"]
    assert "empty.xlsx: the file is empty." in captured.err
    assert "Traceback" not in captured.err


def test_bad_census_date_option_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _census(tmp_path / "good.csv", 1)
    assert (
        main(["--db", str(tmp_path / "c.db"), "import", str(good), "--census-date", "5/10/23"]) == 2
    )
    assert "write it as YYYY-MM-DD" in capsys.readouterr().err
