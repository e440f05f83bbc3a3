"""What the profile and flags pages do to the database, as plain functions run through
`run_in_background`: each checks the role first (access.require) and writes an audit row (the
target a UPN, the detail ids and choices, never a name or a note's text)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from exclusion_monitor.access import require
from exclusion_monitor.flagging import (
    FlaggedChild,
    ensure_flags_current,
    flag_list,
)
from exclusion_monitor.profile import ChildProfile
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
