"""Table models of the Families page: the families (whole-family cases first) and the children
of the selected family."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from exclusion_monitor.rules import rule_label
from exclusion_monitor.store.child_details import SchoolAndYear
from exclusion_monitor.store.families import Family, FamilyMember
from ui.app.report_table_model import ROW_ROLE, SORT_ROLE

_Index = QModelIndex | QPersistentModelIndex

BASIS = {"reference": "Family reference", "address": "Same address", "manual": "Linked by hand"}
FAMILY_HEADERS = ["Children", "Linked by", "Flagged", "Needs", "What the needs are"]
FAMILY_TIPS = [
    "The children in the family",
    "How the family was found: the census family reference, the same address, or an officer",
    "Children in the family with at least one open flag",
    "The family's count of needs: the different flag rules its children hold "
    "(the Supporting Families framework looks for 3 or more)",
    "The flag rules held by the family's children",
]
MEMBER_HEADERS = ["Name", "UPN", "School", "Year", "Flags"]


def family_sort_key(family: Family) -> tuple[int, int, str]:
    """Whole-family cases (a flagged child) first, most needs first, then by surname."""
    first = family.members[0] if family.members else None
    return (
        0 if family.flagged else 1,
        -len(family.needs),
        first.surname.casefold() if first else "",
    )


def _names(family: Family) -> str:
    return "; ".join(f"{m.forename} {m.surname}" for m in family.members)


class FamiliesModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.families: list[Family] = []

    def set_families(self, families: list[Family]) -> None:
        self.beginResetModel()
        self.families = sorted(families, key=family_sort_key)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.families)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FAMILY_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(FAMILY_HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return FAMILY_HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return FAMILY_TIPS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.families):
            return None
        column = index.column()
        if not 0 <= column < len(FAMILY_HEADERS):
            return None
        family = self.families[index.row()]
        if role == ROW_ROLE:
            return family
        flagged = sum(1 for m in family.members if m.flags)
        values: list[Any] = [
            _names(family),
            BASIS.get(family.basis, family.basis),
            flagged,
            len(family.needs),
            ", ".join(rule_label(r) for r in family.needs),
        ]
        if role == Qt.ItemDataRole.DisplayRole:
            value = values[column]
            if column == 2:
                return f"{flagged} of {len(family.members)}"
            return str(value) if value != 0 or column != 3 else "0"
        if role == SORT_ROLE:
            value = values[column]
            return (1, value) if isinstance(value, int) else (0, str(value).casefold())
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column in (0, 4):
            return str(values[column])
        if role == Qt.ItemDataRole.FontRole and column == 3 and len(family.needs) >= 3:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None


@dataclass(frozen=True, slots=True)
class MemberRow:
    member: FamilyMember
    where: SchoolAndYear | None


class FamilyMembersModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[MemberRow] = []

    def set_rows(self, rows: list[MemberRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(MEMBER_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(MEMBER_HEADERS)
        ):
            return MEMBER_HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        column = index.column()
        if not 0 <= column < len(MEMBER_HEADERS):
            return None
        row = self.rows[index.row()]
        if role == ROW_ROLE:
            return row.member
        m, where = row.member, row.where
        values = [
            f"{m.surname}, {m.forename}",
            m.upn,
            (where.school_name or "") if where else "",
            (where.nc_year or "") if where else "",
            ", ".join(rule_label(r) for r in m.flags) or "none",
        ]
        if role == Qt.ItemDataRole.DisplayRole:
            return values[column]
        if role == SORT_ROLE:
            return values[column].casefold()
        if role == Qt.ItemDataRole.ToolTipRole and column in (2, 4):
            return values[column]
        return None
