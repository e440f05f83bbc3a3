"""The import, batches and undo commands: JSON contract, exit codes, messages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from exclusion_monitor.store import open_database
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


def test_a_refused_file_is_named_once_on_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    code = main(["--db", str(tmp_path / "c.db"), "import", str(empty)])
    out = capsys.readouterr().out
    assert code == 2
    assert f"{empty}: refused: the file is empty." in out
    assert out.count("empty.xlsx") == 1


def test_bad_census_date_option_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _census(tmp_path / "good.csv", 1)
    db = str(tmp_path / "c.db")
    for typed in ("31/02/2023", "10/5", "yesterday"):
        assert main(["--db", db, "import", str(good), "--census-date", typed]) == 2
        err = capsys.readouterr().err
        assert f"--census-date {typed}: " in err and "day/month/year" in err
        assert "write it as YYYY-MM-DD" in err and "Traceback" not in err


@pytest.mark.parametrize("typed", ["2023-10-05", "5/10/23", "05/10/2023", "5.10.2023"])
def test_census_date_option_takes_a_date_as_a_uk_user_types_it(
    tmp_path: Path, typed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Day first, as the app's date box reads it: 5/10/23 is 5 October 2023, never May."""
    good = _census(tmp_path / "good.csv", 1)
    db = str(tmp_path / "c.db")
    assert main(["--db", db, "import", str(good), "--census-date", typed, "--format", "json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["status"] == "imported"
    with open_database(Path(db)).read() as conn:
        days = {d for (d,) in conn.exec_driver_sql("SELECT census_date FROM census_observations")}
    assert {str(d)[:10] for d in days} == {"2023-10-05"}


@pytest.mark.parametrize(
    ("title", "suggested"),
    [
        ("Census date: 15/01/2026", "2026-01-15"),
        ("Census day 16.1.25", "2025-01-16"),
        ("Spring census 2024/25", "2025-01-16"),
        ("Pupil list", None),
    ],
)
def test_a_census_without_its_date_is_refused_with_the_date_its_title_gives(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], title: str, suggested: str | None
) -> None:
    """The way forward names the date the title rows write out (or their term), not only the
    option: nothing is imported until the person gives it."""
    path = tmp_path / "return.csv"
    rows = [[title], [], HEADERS, [_upn(1), "Tester", "Kid", "01/03/2013", "M", "4", "3304002"]]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    assert main(["--db", str(tmp_path / "c.db"), "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert "has no column for Census date" in err
    if suggested:
        assert f"the file's own title suggests --census-date {suggested}" in err
    else:
        assert "--census-date YYYY-MM-DD" in err and "suggests" not in err
