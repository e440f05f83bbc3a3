"""Who may do what: `require(db, account, action)` before every command and every page.

The account is the operating-system account (identity.os_account). An account that is not a
user of the database is refused, not given a default role: with special-category data about
children, access is granted by an admin, person by person (least privilege). The first user of
a new database becomes its admin. Every refusal is itself an audit row (`refused`), so an account
trying what it may not do is on the record (docs/data-protection.md).
"""

from __future__ import annotations

import logging

from exclusion_monitor.errors import DatabaseError, PermissionDeniedError
from exclusion_monitor.roles import ACTION_PHRASES, Action, allows, roles_allowing
from exclusion_monitor.store import audit
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.users import User, claim_first_admin, get_user

log = logging.getLogger(__name__)


REFUSED = "refused"


def require(db: Database, account: str, action: Action) -> User:
    """The user behind `account` when their role allows `action`; PermissionDeniedError (a plain
    sentence) otherwise, after an audit row recording the refused attempt."""
    user = get_user(db, account)
    if user is None:
        user = claim_first_admin(db, account)
    if user is None:
        _record_refusal(db, account, action, "not a user")
        raise PermissionDeniedError(
            f"Your account {account} has not been given access to this database. Ask an "
            f'admin to add you (exclusion-monitor users add "{account}" --role viewer).'
        )
    if not user.active:
        _record_refusal(db, account, action, "deactivated", user.role.value)
        raise PermissionDeniedError(
            f"Your account {account} has been deactivated in this database. Ask an admin if "
            "you need access again."
        )
    if not allows(user.role, action):
        _record_refusal(db, user.account, action, "role", user.role.value)
        needed = " or ".join(role.value for role in roles_allowing(action))
        article = "an" if user.role.value[0] in "aeiou" else "a"
        raise PermissionDeniedError(
            f"{ACTION_PHRASES[action].capitalize()} needs the {needed} role; your account "
            f"{account} is {article} {user.role.value}. Ask an admin if you need it."
        )
    return user


def _record_refusal(
    db: Database, account: str, action: Action, why: str, role: str | None = None
) -> None:
    """The refused attempt in the audit trail, in its own transaction (the refusal stands even
    when the row cannot be written, on a database opened read-only)."""
    detail: dict[str, object] = {"action": action.value, "why": why}
    if role is not None:
        detail["role"] = role
    try:
        audit.record(db, account, REFUSED, None, detail)
    except DatabaseError:
        log.warning("a refused attempt could not be written to the audit trail")
