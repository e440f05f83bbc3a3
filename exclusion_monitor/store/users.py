"""The people who may use a database: their operating-system account and role.

Account names compare without regard to case, as Windows does (LA\\JSmith is la\\jsmith).
Every change is written to the audit trail in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from exclusion_monitor.errors import InvalidInputError, NotFoundError
from exclusion_monitor.roles import Action, Role, allows
from exclusion_monitor.store import audit
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database

ROLE_CHANGE = "role_change"
NAME_LIMIT = 200  # the users.display_name column's width
FIRST_ADMIN_DETAIL = {"change": "first_admin", "role": "admin"}


@dataclass(frozen=True, slots=True)
class User:
    account: str
    role: Role
    active: bool
    display_name: str | None
    created_at: dt.datetime


def _user(row: sa.Row[tuple[object, ...]] | None) -> User | None:
    if row is None:
        return None
    m = row._mapping
    return User(
        account=str(m["account"]),
        role=Role(m["role"]),
        active=bool(m["active"]),
        display_name=m["display_name"],
        created_at=m["created_at"],
    )


def _by_account(account: str) -> sa.ColumnElement[bool]:
    return sa.func.lower(t.users.c.account) == account.lower()


def _get(conn: sa.Connection, account: str) -> User | None:
    return _user(conn.execute(sa.select(t.users).where(_by_account(account))).first())


def get_user(db: Database, account: str) -> User | None:
    with db.read() as conn:
        return _get(conn, account)


def officer_names(conn: sa.Connection) -> dict[str, str]:
    """account -> the name to print for it (the display name, else the account)."""
    u = t.users.c
    return {
        str(account): str(name or account)
        for account, name in conn.execute(sa.select(u.account, u.display_name))
    }


def list_users(db: Database) -> list[User]:
    with db.read() as conn:
        rows = conn.execute(sa.select(t.users).order_by(sa.func.lower(t.users.c.account)))
        return [u for u in (_user(r) for r in rows) if u is not None]


def claim_first_admin(db: Database, account: str) -> User | None:
    """Make `account` the admin when the database has no users yet; None when it has some.

    The check and the insert share one write transaction, so two first users at once cannot
    both become admin.
    """
    with db.write() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(t.users)).scalar_one():
            return None
        conn.execute(
            t.users.insert().values(
                account=account, role=Role.ADMIN.value, active=True, created_at=dt.datetime.now()
            )
        )
        audit.record(conn, account, ROLE_CHANGE, account, FIRST_ADMIN_DETAIL)
        return _get(conn, account)


def add_user(
    db: Database, by: str, account: str, role: Role, display_name: str | None = None
) -> User:
    """Give `account` access with `role` (by the admin `by`)."""
    account = account.strip()
    if not account:
        raise InvalidInputError("Give the account name, for example LA\\jsmith.")
    display_name = _tidy_name(display_name)
    with db.write() as conn:
        if _get(conn, account) is not None:
            raise InvalidInputError(
                f"{account} is already a user; use users set-role to change their role."
            )
        conn.execute(
            t.users.insert().values(
                account=account,
                display_name=display_name,
                role=role.value,
                active=True,
                created_at=dt.datetime.now(),
            )
        )
        audit.record(conn, by, ROLE_CHANGE, account, {"change": "added", "role": role.value})
        added = _get(conn, account)
    assert added is not None
    return added


def set_role(db: Database, by: str, account: str, role: Role) -> User:
    """Change `account`'s role (and make them active again if they were deactivated)."""
    with db.write() as conn:
        user = _existing(conn, account)
        if user.role is Role.ADMIN and role is not Role.ADMIN:
            _keep_an_admin(conn, user)
        conn.execute(
            t.users.update().where(_by_account(account)).values(role=role.value, active=True)
        )
        audit.record(
            conn,
            by,
            ROLE_CHANGE,
            user.account,
            {"change": "role", "from": user.role.value, "role": role.value},
        )
        changed = _get(conn, account)
    assert changed is not None
    return changed


def set_display_name(db: Database, by: str, account: str, display_name: str | None) -> User:
    """Change the name cases and printouts show for `account` (blank: the account alone). The
    audit row says the name changed, not what to."""
    name = _tidy_name(display_name)
    with db.write() as conn:
        user = _existing(conn, account)
        if name != user.display_name:
            conn.execute(t.users.update().where(_by_account(account)).values(display_name=name))
            audit.record(conn, by, ROLE_CHANGE, user.account, {"change": "name"})
        changed = _get(conn, account)
    assert changed is not None
    return changed


def deactivate(db: Database, by: str, account: str) -> User:
    """Stop `account` using the database; their past actions stay in the audit trail."""
    with db.write() as conn:
        user = _existing(conn, account)
        if user.role is Role.ADMIN and user.active:
            _keep_an_admin(conn, user)
        conn.execute(t.users.update().where(_by_account(account)).values(active=False))
        audit.record(conn, by, ROLE_CHANGE, user.account, {"change": "deactivated"})
        changed = _get(conn, account)
    assert changed is not None
    return changed


def _tidy_name(display_name: str | None) -> str | None:
    """A display name with its spaces tidied; blank as None; one too long refused."""
    name = " ".join((display_name or "").split()) or None
    if name is not None and len(name) > NAME_LIMIT:
        raise InvalidInputError(f"A name may be at most {NAME_LIMIT} characters.")
    return name


def _existing(conn: sa.Connection, account: str) -> User:
    user = _get(conn, account)
    if user is None:
        raise NotFoundError(f"{account} is not a user of this database.")
    return user


def _keep_an_admin(conn: sa.Connection, leaving: User) -> None:
    others = conn.execute(
        sa.select(sa.func.count())
        .select_from(t.users)
        .where(t.users.c.role == Role.ADMIN.value, t.users.c.active.is_(True))
        .where(sa.not_(_by_account(leaving.account)))
    ).scalar_one()
    if not others:
        raise InvalidInputError(
            f"{leaving.account} is the only active admin; make someone else an admin first, "
            "or nobody could manage users and settings."
        )


def file_permits(path: Path, account: str, action: Action) -> bool:
    """Whether `account` may do `action` in the database file at `path`, read without changing
    it (used to authorise a restore when the current database is too damaged to ask). A file
    with no users yet permits its first user, as a new database does."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        rows = conn.execute("SELECT account, role, active FROM users").fetchall()
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()
    if not rows:
        return True
    for name, role, active in rows:
        if str(name).lower() == account.lower() and active and role in Role.__members__.values():
            return allows(Role(role), action)
    return False
