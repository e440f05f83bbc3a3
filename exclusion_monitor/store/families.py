"""Stored families: each child's own family key, the families grouped from those keys and the
officers' link and unlink decisions (kept apart, so they survive re-imports), and the queries
the family views use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.errors import InvalidInputError, NotFoundError
from exclusion_monitor.families import FamilyDecision, FamilyKey, group_families
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database


@dataclass(frozen=True, slots=True)
class FamilyMember:
    child_id: int
    upn: str
    surname: str
    forename: str
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Family:
    """A family of two or more children; `needs` are the distinct flag rules its children hold."""

    id: int
    key: str
    basis: str
    members: tuple[FamilyMember, ...]

    @property
    def needs(self) -> tuple[str, ...]:
        return tuple(sorted({rule for m in self.members for rule in m.flags}))

    @property
    def flagged(self) -> bool:
        return any(m.flags for m in self.members)


def save_family_keys(conn: sa.Connection, keys: Mapping[int, FamilyKey | None]) -> None:
    """Replace the stored family keys of these children."""
    ids = list(keys)
    for start in range(0, len(ids), 900):
        conn.execute(
            t.child_family_keys.delete().where(
                t.child_family_keys.c.child_id.in_(ids[start : start + 900])
            )
        )
    rows = [
        {"child_id": child, "family_key": key.key, "basis": key.basis}
        for child, key in keys.items()
        if key is not None
    ]
    if rows:
        conn.execute(t.child_family_keys.insert(), rows)


def _decisions(conn: sa.Connection) -> list[FamilyDecision]:
    query = sa.select(
        t.family_decisions.c.child_id,
        t.family_decisions.c.other_child_id,
        t.family_decisions.c.decision,
    ).order_by(t.family_decisions.c.decided_at, t.family_decisions.c.id)
    return [FamilyDecision(a, b, d) for a, b, d in conn.execute(query)]


def _scope(
    conn: sa.Connection, child_ids: Iterable[int], decisions: list[FamilyDecision]
) -> set[int]:
    """The children whose families may change when these children's keys change: those who
    share a key or a family with them, or an officer's decision, followed until it closes."""
    partners: dict[int, set[int]] = {}
    for d in decisions:
        partners.setdefault(d.child_id, set()).add(d.other_child_id)
        partners.setdefault(d.other_child_id, set()).add(d.child_id)
    scope: set[int] = set()
    todo = set(child_ids)
    while todo:
        scope |= todo
        batch = sorted(todo)
        found: set[int] = set()
        for start in range(0, len(batch), 900):
            part = batch[start : start + 900]
            keys = sa.select(t.child_family_keys.c.family_key).where(
                t.child_family_keys.c.child_id.in_(part)
            )
            found.update(
                conn.execute(
                    sa.select(t.child_family_keys.c.child_id).where(
                        t.child_family_keys.c.family_key.in_(keys)
                    )
                ).scalars()
            )
            families = sa.select(t.family_members.c.family_id).where(
                t.family_members.c.child_id.in_(part)
            )
            found.update(
                conn.execute(
                    sa.select(t.family_members.c.child_id).where(
                        t.family_members.c.family_id.in_(families)
                    )
                ).scalars()
            )
        for child in batch:
            found |= partners.get(child, set())
        todo = found - scope
    return scope


def regroup_families(conn: sa.Connection, child_ids: Iterable[int] | None = None) -> int:
    """Group children into families from the stored keys and decisions and store the result,
    keeping each family's id while its key lasts: every child, or only those whose families the
    named children's keys can change. Returns the number of families in the database."""
    decisions = _decisions(conn)
    scope = None if child_ids is None else _scope(conn, child_ids, decisions)
    query = sa.select(
        t.child_family_keys.c.child_id,
        t.child_family_keys.c.family_key,
        t.child_family_keys.c.basis,
    )
    member_query = sa.select(t.family_members.c.family_id, t.family_members.c.child_id)
    keys: dict[int, FamilyKey | None] = {}
    members: dict[int, set[int]] = {}
    if scope is None:
        keys.update((c, FamilyKey(k, b)) for c, k, b in conn.execute(query))
        for fid, child in conn.execute(member_query):
            members.setdefault(fid, set()).add(child)
    else:
        ordered = sorted(scope)
        keys.update(dict.fromkeys(ordered))
        for start in range(0, len(ordered), 900):
            part = ordered[start : start + 900]
            keys.update(
                (c, FamilyKey(k, b))
                for c, k, b in conn.execute(query.where(t.child_family_keys.c.child_id.in_(part)))
            )
            for fid, child in conn.execute(
                member_query.where(t.family_members.c.child_id.in_(part))
            ):
                members.setdefault(fid, set()).add(child)
        decisions = [d for d in decisions if d.child_id in scope or d.other_child_id in scope]
    groups = group_families(keys, decisions)
    wanted = {g.key: g for g in groups}
    existing = {
        key: fid for fid, key in conn.execute(sa.select(t.families.c.id, t.families.c.family_key))
    }
    in_scope = set(members) if scope is not None else set(existing.values())
    gone = [fid for key, fid in existing.items() if key not in wanted and fid in in_scope]
    for start in range(0, len(gone), 900):
        batch = gone[start : start + 900]
        conn.execute(t.family_members.delete().where(t.family_members.c.family_id.in_(batch)))
        conn.execute(t.families.delete().where(t.families.c.id.in_(batch)))
    new = [
        {"family_key": g.key, "basis": g.basis, "created_at": dt.datetime.now()}
        for g in groups
        if g.key not in existing
    ]
    if new:
        conn.execute(t.families.insert(), new)
        existing = {
            key: fid
            for fid, key in conn.execute(sa.select(t.families.c.id, t.families.c.family_key))
        }
    removals: list[dict[str, int]] = []
    additions: list[dict[str, int]] = []
    for group in groups:
        fid = existing[group.key]
        have = members.get(fid, set())
        removals += [{"f": fid, "c": c} for c in have - group.members]
        additions += [{"family_id": fid, "child_id": c} for c in group.members - have]
    if removals:
        conn.execute(
            t.family_members.delete().where(
                sa.and_(
                    t.family_members.c.family_id == sa.bindparam("f"),
                    t.family_members.c.child_id == sa.bindparam("c"),
                )
            ),
            removals,
        )
    if additions:
        conn.execute(t.family_members.insert(), additions)
    return int(conn.execute(sa.select(sa.func.count()).select_from(t.families)).scalar_one())


