"""Flag review: status changes and assignments (each recorded in flag_reviews) and dated notes.
Recomputing flags never touches any of this."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.errors import InvalidInputError, NotFoundError
from exclusion_monitor.records import ReviewStatus
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    flag_id: int
    author: str
    written_at: dt.datetime
    text: str


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """One recorded change of a flag's status or officer."""

    flag_id: int
    status: str
    assigned_to: str | None
    changed_by: str
    changed_at: dt.datetime


def _status(value: str | ReviewStatus) -> ReviewStatus:
    try:
        return ReviewStatus(str(value).strip().lower().replace(" ", "_"))
    except ValueError:
        known = ", ".join(s.value.replace("_", " ") for s in ReviewStatus)
        raise InvalidInputError(f"'{value}' is not a review status; use one of: {known}.") from None


def _flags(conn: sa.Connection, flag_ids: Iterable[int]) -> list[tuple[int, str, str | None]]:
    ids = sorted(set(flag_ids))
    if not ids:
        raise InvalidInputError("No flags were chosen.")
    rows = [
        (int(i), str(s), a)
        for i, s, a in conn.execute(
            sa.select(t.flags.c.id, t.flags.c.status, t.flags.c.assigned_to).where(
                t.flags.c.id.in_(ids)
            )
        )
    ]
    missing = set(ids) - {r[0] for r in rows}
    if missing:
        raise NotFoundError(f"There is no flag with id {min(missing)}.")
    return rows


def _record(
    conn: sa.Connection,
    rows: list[tuple[int, str, str | None]],
    account: str,
    now: dt.datetime,
) -> None:
    conn.execute(
        t.flag_reviews.insert(),
        [
            {
                "flag_id": fid,
                "status": status,
                "assigned_to": assigned,
                "changed_by": account,
                "changed_at": now,
            }
            for fid, status, assigned in rows
        ],
    )


def set_status(
    db: Database, flag_ids: Iterable[int], status: str | ReviewStatus, account: str
) -> int:
    """Give flags a review status (new, under review, referred, no further action, closed).
    Each change is recorded with who made it and when. Returns the number changed."""
    wanted = _status(status)
    now = dt.datetime.now()
    with db.write() as conn:
        rows = [r for r in _flags(conn, flag_ids) if r[1] != wanted.value]
        if not rows:
            return 0
        conn.execute(
            t.flags.update()
            .where(t.flags.c.id.in_([r[0] for r in rows]))
            .values(status=wanted.value, updated_at=now)
        )
        _record(conn, [(fid, wanted.value, assigned) for fid, _, assigned in rows], account, now)
    return len(rows)


def assign(db: Database, flag_ids: Iterable[int], officer: str | None, account: str) -> int:
    """Assign flags to an officer (None or '' to unassign), recording the change."""
    who = (officer or "").strip() or None
    now = dt.datetime.now()
    with db.write() as conn:
        rows = [r for r in _flags(conn, flag_ids) if r[2] != who]
        if not rows:
            return 0
        conn.execute(
            t.flags.update()
            .where(t.flags.c.id.in_([r[0] for r in rows]))
            .values(assigned_to=who, updated_at=now)
        )
        _record(conn, [(fid, status, who) for fid, status, _ in rows], account, now)
    return len(rows)


def add_note(db: Database, flag_id: int, text: str, account: str) -> Note:
    """Add a dated note to a flag."""
    body = text.strip()
    if not body:
        raise InvalidInputError("A note cannot be empty.")
    now = dt.datetime.now()
    with db.write() as conn:
        _flags(conn, [flag_id])
        note_id = conn.execute(
            t.review_notes.insert().values(
                flag_id=flag_id, author=account, written_at=now, text=body
            )
        ).inserted_primary_key
        assert note_id is not None
    return Note(int(note_id[0]), flag_id, account, now, body)


def list_notes(db: Database, flag_id: int) -> list[Note]:
    """A flag's notes, oldest first."""
    with db.read() as conn:
        _flags(conn, [flag_id])
        rows = conn.execute(
            sa.select(t.review_notes)
            .where(t.review_notes.c.flag_id == flag_id)
            .order_by(t.review_notes.c.written_at, t.review_notes.c.id)
        ).all()
    return [Note(r.id, r.flag_id, r.author, r.written_at, r.text) for r in rows]


def review_history(db: Database, flag_id: int) -> list[ReviewEvent]:
    """Every recorded status change and assignment of a flag, oldest first."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(t.flag_reviews)
            .where(t.flag_reviews.c.flag_id == flag_id)
            .order_by(t.flag_reviews.c.changed_at, t.flag_reviews.c.id)
        ).all()
    return [
        ReviewEvent(r.flag_id, r.status, r.assigned_to, r.changed_by, r.changed_at) for r in rows
    ]
