"""Looking at children: a search and a child's profile, each on the audit trail as the person
sees it (the desktop app's search box and profile, the command line's `child` and `children`).
An audit row names children by id or UPN, never by name: a search typed as a name is recorded
by the children it found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.child_search import parse_search
from exclusion_monitor.display import review_status_word, uk_date
from exclusion_monitor.errors import NotFoundError
from exclusion_monitor.flagging import FlaggedChild, ensure_flags_current, flag_list
from exclusion_monitor.profile import ChildProfile, child_profile, current_child_profile
from exclusion_monitor.records import ChildSummary
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.batches import BatchSummary
from exclusion_monitor.store.children import (
    ChildFilter,
    ChildSearchHit,
    child_id_for_upn,
    ensure_child_summaries,
    list_children,
    search_children,
)
from exclusion_monitor.upn import normalise_upn
from operations.base import Outcome, act

MAX_TYPED = 40  # of a UPN that was not found, kept in the audit row (a UPN has 13 characters)
SEARCH_RESULTS = 20

Progress = Callable[[int, int], None]


def search(
    db: Database, account: str, text: str, *, limit: int = SEARCH_RESULTS
) -> Outcome[list[ChildSearchHit]]:
    """The children a search box's text finds (name, current or former UPN), best first; the
    audit row holds the UPN typed (when it is one), how many were found and their ids."""
    actor = act(db, account, Action.SEARCH)
    hits = search_children(db, text, limit=limit)
    typed = parse_search(text).upn_prefix
    detail: dict[str, object] = {
        "filter": "upn" if typed is not None else "name",
        "rows": len(hits),
        "children": [hit.child.id for hit in hits],
    }
    if typed is not None:
        detail["upn"] = typed[:MAX_TYPED]
    entry = audit.record(db, actor.account, Action.SEARCH, None, detail)
    return Outcome(Action.SEARCH, hits, (entry.id,), actor=actor)


def record_list_filter(db: Database, account: str, where: ChildFilter, shown: int) -> Outcome[None]:
    """The Children page's list filtered by a typed name or UPN, on the audit trail as a search
    is (the UPN typed when it is one, never a name; the other filters as ids and codes, and how
    many children the list showed). A filter with nothing typed is browsing, not a search."""
    actor = act(db, account, Action.SEARCH)
    if not where.search:
        return Outcome(Action.SEARCH, None, actor=actor)
    typed = parse_search(where.search).upn_prefix
    detail: dict[str, object] = {
        "filter": "upn" if typed is not None else "name",
        "page": "children",
        "school_id": where.school_id,
        "year_group": where.nc_year,
        "status": where.status,
        "flagged_only": where.flagged_only,
        "rows": shown,
    }
    if typed is not None:
        detail["upn"] = typed[:MAX_TYPED]
    entry = audit.record(db, actor.account, Action.SEARCH, None, detail)
    return Outcome(Action.SEARCH, None, (entry.id,), actor=actor)


def look_up_child(
    db: Database, account: str, typed_upn: str, *, as_of: dt.date | None = None
) -> Outcome[ChildProfile]:
    """A child's profile by a typed UPN (current, former or temporary). A look-up that finds
    nobody is on the record too: who tried which UPN (cut to MAX_TYPED characters)."""
    actor = act(db, account, Action.VIEW_CHILD)
    upn = normalise_upn(typed_upn)
    child_id = child_id_for_upn(db, upn)
    if child_id is None:
        audit.record(
            db,
            actor.account,
            Action.VIEW_CHILD,
            None,
            {"upn": (upn or str(typed_upn))[:MAX_TYPED], "found": False},
        )
        raise NotFoundError(f"No child has the UPN {upn or typed_upn}, as a current or former UPN.")
    ensure_flags_current(db)  # stored reviews and families must reflect the data as it is
    profile = child_profile(db, child_id, as_of=as_of)
    entry = audit.record(db, actor.account, Action.VIEW_CHILD, f"child:{child_id}", {"upn": upn})
    return Outcome(Action.VIEW_CHILD, profile, (entry.id,), actor=actor)


def open_child(
    db: Database,
    account: str,
    child_id: int,
    *,
    record_view: bool = True,
    progress: Progress | None = None,
) -> Outcome[ChildProfile]:
    """A child's profile as the app's profile page opens it (read with the stored flags found
    current, brought up to date first when they are not, so every flag has its review:
    `current_child_profile`); `record_view` writes the audit row (opening the profile, not
    refreshing it)."""
    actor = act(db, account, Action.VIEW_CHILD)
    profile = current_child_profile(db, child_id, progress)
    ids: tuple[int, ...] = ()
    if record_view:
        detail = {"page": "profile", "as_of": profile.as_of.isoformat()}
        entry = audit.record(db, actor.account, Action.VIEW_CHILD, profile.child.upn, detail)
        ids = (entry.id,)
    return Outcome(Action.VIEW_CHILD, profile, ids, actor=actor)


def every_child(
    db: Database, account: str, *, export_format: str | None = None
) -> Outcome[list[ChildSummary]]:
    """Every child, each with their status worked out with the flags. On screen it is a search
    (the search role); in a machine format (`export_format` "csv" or "json") it is a copy of the
    whole list: an export, with the export role and an export audit row."""
    action = Action.EXPORT if export_format else Action.SEARCH
    actor = act(db, account, action)
    ensure_flags_current(db)
    ensure_child_summaries(db)
    found = list_children(db)
    if export_format:
        detail = {"what": "children", "format": export_format, "rows": len(found)}
        entry = audit.record(db, actor.account, Action.EXPORT, "children", detail)
    else:
        detail = {"filter": None, "rows": len(found)}
        entry = audit.record(db, actor.account, Action.SEARCH, None, detail)
    return Outcome(action, found, (entry.id,), actor=actor)


def flagged_children(
    db: Database,
    account: str,
    *,
    as_of: dt.date | None = None,
    rules: list[str] | None = None,
    school: str | None = None,
) -> Outcome[list[FlaggedChild]]:
    """The flagged children (optionally of some rules, of one school, as of a date), as a
    search on the audit trail."""
    actor = act(db, account, Action.SEARCH)
    ensure_flags_current(db)
    found = flag_list(db, as_of=as_of, rules=rules, school_laestab=school)
    detail = {
        "as_of": as_of.isoformat() if as_of else None,
        "rules": rules,
        "school": school,
        "rows": len(found),
    }
    entry = audit.record(db, actor.account, Action.SEARCH, "flags", detail)
    return Outcome(Action.SEARCH, found, (entry.id,), actor=actor)


@dataclass(frozen=True, slots=True)
class WaitingChild:
    """A child on the start page: who, and why they are waiting (a short line)."""

    child_id: int
    upn: str
    name: str
    why: str


@dataclass(frozen=True, slots=True)
class WorkWaiting:
    """What the start page shows (docs/user-guide.md#start): the work waiting for this user."""

    since: dt.datetime  # new flags are those raised after this moment
    first_visit: bool
    new_flags: list[WaitingChild]
    mine: list[WaitingChild]
    idle: list[WaitingChild]
    idle_weeks: int
    rejected: list[BatchSummary]
    stories: list[WaitingChild]  # a demo database's planted stories (`why`: the story)


LAST_VISIT = "start.last_visit."  # + account: when the user last left the start page
IDLE_WEEKS = "start.no_action_weeks"
FIRST_VISIT_DAYS = 14
REJECTED_DAYS = 60


def work_waiting(db: Database, account: str, *, now: dt.datetime | None = None) -> WorkWaiting:
    """New flags since the user's last visit (the last 14 days on a first visit), the open
    cases assigned to them, open cases with no action for N weeks (a setting, 6 by default),
    imports of the last 60 days with rejected rows, and a demo's stories. A read: no audit row
    (opening a child from it writes the view's)."""
    from exclusion_monitor.rules.registry import rule_label
    from exclusion_monitor.store import cases as case_store
    from exclusion_monitor.store import schema as t
    from exclusion_monitor.store.batches import list_batches
    from exclusion_monitor.store.settings import get_setting

    act(db, account, Action.SEARCH)
    now = now or dt.datetime.now()
    ensure_flags_current(db)
    seen = get_setting(db, LAST_VISIT + account.lower())
    first_visit = seen is None
    since = (
        now - dt.timedelta(days=FIRST_VISIT_DAYS)
        if seen is None
        else dt.datetime.fromisoformat(seen)
    )
    weeks = int(get_setting(db, IDLE_WEEKS, 6) or 6)
    rows = {r.child_id: r for r in flag_list(db)}

    def child(child_id: int, why: str) -> WaitingChild | None:
        row = rows.get(child_id)
        if row is None:
            return None
        return WaitingChild(child_id, row.upn, f"{row.surname}, {row.forename}", why)

    f = t.flags.c
    with db.read() as conn:
        fresh = conn.execute(
            sa.select(f.child_id, f.rule)
            .where(f.cleared_on.is_(None), f.updated_at > since)
            .order_by(f.updated_at.desc(), f.id.desc())
        ).all()
        mine = case_store.cases_assigned_to(conn, account)
        idle = case_store.cases_without_action_since(conn, now - dt.timedelta(weeks=weeks))
    by_child: dict[int, list[str]] = {}
    for child_id, rule in fresh:
        by_child.setdefault(int(child_id), []).append(rule_label(rule))
    new_flags = [child(c, ", ".join(rules)) for c, rules in by_child.items()]
    assigned = [
        child(
            c.child_id, f"{review_status_word(c.status).lower()} since {uk_date(c.last_action_at)}"
        )
        for c in mine
    ]
    waiting = [
        child(
            c.child_id,
            ("no action since " if c.id is not None else "nobody has acted since ")
            + uk_date(c.last_action_at),
        )
        for c in idle
    ]
    cutoff = now - dt.timedelta(days=REJECTED_DAYS)
    rejected = [
        b
        for b in list_batches(db)
        if b.rows_rejected and b.status == "imported" and b.imported_at >= cutoff
    ]
    stories = []  # a demo's planted stories, each with its child found here (not on screen)
    for story in get_setting(db, "demo.stories", []) or []:
        found = child_id_for_upn(db, str(story.get("upn", ""))) if isinstance(story, dict) else None
        if found is not None:
            stories.append(
                WaitingChild(found, str(story["upn"]), "", str(story.get("description", "")))
            )
    return WorkWaiting(
        since,
        first_visit,
        [c for c in new_flags if c],
        [c for c in assigned if c],
        [c for c in waiting if c],
        weeks,
        rejected,
        stories,
    )


def leave_start_page(db: Database, account: str, *, now: dt.datetime | None = None) -> None:
    """Remember when the user last saw the work waiting (the next visit's new flags follow)."""
    from exclusion_monitor.store.settings import set_setting

    moment = now or dt.datetime.now()
    set_setting(db, LAST_VISIT + account.lower(), moment.isoformat(), account=account)
