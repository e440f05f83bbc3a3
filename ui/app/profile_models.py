"""Table models of the child profile: flags, exclusions, moves, census history and family. Each
is a small in-memory model over the profile's records, with column constants, a sort role giving
native values and a row role giving the record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypeVar

from PySide6.QtGui import QColor, QFont

from exclusion_monitor.codelists import nc_year_order
from exclusion_monitor.display import review_status_word as status_word
from exclusion_monitor.display import uk_date
from exclusion_monitor.flagging import FlagView
from exclusion_monitor.profile import CensusView, ExclusionView, FamilyMemberView, MoveView
from exclusion_monitor.record_history import EarlierReturn
from ui.app.record_table_model import ROW_ROLE as ROW_ROLE
from ui.app.record_table_model import SORT_ROLE as SORT_ROLE
from ui.app.record_table_model import RecordTableModel, font_with
from ui.app.timeline_legend import MOVE_COLOURS, MOVE_WORDS

Row = TypeVar("Row")


def day_text(value: dt.date | None) -> str:
    return uk_date(value)


class ProfileTableModel(RecordTableModel[Row]):
    """A table of the profile's records (the profile page calls set_records)."""

    @property
    def records(self) -> list[Row]:
        return self.rows

    def set_records(self, records: Sequence[Row]) -> None:
        self.set_rows(records)


class FlagsModel(ProfileTableModel[FlagView]):
    COL_RULE, COL_STATUS, COL_OFFICER, COL_RAISED, COL_REASON = range(5)
    HEADERS = ("Flag", "Status", "Officer", "First raised", "Reason")

    def __init__(self) -> None:
        super().__init__()
        self.officer_names: dict[str, str] = {}  # account -> display name (the profile sets it)

    def display(self, f: FlagView, column: int) -> str:
        officer = self.officer_names.get(f.assigned_to, f.assigned_to) if f.assigned_to else None
        return [
            f.label,
            status_word(f.status) + (" (cleared)" if f.cleared_on else ""),
            officer or "unassigned",
            day_text(f.first_raised),
            f.reason,
        ][column]

    def sort_value(self, f: FlagView, column: int) -> Any:
        if column == self.COL_RAISED:
            return f.first_raised or dt.date.min
        return self.display(f, column)

    def tooltip(self, f: FlagView, column: int) -> str | None:
        return f"{f.label} (rule {f.rule}, version {f.rule_version})\n{f.reason}"


AMENDED = "amended"
AMENDED_TIP = "A later return changed what an earlier one said; hover to read the earlier values"


def earlier_tip(earlier: Sequence[EarlierReturn]) -> str | None:
    """What earlier returns said of a record that later ones amended (the hover text)."""
    if not earlier:
        return None
    lines = [f"- {r.sentence()}" for r in earlier]
    return "Amended by a later return. Earlier:\n" + "\n".join(lines)


class ExclusionsModel(ProfileTableModel[ExclusionView]):
    COL_DATE, COL_TERM, COL_CATEGORY, COL_SESSIONS, COL_SCHOOL, COL_REASONS = range(6)
    COL_OUTCOME, COL_AMENDED = 6, 7
    HEADERS = (
        "Start date", "Term", "Category", "Sessions", "School", "Reasons", "Review outcome", "",
    )  # fmt: skip
    HEADER_TIPS = (None, None, None, None, None, None, None, AMENDED_TIP)

    def display(self, e: ExclusionView, column: int) -> str:
        sessions = "" if e.category == "PERM" else f"{e.sessions:g}"
        school = f"{e.school_name} ({e.school_laestab})" if e.school_name else "unknown school"
        outcome = e.outcome_words or ""
        if e.reversed:
            outcome += " (not counted as a permanent exclusion)"
        return [
            day_text(e.start_date),
            e.term,
            (e.category_words or e.category).capitalize(),
            sessions,
            school,
            ", ".join(e.reasons),
            outcome,
            AMENDED if e.earlier else "",
        ][column]

    def tooltip(self, e: ExclusionView, column: int) -> str | None:
        if column == self.COL_OUTCOME and e.review_outcome:
            written = f"As the school wrote it: {e.review_outcome}"
            amended = earlier_tip(e.earlier)
            return written if amended is None else f"{written}\n\n{amended}"
        return earlier_tip(e.earlier)

    def sort_value(self, e: ExclusionView, column: int) -> Any:
        if column in (self.COL_DATE, self.COL_TERM):
            return e.start_date
        if column == self.COL_SESSIONS:
            return e.sessions
        return self.display(e, column)

    def foreground(self, e: ExclusionView, column: int) -> QColor | None:
        if column == self.COL_AMENDED:
            return QColor("#8a5300")
        if e.reversed:
            return QColor("#6d4c41")
        return QColor("#b71c1c") if e.category == "PERM" else None

    def font(self, e: ExclusionView, column: int) -> QFont | None:
        if column == self.COL_AMENDED:
            return font_with(italic=True)
        return font_with(bold=True) if e.category == "PERM" and not e.reversed else None


