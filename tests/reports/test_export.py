"""Excel and CSV exports read back as a user's spreadsheet program would."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from exclusion_monitor.output_files import formula_safe
from exclusion_monitor.reports.spreadsheets import write_csv, write_xlsx
from exclusion_monitor.reports.tables import Column, ColumnKind, ReportContext, ReportTable
from tests.support.formula import PAYLOADS, xlsx_unescape

CONTEXT = ReportContext(
    title="Flag list",
    authority="Test Authority",
    as_of=dt.date(2024, 5, 13),
    filter_description="rule: repeated_suspensions",
    produced_by="TESTDOMAIN\\officer1",
    produced_at=dt.datetime(2024, 6, 1, 9, 30),
    audit_hash="ab" * 32,
)

TABLE = ReportTable(
    "Flagged children",
    [
        Column("UPN"),
        Column("Name"),
        Column("Date of birth", ColumnKind.DATE),
        Column("Suspensions", ColumnKind.INTEGER),
        Column("Rate", ColumnKind.DECIMAL),
    ],
    [
        ["B801200005001", "Smith, Alex", dt.date(2012, 2, 29), 3, 12.5],
        *[[f"X{i}", payload, None, 0, None] for i, payload in enumerate(PAYLOADS)],
        ["0012", "Leading zeros stay", dt.date(2013, 9, 1), 1, 0.0],
    ],
)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_starts_are_prefixed(payload: str) -> None:
    assert formula_safe(payload) == "'" + payload
    assert formula_safe("Smith") == "Smith"


def test_xlsx_round_trip(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "flags.xlsx", [TABLE], CONTEXT)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Flagged children", "About"]
    sheet = book["Flagged children"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("UPN", "Name", "Date of birth", "Suspensions", "Rate")
    assert rows[1] == ("B801200005001", "Smith, Alex", dt.datetime(2012, 2, 29), 3, 12.5)
    assert rows[-1][0] == "0012"
    names = [xlsx_unescape(str(r[1])) for r in rows[2:-1]]
    assert names == ["'" + p for p in PAYLOADS]
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:E{len(TABLE.rows) + 1}"
    assert sheet.column_dimensions["B"].width > 10
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Marking"] == "OFFICIAL-SENSITIVE"
    assert about["Filter"] == "rule: repeated_suspensions"
    assert about["As of"] == "13/05/2024"
    assert about["Produced by"] == "TESTDOMAIN\\officer1"
    assert about["Audit chain"] == "ab" * 32


def test_csv_round_trip(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "flags.csv", TABLE, CONTEXT)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0].startswith("OFFICIAL-SENSITIVE")
    assert rows[1] == ["UPN", "Name", "Date of birth", "Suspensions", "Rate"]
    assert rows[2] == ["B801200005001", "Smith, Alex", "29/02/2012", "3", "12.5"]
    assert [r[1] for r in rows[3:-1]] == ["'" + p for p in PAYLOADS]


def test_sheet_names_are_made_valid_and_unique(tmp_path: Path) -> None:
    tables = [ReportTable("Rates: by school/phase", [Column("A")], [["x"]])] * 2
    book = openpyxl.load_workbook(write_xlsx(tmp_path / "t.xlsx", tables, CONTEXT))
    assert book.sheetnames == ["Rates_ by school_phase", "Rates_ by school_phase (2)", "About"]
