"""What every operation shares: who acts (Actor), what changed (Outcome), and the transaction
that holds the work and its audit row together (`audited`).

The audit row is written on the work's own connection, before the commit: the write lock that
`Database.write()` takes at the start covers both, so the row chains onto the newest hash even
with other writers, and a crash leaves both the work and its row, or neither.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa

from exclusion_monitor.access import require
from exclusion_monitor.roles import Action, Role
from exclusion_monitor.store import Database, audit

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Actor:
    """The person doing something: their account and the role that allowed it."""

    account: str
    role: Role


def act(db: Database, account: str, action: Action) -> Actor:
    """The actor behind `account` when their role allows `action`; PermissionDeniedError (after
    an audit row of the refusal) otherwise."""
    user = require(db, account, action)
    return Actor(account, user.role)


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """What an operation did, for the caller to show and refresh.

    `value` is the operation's own result; `audit_ids` the audit rows it wrote; `children` the
    ids of the children whose records changed, or None when any child may have (an import): a
    caller recomputing per child recomputes all then. `changed` names what a screen showing it
    should re-read ("records", "flags", "imports", "users", "settings"...).
    """

    action: str
    value: T
    audit_ids: tuple[int, ...] = ()
    children: frozenset[int] | None = frozenset()
    changed: frozenset[str] = frozenset()
    actor: Actor | None = None  # who it was done as, with the role that allowed it


@dataclass(slots=True)
class Work:
    """The open transaction of one operation: do the work on `conn`, say what it was in `target`
    and `detail`; the audit row is written from them as the block ends, before the commit."""

    conn: sa.Connection
    target: str | None = None
    detail: dict[str, Any] | None = None
    audit_ids: list[int] = field(default_factory=list)

    def record(self, actor: Actor, action: str, target: str | None, detail: dict[str, Any]) -> None:
        """A further audit row in this transaction (a merge an import made, say)."""
        self.audit_ids.append(audit.record(self.conn, actor.account, action, target, detail).id)


@contextmanager
def audited(
    db: Database,
    actor: Actor,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> Iterator[Work]:
    """One transaction for the work and its audit row: both commit, or neither does."""
    with db.write() as conn:
        work = Work(conn, target, detail)
        yield work
        entry = audit.record(conn, actor.account, action, work.target, work.detail)
        work.audit_ids.insert(0, entry.id)
