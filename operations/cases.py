"""A child's case (docs/rules.md#cases): reading it, changing its status, officer or notes, and
marking a flag reviewed. Each change and its audit row commit together; the row names the child
by UPN and what changed (status words, the officer's account), never a note's text."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.errors import NotFoundError
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database
from exclusion_monitor.store import cases as store
from exclusion_monitor.store.child_details import upns_in
from exclusion_monitor.store.users import User, list_users
from exclusion_monitor.store.users import officer_names as store_officer_names
from operations.base import Outcome, act, audited


@dataclass(frozen=True, slots=True)
class CaseFile:
    """A case as shown: where it stands, its notes and its history."""

    case: store.Case
    notes: list[store.CaseNote]
    history: list[store.CaseEvent]


def _upn(conn: sa.Connection, child_id: int) -> str:
    """The child's current UPN (the audit row's target), or a refusal for no such child."""
    upn = upns_in(conn, [child_id]).get(child_id)
    if upn is None:
        raise NotFoundError(f"There is no child with id {child_id}.")
    return upn


class _Unchanged(Exception):
    """A change that changes nothing: its transaction ends without writing."""

    def __init__(self, change: store.CaseChange) -> None:
        super().__init__("unchanged")
        self.change = change


def read_case(db: Database, account: str, child_id: int) -> Outcome[CaseFile]:
    """The child's case with its notes and history (part of viewing the child's record, whose
    own audit row the profile or the `child` and `case` commands write)."""
    actor = act(db, account, Action.VIEW_CHILD)
    with db.read() as conn:
        _upn(conn, child_id)
        found = CaseFile(
            store.get_case(conn, child_id),
            store.case_notes(conn, child_id),
            store.case_history(conn, child_id),
        )
    return Outcome(Action.VIEW_CHILD, found, actor=actor)


def change_case(
    db: Database,
    account: str,
    child_id: int,
    *,
    status: str | None = None,
    officer: object = store.UNSET,
    note: str | None = None,
) -> Outcome[store.CaseChange]:
    """Change a child's case: a status (the flag review role), an officer (the assigning role;
    an active user, never free text; None for nobody), a note (the note role), or several at
    once as one change. Closing a case needs a note. Nothing to change writes nothing."""
    actions: list[Action] = []
    if status is not None:
        actions.append(Action.CHANGE_FLAG_STATUS)
    if officer is not store.UNSET:
        actions.append(Action.ASSIGN_FLAG)
    if note and note.strip():
        actions.append(Action.ADD_NOTE)
    if not actions:
        actions.append(Action.CHANGE_FLAG_STATUS)
    actor = act(db, account, actions[0])
    for action in actions[1:]:
        act(db, account, action)
    try:
        with audited(db, actor, actions[0]) as work:
            upn = _upn(work.conn, child_id)
            change = store.change_case(
                work.conn, child_id, actor.account, status=status, officer=officer, note=note
            )
            if not change.changed:
                raise _Unchanged(change)
            work.target = upn
            work.detail = {
                "child_id": child_id,
                "changed": list(change.changed),
                "status": change.case.status,
                "officer": change.case.assigned_to,
                **({"note_id": change.note_id} if change.note_id is not None else {}),
            }
    except _Unchanged as same:  # nothing to change: no change and no audit row
        return Outcome(actions[0], same.change, actor=actor)
    return Outcome(
        actions[0],
        change,
        tuple(work.audit_ids),
        children=frozenset({child_id}),
        changed=frozenset({"cases"}) if change.changed else frozenset(),
        actor=actor,
    )


def mark_flag_reviewed(db: Database, account: str, flag_id: int) -> Outcome[tuple[int, str]]:
    """An officer has read this flag: the flag keeps who and when, the case's history says so."""
    actor = act(db, account, Action.CHANGE_FLAG_STATUS)
    with audited(db, actor, Action.CHANGE_FLAG_STATUS) as work:
        child_id, rule = store.mark_reviewed(work.conn, flag_id, actor.account)
        work.target = _upn(work.conn, child_id)
        work.detail = {"child_id": child_id, "flag_id": flag_id, "rule": rule, "reviewed": True}
    return Outcome(
        Action.CHANGE_FLAG_STATUS,
        (child_id, rule),
        tuple(work.audit_ids),
        children=frozenset({child_id}),
        changed=frozenset({"cases"}),
        actor=actor,
    )


def officers(db: Database) -> list[User]:
    """Who a case may be assigned to: the active users who may take a case, by name."""
    from exclusion_monitor.roles import allows

    found = [u for u in list_users(db) if u.active and allows(u.role, Action.ADD_NOTE)]
    return sorted(found, key=lambda u: (u.display_name or u.account).casefold())


def officer_names(db: Database) -> dict[str, str]:
    """account -> the name tables and printouts show for it (the display name, else the account),
    for every user, past ones too: a case may still name an officer who has left."""
    with db.read() as conn:
        return store_officer_names(conn)


def officer_label(user: User) -> str:
    """'Sam Patel (LA\\spatel)', or the account alone when there is no display name."""
    return f"{user.display_name} ({user.account})" if user.display_name else user.account
