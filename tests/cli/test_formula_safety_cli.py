"""Every CSV and Excel file the product writes, through the real command line, on both engines:
no cell may start a formula, whatever a school's spreadsheet put in a name (issue 18 item 2,
issue 20 item 6; docs/output-and-failures.md, "Formula safety")."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from exclusion_monitor import identity
from exclusion_monitor.store import Database
from exclusion_monitor.store import intake as store
from tests.core.builders import Builder, D, censuses, summer
from tests.support.formula import PAYLOADS, dangerous_start, xlsx_unescape
from ui.cli.main import main

HOSTILE_SCHOOL = "=cmd|' /C calc'!A0"
HOSTILE_FILE = '@SUM(1+1)*cmd|" /C calc"!A0.csv'


@pytest.fixture
def hostile(db: Database, db_location: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An authority whose every flagged child's surname leads with a formula character, at a
    school with a formula for a name, and an import batch whose rejected rows are the same."""
    monkeypatch.setattr(identity, "os_account", lambda: "LA\\manager1")
    b = Builder(db)
    schools = [b.school("Elm Primary", "secondary"), b.school(HOSTILE_SCHOOL, "secondary")]
    for n, payload in enumerate(PAYLOADS):
        child = b.child(f"Child{n}", payload, born=D(2010, 3, 1))
        b.on_roll(child, schools[n % 2], censuses(2022, 2024), "7")
        b.exclusion(child, schools[n % 2], D(2024, 2, 1), "PERM", 0, ("PA",))
    with db.write() as conn:
        batch = store.create_batch(
            conn, file_name=HOSTILE_FILE, file_hash="0" * 64, kind="census", sheet=None,
            census_date=summer(2024), account="LA\\liaison1", mapping={},
        )  # fmt: skip
        store.add_rejected_rows(
            conn,
            batch,
            [
                (row, None, "date of birth 31/02/2012 is not a real date",
                 {"UPN": payload, "Surname": payload, "DOB": "31/02/2012"})
                for row, payload in enumerate(PAYLOADS, start=2)
            ],
        )  # fmt: skip
        store.finish_batch(
            conn, batch, rows_read=len(PAYLOADS), rows_imported=0,
            rows_rejected=len(PAYLOADS), warnings=[],
        )  # fmt: skip
    return db_location


def run(capsys: pytest.CaptureFixture[str], location: str, *argv: str) -> str:
    code = main(["--db", location, *argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def csv_cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def workbook_cells(path: Path) -> Iterator[Any]:
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_inert(rows: list[list[str]], where: str) -> None:
    bad = [cell for row in rows for cell in row if dangerous_start(cell)]
    assert bad == [], f"{where}: cells that would run as formulas: {bad[:3]}"


def assert_workbook_inert(path: Path) -> list[str]:
    texts = []
    for cell in workbook_cells(path):
        assert cell.data_type != "f", f"{path.name}!{cell.coordinate} is a live formula"
        if isinstance(cell.value, str):
            texts.append(xlsx_unescape(cell.value))
    assert_inert([texts], path.name)
    return texts


def every_payload_disarmed(texts: list[str], shape: Callable[[str], str]) -> None:
    for payload in PAYLOADS:
        assert any(t.startswith("'" + shape(payload)) for t in texts), repr(payload)


def test_exports_of_the_flag_list(
    capsys: pytest.CaptureFixture[str], hostile: str, tmp_path: Path
) -> None:
    out = tmp_path / "flags.csv"
    run(capsys, hostile, "export", "flags", "--out", str(out))
    rows = csv_cells(out.read_bytes().decode("utf-8-sig"))
    assert_inert(rows, out.name)
    names = [row[1] for row in rows[2:]]  # UPN, Surname, Forename, Year group, LAESTAB, School
    every_payload_disarmed(names, lambda p: p)
    assert any(row[5].startswith("'" + HOSTILE_SCHOOL) for row in rows[2:])

    book = tmp_path / "flags.xlsx"
    run(capsys, hostile, "export", "flags", "--out", str(book))
    texts = assert_workbook_inert(book)
    every_payload_disarmed(texts, lambda p: p)
    sheets = openpyxl.load_workbook(book).sheetnames
    assert sheets == ["Flagged children", "Flags", "About"]
    per_school = tmp_path / "per-school.xlsx"
    run(capsys, hostile, "export", "flags", "--per-school", "--out", str(per_school))
    every_payload_disarmed(assert_workbook_inert(per_school), lambda p: p)
    sheets = openpyxl.load_workbook(per_school).sheetnames
    assert len(sheets) == 5  # the hostile school's sheet has a safe name

    dashboard = tmp_path / "dashboard.xlsx"
    run(capsys, hostile, "export", "dashboard", "--out", str(dashboard))
    assert_workbook_inert(dashboard)


def test_command_line_csv(capsys: pytest.CaptureFixture[str], hostile: str) -> None:
    children = csv_cells(run(capsys, hostile, "children", "--format", "csv"))
    assert_inert(children, "children --format csv")
    every_payload_disarmed([row[1] for row in children[1:]], lambda p: p)

    flags = csv_cells(run(capsys, hostile, "flags", "--format", "csv"))
    assert_inert(flags, "flags --format csv")
    every_payload_disarmed([row[1] for row in flags[1:]], lambda p: p)

    batches = csv_cells(run(capsys, hostile, "batches", "--format", "csv"))
    assert_inert(batches, "batches --format csv")
    assert batches[1][1] == "'" + HOSTILE_FILE

    audit = csv_cells(run(capsys, hostile, "audit", "--format", "csv"))
    assert_inert(audit, "audit --format csv")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rejected_rows_for_the_school(
    capsys: pytest.CaptureFixture[str], hostile: str, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"rejected{suffix}"
    printed = run(capsys, hostile, "batches", "--rejected", "1", "--out", str(out))
    assert f"Saved {len(PAYLOADS)} rejected rows of batch 1 to {out}." in printed
    if suffix == ".csv":
        rows = csv_cells(out.read_bytes().decode("utf-8-sig"))
        assert_inert(rows, out.name)
        texts = [cell for row in rows for cell in row]
    else:
        texts = assert_workbook_inert(out)
    assert texts[0].startswith("OFFICIAL-SENSITIVE")
    assert texts[1].startswith(f"Rows rejected from {HOSTILE_FILE} (import batch 1, imported on")
    assert texts[2].startswith("Saved by LA\\manager1 on ")
    assert dt.date.today().strftime("%d/%m/%Y") in texts[2]
    every_payload_disarmed(texts, lambda p: p)
