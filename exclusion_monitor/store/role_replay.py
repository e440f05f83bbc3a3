"""Who should hold which role, by the audit trail alone: every role change the app makes is a
chained audit row, so replaying them gives each account's role and whether it is active. A
users table that differs (a viewer made admin with a SQL tool, an account added or removed
outside the app) is reported by `check` and `audit --verify` (docs/data-protection.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.audit import CUT, PURGE_ACTION
from exclusion_monitor.store.users import ROLE_CHANGE

ROLES_AT_CUT = "roles"  # in a purge row's cut: each account's role and state where it cut


@dataclass(frozen=True, slots=True)
class Standing:
    account: str
    role: str
    active: bool
    row: int  # the audit row that last set it (0: the state a purge carried over)


def replay(conn: sa.Connection, up_to_id: int | None = None) -> dict[str, Standing]:
    """Each account's role and state by the audit trail (up to row `up_to_id`), keyed by the
    account in lower case (accounts compare without regard to case, as Windows does). A trail
    cut by a retention purge starts from the roles that purge's row carried over."""
    first = conn.execute(
        sa.select(t.audit_log.c.id).order_by(t.audit_log.c.id).limit(1)
    ).scalar_one_or_none()
    standings: dict[str, Standing] = {}
    if first is not None and first > 1:
        purges = conn.execute(
            sa.select(t.audit_log.c.detail)
            .where(t.audit_log.c.action == PURGE_ACTION)
            .order_by(t.audit_log.c.id.desc())
        ).scalars()
        for raw in purges:
            cut = json.loads(raw).get(CUT) if raw else None
            if isinstance(cut, dict) and cut.get("id") == first - 1:
                carried = cut.get(ROLES_AT_CUT)
                standings = _carried(carried) if isinstance(carried, dict) else {}
                break
    query = (
        sa.select(t.audit_log.c.id, t.audit_log.c.target, t.audit_log.c.detail)
        .where(t.audit_log.c.action == ROLE_CHANGE)
        .order_by(t.audit_log.c.id)
    )
    if up_to_id is not None:
        query = query.where(t.audit_log.c.id <= up_to_id)
    for row in conn.execute(query):
        if row.target:
            detail = json.loads(row.detail) if row.detail else {}
            _apply(standings, str(row.target), detail, int(row.id))
    return standings


def _carried(carried: dict[str, Any]) -> dict[str, Standing]:
    return {
        key: Standing(str(value["account"]), str(value["role"]), bool(value["active"]), 0)
        for key, value in carried.items()
        if isinstance(value, dict)
    }


def _apply(standings: dict[str, Standing], account: str, detail: dict[str, Any], row: int) -> None:
    key = account.lower()
    change = detail.get("change")
    before = standings.get(key)
    if change in ("first_admin", "added", "role") and detail.get("role"):
        standings[key] = Standing(account, str(detail["role"]), True, row)
    elif change == "deactivated" and before is not None:
        standings[key] = Standing(before.account, before.role, False, row)


def snapshot(standings: dict[str, Standing]) -> dict[str, dict[str, object]]:
    """The replayed roles as a purge row carries them past the rows it cuts."""
    return {
        key: {"account": s.account, "role": s.role, "active": s.active}
        for key, s in sorted(standings.items())
    }


def role_problems(conn: sa.Connection) -> list[str]:
    """Each user whose role or state in the users table is not what the audit trail says, each
    user the trail never added, and each account the trail added that is gone."""
    expected = replay(conn)
    problems: list[str] = []
    seen: set[str] = set()
    for user in conn.execute(
        sa.select(t.users.c.account, t.users.c.role, t.users.c.active).order_by(t.users.c.id)
    ):
        key = str(user.account).lower()
        seen.add(key)
        standing = expected.get(key)
        if standing is None:
            problems.append(
                f"{user.account} is a user of the database ({user.role}), but the audit trail "
                "never records them being added: they were added outside the app."
            )
            continue
        if str(user.role) != standing.role:
            problems.append(
                f"{user.account} is {user.role} in the users table, but by the audit trail "
                f"{_since(standing)} they are {standing.role}: the role was changed outside "
                "the app."
            )
        if bool(user.active) != standing.active:
            state = "active" if user.active else "deactivated"
            should = "active" if standing.active else "deactivated"
            problems.append(
                f"{user.account} is {state} in the users table, but by the audit trail "
                f"{_since(standing)} they are {should}: this was changed outside the app."
            )
    for key, standing in expected.items():
        if key not in seen:
            problems.append(
                f"{standing.account} was given access through the app ({_since(standing)}), "
                "but is no longer in the users table: removed outside the app."
            )
    return problems


def _since(standing: Standing) -> str:
    return f"(row {standing.row})" if standing.row else "(as carried past a purge)"
