"""Roles and what each may do: data, so the matrix can be read, tested and shown in the app.

Least privilege: a role holds only the actions listed for it. Officer and manager build on
viewer; liaison is viewer plus imports; admin holds every action (the first user of a new
database is its admin and a small team's admin often does everything).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    OFFICER = "officer"
    LIAISON = "liaison"
    MANAGER = "manager"
    ADMIN = "admin"


class Action(StrEnum):
    VIEW_CHILD = "view_child"
    SEARCH = "search"
    RUN_CHECKS = "run_checks"
    IMPORT_FILE = "import_file"
    UNDO_BATCH = "undo_batch"
    EXPORT_REJECTED_ROWS = "export_rejected_rows"
    CHANGE_FLAG_STATUS = "change_flag_status"
    ADD_NOTE = "add_note"
    ASSIGN_FLAG = "assign_flag"
    LINK_FAMILY = "link_family"
    PRINT_REPORT = "print_report"
    EXPORT = "export"
    VIEW_DASHBOARD = "view_dashboard"
    BACKUP = "backup"
    CHANGE_SETTINGS = "change_settings"
    MANAGE_USERS = "manage_users"
    RETENTION_PURGE = "retention_purge"
    AUDIT_VIEW = "audit_view"
    RESTORE = "restore"
    MIGRATE = "migrate"


# What each action is, as the end of the sentence "... needs the X role" starts.
ACTION_PHRASES: dict[Action, str] = {
    Action.VIEW_CHILD: "viewing a child's record",
    Action.SEARCH: "searching and listing children",
    Action.RUN_CHECKS: "checking the database",
    Action.IMPORT_FILE: "importing files",
    Action.UNDO_BATCH: "undoing an import",
    Action.EXPORT_REJECTED_ROWS: "saving rejected rows for a school",
    Action.CHANGE_FLAG_STATUS: "changing a flag's review status",
    Action.ADD_NOTE: "writing review notes",
    Action.ASSIGN_FLAG: "assigning flags to officers",
    Action.LINK_FAMILY: "linking and unlinking family members",
    Action.PRINT_REPORT: "printing",
    Action.EXPORT: "exporting",
    Action.VIEW_DASHBOARD: "the dashboards",
    Action.BACKUP: "making and listing backups",
    Action.CHANGE_SETTINGS: "changing settings",
    Action.MANAGE_USERS: "managing users and roles",
    Action.RETENTION_PURGE: "reviewing and purging records past retention",
    Action.AUDIT_VIEW: "reading the audit trail",
    Action.RESTORE: "restoring a backup",
    Action.MIGRATE: "copying the database to a team database",
}

_VIEWER = frozenset({Action.VIEW_CHILD, Action.SEARCH, Action.RUN_CHECKS})
_OFFICER = _VIEWER | {
    Action.CHANGE_FLAG_STATUS,
    Action.ADD_NOTE,
    Action.ASSIGN_FLAG,
    Action.LINK_FAMILY,
}
_LIAISON = _VIEWER | {
    Action.IMPORT_FILE,
    Action.UNDO_BATCH,
    Action.EXPORT_REJECTED_ROWS,
    Action.BACKUP,
}
_MANAGER = _OFFICER | {
    Action.PRINT_REPORT,
    Action.EXPORT,
    Action.VIEW_DASHBOARD,
    Action.BACKUP,
}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.VIEWER: _VIEWER,
    Role.OFFICER: frozenset(_OFFICER),
    Role.LIAISON: frozenset(_LIAISON),
    Role.MANAGER: frozenset(_MANAGER),
    Role.ADMIN: frozenset(Action),
}


def allows(role: Role, action: Action) -> bool:
    """Whether `role` may do `action`."""
    return action in ROLE_ACTIONS[role]


def roles_allowing(action: Action) -> list[Role]:
    """The roles that may do `action`, lowest first (for messages)."""
    return [role for role in Role if allows(role, action)]


def parse_role(text: str) -> Role:
    """A role from its name; ValueError (with the choices) for anything else."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise ValueError(f"{text!r} is not a role; the roles are {choices}.") from None