class MovesModel(ProfileTableModel[MoveView]):
    COL_DATE, COL_KIND, COL_FROM, COL_TO = range(4)
    HEADERS = ("Date", "Kind", "From", "To")

    def display(self, m: MoveView, column: int) -> str:
        def school(name: str | None, laestab: str | None) -> str:
            return f"{name} ({laestab})" if name else "no school"

        return [
            day_text(m.date),
            MOVE_WORDS[m.kind],
            school(m.from_name, m.from_laestab),
            school(m.to_name, m.to_laestab),
        ][column]

    def sort_value(self, m: MoveView, column: int) -> Any:
        return m.date if column == self.COL_DATE else self.display(m, column)

    def foreground(self, m: MoveView, column: int) -> QColor | None:
        return MOVE_COLOURS[m.kind] if column == self.COL_KIND else None


class CensusModel(ProfileTableModel[CensusView]):
    COL_DATE, COL_SCHOOL, COL_YEAR, COL_STATUS, COL_FSM, COL_SEN, COL_LAC, COL_AMENDED = range(8)
    HEADERS = ("Census", "School", "Year group", "Enrolment", "FSM", "SEN", "Looked after", "")
    HEADER_TIPS = (None, None, None, None, None, None, None, AMENDED_TIP)

    def tooltip(self, c: CensusView, column: int) -> str | None:
        return earlier_tip(c.earlier)

    def foreground(self, c: CensusView, column: int) -> QColor | None:
        return QColor("#8a5300") if column == self.COL_AMENDED else None

    def font(self, c: CensusView, column: int) -> QFont | None:
        return font_with(italic=True) if column == self.COL_AMENDED else None

    def display(self, c: CensusView, column: int) -> str:
        def yes_no(value: bool | None) -> str:
            return "" if value is None else ("Yes" if value else "No")

        school = f"{c.school_name} ({c.school_laestab})" if c.school_name else "not on a roll"
        return [
            day_text(c.census_date),
            school,
            c.nc_year or "",
            c.enrol_status or "",
            yes_no(c.fsm),
            c.sen or "",
            yes_no(c.looked_after),
            AMENDED if c.earlier else "",
        ][column]

    def sort_value(self, c: CensusView, column: int) -> Any:
        if column == self.COL_DATE:
            return c.census_date
        if column == self.COL_YEAR:
            return nc_year_order(c.nc_year) if c.nc_year else -99
        return self.display(c, column)


class FamilyModel(ProfileTableModel[FamilyMemberView]):
    COL_NAME, COL_UPN, COL_EXCLUSIONS, COL_MOVES, COL_FLAGS, COL_CASE = range(6)
    HEADERS = ("Name", "UPN", "Exclusions", "Non-standard moves", "Flags", "Case")

    def __init__(self) -> None:
        super().__init__()
        self.officer_names: dict[str, str] = {}  # account -> display name (the profile sets it)

    def display(self, m: FamilyMemberView, column: int) -> str:
        flags = ", ".join(f.label for f in m.flags) or "no flags"
        case = ""
        if m.flags:  # every flag of a child shows the child's one case
            first = m.flags[0]
            name = self.officer_names.get(first.assigned_to or "", first.assigned_to)
            officer = f" ({name})" if name else ""
            case = status_word(first.status) + officer
        return [
            f"{m.forename} {m.surname}",
            m.upn,
            str(m.exclusions),
            str(m.non_standard_moves),
            flags,
            case,
        ][column]

    def sort_value(self, m: FamilyMemberView, column: int) -> Any:
        if column == self.COL_EXCLUSIONS:
            return m.exclusions
        if column == self.COL_MOVES:
            return m.non_standard_moves
        if column == self.COL_FLAGS:
            return len(m.flags)
        return self.display(m, column)

    def tooltip(self, m: FamilyMemberView, column: int) -> str | None:
        return "Click to open this child's profile"

    def foreground(self, m: FamilyMemberView, column: int) -> QColor | None:
        return QColor("#0b57d0") if column == self.COL_NAME else None

    def font(self, m: FamilyMemberView, column: int) -> QFont | None:
        return font_with(underline=True) if column == self.COL_NAME else None
