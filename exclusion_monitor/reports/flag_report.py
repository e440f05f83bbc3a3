"""The flag list managers take to panels: flagged children grouped by school or by family, with
their reasons, as a printable document and as tables for export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from exclusion_monitor.flagging import FlaggedChild, default_as_of, flag_list
from exclusion_monitor.identity import os_account
from exclusion_monitor.profile import child_profile, family_flag_summary
from exclusion_monitor.records import MoveKind
from exclusion_monitor.reports.html import PrintableDocument, heading, paragraph
from exclusion_monitor.reports.tables import Column, ColumnKind, ReportContext, ReportTable
from exclusion_monitor.rules.registry import rule_label
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.profiles import current_places
from exclusion_monitor.store.settings import get_setting

AUTHORITY_SETTING = "authority.name"
NO_SCHOOL = "No current school"
GROUPINGS = ("school", "family")


@dataclass(frozen=True, slots=True)
class FlagFilter:
    """What the flag list is restricted to (as on the Flags page)."""

    as_of: dt.date | None = None
    rules: Collection[str] | None = None
    school_laestab: str | None = None
    statuses: Collection[str] | None = None
    officer: str | None = None
    family_only: bool = False

    def describe(self) -> str:
        parts = []
        if self.rules:
            parts.append("rules: " + ", ".join(sorted(self.rules)))
        if self.school_laestab:
            parts.append(f"school: {self.school_laestab}")
        if self.statuses:
            parts.append("status: " + ", ".join(sorted(self.statuses)))
        if self.officer:
            parts.append(f"officer: {self.officer}")
        if self.family_only:
            parts.append("whole-family cases only")
        return "; ".join(parts) or "all flagged children"


def display_name(surname: str, forename: str, *, initials: bool) -> str:
    """'Surname, Forename', or initials only ('A. S.') for a printout with minimal fields."""
    if initials:
        return " ".join(f"{part[0].upper()}." for part in (forename, surname) if part)
    return f"{surname}, {forename}"


def report_context(
    db: Database,
    title: str,
    filter_description: str,
    as_of: dt.date | None,
    account: str | None = None,
) -> ReportContext:
    """Who, when, for which authority and filter; with the audit chain's head for tamper checks."""
    return ReportContext(
        title=title,
        authority=str(get_setting(db, AUTHORITY_SETTING, "Local authority")),
        as_of=as_of,
        filter_description=filter_description,
        produced_by=account or os_account(),
        produced_at=dt.datetime.now().replace(microsecond=0),
        audit_hash=audit.chain_head(db).label,
    )


CHILD_COLUMNS = [
    Column("UPN"),
    Column("Name"),
    Column("Year"),
    Column("Flags"),
    Column("Reasons"),
    Column("Review"),
]


def _child_row(child: FlaggedChild, year: str | None, initials: bool) -> list[str | None]:
    return [
        child.upn,
        display_name(child.surname, child.forename, initials=initials),
        year,
        "\n".join(rule_label(f.rule) for f in child.flags),
        "\n".join(f.reason for f in child.flags),
        "\n".join(
            f.status.replace("_", " ") + (f" ({f.assigned_to})" if f.assigned_to else "")
            for f in child.flags
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


def flag_list_document(
    db: Database,
    filters: FlagFilter,
    *,
    group_by: str = "school",
    initials: bool = False,
    landscape: bool | None = None,
) -> PrintableDocument:
    """The printable flag list: a heading, what it covers, then the grouped tables. The family
    grouping has more columns and prints landscape unless told otherwise."""
    as_of = filters.as_of or default_as_of(db) or dt.date.today()
    tables = flag_list_tables(
        db, replace(filters, as_of=as_of), group_by=group_by, initials=initials
    )
    flagged = sum(len(t.rows) for t in tables) if group_by == "school" else None
    summary = (
        f"{flagged} flagged children in {len(tables)} groups"
        if flagged is not None
        else f"{len(tables)} families with at least one flagged child"
    )
    blocks: list[str | ReportTable] = [
        heading("Flag list" + (" - whole-family cases" if group_by == "family" else "")),
        paragraph(
            f"As of {as_of:%d/%m/%Y}. {summary}. Filter: {filters.describe()}. Flags support an "
            "officer's judgement; they do not replace it."
        ),
    ]
    blocks.extend(tables)
    if not tables:
        blocks.append(paragraph("No child is flagged for this filter."))
    if landscape is None:
        landscape = group_by == "family"
    return PrintableDocument("Flag list", blocks, landscape=landscape)
