"""A report table (exclusion_monitor.reports.tables.ReportTable) as a Qt table model: the same
rows that are printed and exported, shown on screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from exclusion_monitor.reports.html import cell_text
from exclusion_monitor.reports.tables import Cell, ColumnKind, ReportTable

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
SUPPRESSED_TIP = "c: a count from 1 to 4, not shown to protect individuals"

_Index = QModelIndex | QPersistentModelIndex


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


class ReportTableModel(QAbstractTableModel):
    """Read-only rows of one ReportTable; numbers right-aligned, 'c' explained in a tooltip."""

    def __init__(self, table: ReportTable | None = None) -> None:
        super().__init__()
        self.table = table or ReportTable("", [], [])

    def set_table(self, table: ReportTable) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.table.columns[section].name
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if not 0 <= index.column() < self.columnCount():
            return None
        row = self.table.rows[index.row()]
        value = row[index.column()]
        numeric = self.table.columns[index.column()].kind in (
            ColumnKind.INTEGER,
            ColumnKind.DECIMAL,
        )
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(value)
        if role == SORT_ROLE:
            return cell_sort_value(value)
        if role == ROW_ROLE:
            return list(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and value == "c":
            return SUPPRESSED_TIP
        return None


class SortByValueProxy(QSortFilterProxyModel):
    """Sorts on SORT_ROLE with Python's ordering (numbers as numbers, text folded)."""

    def lessThan(self, left: _Index, right: _Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
