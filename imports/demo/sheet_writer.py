"""Write one table to .xlsx (xlsxwriter; text as text, dates as real dates) or to CSV (UTF-8 with
BOM or Windows-1252, dates as UK text), with optional title rows above the header."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

import xlsxwriter

Cell = str | int | float | dt.date | None
BIG_FILE_ROWS = 20_000  # from here on, xlsxwriter's constant-memory mode


def uk_date(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def write_xlsx(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    title_rows: Sequence[str] = (),
    sheet_name: str = "Sheet1",
    expected_rows: int = 0,
) -> int:
    """Write the table and return the number of data rows; strings never become formulas."""
    options = {"constant_memory": expected_rows >= BIG_FILE_ROWS}
    workbook = xlsxwriter.Workbook(str(path), options)
    workbook.set_properties({"created": dt.datetime(2000, 1, 1)})  # same seed, same bytes
    try:
        sheet = workbook.add_worksheet(sheet_name)
        bold = workbook.add_format({"bold": True})
        dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
        row_number = 0
        for title in title_rows:
            sheet.write_string(row_number, 0, title, bold)
            row_number += 1
        for column, header in enumerate(headers):
            sheet.write_string(row_number, column, header, bold)
        row_number += 1
        written = 0
        for row in rows:
            for column, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    sheet.write_string(row_number, column, value)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(
                        row_number, column, dt.datetime(value.year, value.month, value.day), dates
                    )
                else:
                    sheet.write_number(row_number, column, value)
            row_number += 1
            written += 1
        sheet.set_column(0, max(len(headers) - 1, 0), 14)
    finally:
        workbook.close()
    return written


def write_csv(
    path: Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    title_rows: Sequence[str] = (),
    encoding: str = "utf-8-sig",
) -> int:
    """Write the table as CSV with Windows line endings and UK text dates."""
    written = 0
    with path.open("w", encoding=encoding, errors="replace", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        for title in title_rows:
            writer.writerow([title])
        writer.writerow(headers)
        for row in rows:
            writer.writerow(
                [uk_date(v) if isinstance(v, dt.date) else ("" if v is None else v) for v in row]
            )
            written += 1
    return written
