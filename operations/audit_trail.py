"""Reading the audit trail and checking its chain, for the app's Audit trail window and the
`audit` command: who may (the audit_view action), and the audit row that says it was read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exclusion_monitor.errors import NotFoundError
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.children import child_id_for_upn
from exclusion_monitor.store.role_replay import role_problems
from exclusion_monitor.upn import normalise_upn
from operations.base import Outcome, act


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which rows to list; empty fields do not filter."""

    action: str | None = None
    account: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    upn: str | None = None  # the rows naming this child (by id or by UPN)

    def described(self) -> dict[str, object]:
        """The filter as the audit row of the listing keeps it (the UPN looked for included:
        the trail itself is where a look at one child's history should show)."""
        return {
            key: value.isoformat() if isinstance(value, dt.date) else value
            for key, value in (
                ("action", self.action),
                ("account", self.account),
                ("since", self.since),
                ("until", self.until),
                ("upn", self.upn),
            )
            if value
        }


@dataclass(frozen=True, slots=True)
class AuditListing:
    entries: list[audit.AuditEntry]
    head: audit.ChainHead


@dataclass(frozen=True, slots=True)
class AuditCheck:
    ok: bool
    rows_checked: int
    problems: tuple[str, ...]  # the chain's, the witnesses', then the users table's
    head: audit.ChainHead
    chain_intact: bool  # False: the trail was tampered; True with problems: the users table


def list_audit(db: Database, account: str, wanted: AuditFilter) -> Outcome[AuditListing]:
    """The rows `wanted` picks, oldest first, and the chain head; the listing is itself audited."""
    actor = act(db, account, Action.AUDIT_VIEW)
    targets: list[str] | None = None
    if wanted.upn:
        upn = normalise_upn(wanted.upn)
        child_id = child_id_for_upn(db, upn)
        if child_id is None:
            raise NotFoundError(f"No child has the UPN {upn}, as a current or former UPN.")
        targets = [f"child:{child_id}", upn]
    entries = audit.list_entries(
        db,
        action=wanted.action or None,
        account=wanted.account or None,
        since=wanted.since,
        until=wanted.until,
        targets=targets,
    )
    entry = audit.record(db, actor.account, Action.AUDIT_VIEW, None, {"filter": wanted.described()})
    listing = AuditListing(entries, audit.chain_head(db))
    return Outcome(Action.AUDIT_VIEW, listing, (entry.id,), actor=actor)


def check_audit(
    db: Database, account: str, expected_head: audit.ChainHead | None = None
) -> Outcome[AuditCheck]:
    """Walk the chain (with the witnesses kept outside the database) and replay the roles it
    gives each user against the users table; the check is audited with its verdict."""
    actor = act(db, account, Action.AUDIT_VIEW)
    result = audit.verify(db, expected_head, witnesses=True)
    with db.read() as conn:
        roles = role_problems(conn)
    ok = result.ok and not roles
    entry = audit.record(db, actor.account, Action.AUDIT_VIEW, None, {"verify": ok})
    check = AuditCheck(ok, result.rows_checked, (*result.problems, *roles), result.head, result.ok)
    return Outcome(Action.AUDIT_VIEW, check, (entry.id,), actor=actor)
