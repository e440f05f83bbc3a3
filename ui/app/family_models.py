"""Table models of the Families page: the families (whole-family cases first) and the children
of the selected family."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QFont

from exclusion_monitor.profile import flagged_for as rules_flagged_for
from exclusion_monitor.rules import rule_label
from exclusion_monitor.store.child_details import SchoolAndYear
from exclusion_monitor.store.families import Family, FamilyMember, FamilySuggestion
from ui.app.record_table_model import ALIGN_RIGHT, RecordTableModel, font_with

BASIS = {"reference": "Family reference", "address": "Same address", "manual": "Linked by hand"}
FAMILY_HEADERS = ["Children", "Linked by", "Flagged", "Flagged for"]
FAMILY_TIPS = [
    "The children in the family",
    "How the family was found: the census family reference, the same address, or an officer",
    "Children in the family with at least one open flag",
    "Each rule the family's children are flagged for, with how many of them",
]
MEMBER_HEADERS = ["Name", "UPN", "School", "Year", "Flags"]
SUGGESTION_HEADERS = ["Address", "Children", "Why they are not linked"]
SUGGESTION_TIPS = [
    "The address the children share, as the census gave it (line and postcode)",
    "The children who may be one family: names and UPNs only",
    "Why the address does not link them by itself",
]


def family_sort_key(family: Family) -> tuple[int, int, str]:
    """Whole-family cases (a flagged child) first, most flagged children first, then by surname."""
    first = family.members[0] if family.members else None
    return (
        0 if family.flagged else 1,
        -family.flagged_children,
        first.surname.casefold() if first else "",
    )


def flagged_for(family: Family) -> str:
    """'Repeated suspensions (2 children), Primary exclusion (1 child)'."""
    return rules_flagged_for(family.rule_counts)


def _names(family: Family) -> str:
    return "; ".join(f"{m.forename} {m.surname}" for m in family.members)


class FamiliesModel(RecordTableModel[Family]):
    HEADERS = FAMILY_HEADERS
    HEADER_TIPS = FAMILY_TIPS

    @property
    def families(self) -> list[Family]:
        return self.rows

    def set_families(self, families: list[Family]) -> None:
        self.set_rows(sorted(families, key=family_sort_key))

    def _value(self, family: Family, column: int) -> Any:
        if column == 0:
            return _names(family)
        if column == 1:
            return BASIS.get(family.basis, family.basis)
        if column == 2:
            return family.flagged_children
        return flagged_for(family)

    def display(self, family: Family, column: int) -> str:
        value = self._value(family, column)
        if column == 2:
            return f"{value} of {len(family.members)}"
        return str(value)

    def sort_value(self, family: Family, column: int) -> Any:
        value = self._value(family, column)
        return (1, value) if isinstance(value, int) else (0, str(value).casefold())

    def alignment(self, family: Family, column: int) -> int | None:
        return ALIGN_RIGHT if column == 2 else None

    def tooltip(self, family: Family, column: int) -> str | None:
        return str(self._value(family, column)) if column in (0, 3) else None

    def font(self, family: Family, column: int) -> QFont | None:
        return font_with(bold=True) if column == 2 and family.flagged_children else None


@dataclass(frozen=True, slots=True)
class MemberRow:
    member: FamilyMember
    where: SchoolAndYear | None


class FamilyMembersModel(RecordTableModel[MemberRow]):
    """The children of one family; ROW_ROLE gives the FamilyMember."""

    HEADERS = MEMBER_HEADERS

    def display(self, row: MemberRow, column: int) -> str:
        m, where = row.member, row.where
        if column == 0:
            return f"{m.surname}, {m.forename}"
        if column == 1:
            return m.upn
        if column == 2:
            return (where.school_name or "") if where else ""
        if column == 3:
            return (where.nc_year or "") if where else ""
        return ", ".join(rule_label(r) for r in m.flags) or "none"

    def sort_value(self, row: MemberRow, column: int) -> Any:
        return self.display(row, column).casefold()

    def row_value(self, row: MemberRow) -> FamilyMember:
        return row.member

    def tooltip(self, row: MemberRow, column: int) -> str | None:
        return self.display(row, column) if column in (2, 4) else None


class SuggestionsModel(RecordTableModel[FamilySuggestion]):
    """Children who share an address but are not linked, for an officer to decide."""

    HEADERS = SUGGESTION_HEADERS
    HEADER_TIPS = SUGGESTION_TIPS

    def display(self, row: FamilySuggestion, column: int) -> str:
        if column == 0:
            return row.address
        if column == 1:
            return "; ".join(f"{c.forename} {c.surname} ({c.upn})" for c in row.children)
        return row.why

    def sort_value(self, row: FamilySuggestion, column: int) -> Any:
        return self.display(row, column).casefold()

    def tooltip(self, row: FamilySuggestion, column: int) -> str | None:
        return self.display(row, column)
