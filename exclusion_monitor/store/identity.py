"""The identity review queue: near matches an officer decides (merge, or keep apart).

A merge moves every record of one child to the other and keeps both children's UPNs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.errors import InvalidInputError, NotFoundError
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database

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
            )
            for row in conn.execute(query).all()
        ]


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
    if decision not in DECISIONS:
        raise InvalidInputError(f"'{decision}' is not a decision; choose merge or keep_apart.")
    r = t.identity_reviews.c
    before = [x for x in list_identity_reviews(db, None) if x.id == review_id]
    if not before:
        raise NotFoundError(f"There is no identity review {review_id}.")
    with db.write() as conn:
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
            # The review row goes with the merged child; the caller (audit log) keeps the record.
            merge_children(conn, keep=keep, gone=gone)
    return replace(before[0], status=status, decided_by=account, decided_at=now)


_CHILD_TABLES: list[tuple[sa.Table, tuple[str, ...]]] = [
    (t.census_observations, ("school_id", "census_date")),
    (t.exclusions, ("school_id", "category", "start_date")),
    (t.enrolments, ("school_id", "entry_date", "enrol_status")),
]


def merge_children(conn: sa.Connection, *, keep: int, gone: int) -> None:
    """Move every record of child `gone` to child `keep`; `gone`'s UPNs become former UPNs."""
    rs = t.record_sources
    for table, key in _CHILD_TABLES:
        kept_rows = {
            tuple(r[1:]): int(r[0])
            for r in conn.execute(
                sa.select(table.c.id, *(table.c[k] for k in key)).where(table.c.child_id == keep)
            )
        }
        for r in conn.execute(
            sa.select(table.c.id, *(table.c[k] for k in key)).where(table.c.child_id == gone)
        ).all():
            twin = kept_rows.get(tuple(r[1:]))
            if twin is None:
                continue
            _move_sources(conn, table, int(r[0]), twin)
            conn.execute(table.delete().where(table.c.id == r[0]))
        conn.execute(table.update().where(table.c.child_id == gone).values(child_id=keep))
    ci = t.child_identifiers
    conn.execute(ci.update().where(ci.c.child_id == gone).values(child_id=keep, kind="former"))
    _move_sources(conn, t.children, gone, keep)
    for table in (t.family_members, t.flags):
        conn.execute(
            table.delete().where(
                table.c.child_id == gone,
                *(
                    [
                        table.c.family_id.in_(
                            sa.select(table.c.family_id).where(table.c.child_id == keep)
                        )
                    ]
                    if table is t.family_members
                    else [table.c.rule.in_(sa.select(table.c.rule).where(table.c.child_id == keep))]
                ),
            )
        )
        conn.execute(table.update().where(table.c.child_id == gone).values(child_id=keep))
    reviews = t.identity_reviews
    conn.execute(
        reviews.delete().where(
            sa.or_(reviews.c.child_id == gone, reviews.c.candidate_id == gone),
            reviews.c.status == "open",
        )
    )
    keep_row = conn.execute(sa.select(t.children).where(t.children.c.id == keep)).one()
    gone_row = conn.execute(sa.select(t.children).where(t.children.c.id == gone)).one()
    fill: dict[str, Any] = {
        name: gone_row._mapping[name]
        for name in ("date_of_birth", "sex", "looked_after")
        if keep_row._mapping[name] is None and gone_row._mapping[name] is not None
    }
    if fill:
        conn.execute(t.children.update().where(t.children.c.id == keep).values(**fill))
    conn.execute(rs.delete().where(rs.c.record_type == "children", rs.c.record_id == gone))
    conn.execute(t.children.delete().where(t.children.c.id == gone))


def _move_sources(conn: sa.Connection, table: sa.Table, source: int, target: int) -> None:
    """The batches that brought record `source` (its own batch and the others) become sources of
    `target`, which keeps its own batch."""
    from exclusion_monitor.store.intake import add_sources

    rs = t.record_sources
    record_type = table.name
    own = {
        int(r[0]): r[1]
        for r in conn.execute(
            sa.select(table.c.id, table.c.batch_id).where(table.c.id.in_([source, target]))
        )
    }
    brought = [(own[source], None)] if own.get(source) is not None else []
    brought += conn.execute(
        sa.select(rs.c.batch_id, rs.c.row_number).where(
            rs.c.record_type == record_type, rs.c.record_id == source
        )
    ).all()
    for batch_id, row_number in brought:
        if batch_id != own.get(target):
            add_sources(conn, record_type, int(batch_id), [(target, row_number)])
    conn.execute(rs.delete().where(rs.c.record_type == record_type, rs.c.record_id == source))
