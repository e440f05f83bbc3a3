"""Roles: every role tried against every action through require(), the first user becomes admin,
unknown and deactivated accounts are refused, and the last admin cannot be removed."""

from __future__ import annotations

import pytest

from exclusion_monitor.access import require
from exclusion_monitor.errors import InvalidInputError, PermissionDeniedError
from exclusion_monitor.roles import ROLE_ACTIONS, Action, Role, parse_role
from exclusion_monitor.store import Database
from exclusion_monitor.store.audit import list_entries
from exclusion_monitor.store.users import add_user, deactivate, get_user, list_users, set_role

ADMIN = "LA\\admin1"

# The matrix written out by hand, so a change to roles.py has to be made twice, on purpose.
EXPECTED: dict[Role, set[str]] = {
    Role.VIEWER: {"view_child", "search", "run_checks"},
    Role.OFFICER: {
        "view_child",
        "search",
        "run_checks",
        "change_flag_status",
        "add_note",
        "assign_flag",
        "link_family",
    },
    Role.LIAISON: {
        "view_child",
        "search",
        "run_checks",
        "import_file",
        "undo_batch",
        "export_rejected_rows",
        "backup",
    },
    Role.MANAGER: {
        "view_child",
        "search",
        "run_checks",
        "change_flag_status",
        "add_note",
        "assign_flag",
        "link_family",
        "print_report",
        "export",
        "view_dashboard",
        "backup",
    },
    Role.ADMIN: {a.value for a in Action},
}


@pytest.fixture
def team(db: Database) -> Database:
    require(db, ADMIN, Action.MANAGE_USERS)  # the first user: becomes admin
    for role in Role:
        if role is not Role.ADMIN:
            add_user(db, ADMIN, f"LA\\{role.value}1", role)
    return db


@pytest.mark.parametrize("role", list(Role))
def test_every_role_against_every_action(team: Database, role: Role) -> None:
    account = ADMIN if role is Role.ADMIN else f"LA\\{role.value}1"
    allowed, refused = set(), set()
    for action in Action:
        try:
            require(team, account, action)
            allowed.add(action.value)
        except PermissionDeniedError as exc:
            refused.add(action.value)
            assert str(exc).endswith("Ask an admin if you need it.")
            assert f"is a {role.value}" in str(exc) or f"is an {role.value}" in str(exc)
    assert allowed == EXPECTED[role]
    assert allowed | refused == {a.value for a in Action}
    print(f"{role.value}: {len(allowed)} allowed, {len(refused)} refused")


def test_viewer_cannot_export_or_print(team: Database) -> None:
    with pytest.raises(PermissionDeniedError, match="Exporting needs the manager or admin role"):
        require(team, "LA\\viewer1", Action.EXPORT)
    with pytest.raises(PermissionDeniedError, match="Printing needs"):
        require(team, "LA\\viewer1", Action.PRINT_REPORT)


def test_matrix_covers_every_role_and_action() -> None:
    assert set(ROLE_ACTIONS) == set(Role)
    assert ROLE_ACTIONS[Role.ADMIN] == frozenset(Action)


def test_first_user_becomes_admin_and_it_is_audited(db: Database) -> None:
    user = require(db, "LA\\first", Action.VIEW_CHILD)
    assert user.role is Role.ADMIN
    entries = list_entries(db)
    assert [(e.action, e.target, e.detail) for e in entries] == [
        ("role_change", "LA\\first", {"change": "first_admin", "role": "admin"})
    ]


def test_other_accounts_are_refused_not_given_a_default_role(team: Database) -> None:
    with pytest.raises(PermissionDeniedError, match="has not been given access") as refused:
        require(team, "LA\\stranger", Action.VIEW_CHILD)
    assert 'users add "LA\\stranger"' in str(refused.value)
    assert get_user(team, "LA\\stranger") is None


def test_account_names_ignore_case_as_windows_does(team: Database) -> None:
    assert require(team, "la\\OFFICER1", Action.ADD_NOTE).role is Role.OFFICER


def test_deactivated_account_is_refused(team: Database) -> None:
    deactivate(team, ADMIN, "LA\\officer1")
    with pytest.raises(PermissionDeniedError, match="deactivated"):
        require(team, "LA\\officer1", Action.VIEW_CHILD)
    set_role(team, ADMIN, "LA\\officer1", Role.OFFICER)  # set-role reactivates
    assert require(team, "LA\\officer1", Action.VIEW_CHILD).active


def test_the_last_admin_cannot_be_demoted_or_deactivated(team: Database) -> None:
    with pytest.raises(InvalidInputError, match="only active admin"):
        set_role(team, ADMIN, ADMIN, Role.MANAGER)
    with pytest.raises(InvalidInputError, match="only active admin"):
        deactivate(team, ADMIN, ADMIN)
    set_role(team, ADMIN, "LA\\manager1", Role.ADMIN)
    assert set_role(team, "LA\\manager1", ADMIN, Role.MANAGER).role is Role.MANAGER


def test_role_changes_are_audited(team: Database) -> None:
    set_role(team, ADMIN, "LA\\viewer1", Role.OFFICER)
    changes = list_entries(team, action="role_change")
    assert changes[-1].account == ADMIN and changes[-1].target == "LA\\viewer1"
    assert changes[-1].detail == {"change": "role", "from": "viewer", "role": "officer"}
    assert len(list_users(team)) == 5


def test_adding_an_existing_user_is_refused(team: Database) -> None:
    with pytest.raises(InvalidInputError, match="already a user"):
        add_user(team, ADMIN, "la\\viewer1", Role.MANAGER)


def test_parse_role_names_the_choices() -> None:
    assert parse_role(" Manager ") is Role.MANAGER
    with pytest.raises(ValueError, match="viewer, officer, liaison, manager, admin"):
        parse_role("superuser")
