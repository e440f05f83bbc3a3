"""Table model of the children list (one row per child)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from exclusion_monitor.records import ChildSummary

COL_UPN, COL_NAME, COL_DOB, COL_YEAR, COL_SCHOOL, COL_FLAGS = range(6)
HEADERS = ["UPN", "Name", "Date of birth", "Year", "School", "Flags"]
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class ChildrenTableModel(QAbstractTableModel):
    def __init__(self, rows: list[ChildSummary] | None = None) -> None:
        super().__init__()
        self._rows: list[ChildSummary] = rows or []

    def set_rows(self, rows: list[ChildSummary]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        child = self._rows[index.row()]
        column = index.column()
        if role == ROW_ROLE:
            return child
        if role == SORT_ROLE:
            return self._sort_value(child, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(child, column)
        return None

    @staticmethod
    def _display(child: ChildSummary, column: int) -> str:
        if column == COL_UPN:
            return child.upn
        if column == COL_NAME:
            return f"{child.surname}, {child.forename}"
        if column == COL_DOB:
            return child.date_of_birth.strftime("%d/%m/%Y") if child.date_of_birth else ""
        if column == COL_YEAR:
            return child.nc_year or ""
        if column == COL_SCHOOL:
            return child.school_name or ""
        return str(child.flag_count) if child.flag_count else ""

    @staticmethod
    def _sort_value(child: ChildSummary, column: int) -> Any:
        if column == COL_DOB:
            return child.date_of_birth.toordinal() if child.date_of_birth else 0
        if column == COL_FLAGS:
            return child.flag_count
        return ChildrenTableModel._display(child, column).casefold()
