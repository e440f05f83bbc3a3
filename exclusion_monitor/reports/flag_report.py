"""The flag list managers take to panels (docs/reports.md, "The flag list"): one line per child
(the summary layout, the default) or grouped with every reason (the detailed layout), by school
or by family, as a printable document; the flat export is in reports/flag_export.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from exclusion_monitor.display import review_status_word
from exclusion_monitor.flagging import (
    FlagFilter,
    FlaggedChild,
    FlagView,
    default_as_of,
    flag_list,
)
from exclusion_monitor.profile import child_profile, family_flag_summary
from exclusion_monitor.records import MoveKind
from exclusion_monitor.reports.html import PrintableDocument, heading, paragraph
from exclusion_monitor.reports.tables import Cell, Column, ColumnKind, ReportTable
from exclusion_monitor.rules.registry import rule_label
from exclusion_monitor.store import Database, profiles
from exclusion_monitor.store import families as family_store
from exclusion_monitor.store.profiles import current_places
from exclusion_monitor.store.users import officer_names

NO_SCHOOL = "No current school"
GROUPINGS = ("school", "family")
LAYOUTS = ("summary", "detailed")


def display_name(surname: str, forename: str, *, initials: bool) -> str:
    """'Surname, Forename', or initials only ('A. S.') for a printout with minimal fields."""
    if initials:
        return " ".join(f"{part[0].upper()}." for part in (forename, surname) if part)
    return f"{surname}, {forename}"


CHILD_COLUMNS = [
    Column("UPN"),
    Column("Name"),
    Column("Year"),
    Column("Flags"),
    Column("Reasons"),
    Column("Case"),
]


def _child_row(child: FlaggedChild, year: str | None, initials: bool) -> list[str | None]:
    return [
        child.upn,
        display_name(child.surname, child.forename, initials=initials),
        year,
        "\n".join(rule_label(f.rule) for f in child.flags),
        "\n".join(f.reason for f in child.flags),
        "\n".join(
            review_status_word(f.status) + (f" ({f.assigned_to})" if f.assigned_to else "")
            for f in child.flags[:1]
        ),
    ]


def _flagged(db: Database, filters: FlagFilter) -> tuple[dt.date, list[FlaggedChild]]:
    as_of = filters.as_of or default_as_of(db) or dt.date.today()
    found = flag_list(
        db,
        as_of=as_of,
        rules=filters.rules,
        school_laestab=filters.school_laestab,
        statuses=filters.statuses,
        officer=filters.officer,
        family_only=filters.family_only,
    )
    return as_of, found


def flag_list_tables(
    db: Database, filters: FlagFilter, *, group_by: str = "school", initials: bool = False
) -> list[ReportTable]:
    """The flag list as tables: one per school (or per family, with every sibling)."""
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}")
    as_of, children = _flagged(db, filters)
    with db.read() as conn:
        places = current_places(conn, [c.child_id for c in children], as_of)
    if group_by == "family":
        return _family_tables(db, children, as_of, initials)
    groups: dict[str, list[FlaggedChild]] = {}
    for child in children:
        place = places.get(child.child_id)
        title = f"{place.name} ({place.laestab})" if place else NO_SCHOOL
        groups.setdefault(title, []).append(child)
    ordered = sorted(groups, key=lambda title: (title == NO_SCHOOL, title.casefold()))
    return [
        ReportTable(
            f"{title}: {len(groups[title])} flagged",
            CHILD_COLUMNS,
            [
                _child_row(
                    c, places[c.child_id].nc_year if c.child_id in places else None, initials
                )
                for c in groups[title]
            ],
        )
        for title in ordered
    ]


FAMILY_COLUMNS = [
    Column("UPN"),
    Column("Name"),
    Column("Year"),
    Column("School"),
    Column("Flags and reasons"),
    Column("Exclusions", ColumnKind.INTEGER),
    Column("Non-standard moves", ColumnKind.INTEGER),
]


def _family_tables(
    db: Database,
    children: Sequence[FlaggedChild],
    as_of: dt.date,
    initials: bool,
) -> list[ReportTable]:
    """One table per family with a flagged child: every child in it, flagged or not."""
    seen: set[int] = set()
    tables = []
    for child in children:
        if child.family_id is None or child.family_id in seen:
            continue
        seen.add(child.family_id)
        profile = child_profile(db, child.child_id, as_of=as_of)
        members = [
            (
                child.child_id,
                profile.child.upn,
                profile.child.surname,
                profile.child.forename,
                profile.flags,
                len(profile.exclusions),
                sum(1 for m in profile.moves if m.kind is MoveKind.NON_STANDARD),
            ),
            *[
                (
                    m.child_id,
                    m.upn,
                    m.surname,
                    m.forename,
                    m.flags,
                    m.exclusions,
                    m.non_standard_moves,
                )
                for m in profile.family
            ],
        ]
        with db.read() as conn:
            member_places = current_places(conn, [m[0] for m in members], as_of)
        rows = []
        for child_id, upn, surname, forename, flags, exclusions, moves in members:
            place = member_places.get(child_id)
            rows.append(
                [
                    upn,
                    display_name(surname, forename, initials=initials),
                    place.nc_year if place else None,
                    place.name if place else NO_SCHOOL,
                    "\n".join(f"{rule_label(f.rule)}: {f.reason}" for f in flags) or "no flags",
                    exclusions,
                    moves,
                ]
            )
        tables.append(
            ReportTable(
                f"Family {child.family_id}: {family_flag_summary(*profile.family_flagged)}",
                FAMILY_COLUMNS,
                rows,
            )
        )
    return tables


@dataclass(frozen=True, slots=True)
class FlagListRow:
    """One child of the flag list, every value a single fact (for one line, or one row of a
    spreadsheet); `flags` empty for a brother or sister listed with a flagged child."""

    child_id: int
    upn: str
    surname: str
    forename: str
    school_laestab: str | None
    school_name: str | None
    nc_year: str | None
    family_id: int | None
    family_size: int
    flags: tuple[FlagView, ...]
    case_status: str | None
    officer: str | None
    last_action: dt.date | None

    @property
    def first_raised(self) -> dt.date | None:
        days = [f.first_raised for f in self.flags if f.first_raised is not None]
        return min(days) if days else None

    def name(self, *, initials: bool) -> str:
        return display_name(self.surname, self.forename, initials=initials)

    def flag_names(self) -> str:
        return ", ".join(rule_label(f.rule) for f in self.flags) or "none"


def _case_columns(
    child: FlaggedChild, names: dict[str, str]
) -> tuple[str | None, str | None, dt.date | None]:
    """(case status in words, officer by name, last action date) of a flagged child: the
    child's case, whose last action is its last change, or, before anyone acted, the day the
    first flag was raised."""
    first = child.flags[0] if child.flags else None
    if first is None:
        return None, None, None
    officer = names.get(first.assigned_to or "", first.assigned_to)
    acted = first.last_action_at.date() if first.last_action_at else None
    raised = [f.first_raised for f in child.flags if f.first_raised is not None]
    return review_status_word(first.status), officer, acted or (min(raised) if raised else None)


def flag_list_rows(db: Database, filters: FlagFilter) -> tuple[dt.date, list[FlagListRow]]:
    """The flagged children as of the filter's date (default: the latest in the data), each
    with the school and year group of the latest census by then and the child's case; ordered
    by school (those with no current school last), then name."""
    as_of, children = _flagged(db, filters)
    with db.read() as conn:
        places = current_places(conn, [c.child_id for c in children], as_of)
        names = officer_names(conn)
    rows = []
    for child in children:
        place = places.get(child.child_id)
        status, officer, last_action = _case_columns(child, names)
        rows.append(
            FlagListRow(
                child.child_id,
                child.upn,
                child.surname,
                child.forename,
                place.laestab if place else None,
                place.name if place else None,
                place.nc_year if place else None,
                child.family_id,
                child.family_size,
                child.flags,
                status,
                officer,
                last_action,
            )
        )
    rows.sort(key=_school_order)
    return as_of, rows


def _school_order(row: FlagListRow) -> tuple[bool, str, str, str, str]:
    return (
        row.school_name is None,
        (row.school_name or "").casefold(),
        row.surname.casefold(),
        row.forename.casefold(),
        row.upn,
    )


SUMMARY_COLUMNS = [
    Column("UPN"),
    Column("Name"),
    Column("School"),
    Column("Year"),
    Column("Flags"),
    Column("Case status"),
    Column("Officer"),
    Column("Last action", ColumnKind.DATE),
]


def _summary_cells(row: FlagListRow, initials: bool) -> list[Cell]:
    return [
        row.upn,
        row.name(initials=initials),
        row.school_name or NO_SCHOOL,
        row.nc_year,
        row.flag_names(),
        row.case_status,
        row.officer,
        row.last_action,
    ]


def summary_table(db: Database, filters: FlagFilter, *, initials: bool = False) -> ReportTable:
    """The one-line-per-child list: a single table ordered by school, then name."""
    _as_of, rows = flag_list_rows(db, filters)
    return ReportTable("", SUMMARY_COLUMNS, [_summary_cells(r, initials) for r in rows])


def family_summary_table(
    db: Database, filters: FlagFilter, *, initials: bool = False
) -> ReportTable:
    """One line per child of every family with a flagged child (brothers and sisters with no
    flag of their own too), family by family."""
    as_of, rows = flag_list_rows(db, filters)
    flagged = {r.child_id: r for r in rows if r.family_id is not None}
    wanted = {r.family_id for r in flagged.values() if r.family_id is not None}
    with db.read() as conn:
        members = family_store.members_of(conn, wanted)
        others = [c for ids in members.values() for c in ids if c not in flagged]
        people = profiles.child_identities(conn, others)
        places = current_places(conn, others, as_of)
    lines: list[list[Cell]] = []
    for family_id in sorted(members):
        in_family = []
        for child_id in members[family_id]:
            if child_id in flagged:
                in_family.append(flagged[child_id])
                continue
            person, place = people.get(child_id), places.get(child_id)
            if person is None:
                continue
            in_family.append(
                FlagListRow(
                    child_id, person.upn, person.surname, person.forename,
                    place.laestab if place else None, place.name if place else None,
                    place.nc_year if place else None, family_id, len(members[family_id]),
                    (), None, None, None,
                )
            )  # fmt: skip
        in_family.sort(key=lambda r: (r.surname.casefold(), r.forename.casefold(), r.upn))
        lines.extend([f"Family {family_id}", *_summary_cells(r, initials)] for r in in_family)
    return ReportTable("", [Column("Family"), *SUMMARY_COLUMNS], lines)


def flag_list_document(
    db: Database,
    filters: FlagFilter,
    *,
    group_by: str = "school",
    initials: bool = False,
    landscape: bool = True,
    layout: str = "summary",
) -> PrintableDocument:
    """The printable flag list: a heading, what it covers, then one line per child (`summary`)
    or the grouped tables with every reason (`detailed`); A4 landscape unless told otherwise."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}")
    as_of = filters.as_of or default_as_of(db) or dt.date.today()
    filters = replace(filters, as_of=as_of)
    family = group_by == "family"
    tables: list[ReportTable]
    if layout == "summary":
        table = (family_summary_table if family else summary_table)(db, filters, initials=initials)
        children = sum(1 for row in table.rows if not family or row[5] != "none")
        families = len({row[0] for row in table.rows}) if family else 0
        summary = (
            f"{children} flagged children in {families} families, one line each with their "
            "brothers and sisters"
            if family
            else f"{children} flagged children, one line each, by school"
        )
        tables = [table] if table.rows else []
    else:
        tables = flag_list_tables(db, filters, group_by=group_by, initials=initials)
        summary = (
            f"{len(tables)} families with at least one flagged child"
            if family
            else f"{sum(len(t.rows) for t in tables)} flagged children in {len(tables)} groups"
        )
    blocks: list[str | ReportTable] = [
        heading("Flag list" + (" - whole-family cases" if family else "")),
        paragraph(
            f"As of {as_of:%d/%m/%Y}. {summary}. Filter: {filters.describe()}. Flags support an "
            "officer's judgement; they do not replace it."
            + (" Each child's reasons are in the detailed layout." if layout == "summary" else "")
        ),
    ]
    blocks.extend(tables)
    if not tables:
        blocks.append(paragraph("No child is flagged for this filter."))
    # One line per child needs the room: 8 point type, still easily read on paper.
    points = 8.0 if layout == "summary" else 9.0
    return PrintableDocument("Flag list", blocks, landscape=landscape, font_points=points)
