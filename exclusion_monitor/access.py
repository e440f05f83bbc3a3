"""Who may do what: `require(db, account, action)` before every command and every page.

The account is the operating-system account (identity.os_account). An account that is not a
user of the database is refused, not given a default role: with special-category data about
children, access is granted by an admin, person by person (least privilege). The first user of
a new database becomes its admin.
"""

from __future__ import annotations

from exclusion_monitor.errors import PermissionDeniedError
from exclusion_monitor.roles import ACTION_PHRASES, Action, allows, roles_allowing
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.users import User, claim_first_admin, get_user


def require(db: Database, account: str, action: Action) -> User:
    """The user behind `account` when their role allows `action`; PermissionDeniedError (a plain
    sentence) otherwise."""
    user = get_user(db, account)
    if user is None:
        user = claim_first_admin(db, account)
    if user is None:
        raise PermissionDeniedError(
            f"Your account {account} has not been given access to this database. Ask an "
            f'admin to add you (exclusion-monitor users add "{account}" --role viewer).'
        )
    if not user.active:
        raise PermissionDeniedError(
            f"Your account {account} has been deactivated in this database. Ask an admin if "
            "you need access again."
        )
    if not allows(user.role, action):
        needed = " or ".join(role.value for role in roles_allowing(action))
        article = "an" if user.role.value[0] in "aeiou" else "a"
        raise PermissionDeniedError(
            f"{ACTION_PHRASES[action].capitalize()} needs the {needed} role; your account "
            f"{account} is {article} {user.role.value}. Ask an admin if you need it."
        )
    return user
