"""Excel and CSV exports of a report table, safe to open: no cell can ever run as a formula.

Text is written as text; a value starting with =, +, -, @, tab, carriage return or line feed is
prefixed with an apostrophe (the usual defence against spreadsheet formula injection).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import xlsxwriter

from exclusion_monitor.reports.tables import Cell, ColumnKind, ReportContext, ReportTable

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_WIDTH = 60


def neutralise(text: str) -> str:
    """The text, made inert for spreadsheets if it could start a formula."""
    return "'" + text if text.startswith(DANGEROUS_FIRST) else text


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))


def write_csv(path: Path, table: ReportTable, context: ReportContext) -> Path:
    """UTF-8 with BOM (so Excel on Windows reads accents), UK dates, a marking line first."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([f"{context.marking}: {context.title} - {context.authority}"])
        writer.writerow([c.name for c in table.columns])
        for row in table.rows:
            writer.writerow([_csv_cell(v) for v in row])
    return path


def write_xlsx(path: Path, tables: list[ReportTable], context: ReportContext) -> Path:
    """One sheet per table (real dates, frozen header, filters, widths) and an 'About' sheet."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    try:
        header = book.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1})
        date = book.add_format({"num_format": "dd/mm/yyyy"})
        decimal = book.add_format({"num_format": "0.00"})
        for table in tables:
            _write_sheet(book, table, header, date, decimal)
        about = book.add_worksheet("About")
        about.set_column(0, 0, 18)
        about.set_column(1, 1, 90)
        bold = book.add_format({"bold": True})
        for row, (label, value) in enumerate(context.describe()):
            about.write_string(row, 0, label, bold)
            about.write_string(row, 1, neutralise(value))
        book.set_properties({"title": context.title, "comments": context.marking})
    finally:
        book.close()
    return path


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _write_sheet(
    book: xlsxwriter.Workbook,
    table: ReportTable,
    header: xlsxwriter.format.Format,
    date: xlsxwriter.format.Format,
    decimal: xlsxwriter.format.Format,
) -> None:
    used = {ws.get_name().lower() for ws in book.worksheets()}
    sheet = book.add_worksheet(_sheet_name(table.title, used))
    widths = [max(len(c.name), 8) for c in table.columns]
    for col, column in enumerate(table.columns):
        sheet.write_string(0, col, column.name, header)
    for r, row in enumerate(table.rows, start=1):
        for col, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            if value is None or value == "":
                continue
            if column.kind is ColumnKind.DATE and isinstance(value, dt.date):
                moment = dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value
                sheet.write_datetime(r, col, moment, date)
                widths[col] = max(widths[col], 10)
            elif column.kind in (ColumnKind.INTEGER, ColumnKind.DECIMAL) and isinstance(
                value, int | float
            ):
                style = decimal if column.kind is ColumnKind.DECIMAL else None
                sheet.write_number(r, col, value, style)
                widths[col] = max(widths[col], len(f"{value:.2f}"))
            else:
                text = neutralise(_plain(value))
                sheet.write_string(r, col, text)
                widths[col] = max(widths[col], min(len(text), MAX_WIDTH))
    for col, column in enumerate(table.columns):
        sheet.set_column(col, col, (column.width or widths[col]) + 2)
    sheet.freeze_panes(1, 0)
    if table.columns:
        sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.columns) - 1)


def _plain(value: Cell) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)
