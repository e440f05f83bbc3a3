"""The admin's and the team's housekeeping: backups, restoring one, the retention purge, users
and roles, settings. Users, roles, settings and the purge write their audit rows in the
transaction of the change (the store does it there); a backup and a restore are file copies, so
their row follows the copy (a backup's row in the database it copies, a restore's in the
database put in place)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exclusion_monitor.errors import DamagedDatabaseError, InvalidInputError
from exclusion_monitor.flagging import RecomputeSummary, recompute_flags
from exclusion_monitor.roles import Action, Role
from exclusion_monitor.store import Database, audit, open_database
from exclusion_monitor.store import users as store_users
from exclusion_monitor.store.backup import backup_before, ensure_file_database
from exclusion_monitor.store.restore import RestoreResult, restore_database
from exclusion_monitor.store.retention import Due, purge
from exclusion_monitor.store.setting_changes import CHANGE_SETTINGS, apply_setting_changes
from exclusion_monitor.store.users import User, file_permits
from exclusion_monitor.text_safety import one_line
from operations.base import Outcome, act

BACKUP = "backup"
RESTORE = "restore"
MAX_REASON = 500  # the longest reason for restoring a backup whose audit trail is broken
EVERYTHING = frozenset({"records", "flags", "imports", "families", "users", "settings"})


def back_up(db: Database, account: str) -> Outcome[Path]:
    """A consistent backup of the database file now (not of a team database: IT backs up the
    server), recorded in the audit trail."""
    actor = act(db, account, Action.BACKUP)
    ensure_file_database(db)
    path = backup_before(db, "manual")
    assert path is not None  # a file database always gets one
    entry = audit.record(db, actor.account, BACKUP, None, {"file": path.name})
    return Outcome(BACKUP, path, (entry.id,), changed=frozenset({"backups"}))


def restore_backup(
    location: str,
    target: Path,
    backup: Path,
    *,
    account: str,
    accept_broken_audit: bool = False,
    reason: str = "",
) -> Outcome[RestoreResult]:
    """Put the backup in place of the database file `target` (opened as `location`), keeping
    the file it replaces. Only an admin restores: asked of the current database, or of the
    backup when the current one is damaged or missing. A backup whose audit trail does not
    verify is refused unless the admin accepts it with a reason, kept in the restored trail."""
    reason = one_line(reason)[:MAX_REASON]
    if accept_broken_audit and not reason:
        raise InvalidInputError(
            "A backup whose audit trail does not verify is restored only with a reason, which "
            "is kept in the audit trail."
        )
    permitted: Callable[[Path], bool] | None = None
    if target.exists() and target.stat().st_size > 0:
        try:
            with open_database(location) as current:
                act(current, account, Action.RESTORE)
        except DamagedDatabaseError:
            # The damaged database cannot say who its admins are: ask the backup instead.
            permitted = lambda staged: file_permits(staged, account, Action.RESTORE)  # noqa: E731
    else:
        permitted = lambda staged: file_permits(staged, account, Action.RESTORE)  # noqa: E731
    result = restore_database(
        target, backup, permitted=permitted, accept_broken_audit=accept_broken_audit
    )
    detail: dict[str, object] = {
        "kept": str(result.kept_copy) if result.kept_copy else None,
        "schema_version": result.schema_version,
    }
    if result.audit_problem is not None:
        detail.update(broken_audit=result.audit_problem, accepted_because=reason)
    with open_database(location) as restored:
        entry = audit.record(restored, account, RESTORE, str(result.restored_from), detail)
    return Outcome(RESTORE, result, (entry.id,), children=None, changed=EVERYTHING)


def purge_past_retention(db: Database, account: str) -> Outcome[list[Due]]:
    """Delete every record past its retention period; the purge's chained audit row is written
    in the purge's transaction. Returns what was purged (counts, never names)."""
    actor = act(db, account, Action.RETENTION_PURGE)
    found = purge(db, actor.account)
    return Outcome(Action.RETENTION_PURGE, found, children=None, changed=EVERYTHING)


def add_user(
    db: Database, account: str, new_account: str, role: Role, display_name: str | None = None
) -> Outcome[User]:
    """Give an account access with a role (admins only)."""
    actor = act(db, account, Action.MANAGE_USERS)
    user = store_users.add_user(db, actor.account, new_account, role, display_name)
    return _users_outcome(user)


def set_role(db: Database, account: str, other: str, role: Role) -> Outcome[User]:
    """Change an account's role (admins only; the last admin keeps theirs)."""
    actor = act(db, account, Action.MANAGE_USERS)
    return _users_outcome(store_users.set_role(db, actor.account, other, role))


def set_display_name(db: Database, account: str, other: str, name: str | None) -> Outcome[User]:
    """Change the name cases and printouts show for an account (admins only; blank: none)."""
    actor = act(db, account, Action.MANAGE_USERS)
    return _users_outcome(store_users.set_display_name(db, actor.account, other, name))


def deactivate(db: Database, account: str, other: str) -> Outcome[User]:
    """Stop an account using the database (admins only)."""
    actor = act(db, account, Action.MANAGE_USERS)
    return _users_outcome(store_users.deactivate(db, actor.account, other))


def _users_outcome(user: User) -> Outcome[User]:
    return Outcome(store_users.ROLE_CHANGE, user, changed=frozenset({"users"}))


@dataclass(frozen=True, slots=True)
class SettingsSaved:
    changed: list[str]  # the keys whose value changed
    summary: RecomputeSummary | None  # the flags worked out again, when a rule's setting changed


def change_settings(
    db: Database,
    account: str,
    changes: Mapping[str, Any],
    progress: Callable[[int, int], None] | None = None,
) -> Outcome[SettingsSaved]:
    """Save settings (admins only; one audit row per changed key, in the saving transaction),
    then work every flag out again if a rule's setting changed."""
    actor = act(db, account, Action.CHANGE_SETTINGS)
    changed = apply_setting_changes(db, changes, actor.account)
    summary = None
    if any(key.startswith("rules.") for key in changed):
        summary = recompute_flags(db, progress=progress)
    return Outcome(
        CHANGE_SETTINGS,
        SettingsSaved(changed, summary),
        children=None if summary is not None else frozenset(),
        changed=frozenset({"settings", "flags"} if summary is not None else {"settings"}),
    )
