"""What the profile and flags pages do to the database, as plain functions run through
`run_in_background`: each checks the role first (access.require) and writes an audit row (the
target a UPN, the detail ids and choices, never a name or a note's text)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from exclusion_monitor.access import require
from exclusion_monitor.flagging import (
    FlagFilter,
    FlaggedChild,
    default_as_of,
    ensure_flags_current,
    flag_list,
)
from exclusion_monitor.profile import ChildProfile
from exclusion_monitor.reports.context import report_context
from exclusion_monitor.reports.flag_export import CONTROLLED_NOTICE, flag_export_tables
from exclusion_monitor.reports.flag_report import flag_list_document
from exclusion_monitor.reports.html import PrintableDocument
from exclusion_monitor.reports.tables import ReportContext
from exclusion_monitor.roles import Action, Role
from exclusion_monitor.store import Database, audit, reviews
from exclusion_monitor.store.children import ensure_child_summaries, year_groups_of
from exclusion_monitor.store.users import User, list_users
from operations.viewing import open_child

Progress = Callable[[int, int], None]

# The progress bar's text while load_flag_queue or load_profile brings the flags up to date.
FLAGS_UPDATING = "Bringing flags up to date... %p%"
OFFICER_ROLES = {Role.OFFICER, Role.MANAGER, Role.ADMIN}


def officers(db: Database) -> list[str]:
    """Accounts that may be given flags to review (active officers, managers and admins)."""
    return [u.account for u in list_users(db) if u.active and u.role in OFFICER_ROLES]


@dataclass(frozen=True, slots=True)
class LoadedProfile:
    profile: ChildProfile
    role: Role
    officers: list[str]


def load_profile(
    db: Database, account: str, child_id: int, *, record_view: bool, progress: Progress
) -> LoadedProfile:
    """A child's profile for the page (stored flags brought up to date first, so every flag has
    its review); `record_view` writes the VIEW_CHILD audit row (opening, not refreshing)."""
    opened = open_child(db, account, child_id, record_view=record_view, progress=progress)
    assert opened.actor is not None
    return LoadedProfile(opened.value, opened.actor.role, officers(db))


@dataclass(frozen=True, slots=True)
class FlagReview:
    """One flag's notes and recorded changes, newest last."""

    flag_id: int
    notes: list[reviews.Note]
    history: list[reviews.ReviewEvent]


def load_review(db: Database, flag_id: int) -> FlagReview:
    return FlagReview(flag_id, reviews.list_notes(db, flag_id), reviews.review_history(db, flag_id))


def _by_child(flags: Sequence[tuple[int, str]]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = defaultdict(list)
    for flag_id, upn in flags:
        found[upn].append(flag_id)
    return found


def change_status(db: Database, account: str, flags: Sequence[tuple[int, str]], status: str) -> int:
    """Give flags (flag id, the child's UPN) a review status; one audit row per child."""
    user = require(db, account, Action.CHANGE_FLAG_STATUS)
    changed = reviews.set_status(db, [f for f, _ in flags], status, user.account)
    for upn, ids in _by_child(flags).items():
        audit.record(
            db,
            user.account,
            Action.CHANGE_FLAG_STATUS,
            upn,
            {"flag_ids": sorted(ids), "status": status},
        )
    return changed


def assign_officer(
    db: Database, account: str, flags: Sequence[tuple[int, str]], officer: str | None
) -> int:
    """Assign flags (flag id, the child's UPN) to an officer (None to unassign)."""
    user = require(db, account, Action.ASSIGN_FLAG)
    changed = reviews.assign(db, [f for f, _ in flags], officer, user.account)
    for upn, ids in _by_child(flags).items():
        audit.record(
            db, user.account, Action.ASSIGN_FLAG, upn, {"flag_ids": sorted(ids), "officer": officer}
        )
    return changed


def add_note(db: Database, account: str, flag_id: int, upn: str, text: str) -> reviews.Note:
    user = require(db, account, Action.ADD_NOTE)
    note = reviews.add_note(db, flag_id, text, user.account)
    audit.record(db, user.account, Action.ADD_NOTE, upn, {"flag_id": flag_id, "note_id": note.id})
    return note


@dataclass(frozen=True, slots=True)
class FlagQueue:
    """The review queue as loaded: flagged children, their year groups, who may be assigned."""

    rows: list[FlaggedChild]
    year_groups: dict[int, str]
    officers: list[str]
    user: User
    as_of: dt.date | None


def load_flag_queue(db: Database, account: str, progress: Progress) -> FlagQueue:
    """Every flagged child (flags brought up to date first) for the review queue."""
    user = require(db, account, Action.SEARCH)
    ensure_flags_current(db, progress)
    ensure_child_summaries(db)
    rows = flag_list(db)
    years = year_groups_of(db, (r.child_id for r in rows))
    as_of = rows[0].flags[0].as_of if rows and rows[0].flags else None
    return FlagQueue(rows, years, officers(db), user, as_of)


@dataclass(frozen=True, slots=True)
class PrintJob:
    printable: PrintableDocument
    context: ReportContext


def prepare_flag_print(
    db: Database,
    account: str,
    filters: FlagFilter,
    *,
    group_by: str,
    initials: bool,
    layout: str = "summary",
    landscape: bool = True,
) -> PrintJob:
    """The printable flag list with its header context; the audit row says what was printed,
    and the pages carry that row's chain head."""
    user = require(db, account, Action.PRINT_REPORT)
    printable = flag_list_document(
        db, filters, group_by=group_by, initials=initials, layout=layout, landscape=landscape
    )
    description = filters.describe()
    as_of = filters.as_of or default_as_of(db)
    entry = audit.record(
        db,
        user.account,
        Action.PRINT_REPORT,
        "report:flags",
        {
            "filter": description,
            "as_of": as_of.isoformat() if as_of else None,
            "initials": initials,
            "group_by": group_by,
            "layout": layout,
            "via": "print preview",
        },
    )
    context = report_context(db, printable.title, description, as_of, user.account)
    return PrintJob(printable, replace(context, audit_hash=f"{entry.id}:{entry.hash}"))


def export_flag_list(
    db: Database,
    account: str,
    filters: FlagFilter,
    path: Path,
    *,
    group_by: str,
    initials: bool,
    per_school: bool = False,
    overwrite: bool = True,
) -> int:
    """Write the flag list to .xlsx (the authority's flat sheet, the flags, and with
    `per_school` a sheet per school) or .csv (one row per child) through the one safe writer,
    audited with the file; returns the children written. `overwrite`: the save dialog asked."""
    from ui.reports.export import export_tables

    as_of, tables = flag_export_tables(
        db, filters, initials=initials, per_school=per_school, group_by=group_by
    )
    children = len(tables[0].rows)
    exported = export_tables(
        db,
        account,
        path,
        tables[:1] if path.suffix.lower() == ".csv" else tables,
        title="Flag list",
        as_of=as_of,
        filter_description=filters.describe(),
        target="export:flags",
        detail={"initials": initials, "group_by": group_by, "per_school": per_school},
        overwrite=overwrite,
        notes=(CONTROLLED_NOTICE,),
        rows=children,
    )
    return exported.rows