def family_ids_of(conn: sa.Connection, child_ids: Iterable[int] | None = None) -> dict[int, int]:
    """child id -> family id, for children in a family (of all children, or those named)."""
    query = sa.select(t.family_members.c.child_id, t.family_members.c.family_id)
    if child_ids is None:
        return {c: f for c, f in conn.execute(query)}
    ids = sorted(set(child_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), 900):
        batch = ids[start : start + 900]
        found.update(
            {c: f for c, f in conn.execute(query.where(t.family_members.c.child_id.in_(batch)))}
        )
    return found


def _families(conn: sa.Connection, family_ids: Iterable[int] | None = None) -> list[Family]:
    current = t.child_identifiers.alias("current")
    query = (
        sa.select(
            t.families.c.id,
            t.families.c.family_key,
            t.families.c.basis,
            t.children.c.id.label("child_id"),
            current.c.upn,
            t.children.c.surname,
            t.children.c.forename,
        )
        .join(t.family_members, t.family_members.c.family_id == t.families.c.id)
        .join(t.children, t.children.c.id == t.family_members.c.child_id)
        .outerjoin(
            current,
            sa.and_(current.c.child_id == t.children.c.id, current.c.kind == "current"),
        )
        .order_by(t.families.c.id, t.children.c.date_of_birth, t.children.c.id)
    )
    if family_ids is not None:
        query = query.where(t.families.c.id.in_(sorted(set(family_ids))))
    rows = conn.execute(query).all()
    open_flags: dict[int, list[str]] = {}
    child_ids = sorted({r.child_id for r in rows})
    for start in range(0, len(child_ids), 900):
        batch = child_ids[start : start + 900]
        for child, rule in conn.execute(
            sa.select(t.flags.c.child_id, t.flags.c.rule)
            .where(t.flags.c.cleared_on.is_(None), t.flags.c.child_id.in_(batch))
            .order_by(t.flags.c.id)
        ):
            open_flags.setdefault(child, []).append(rule)
    families: dict[int, tuple[str, str, list[FamilyMember]]] = {}
    for row in rows:
        entry = families.setdefault(row.id, (row.family_key, row.basis, []))
        entry[2].append(
            FamilyMember(
                row.child_id,
                row.upn or "",
                row.surname,
                row.forename,
                tuple(open_flags.get(row.child_id, ())),
            )
        )
    return [Family(fid, key, basis, tuple(m)) for fid, (key, basis, m) in families.items()]


def family_of(conn: sa.Connection, child_id: int) -> Family | None:
    """The family a child belongs to, with every member's open flags, or None."""
    fid = family_ids_of(conn, [child_id]).get(child_id)
    if fid is None:
        return None
    found = _families(conn, [fid])
    return found[0] if found else None


def list_families(db: Database, *, flagged_only: bool = False) -> list[Family]:
    """Every family of two or more children (only those with a flagged child if asked)."""
    with db.read() as conn:
        found = _families(conn)
    return [f for f in found if f.flagged] if flagged_only else found


def _record_decision(
    db: Database, child_id: int, other_child_id: int, decision: str, account: str
) -> None:
    if child_id == other_child_id:
        raise InvalidInputError("A child cannot be linked to or unlinked from themselves.")
    with db.write() as conn:
        known = set(
            conn.execute(
                sa.select(t.children.c.id).where(t.children.c.id.in_([child_id, other_child_id]))
            ).scalars()
        )
        missing = {child_id, other_child_id} - known
        if missing:
            raise NotFoundError(f"There is no child with id {min(missing)}.")
        pair = t.family_decisions.c
        conn.execute(
            t.family_decisions.delete().where(
                sa.or_(
                    sa.and_(pair.child_id == child_id, pair.other_child_id == other_child_id),
                    sa.and_(pair.child_id == other_child_id, pair.other_child_id == child_id),
                )
            )
        )
        conn.execute(
            t.family_decisions.insert().values(
                child_id=child_id,
                other_child_id=other_child_id,
                decision=decision,
                decided_by=account,
                decided_at=dt.datetime.now(),
            )
        )
        regroup_families(conn, [child_id, other_child_id])


def link_children(db: Database, child_id: int, other_child_id: int, account: str) -> None:
    """Put two children in one family, whatever their addresses say, from now on."""
    _record_decision(db, child_id, other_child_id, "link", account)


def unlink_children(db: Database, child_id: int, other_child_id: int, account: str) -> None:
    """Take `child_id` out of the family of `other_child_id`, and keep them apart from now on."""
    _record_decision(db, child_id, other_child_id, "unlink", account)
