"""The identity review queue: near matches, and pairs a Former UPN joins but that disagree, for an
officer to decide (merge, or keep apart); open reviews for `check`.

A merge moves every record of one child to the other and keeps both children's UPNs (merges.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import sqlalchemy as sa

from exclusion_monitor.errors import InvalidInputError, NotFoundError
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.merges import merge_children

DECISIONS = ("merge", "keep_apart")


@dataclass(frozen=True, slots=True)
class ReviewChild:
    id: int
    upns: tuple[str, ...]
    surname: str
    forename: str
    date_of_birth: dt.date | None
    sex: str | None


@dataclass(frozen=True, slots=True)
class IdentityReview:
    id: int
    child: ReviewChild
    candidate: ReviewChild
    reason: str
    status: str
    decided_by: str | None
    decided_at: dt.datetime | None
    batch_id: int | None
    # Why a Former UPN joins the pair but they were not merged (None: a near match only).
    former_upn_reason: str | None = None

    @property
    def why(self) -> str:
        """The reason to show: the Former UPN's first, with the near match's after it."""
        if self.former_upn_reason is None:
            return self.reason
        if self.reason == self.former_upn_reason:
            return self.former_upn_reason
        return f"{self.former_upn_reason}; also {self.reason}"


def _child(conn: sa.Connection, child_id: int) -> ReviewChild:
    c = t.children.c
    row = conn.execute(
        sa.select(c.id, c.surname, c.forename, c.date_of_birth, c.sex).where(c.id == child_id)
    ).one()
    ci = t.child_identifiers.c
    upns = conn.execute(
        sa.select(ci.upn)
        .where(ci.child_id == child_id)
        .order_by(sa.case((ci.kind == "current", 0), else_=1), ci.id)
    ).scalars()
    return ReviewChild(
        int(row.id), tuple(upns), row.surname, row.forename, row.date_of_birth, row.sex
    )


def list_identity_reviews(db: Database, status: str | None = "open") -> list[IdentityReview]:
    """Reviews with both children's details (open ones by default; None for all)."""
    r = t.identity_reviews.c
    query = sa.select(t.identity_reviews).order_by(r.id)
    if status is not None:
        query = query.where(r.status == status)
    with db.read() as conn:
        return [
            IdentityReview(
                id=int(row.id),
                child=_child(conn, int(row.child_id)),
                candidate=_child(conn, int(row.candidate_id)),
                reason=row.reason,
                status=row.status,
                decided_by=row.decided_by,
                decided_at=row.decided_at,
                batch_id=row.batch_id,
                former_upn_reason=row.former_upn_reason,
            )
            for row in conn.execute(query).all()
        ]


@dataclass(frozen=True, slots=True)
class OpenReviews:
    """How many reviews wait, and the oldest: its id, the batch and when it was imported."""

    count: int
    oldest_id: int | None = None
    oldest_batch_id: int | None = None
    oldest_since: dt.datetime | None = None
    oldest_former_upn: bool = False


def open_reviews(conn: sa.Connection) -> OpenReviews:
    """The open identity reviews: their count and the one waiting longest (for `check`)."""
    r = t.identity_reviews.c
    b = t.import_batches.c
    count = int(
        conn.execute(
            sa.select(sa.func.count()).select_from(t.identity_reviews).where(r.status == "open")
        ).scalar_one()
    )
    if not count:
        return OpenReviews(0)
    oldest = conn.execute(
        sa.select(r.id, r.batch_id, b.imported_at, r.former_upn_reason)
        .select_from(t.identity_reviews.outerjoin(t.import_batches, b.id == r.batch_id))
        .where(r.status == "open")
        .order_by(r.id)
        .limit(1)
    ).one()
    return OpenReviews(
        count,
        int(oldest.id),
        oldest.batch_id,
        oldest.imported_at,
        oldest.former_upn_reason is not None,
    )


def count_open_reviews(db: Database) -> int:
    """How many near-match pairs wait for a decision (the Imports page's badge)."""
    r = t.identity_reviews.c
    with db.read() as conn:
        query = sa.select(sa.func.count()).select_from(t.identity_reviews)
        return int(conn.execute(query.where(r.status == "open")).scalar_one())


def resolve_identity_review(
    db: Database, review_id: int, decision: str, account: str | None
) -> IdentityReview:
    """Merge the two children (the later one into the earlier) or keep them apart for good."""
    before = open_review(db, review_id, decision)
    with db.write() as conn:
        decided = resolve_review_in(conn, before, decision, account)
    return decided


def open_review(db: Database, review_id: int, decision: str) -> IdentityReview:
    """The review as it stands, before a decision on it (NotFoundError, InvalidInputError)."""
    if decision not in DECISIONS:
        raise InvalidInputError(f"'{decision}' is not a decision; choose merge or keep_apart.")
    before = [x for x in list_identity_reviews(db, None) if x.id == review_id]
    if not before:
        raise NotFoundError(f"There is no identity review {review_id}.")
    return before[0]


def resolve_review_in(
    conn: sa.Connection, review: IdentityReview, decision: str, account: str | None
) -> IdentityReview:
    """`resolve_identity_review` in the caller's transaction, given the review as it stood."""
    if decision not in DECISIONS:
        raise InvalidInputError(f"'{decision}' is not a decision; choose merge or keep_apart.")
    r = t.identity_reviews.c
    review_id = review.id
    row = conn.execute(sa.select(t.identity_reviews).where(r.id == review_id)).one()
    if row.status != "open":
        raise InvalidInputError(f"Identity review {review_id} was already decided.")
    status = "merged" if decision == "merge" else "kept_apart"
    now = dt.datetime.now()
    conn.execute(
        t.identity_reviews.update()
        .where(r.id == review_id)
        .values(status=status, decided_by=account, decided_at=now)
    )
    keep, gone = sorted((int(row.child_id), int(row.candidate_id)))
    if decision == "merge":
        merge_children(
            conn,
            keep=keep,
            gone=gone,
            reason=f"identity review {review_id}: an officer decided they are one child",
            account=account,
        )
    return replace(review, status=status, decided_by=account, decided_at=now)
