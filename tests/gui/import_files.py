"""Spreadsheets for the Imports page tests: a few of the demo generator's returns and a messy
workbook of our own (title rows, odd headers, a surname column no synonym knows). Every name
here is invented."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from imports.demo import DemoManifest, build_demo_returns
from tests.builders import FORENAMES, SURNAMES, make_upn

# A surname under a header the matcher cannot place ("Child's last name (legal)" it now reads).
ODD_SURNAME = "Name 2 (as registered)"
MESSY_HEADERS = [
    "Pupil UPN", ODD_SURNAME, "Given name", "Birth date", "Gender", "NC Year", "FSM", "LAESTAB",
    "Keyworker initials",
]  # fmt: skip
MESSY_SCHOOL = "3302001"


def messy_upn(serial: int) -> str:
    return make_upn("330", "2001", "24", serial)


def write_messy_census(path: Path, first: int, count: int) -> Path:
    """A school's own census workbook: two title rows and a blank row above the header; no
    census date column; the surname under a header no synonym list knows."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Spring return")
    sheet.write(0, 0, "Larkwood Primary School - spring census return")
    sheet.write(1, 0, "Prepared by the school office; please do not edit the header row")
    for col, header in enumerate(MESSY_HEADERS):
        sheet.write(3, col, header)
    for n in range(count):
        serial = first + n
        row = [
            messy_upn(serial),
            SURNAMES[serial % len(SURNAMES)],
            FORENAMES[serial % len(FORENAMES)],
            f"{1 + serial % 28:02d}/{1 + serial % 12:02d}/2016",
            "MF"[serial % 2],
            "3",
            "YN"[serial % 3 == 0],
            MESSY_SCHOOL,
            "JT",
        ]
        for col, value in enumerate(row):
            sheet.write_string(4 + n, col, value)
    book.close()
    return path


def write_big_census_csv(path: Path, rows: int, census_date: dt.date) -> Path:
    """A large, clean census CSV (for cancelling part-way)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["UPN", "Surname", "Forename", "Date of birth", "Sex", "NC year",
                      "LAESTAB", "Census date"])  # fmt: skip
        for n in range(rows):
            out.writerow([
                _big_upn(n),
                SURNAMES[n % len(SURNAMES)], FORENAMES[n % len(FORENAMES)],
                f"{1 + n % 28:02d}/{1 + n % 12:02d}/2014", "MF"[n % 2], "5", "3302002",
                f"{census_date:%d/%m/%Y}",
            ])  # fmt: skip
    return path


def _big_upn(n: int) -> str:
    # 4-digit establishment and 2-digit year vary so every UPN is unique and valid.
    return make_upn("330", f"{3000 + n // 1000:04d}", "23", n % 1000)


def demo_returns(folder: Path) -> DemoManifest:
    return build_demo_returns(folder, pupils=50, seed=3)
