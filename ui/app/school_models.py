"""Table models of the Schools page: the register, and the children flagged at one school."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from exclusion_monitor.codelists import phase_label
from exclusion_monitor.flagging import FlaggedChild
from exclusion_monitor.reports.school_register import SchoolRow
from exclusion_monitor.rules import rule_label
from ui.app.report_table_model import ROW_ROLE, SORT_ROLE

_Index = QModelIndex | QPersistentModelIndex

(
    COL_LAESTAB,
    COL_NAME,
    COL_PHASE,
    COL_ROLL,
    COL_SUSP,
    COL_PERM,
    COL_SUSP_RATE,
    COL_PERM_RATE,
    COL_RELATIVE,
    COL_FLAGGED,
) = range(10)
HEADERS = [
    "LAESTAB",
    "School",
    "Phase",
    "Roll",
    "Suspensions",
    "Permanent",
    "Susp. per 100",
    "Perm. per 100",
    "vs authority",
    "Flagged",
]
EXACT_TIP = (
    "Exact count, on screen only: you may see these children's records. Exports show counts "
    "from 1 to 4 as 'c', as published statistics do."
)
HEADER_TIPS = [
    "Local authority and establishment number",
    "School name",
    "Phase of education",
    "Pupils on roll at the spring census (the denominator of the rates)",
    f"Suspensions starting this academic year. {EXACT_TIP}",
    f"Permanent exclusions starting this academic year. {EXACT_TIP}",
    "Suspensions per 100 pupils on roll",
    "Permanent exclusions per 100 pupils on roll",
    "The school's suspension rate divided by the authority's (1.00 = the same)",
    f"Children with an open flag whose current school this is. {EXACT_TIP}",
]
_NUMERIC = {COL_ROLL, COL_SUSP, COL_PERM, COL_SUSP_RATE, COL_PERM_RATE, COL_RELATIVE, COL_FLAGGED}


def school_value(row: SchoolRow, column: int) -> Any:
    r = row.rates
    return {
        COL_LAESTAB: row.laestab,
        COL_NAME: row.name,
        COL_PHASE: phase_label(row.phase),
        COL_ROLL: r.pupils,
        COL_SUSP: r.suspensions,
        COL_PERM: r.permanents,
        COL_SUSP_RATE: r.suspension_rate,
        COL_PERM_RATE: r.permanent_rate,
        COL_RELATIVE: r.relative_suspension_rate,
        COL_FLAGGED: len(row.flagged),
    }[column]


def _text(value: Any, column: int) -> str:
    if value is None:
        return ""
    if column in (COL_SUSP_RATE, COL_PERM_RATE, COL_RELATIVE):
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("_", " ")


class SchoolRegisterModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SchoolRow] = []

    def set_rows(self, rows: list[SchoolRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        column = index.column()
        if not 0 <= column < len(HEADERS):
            return None
        row = self.rows[index.row()]
        if role == ROW_ROLE:
            return row
        value = school_value(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(value, column)
        if role == SORT_ROLE:
            if column in _NUMERIC:
                return (0, -1.0) if value is None else (1, float(value))
            return (0, str(value).casefold())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if column in _NUMERIC else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_NAME:
                return f"{row.name} ({row.laestab})"
            if column in (COL_SUSP, COL_PERM, COL_FLAGGED):
                return EXACT_TIP
        return None


FLAGGED_HEADERS = ["UPN", "Name", "Date of birth", "Flags"]


class FlaggedAtSchoolModel(QAbstractTableModel):
    """The children flagged at one school."""

    def __init__(self) -> None:
        super().__init__()
        self.children_: list[FlaggedChild] = []

    def set_children(self, children: list[FlaggedChild]) -> None:
        self.beginResetModel()
        self.children_ = children
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.children_)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FLAGGED_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(FLAGGED_HEADERS)
        ):
            return FLAGGED_HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.children_):
            return None
        if not 0 <= index.column() < len(FLAGGED_HEADERS):
            return None
        child = self.children_[index.row()]
        if role == ROW_ROLE:
            return child
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            if column == 0:
                return child.upn
            if column == 1:
                name = f"{child.surname}, {child.forename}"
                return name if role == Qt.ItemDataRole.DisplayRole else name.casefold()
            if column == 2:
                if role == SORT_ROLE:
                    return child.date_of_birth.toordinal() if child.date_of_birth else 0
                return child.date_of_birth.strftime("%d/%m/%Y") if child.date_of_birth else ""
            return ", ".join(rule_label(f.rule) for f in child.flags)
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return "\n".join(f.reason for f in child.flags)
        return None
