"""A report table (exclusion_monitor.reports.tables.ReportTable) as a Qt table model: the same
rows that are printed and exported, shown on screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from exclusion_monitor.reports.html import cell_text
from exclusion_monitor.reports.tables import Cell, ColumnKind, ReportTable
from ui.app.record_table_model import ALIGN_LEFT, ALIGN_RIGHT, RecordTableModel

SUPPRESSED_TIP = "c: a count from 1 to 4, not shown to protect individuals"


def cell_sort_value(value: Cell) -> Any:
    """A native value that sorts numbers numerically and suppressed 'c' as the smallest."""
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (2, value)
    if isinstance(value, dt.date):
        return (2, value.toordinal())
    if value == "c":
        return (1, 0)
    return (3, value.casefold())


class ReportTableModel(RecordTableModel[Sequence[Cell]]):
    """Read-only rows of one ReportTable; numbers right-aligned, 'c' explained in a tooltip."""

    def __init__(self, table: ReportTable | None = None) -> None:
        super().__init__()
        self.set_table(table if table is not None else ReportTable("", [], []))

    def set_table(self, table: ReportTable) -> None:
        with self.resetting():
            self.table = table
            self.HEADERS = [column.name for column in table.columns]
            self.rows = list(table.rows)

    def display(self, record: Sequence[Cell], column: int) -> str:
        return cell_text(record[column])

    def sort_value(self, record: Sequence[Cell], column: int) -> Any:
        return cell_sort_value(record[column])

    def row_value(self, record: Sequence[Cell]) -> list[Cell]:
        return list(record)

    def alignment(self, record: Sequence[Cell], column: int) -> int:
        kind = self.table.columns[column].kind
        return ALIGN_RIGHT if kind in (ColumnKind.INTEGER, ColumnKind.DECIMAL) else ALIGN_LEFT

    def tooltip(self, record: Sequence[Cell], column: int) -> str | None:
        return SUPPRESSED_TIP if record[column] == "c" else None
