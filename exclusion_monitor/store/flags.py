"""Stored flags: one row per (child, rule), raised, seen again, cleared and raised again by the
recompute, never deleted; and the fingerprint that says whether they are up to date."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.records import Flag
from exclusion_monitor.store import schema as t


@dataclass(frozen=True, slots=True)
class StoredFlag:
    """A flag as stored, with its child's case status and officer (docs/rules.md#cases) and
    who marked it reviewed."""

    id: int
    child_id: int
    rule: str
    rule_version: int
    as_of: dt.date
    reason: str
    evidence: dict[str, Any]
    first_raised: dt.date
    last_seen: dt.date
    cleared_on: dt.date | None
    status: str
    assigned_to: str | None
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = None
    last_action_at: dt.datetime | None = None  # the case's


@dataclass(frozen=True, slots=True)
class FlagChanges:
    """What one recompute did to the stored flags."""

    raised: int = 0
    seen_again: int = 0
    cleared: int = 0
    reopened: int = 0


def evidence_text(evidence: dict[str, Any]) -> str:
    return json.dumps(evidence, sort_keys=True, default=str)


def _stored(row: Any) -> StoredFlag:
    return StoredFlag(
        id=row.id,
        child_id=row.child_id,
        rule=row.rule,
        rule_version=row.rule_version,
        as_of=row.as_of,
        reason=row.reason,
        evidence=json.loads(row.evidence) if row.evidence else {},
        first_raised=row.first_raised,
        last_seen=row.last_seen,
        cleared_on=row.cleared_on,
        status=row.case_status or "new",
        assigned_to=row.case_officer,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        last_action_at=row.case_last_action_at,
    )


def _with_case() -> sa.Select[Any]:
    """Flags with their child's case (status and officer; none yet: new and unassigned)."""
    c = t.cases.c
    return sa.select(
        t.flags,
        c.status.label("case_status"),
        c.assigned_to.label("case_officer"),
        c.last_action_at.label("case_last_action_at"),
    ).select_from(t.flags.outerjoin(t.cases, c.child_id == t.flags.c.child_id))


def stored_flags(
    conn: sa.Connection,
    *,
    child_ids: Iterable[int] | None = None,
    include_cleared: bool = False,
) -> list[StoredFlag]:
    """Stored flags (of the named children), those still holding unless `include_cleared`."""
    query = _with_case().order_by(t.flags.c.child_id, t.flags.c.id)
    if not include_cleared:
        query = query.where(t.flags.c.cleared_on.is_(None))
    if child_ids is None:
        return [_stored(row) for row in conn.execute(query)]
    ids = sorted(set(child_ids))
    found: list[StoredFlag] = []
    for start in range(0, len(ids), 900):
        batch = ids[start : start + 900]
        found += [_stored(r) for r in conn.execute(query.where(t.flags.c.child_id.in_(batch)))]
    return found


def _existing(
    conn: sa.Connection, first_id: int, last_id: int, ids: Sequence[int] | None
) -> dict[tuple[int, str], tuple[int, str, str | None, int, dt.date | None, str | None]]:
    """(child, rule) -> (id, reason, evidence, version, cleared_on, as_of) for a batch."""
    query = sa.select(
        t.flags.c.id,
        t.flags.c.child_id,
        t.flags.c.rule,
        t.flags.c.reason,
        t.flags.c.evidence,
        t.flags.c.rule_version,
        t.flags.c.cleared_on,
        sa.cast(t.flags.c.as_of, sa.String),
    )
    if ids is None:
        query = query.where(t.flags.c.child_id.between(first_id, last_id))
    else:
        query = query.where(t.flags.c.child_id.in_(ids))
    return {
        (child, rule): (fid, reason, evidence, version, cleared, as_of)
        for fid, child, rule, reason, evidence, version, cleared, as_of in conn.execute(query)
    }


