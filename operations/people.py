"""Who is who and who belongs together: merge two children or keep them apart (the identity
review), and link or unlink children in families. Each writes its audit row, by UPN and never by
name, in the transaction of the change, and a merge or a family decision also the note that its
follow-up is owed, naming the children whose flags or family it can change, so the follow-up
recomputes those only (docs/architecture.md#incremental-flags)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext

import sqlalchemy as sa

from exclusion_monitor.refresh import finish_owed_work
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database
from exclusion_monitor.store.child_details import upns_in
from exclusion_monitor.store.families import (
    SuggestedChild,
    family_scope,
    keep_apart_in,
    record_family_decision,
)
from exclusion_monitor.store.flags import data_fingerprint
from exclusion_monitor.store.identity import IdentityReview, open_review, resolve_review_in
from exclusion_monitor.store.owed_work import owe_refresh
from operations.base import Outcome, act, audited

# Deciding who is who changes children's records as an import does: the same roles decide.
DECIDE_IDENTITY = Action.IMPORT_FILE
RESOLVE_IDENTITY_REVIEW = "resolve_identity_review"
LINK = "link"
UNLINK = "unlink"


def decide_identity_review(
    db: Database, account: str, review_id: int, decision: str
) -> Outcome[IdentityReview]:
    """Merge the pair ("merge") or keep them apart for good ("keep_apart").

    A merge changes the flags of the child kept (every record of both is now theirs) and the
    families of both children's households; its follow-up recomputes those children only. Keeping
    them apart changes nothing the flags or families rest on."""
    actor = act(db, account, DECIDE_IDENTITY)
    review = open_review(db, review_id, decision)
    detail = {"decision": decision, "upns": [review.child.upns[:1], review.candidate.upns[:1]]}
    children = frozenset({review.child.id, review.candidate.id})
    with audited(db, actor, RESOLVE_IDENTITY_REVIEW, f"identity_review:{review_id}", detail) as w:
        merging = decision == "merge"
        with _owing(w.conn, f"identity review {review_id}", children) if merging else nullcontext():
            decided = resolve_review_in(w.conn, review, decision, actor.account)
    if decision == "merge":
        finish_owed_work(db)  # the merged child's history, flags and list entry
    return Outcome(
        RESOLVE_IDENTITY_REVIEW,
        decided,
        tuple(w.audit_ids),
        children=children,
        changed=frozenset({"records", "flags", "identity_reviews"}),
    )


def change_family(
    db: Database, account: str, change: str, child_id: int, other_id: int
) -> Outcome[None]:
    """Link two children into one family ("link"), or take `child_id` out of the family of
    `other_id` ("unlink"); either holds from now on, whatever their addresses say."""
    if change not in (LINK, UNLINK):
        raise ValueError(f"{change!r} is not a family change")
    actor = act(db, account, Action.LINK_FAMILY)
    with audited(db, actor, Action.LINK_FAMILY) as work:
        with _owing(work.conn, f"family {change}", [child_id, other_id]):
            record_family_decision(work.conn, child_id, other_id, change, actor.account)
        upns = upns_in(work.conn, [child_id, other_id])
        work.target = upns.get(child_id, str(child_id))
        work.detail = {"change": change, "other": upns.get(other_id, str(other_id))}
    finish_owed_work(db)
    return _family_outcome(work.audit_ids, [child_id, other_id])


def answer_family_suggestion(
    db: Database, account: str, children: Sequence[SuggestedChild], *, is_family: bool
) -> Outcome[None]:
    """An officer's answer to children who share an address: one family, or not a family (no
    address links them again). One audit row names the children by UPN."""
    actor = act(db, account, Action.LINK_FAMILY)
    ids = [c.child_id for c in children]
    upns = [c.upn for c in children]
    detail = {"change": "link" if is_family else "not_a_family", "others": upns[1:]}
    with (
        audited(db, actor, Action.LINK_FAMILY, upns[0], detail) as work,
        _owing(work.conn, "family suggestion", ids),
    ):
        if is_family:
            for other in ids[1:]:
                record_family_decision(work.conn, ids[0], other, LINK, actor.account)
        else:
            keep_apart_in(work.conn, ids, actor.account)
    finish_owed_work(db)
    return _family_outcome(work.audit_ids, ids)


@contextmanager
def _owing(conn: sa.Connection, after: str, child_ids: Iterable[int]) -> Iterator[None]:
    """Around a merge or a family decision, in its transaction: note that its follow-up is owed,
    naming the children themselves and everyone whose family it can change (those the family
    regroup looks at for them before the change, which a child merged away can no longer lead to
    afterwards, and after it). No rule reads a child's family or siblings, so no other child's
    flags change."""
    ids = sorted(set(child_ids))
    data_before = data_fingerprint(conn)
    before = family_scope(conn, ids)
    yield
    owe_refresh(conn, after, children=before | family_scope(conn, ids), data_before=data_before)


def _family_outcome(audit_ids: list[int], child_ids: Sequence[int]) -> Outcome[None]:
    return Outcome(
        Action.LINK_FAMILY,
        None,
        tuple(audit_ids),
        children=frozenset(child_ids),
        changed=frozenset({"families", "flags"}),
    )
