"""The operations layer: each operation checks the role, and its work and its audit row commit
together. An audit row that cannot be written takes the work back with it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

import operations.base
from exclusion_monitor.errors import DatabaseWriteError, NotFoundError, PermissionDeniedError
from exclusion_monitor.roles import Action, Role
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.families import list_families
from exclusion_monitor.store.users import add_user, claim_first_admin
from operations import admin
from operations.people import change_family
from tests.core.builders import Builder, D, censuses

ADMIN, OFFICER, VIEWER = "admin.one", "officer.one", "viewer.one"


def _two_children(db: Database) -> tuple[int, int]:
    b = Builder(db)
    school = b.school("Oak High", "secondary", low_age=11, high_age=16)
    amy = b.child("Amy", "Brookfield", born=D(2010, 3, 1))
    kit = b.child("Kit", "Daleford", born=D(2010, 5, 1))
    b.on_roll(amy, school, censuses(2022, 2024), "7", address="4 Mill Lane", postcode="B2 2BB")
    b.on_roll(kit, school, censuses(2022, 2024), "7", address="9 Rose St", postcode="B3 3CC")
    claim_first_admin(db, ADMIN)
    add_user(db, ADMIN, OFFICER, Role.OFFICER)
    add_user(db, ADMIN, VIEWER, Role.VIEWER)
    return amy, kit


def _rows(db: Database, table: sa.Table) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_a_link_and_its_audit_row_commit_together(db: Database) -> None:
    amy, kit = _two_children(db)
    outcome = change_family(db, OFFICER, "link", amy, kit)
    assert [sorted(m.forename for m in f.members) for f in list_families(db)] == [["Amy", "Kit"]]
    (entry,) = audit.list_entries(db, action=Action.LINK_FAMILY)
    assert outcome.audit_ids == (entry.id,) and entry.account == OFFICER
    assert entry.detail is not None and entry.detail["change"] == "link"
    assert "Amy" not in str(entry.detail) and "Brookfield" not in str(entry.target)
    assert outcome.children == frozenset({amy, kit}) and "families" in outcome.changed
    assert audit.verify(db).ok


def test_an_audit_row_that_cannot_be_written_takes_the_work_back(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    amy, kit = _two_children(db)
    decisions = _rows(db, t.family_decisions)

    def disk_full(*_args: Any, **_kwargs: Any) -> Any:
        raise DatabaseWriteError("The disk is full.")

    monkeypatch.setattr(operations.base.audit, "record", disk_full)
    with pytest.raises(DatabaseWriteError):
        change_family(db, OFFICER, "link", amy, kit)
    monkeypatch.undo()
    assert _rows(db, t.family_decisions) == decisions and list_families(db) == []
    assert audit.list_entries(db, action=Action.LINK_FAMILY) == []


def test_failed_work_writes_no_audit_row(db: Database) -> None:
    amy, _kit = _two_children(db)
    with pytest.raises(NotFoundError):
        change_family(db, OFFICER, "unlink", amy, 999_999)
    assert audit.list_entries(db, action=Action.LINK_FAMILY) == []


def test_a_role_without_the_action_is_refused_and_the_refusal_recorded(db: Database) -> None:
    amy, kit = _two_children(db)
    with pytest.raises(PermissionDeniedError):
        change_family(db, VIEWER, "link", amy, kit)
    assert list_families(db) == []
    (refused,) = audit.list_entries(db, action="refused")
    assert refused.account == VIEWER and refused.detail == {
        "action": "link_family",
        "why": "role",
        "role": "viewer",
    }


def test_settings_and_roles_go_through_their_operations(db: Database) -> None:
    _two_children(db)
    with pytest.raises(PermissionDeniedError):
        admin.set_role(db, OFFICER, VIEWER, Role.ADMIN)
    assert admin.set_role(db, ADMIN, VIEWER, Role.OFFICER).value.role is Role.OFFICER
    saved = admin.change_settings(db, ADMIN, {"authority.name": "Exampleshire"})
    assert saved.value.changed == ["authority.name"] and saved.value.summary is None
    assert saved.changed == frozenset({"settings"})
    (row,) = audit.list_entries(db, action="change_settings")
    assert row.target == "authority.name" and row.account == ADMIN
    with pytest.raises(PermissionDeniedError):
        admin.change_settings(db, OFFICER, {"authority.name": "Elsewhere"})
    assert len(audit.list_entries(db, action="change_settings")) == 1
    assert audit.verify(db).ok
