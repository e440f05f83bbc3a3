"""A case per child (docs/rules.md#cases): its status, officer, dated notes and the history of
every change, shared by all of the child's flags. A case row is made the first time anyone acts;
until then a flagged child's case is new and unassigned. Recomputing flags never touches cases.

The functions that change a case work on a connection the caller's transaction holds, so the
change and its audit row commit together (operations/cases.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.errors import InvalidInputError, NotFoundError
from exclusion_monitor.records import ReviewStatus
from exclusion_monitor.store import schema as t

UNSET = object()  # "leave the officer as it is", distinct from None ("nobody")
CLOSED_STATUSES = (ReviewStatus.CLOSED.value, ReviewStatus.NO_FURTHER_ACTION.value)


@dataclass(frozen=True, slots=True)
class Case:
    """A child's case as it stands. `id` is None for a flagged child nobody has acted on."""

    child_id: int
    status: str = ReviewStatus.NEW.value
    assigned_to: str | None = None
    opened_at: dt.datetime | None = None
    last_action_at: dt.datetime | None = None
    last_action_by: str | None = None
    id: int | None = None

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES


@dataclass(frozen=True, slots=True)
class CaseNote:
    id: int
    author: str
    written_at: dt.datetime
    text: str
    flag_rule: str | None = None  # the flag it was written on, before cases


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One change: the status or officer (old and new), a note written, a flag reviewed."""

    at: dt.datetime
    account: str
    what: str  # status | officer | note | reviewed
    old_value: str | None
    new_value: str | None
    flag_rule: str | None = None


@dataclass(frozen=True, slots=True)
class CaseChange:
    """What one change did, for its audit row (never a note's text)."""

    case: Case
    changed: tuple[str, ...]  # "status", "officer", "note"
    note_id: int | None = None


def case_status(value: object) -> ReviewStatus:
    """A status as typed ('Under review', 'under_review', 'referred') or a refusal naming them."""
    try:
        return ReviewStatus(str(value).strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        known = ", ".join(s.value.replace("_", " ") for s in ReviewStatus)
        raise InvalidInputError(f"'{value}' is not a case status; use one of: {known}.") from None


def _case(row: sa.Row[tuple[object, ...]]) -> Case:
    m = row._mapping
    return Case(
        child_id=int(m["child_id"]),
        status=str(m["status"]),
        assigned_to=m["assigned_to"],
        opened_at=m["opened_at"],
        last_action_at=m["last_action_at"],
        last_action_by=m["last_action_by"],
        id=int(m["id"]),
    )


def get_case(conn: sa.Connection, child_id: int) -> Case:
    """The child's case; a new, unassigned one (not stored) when nobody has acted yet."""
    row = conn.execute(sa.select(t.cases).where(t.cases.c.child_id == child_id)).first()
    return _case(row) if row is not None else Case(child_id)


def cases_of(conn: sa.Connection, child_ids: Iterable[int] | None = None) -> dict[int, Case]:
    """The stored cases of these children (every stored case with None), by child."""
    query = sa.select(t.cases)
    if child_ids is None:
        return {c.child_id: c for c in (_case(r) for r in conn.execute(query))}
    ids = sorted(set(child_ids))
    found: dict[int, Case] = {}
    for start in range(0, len(ids), 900):
        batch = ids[start : start + 900]
        for row in conn.execute(query.where(t.cases.c.child_id.in_(batch))):
            case = _case(row)
            found[case.child_id] = case
    return found


def case_notes(conn: sa.Connection, child_id: int) -> list[CaseNote]:
    """The case's notes, oldest first."""
    n = t.case_notes.c
    rows = conn.execute(
        sa.select(t.case_notes)
        .join(t.cases, t.cases.c.id == n.case_id)
        .where(t.cases.c.child_id == child_id)
        .order_by(n.written_at, n.id)
    ).all()
    return [CaseNote(r.id, r.author, r.written_at, r.text, r.flag_rule) for r in rows]


def case_history(conn: sa.Connection, child_id: int) -> list[CaseEvent]:
    """Every change to the case, oldest first."""
    e = t.case_events.c
    rows = conn.execute(
        sa.select(t.case_events)
        .join(t.cases, t.cases.c.id == e.case_id)
        .where(t.cases.c.child_id == child_id)
        .order_by(e.at, e.id)
    ).all()
    return [CaseEvent(r.at, r.account, r.what, r.old_value, r.new_value, r.flag_rule) for r in rows]


def _officer(conn: sa.Connection, officer: object) -> str | None:
    """An active user's account (as the users list spells it), or None for nobody; anything
    else refused: an officer is chosen from the users, never typed freely."""
    if officer is None or (isinstance(officer, str) and not officer.strip()):
        return None
    wanted = str(officer).strip()
    u = t.users.c
    row = conn.execute(
        sa.select(u.account, u.active).where(sa.func.lower(u.account) == wanted.lower())
    ).first()
    if row is None:
        raise InvalidInputError(
            f"'{wanted}' is not a user: a case is assigned to one of the users (see `users`)."
        )
    if not row.active:
        raise InvalidInputError(
            f"{row.account} is no longer active: assign the case to someone else."
        )
    return str(row.account)


def change_case(
    conn: sa.Connection,
    child_id: int,
    account: str,
    *,
    status: object = None,
    officer: object = UNSET,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> CaseChange:
    """Change the child's case on the caller's transaction: a status, an officer (UNSET leaves
    it), a note, or several at once, each recorded in the history. Closing a case (closed, or no
    further action) needs a note saying why. A change to what it already is changes nothing."""
    now = now or dt.datetime.now().replace(microsecond=0)
    if conn.execute(sa.select(t.children.c.id).where(t.children.c.id == child_id)).first() is None:
        raise NotFoundError(f"There is no child with id {child_id}.")
    current = get_case(conn, child_id)
    body = (note or "").strip()
    wanted_status = case_status(status).value if status is not None else current.status
    wanted_officer = current.assigned_to if officer is UNSET else _officer(conn, officer)
    changed: list[str] = []
    if wanted_status != current.status:
        changed.append("status")
    if wanted_officer != current.assigned_to:
        changed.append("officer")
    if body:
        changed.append("note")
    if "status" in changed and wanted_status in CLOSED_STATUSES and not body:
        word = "closing" if wanted_status == ReviewStatus.CLOSED.value else "no further action on"
        raise InvalidInputError(
            f"A note is needed for {word} a case: say why, so the next person can follow it."
        )
    if not changed:
        return CaseChange(current, ())
    case_id = current.id
    if case_id is None:
        result = conn.execute(
            t.cases.insert().values(
                child_id=child_id,
                status=wanted_status,
                assigned_to=wanted_officer,
                opened_at=now,
                last_action_at=now,
                last_action_by=account,
            )
        )
        case_id = _new_id(result)
    else:
        conn.execute(
            t.cases.update()
            .where(t.cases.c.id == case_id)
            .values(
                status=wanted_status,
                assigned_to=wanted_officer,
                last_action_at=now,
                last_action_by=account,
            )
        )
    events: list[tuple[str, str | None, str | None]] = []
    if "status" in changed:
        events.append(("status", current.status, wanted_status))
    if "officer" in changed:
        events.append(("officer", current.assigned_to, wanted_officer))
    note_id = None
    if body:
        note_id = _new_id(
            conn.execute(
                t.case_notes.insert().values(
                    case_id=case_id, author=account, written_at=now, text=body
                )
            )
        )
        events.append(("note", None, None))
    conn.execute(
        t.case_events.insert(),
        [
            {"case_id": case_id, "account": account, "at": now, "what": what,
             "old_value": old, "new_value": new}
            for what, old, new in events
        ],
    )  # fmt: skip
    return CaseChange(get_case(conn, child_id), tuple(changed), note_id)


def _new_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def mark_reviewed(
    conn: sa.Connection, flag_id: int, account: str, *, now: dt.datetime | None = None
) -> tuple[int, str]:
    """Mark a flag as read by an officer (its child's case records it); returns (child, rule)."""
    now = now or dt.datetime.now().replace(microsecond=0)
    f = t.flags.c
    row = conn.execute(sa.select(f.child_id, f.rule).where(f.id == flag_id)).first()
    if row is None:
        raise NotFoundError(f"There is no flag with id {flag_id}.")
    conn.execute(
        t.flags.update().where(f.id == flag_id).values(reviewed_by=account, reviewed_at=now)
    )
    current = get_case(conn, row.child_id)
    case_id = current.id
    if case_id is None:
        case_id = _new_id(
            conn.execute(
                t.cases.insert().values(
                    child_id=row.child_id, status=current.status, opened_at=now,
                    last_action_at=now, last_action_by=account,
                )
            )
        )  # fmt: skip
    else:
        conn.execute(
            t.cases.update()
            .where(t.cases.c.id == case_id)
            .values(last_action_at=now, last_action_by=account)
        )
    conn.execute(
        t.case_events.insert().values(
            case_id=case_id, account=account, at=now, what="reviewed", flag_rule=row.rule
        )
    )
    return int(row.child_id), str(row.rule)


def cases_assigned_to(conn: sa.Connection, account: str, *, open_only: bool = True) -> list[Case]:
    """The cases assigned to this account (open ones only, unless asked), longest waiting first."""
    c = t.cases.c
    query = sa.select(t.cases).where(sa.func.lower(c.assigned_to) == account.lower())
    if open_only:
        query = query.where(c.status.not_in(CLOSED_STATUSES))
    return [_case(r) for r in conn.execute(query.order_by(c.last_action_at, c.id))]


def cases_without_action_since(conn: sa.Connection, when: dt.datetime) -> list[Case]:
    """Open cases of children with a flag still holding whose last action was before `when`
    (a flagged child nobody has acted on counts from when their first flag was raised)."""
    c, f = t.cases.c, t.flags.c
    holding = sa.select(f.child_id).where(f.cleared_on.is_(None))
    stored = [
        _case(r)
        for r in conn.execute(
            sa.select(t.cases)
            .where(c.status.not_in(CLOSED_STATUSES), c.last_action_at < when)
            .where(c.child_id.in_(holding))
            .order_by(c.last_action_at, c.id)
        )
    ]
    # When the flag was raised: the moment the recompute stored it (its first_raised is the
    # data's as-of date, which may be months old on the day the flag first appears).
    raised = sa.func.min(f.updated_at)
    untouched = conn.execute(
        sa.select(f.child_id, raised)
        .where(f.cleared_on.is_(None), f.child_id.not_in(sa.select(c.child_id)))
        .group_by(f.child_id)
        .having(raised < when)
        .order_by(raised, f.child_id)
    ).all()
    never = [Case(int(child), last_action_at=first) for child, first in untouched]
    return sorted(
        never + stored,
        key=lambda k: (k.last_action_at or dt.datetime.min, k.child_id),
    )
