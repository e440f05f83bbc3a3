"""Report tables as Excel workbooks and CSV files, safe to open.

Every file goes through the one writer (exclusion_monitor/output_files.py): text is written as
text and made inert where a spreadsheet could read it as a formula, the file is never written
through a link or over a database, and replaces an existing file only when asked. An export a
person asks for is an operation (`operations.output.export_report`): the role check, and the
file and its audit row as one.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import xlsxwriter

from exclusion_monitor import output_files
from exclusion_monitor.display import uk_date, uk_time
from exclusion_monitor.reports.tables import Cell, ColumnKind, ReportContext, ReportTable

MAX_WIDTH = 60
SUFFIXES = (".xlsx", ".csv")  # what an export may be written as


def _csv_cell(value: Cell) -> Cell:
    if isinstance(value, dt.date):
        return uk_date(value)
    return value


def csv_bytes(table: ReportTable, context: ReportContext) -> bytes:
    """UTF-8 with BOM (so Excel on Windows reads accents), UK dates, a marking line first that
    says what the file is, who made it and when, and the audit chain head."""
    produced = uk_time(context.produced_at)
    first = f"{context.marking}: {context.title} - {context.authority} - produced by "
    first += f"{context.produced_by} on {produced}"
    if context.audit_hash:
        first += f" - audit chain {context.audit_hash}"
    buffer = io.StringIO()
    output_files.write_csv_rows(
        buffer,
        [
            [first],
            [c.name for c in table.columns],
            *[[_csv_cell(v) for v in r] for r in table.rows],
        ],
    )
    return buffer.getvalue().encode("utf-8-sig")


def write_csv(
    path: Path, table: ReportTable, context: ReportContext, *, overwrite: bool = False
) -> Path:
    """One table as a CSV file, through the safe writer (no audit row: an export a person asks
    for is `operations.output.export_report`)."""
    data = csv_bytes(table, context)
    target = output_files.check_destination(path, overwrite=overwrite)
    check = output_files.size_problem(len(data))
    with output_files.replacing(target, overwrite=overwrite, check=check) as temporary:
        temporary.write_bytes(data)
    return target


def write_xlsx(
    path: Path, tables: list[ReportTable], context: ReportContext, *, overwrite: bool = False
) -> Path:
    """Tables as a workbook, through the safe writer (no audit row: an export a person asks for
    is `operations.output.export_report`)."""
    target = output_files.check_destination(path, overwrite=overwrite)
    with output_files.replacing(target, overwrite=overwrite) as temporary:
        xlsx_to(temporary, tables, context)
    return target


def xlsx_to(path: Path, tables: list[ReportTable], context: ReportContext) -> None:
    """One sheet per table (real dates, frozen header, filters, widths) and an 'About' sheet."""
    book = output_files.new_workbook(path)
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
            output_files.write_text(about, row, 0, label, bold)
            output_files.write_text(about, row, 1, value)
        book.set_properties({"title": context.title, "comments": context.marking})
    finally:
        book.close()


def _sheet_name(title: str, used: set[str]) -> str:
    """A name Excel accepts: none of []:*?/\\ or control characters, no apostrophe at either
    end, at most 31 characters, unique (a school's name is whatever the school sent)."""
    cleaned = "".join("_" if ch in "[]:*?/\\" or ord(ch) < 32 else ch for ch in title)
    base = cleaned.strip("' ")[:31].strip("' ") or "Sheet"
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
    # "About" comes last; Excel keeps "History" for itself.
    used = {ws.get_name().lower() for ws in book.worksheets()} | {"about", "history"}
    sheet = book.add_worksheet(_sheet_name(table.title, used))
    widths = [max(len(c.name), 8) for c in table.columns]
    for col, column in enumerate(table.columns):
        output_files.write_text(sheet, 0, col, column.name, header)
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
                text = output_files.write_text(sheet, r, col, _plain(value))
                widths[col] = max(widths[col], min(len(text), MAX_WIDTH))
    for col, column in enumerate(table.columns):
        sheet.set_column(col, col, (column.width or widths[col]) + 2)
    sheet.freeze_panes(1, 0)
    if table.columns:
        sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.columns) - 1)


def _plain(value: Cell) -> str:
    if isinstance(value, dt.date):
        return uk_date(value)
    return "" if value is None else str(value)
