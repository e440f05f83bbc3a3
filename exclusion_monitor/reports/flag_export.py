"""The flag list for a spreadsheet (docs/reports.md, "The authority's spreadsheet"): one flat
sheet for the whole authority, one row per child and one value per cell, so that it can be
filtered, sorted and pivoted; a sheet of the flags themselves with their reasons; and, only
when asked, a sheet per school."""

from __future__ import annotations

import datetime as dt

from exclusion_monitor.flagging import FlagFilter
from exclusion_monitor.reports.flag_report import (
    NO_SCHOOL,
    FlagListRow,
    flag_list_rows,
)
from exclusion_monitor.reports.tables import Cell, Column, ColumnKind, ReportTable
from exclusion_monitor.rules.registry import RULES, rule_label
from exclusion_monitor.store import Database

CHILDREN_SHEET = "Flagged children"
FLAGS_SHEET = "Flags"
FLAGGED = "Yes"
CONTROLLED_NOTICE = (
    "Controlled data: personal data about children, some of it special category. Keep this "
    "file on the authority's own systems, share it only with those who need it for the "
    "children's support, and delete it when that work is done. The audit trail records who "
    "exported it and when."
)


def _name_columns(initials: bool) -> list[Column]:
    return [Column("Initials")] if initials else [Column("Surname"), Column("Forename")]


def _name_cells(row: FlagListRow, initials: bool) -> list[Cell]:
    return [row.name(initials=True)] if initials else [row.surname, row.forename]


def children_columns(initials: bool) -> list[Column]:
    return [
        Column("UPN"),
        *_name_columns(initials),
        Column("Year group"),
        Column("School LAESTAB"),
        Column("School"),
        Column("Family", ColumnKind.INTEGER),
        Column("Children in family", ColumnKind.INTEGER),
        Column("Flags", ColumnKind.INTEGER),
        *[Column(rule.label) for rule in RULES.values()],
        Column("First raised", ColumnKind.DATE),
        Column("Case status"),
        Column("Officer"),
        Column("Last action", ColumnKind.DATE),
    ]


def _child_cells(row: FlagListRow, initials: bool) -> list[Cell]:
    held = {f.rule for f in row.flags}
    return [
        row.upn,
        *_name_cells(row, initials),
        row.nc_year,
        row.school_laestab,
        row.school_name or NO_SCHOOL,
        row.family_id,
        row.family_size if row.family_id is not None else None,
        len(row.flags),
        *[FLAGGED if rule_id in held else None for rule_id in RULES],
        row.first_raised,
        row.case_status,
        row.officer,
        row.last_action,
    ]


def flags_columns(initials: bool) -> list[Column]:
    return [
        Column("UPN"),
        *_name_columns(initials),
        Column("School LAESTAB"),
        Column("School"),
        Column("Flag"),
        Column("Rule"),
        Column("First raised", ColumnKind.DATE),
        Column("Last seen", ColumnKind.DATE),
        Column("Reason"),
    ]


def _flag_cells(row: FlagListRow, initials: bool) -> list[list[Cell]]:
    return [
        [
            row.upn,
            *_name_cells(row, initials),
            row.school_laestab,
            row.school_name or NO_SCHOOL,
            rule_label(flag.rule),
            flag.rule,
            flag.first_raised,
            flag.last_seen,
            flag.reason,
        ]
        for flag in row.flags
    ]


SHEET_NAME_MOST = 31  # Excel's limit


def _sheet_title(laestab: str | None, name: str) -> str:
    """'3352005 Beechwood Fields': the LAESTAB (unique) and as many whole words of the name as
    Excel's 31 characters allow."""
    if not laestab:
        return NO_SCHOOL
    title = laestab
    for word in name.split():
        if len(title) + 1 + len(word) > SHEET_NAME_MOST:
            break
        title += " " + word
    return title


def flag_export_tables(
    db: Database,
    filters: FlagFilter,
    *,
    initials: bool = False,
    per_school: bool = False,
    group_by: str = "school",
) -> tuple[dt.date, list[ReportTable]]:
    """(the as-of date, the sheets): every flagged child on one sheet, every flag on another,
    and with `per_school` a sheet per school (named by its LAESTAB and name) after them.
    Children are in school order, or family by family (`group_by` "family")."""
    as_of, rows = flag_list_rows(db, filters)
    if group_by == "family":
        rows.sort(key=lambda r: (r.family_id is None, r.family_id or 0))
    sheets = [
        ReportTable(
            CHILDREN_SHEET, children_columns(initials), [_child_cells(r, initials) for r in rows]
        ),
        ReportTable(
            FLAGS_SHEET,
            flags_columns(initials),
            [line for r in rows for line in _flag_cells(r, initials)],
        ),
    ]
    if per_school:
        schools: dict[str | None, list[FlagListRow]] = {}
        for row in rows:
            schools.setdefault(row.school_laestab, []).append(row)
        for laestab, members in schools.items():
            name = members[0].school_name if laestab else NO_SCHOOL
            sheets.append(
                ReportTable(
                    _sheet_title(laestab, name or ""),
                    children_columns(initials),
                    [_child_cells(r, initials) for r in members],
                )
            )
    return as_of, sheets
