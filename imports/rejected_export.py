"""Saving a batch's rejected rows as a spreadsheet to send back to the school.

Cells are written as text so a value starting with '=' stays text, never a live formula.
"""

from __future__ import annotations

from pathlib import Path

from exclusion_monitor.store.batches import get_batch, rejected_rows
from exclusion_monitor.store.database import Database
from imports.errors import FileRefusedError


def save_rejected_rows(db: Database, batch_id: int, out: Path) -> int:
    """Write the rejected rows of a batch (row number, reason, then the row as read) to .xlsx or
    .csv; returns how many rows were written."""
    batch = get_batch(db, batch_id)
    rows = rejected_rows(db, batch_id)
    columns: list[str] = []
    for row in rows:
        for name in row.raw:
            if name not in columns:
                columns.append(name)
    header = ["Row", "Reason", *columns]
    table = [[str(r.row_number), r.reason, *[_cell(r.raw.get(c)) for c in columns]] for r in rows]
    suffix = out.suffix.lower()
    if suffix == ".csv":
        import csv

        with out.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(table)
        return len(rows)
    if suffix != ".xlsx":
        raise FileRefusedError(f"{out.name}: save rejected rows as .xlsx or .csv.")
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(out),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    sheet = workbook.add_worksheet("Rejected rows")
    bold = workbook.add_format({"bold": True})
    sheet.write_string(
        0, 0, f"Rows rejected from {batch.file_name} (import batch {batch.id})", bold
    )
    for c, name in enumerate(header):
        sheet.write_string(2, c, name, bold)
    for r, values in enumerate(table, start=3):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, len(header), 16)
    sheet.freeze_panes(3, 0)
    workbook.close()
    return len(rows)


def _cell(value: object) -> str:
    return "" if value is None else str(value)
