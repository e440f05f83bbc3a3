"""Saving a batch's rejected rows as a spreadsheet to send back to the school.

The file is OFFICIAL-SENSITIVE (the rows carry names as the school sent them), says who saved
it and when, gives each rejected row once with its reasons in one column, and goes through the
one safe writer (formula-safe cells, no overwrite unless asked, audited with its full path).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from exclusion_monitor import output_files
from exclusion_monitor.access import require
from exclusion_monitor.roles import Action
from exclusion_monitor.store.batches import BatchSummary, get_batch, rejected_rows
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.users import User
from imports.errors import FileRefusedError

MARKING = "OFFICIAL-SENSITIVE"
ROW_COLUMN = "Row in the file"
REASON_COLUMN = "Why it was rejected"
SUFFIXES = (".xlsx", ".csv")


@dataclass(frozen=True, slots=True)
class RejectedSheet:
    """What the file holds: the lines above the table, the header and one line per row."""

    preamble: list[str]
    header: list[str]
    rows: list[list[str]]


def rejected_sheet(
    db: Database, batch: BatchSummary, user: User, now: dt.datetime
) -> RejectedSheet:
    """The batch's rejected rows, one line per row of the school's file, all reasons together."""
    by_row: dict[int, tuple[list[str], dict[str, object]]] = {}
    for stored in rejected_rows(db, batch.id):
        reasons, _raw = by_row.setdefault(stored.row_number, ([], stored.raw))
        if stored.reason not in reasons:
            reasons.append(stored.reason)
    columns: list[str] = []
    for _reasons, raw in by_row.values():
        for name in raw:
            if name not in columns:
                columns.append(name)
    rows = [
        [str(number), "; ".join(reasons), *[_cell(raw.get(c)) for c in columns]]
        for number, (reasons, raw) in sorted(by_row.items())
    ]
    imported = f"{batch.imported_at:%d/%m/%Y}"
    preamble = [
        f"{MARKING}: rows of a school return, with pupils' details. Keep and send securely.",
        f"Rows rejected from {batch.file_name} (import batch {batch.id}, imported on {imported}).",
        f"Saved by {user.account} on {now:%d/%m/%Y at %H:%M}.",
    ]
    return RejectedSheet(preamble, [ROW_COLUMN, REASON_COLUMN, *columns], rows)


def save_rejected_rows(
    db: Database, batch_id: int, out: Path, *, account: str, overwrite: bool = False
) -> int:
    """Write the rejected rows of a batch to .xlsx or .csv after the role check, with its audit
    row (full path) in the same transaction; returns how many rows were written."""
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileRefusedError(f"{out.name}: save rejected rows as .xlsx or .csv.")
    user = require(db, account, Action.EXPORT_REJECTED_ROWS)
    output_files.check_destination(out, overwrite=overwrite)
    batch = get_batch(db, batch_id)
    sheet = rejected_sheet(db, batch, user, dt.datetime.now())
    data = _csv_bytes(sheet) if suffix == ".csv" else None
    check = output_files.size_problem(len(data)) if data is not None else None
    with output_files.audited_file(db, out, overwrite=overwrite, check=check) as output:
        output.record(
            user.account,
            Action.EXPORT_REJECTED_ROWS,
            f"batch:{batch_id}",
            {"rows": len(sheet.rows)},
        )
        if data is not None:
            output.temporary.write_bytes(data)
        else:
            _write_xlsx(output.temporary, sheet, batch)
    return len(sheet.rows)


def _csv_bytes(sheet: RejectedSheet) -> bytes:
    import io

    buffer = io.StringIO()
    output_files.write_csv_rows(
        buffer, [[line] for line in sheet.preamble] + [[], sheet.header, *sheet.rows]
    )
    return buffer.getvalue().encode("utf-8-sig")


def _write_xlsx(path: Path, sheet: RejectedSheet, batch: BatchSummary) -> None:
    workbook = output_files.new_workbook(path)
    try:
        page = workbook.add_worksheet("Rejected rows")
        bold = workbook.add_format({"bold": True})
        marking = workbook.add_format({"bold": True, "font_color": "#b00020"})
        for r, line in enumerate(sheet.preamble):
            output_files.write_text(page, r, 0, line, marking if r == 0 else None)
        top = len(sheet.preamble) + 1
        for c, name in enumerate(sheet.header):
            output_files.write_text(page, top, c, name, bold)
        for r, values in enumerate(sheet.rows, start=top + 1):
            for c, value in enumerate(values):
                output_files.write_text(page, r, c, value)
        page.set_column(0, 0, 14)
        page.set_column(1, 1, 60)
        page.set_column(2, max(2, len(sheet.header) - 1), 16)
        page.freeze_panes(top + 1, 0)
        page.set_header(f"&C&B{MARKING}")
        workbook.set_properties(
            {"title": f"Rows rejected from {batch.file_name}", "comments": MARKING}
        )
    finally:
        workbook.close()


def _cell(value: object) -> str:
    return "" if value is None else str(value)
