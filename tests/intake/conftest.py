"""Fixture builders for the intake tests: valid invented UPNs, workbooks and CSV files written on
the fly (no real personal data anywhere)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from exclusion_monitor.upn import check_letter

FIXTURES = Path(__file__).parent / "fixtures"

CENSUS_HEADERS = [
    "UPN", "Surname", "Forename", "Date of birth", "Sex", "NC year", "LAESTAB", "Census date",
    "Enrol status",
]  # fmt: skip
EXCLUSION_HEADERS = [
    "UPN", "Surname", "Forename", "DOB", "School", "Category", "Start date", "Sessions",
    "Reason 1",
]  # fmt: skip


def upn(serial: int, *, la: str = "330", estab: str = "4002", year: str | None = None) -> str:
    """A valid permanent UPN (invented): check letter + LA + establishment + year + serial."""
    year = year or f"{15 + serial // 1000:02d}"
    body = f"{la}{estab}{year}{serial % 1000:03d}"
    return check_letter(body) + body


def temp_upn(serial: int, letter: str = "A", *, la: str = "330") -> str:
    """A valid temporary UPN: the last character is a letter."""
    body = f"{la}4002{serial % 100:02d}{serial // 100 % 100:02d}{letter}"
    return check_letter(body) + body


def census_row(
    serial: int,
    *,
    surname: str = "Testerton",
    forename: str | None = None,
    dob: Any = None,
    sex: str = "F",
    year: Any = "7",
    laestab: Any = "3304002",
    census_date: Any = "05/10/2023",
    status: str = "C",
    the_upn: str | None = None,
) -> list[Any]:
    if dob is None:  # distinct birthdays, so invented pupils are not near matches of each other
        dob = (dt.date(2011, 9, 1) + dt.timedelta(days=serial % 3000)).strftime("%d/%m/%Y")
    return [
        the_upn or upn(serial),
        surname,
        forename or f"Pupil{serial}",
        dob,
        sex,
        year,
        laestab,
        census_date,
        status,
    ]


def write_xlsx(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title_rows: Sequence[str] = (),
    sheet: str = "Sheet1",
    extra_sheets: dict[str, list[list[Any]]] | None = None,
    date1904: bool = False,
    first_sheets: dict[str, list[list[Any]]] | None = None,
) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path),
        {"date_1904": date1904, "strings_to_numbers": False, "strings_to_formulas": False},
    )
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, content in (first_sheets or {}).items():
        ws = workbook.add_worksheet(name)
        for r, row in enumerate(content):
            ws.write_row(r, 0, row)
    ws = workbook.add_worksheet(sheet)
    r = 0
    for title in title_rows:
        ws.write_string(r, 0, title)
        r += 1
    ws.write_row(r, 0, list(headers))
    for row in rows:
        r += 1
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
            elif value is None:
                continue
            elif isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write(r, c, value)
    for name, content in (extra_sheets or {}).items():
        ws = workbook.add_worksheet(name)
        for r2, row in enumerate(content):
            ws.write_row(r2, 0, row)
    workbook.close()
    return path


def write_csv(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    title_rows: Sequence[str] = (),
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        for title in title_rows:
            handle.write(title + "\r\n")
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def schools_rows() -> list[list[Any]]:
    return [
        ["100001", "330", "4002", "Oakfield Academy", "Academy converter", "Secondary", "", ""],
        ["100002", "330", "2001", "Brook Primary School", "Community school", "Primary", "", ""],
        ["100003", "330", "1100", "Harbour Pupil Referral Unit", "Pupil referral unit",
         "Not applicable", "", ""],
        ["100004", "330", "7001", "Meadow Special School", "Community special school",
         "Not applicable", "", ""],
    ]  # fmt: skip


SCHOOL_HEADERS = [
    "URN", "LA (code)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (name)",
    "PhaseOfEducation (name)", "OpenDate", "CloseDate",
]  # fmt: skip


@pytest.fixture
def import_one(db: Any) -> Any:
    """Import one file and return its FileResult."""
    from imports import import_files

    def run(path: Path, **options: Any) -> Any:
        (result,) = import_files(db, [path], **options)
        return result

    return run
