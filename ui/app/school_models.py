"""Table models of the Schools page: the register, and the children flagged at one school."""

from __future__ import annotations

from typing import Any

from exclusion_monitor.codelists import phase_label
from exclusion_monitor.display import uk_date
from exclusion_monitor.flagging import FlaggedChild
from exclusion_monitor.reports.school_register import SchoolRow
from exclusion_monitor.rules import rule_label
from ui.app.record_table_model import ALIGN_LEFT, ALIGN_RIGHT, RecordTableModel

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
    f"Suspensions starting this academic year, lunchtime suspensions included. {EXACT_TIP}",
    f"Permanent exclusions starting this academic year, not counting those reversed on review. "
    f"{EXACT_TIP}",
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


class SchoolRegisterModel(RecordTableModel[SchoolRow]):
    HEADERS = HEADERS
    HEADER_TIPS = HEADER_TIPS

    def display(self, row: SchoolRow, column: int) -> str:
        return _text(school_value(row, column), column)

    def sort_value(self, row: SchoolRow, column: int) -> Any:
        value = school_value(row, column)
        if column in _NUMERIC:
            return (0, -1.0) if value is None else (1, float(value))
        return (0, str(value).casefold())

    def alignment(self, row: SchoolRow, column: int) -> int:
        return ALIGN_RIGHT if column in _NUMERIC else ALIGN_LEFT

    def tooltip(self, row: SchoolRow, column: int) -> str | None:
        if column == COL_NAME:
            return f"{row.name} ({row.laestab})"
        if column in (COL_SUSP, COL_PERM, COL_FLAGGED):
            return EXACT_TIP
        return None


FLAGGED_HEADERS = ["UPN", "Name", "Date of birth", "Flags"]


class FlaggedAtSchoolModel(RecordTableModel[FlaggedChild]):
    """The children flagged at one school."""

    HEADERS = FLAGGED_HEADERS

    def set_children(self, children: list[FlaggedChild]) -> None:
        self.set_rows(children)

    def display(self, child: FlaggedChild, column: int) -> str:
        if column == 0:
            return child.upn
        if column == 1:
            return f"{child.surname}, {child.forename}"
        if column == 2:
            return uk_date(child.date_of_birth)
        return ", ".join(rule_label(f.rule) for f in child.flags)

    def sort_value(self, child: FlaggedChild, column: int) -> Any:
        if column == 1:
            return self.display(child, column).casefold()
        if column == 2:
            return child.date_of_birth.toordinal() if child.date_of_birth else 0
        return self.display(child, column)

    def tooltip(self, child: FlaggedChild, column: int) -> str | None:
        return "\n".join(f.reason for f in child.flags) if column == 3 else None
