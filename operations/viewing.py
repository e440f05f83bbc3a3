"""Looking at children: a search and a child's profile, each on the audit trail as the person
sees it (the desktop app's search box and profile, the command line's `child` and `children`).
An audit row names children by id or UPN, never by name: a search typed as a name is recorded
by the children it found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from exclusion_monitor.child_search import parse_search
from exclusion_monitor.errors import NotFoundError
from exclusion_monitor.flagging import ensure_flags_current
from exclusion_monitor.profile import ChildProfile, child_profile
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.children import ChildSearchHit, child_id_for_upn, search_children
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
    """A child's profile as the app's profile page opens it (the stored flags brought up to
    date first, so every flag has its review); `record_view` writes the audit row (opening the
    profile, not refreshing it)."""
    actor = act(db, account, Action.VIEW_CHILD)
    ensure_flags_current(db, progress)
    profile = child_profile(db, child_id)
    ids: tuple[int, ...] = ()
    if record_view:
        detail = {"page": "profile", "as_of": profile.as_of.isoformat()}
        entry = audit.record(db, actor.account, Action.VIEW_CHILD, profile.child.upn, detail)
        ids = (entry.id,)
    return Outcome(Action.VIEW_CHILD, profile, ids, actor=actor)
