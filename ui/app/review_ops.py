"""What the profile and flags pages read and change, as plain functions run through
`run_in_background`. A case's changes go through operations/cases.py (the role, the change and
its audit row in one transaction: the target a UPN, the detail ids and choices, never a name or a
note's text)."""

from __future__ import annotations

import datetime as dt
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
from exclusion_monitor.store import Database
from exclusion_monitor.store.cases import UNSET
from exclusion_monitor.store.children import ensure_child_summaries, year_groups_of
from exclusion_monitor.store.users import User
from operations.cases import CaseFile, change_case, officer_names, officers, read_case
from operations.viewing import open_child

Progress = Callable[[int, int], None]

# The progress bar's text while load_flag_queue or load_profile brings the flags up to date.
FLAGS_UPDATING = "Bringing flags up to date... %p%"


@dataclass(frozen=True, slots=True)
class LoadedProfile:
    profile: ChildProfile
    role: Role
    officers: list[User]
    names: dict[str, str]  # account -> display name, for every user


def load_profile(
    db: Database, account: str, child_id: int, *, record_view: bool, progress: Progress
) -> LoadedProfile:
    """A child's profile for the page (stored flags brought up to date first, so every flag has
    its case); `record_view` writes the VIEW_CHILD audit row (opening, not refreshing)."""
    opened = open_child(db, account, child_id, record_view=record_view, progress=progress)
    assert opened.actor is not None
    return LoadedProfile(opened.value, opened.actor.role, officers(db), officer_names(db))


def load_case(db: Database, account: str, child_id: int) -> CaseFile:
    """A child's case, its notes and history, for the case panel."""
    return read_case(db, account, child_id).value


def change_cases(
    db: Database,
    account: str,
    children: Sequence[int],
    *,
    status: str | None = None,
    officer: object = UNSET,
    note: str | None = None,
) -> int:
    """The same change to each child's case (a status, an officer, a note), each child's with
    its own audit row; returns how many cases changed."""
    changed = 0
    for child_id in dict.fromkeys(children):
        outcome = change_case(db, account, child_id, status=status, officer=officer, note=note)
        changed += bool(outcome.value.changed)
    return changed


@dataclass(frozen=True, slots=True)
class FlagQueue:
    """The review queue as loaded: flagged children, their year groups, who may be assigned."""

    rows: list[FlaggedChild]
    year_groups: dict[int, str]
    officers: list[User]
    names: dict[str, str]  # account -> display name, for every user
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
    return FlagQueue(rows, years, officers(db), officer_names(db), user, as_of)