def write_flags(
    conn: sa.Connection,
    flags: Sequence[Flag],
    *,
    as_of: dt.date,
    first_id: int,
    last_id: int,
    child_ids: Sequence[int] | None = None,
) -> FlagChanges:
    """Bring the stored flags of a batch of children (ids first..last, or exactly `child_ids`)
    in line with `flags`: insert new ones, refresh held ones, clear those that no longer hold
    and un-clear those that hold again. Cases and reviewed marks are not touched."""
    existing = _existing(conn, first_id, last_id, child_ids)
    now = dt.datetime.now()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    reopened = 0
    seen: set[tuple[int, str]] = set()
    for flag in flags:
        key = (flag.child_id, flag.rule)
        seen.add(key)
        evidence = evidence_text(flag.evidence)
        old = existing.get(key)
        if old is None:
            inserts.append(
                {
                    "child_id": flag.child_id,
                    "rule": flag.rule,
                    "rule_version": flag.rule_version,
                    "as_of": as_of,
                    "reason": flag.reason,
                    "evidence": evidence,
                    "first_raised": as_of,
                    "last_seen": as_of,
                    "updated_at": now,
                }
            )
            continue
        fid, reason, old_evidence, version, cleared, old_as_of = old
        if cleared is not None:
            reopened += 1
        elif (reason, old_evidence, version, old_as_of) == (
            flag.reason,
            evidence,
            flag.rule_version,
            as_of.isoformat(),
        ):
            continue
        updates.append(
            {
                "fid": fid,
                "rule_version": flag.rule_version,
                "as_of": as_of,
                "reason": flag.reason,
                "evidence": evidence,
                "last_seen": as_of,
            }
        )
    clears = [
        {"fid": old[0]} for key, old in existing.items() if key not in seen and old[4] is None
    ]
    if inserts:
        conn.execute(t.flags.insert(), inserts)
    if updates:
        conn.execute(
            t.flags.update()
            .where(t.flags.c.id == sa.bindparam("fid"))
            .values(
                rule_version=sa.bindparam("rule_version"),
                as_of=sa.bindparam("as_of"),
                reason=sa.bindparam("reason"),
                evidence=sa.bindparam("evidence"),
                last_seen=sa.bindparam("last_seen"),
                cleared_on=None,
            ),
            updates,
        )
    if clears:
        conn.execute(
            t.flags.update()
            .where(t.flags.c.id == sa.bindparam("fid"))
            .values(cleared_on=as_of, as_of=as_of),
            clears,
        )
    return FlagChanges(len(inserts), len(flags) - len(inserts), len(clears), reopened)


def data_fingerprint(conn: sa.Connection) -> str:
    """A cheap summary that changes whenever anything the flags rest on changes: rows added or
    removed (imports and undos), family decisions and rule settings."""
    parts: list[object] = []
    for table in (
        t.children,
        t.child_identifiers,
        t.census_observations,
        t.enrolments,
        t.exclusions,
        t.schools,
        t.school_links,
    ):
        parts.append(conn.execute(sa.select(sa.func.max(table.c.id))).scalar())
    batches = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.max(t.import_batches.c.id),
            sa.func.max(t.import_batches.c.undone_at),
        )
    ).one()
    parts.extend(batches)
    parts.extend(
        conn.execute(sa.select(sa.func.count(), sa.func.max(t.family_decisions.c.decided_at))).one()
    )
    parts.extend(
        conn.execute(
            sa.select(sa.func.count(), sa.func.max(t.settings.c.updated_at)).where(
                t.settings.c.key.startswith("rules.", autoescape=True)
            )
        ).one()
    )
    for table in (t.children, t.child_identifiers, t.identity_reviews):
        parts.append(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar())
    return json.dumps(parts, default=str)


STATE_KEY = "flags.state"


@dataclass(frozen=True, slots=True)
class FlagState:
    """When the stored flags were last brought up to date: as of which date, on which data."""

    as_of: dt.date
    fingerprint: str
    data: str | None = None  # the stored data's part of the fingerprint (`data_fingerprint`)
    census_dates: str | None = None  # the distinct census dates then, as text


def load_state(conn: sa.Connection) -> FlagState | None:
    raw = conn.execute(
        sa.select(t.settings.c.value).where(t.settings.c.key == STATE_KEY)
    ).scalar_one_or_none()
    if raw is None:
        return None
    value = json.loads(raw)
    return FlagState(
        dt.date.fromisoformat(value["as_of"]),
        str(value["fingerprint"]),
        value.get("data"),
        value.get("census_dates"),
    )


def clear_state(conn: sa.Connection) -> None:
    conn.execute(t.settings.delete().where(t.settings.c.key == STATE_KEY))


def save_state(conn: sa.Connection, state: FlagState, account: str | None = None) -> None:
    text = json.dumps(
        {
            "as_of": state.as_of.isoformat(),
            "fingerprint": state.fingerprint,
            "data": state.data,
            "census_dates": state.census_dates,
        }
    )
    now = dt.datetime.now()
    clear_state(conn)
    conn.execute(
        t.settings.insert().values(key=STATE_KEY, value=text, updated_at=now, updated_by=account)
    )
