"""Stored families (docs/rules.md#families): each child's own family and address keys, the families
planned from them and the officers' link and unlink decisions (kept apart, so they survive
re-imports), the suggestions at communal addresses, and the queries the family views use."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.bulk_work import whole_is_quicker
from exclusion_monitor.child_search import fold_name
from exclusion_monitor.errors import InvalidInputError, NotFoundError
from exclusion_monitor.families import (
    DEFAULT_MAX_CHILDREN,
    DEFAULT_MAX_SURNAMES,
    MAX_CHILDREN_SETTING,
    MAX_SURNAMES_SETTING,
    ChildFamilyFacts,
    ChildKeys,
    CommunalRules,
    FamilyDecision,
    FamilyPlan,
    communal_rules,
    plan_by_address,
    plan_families,
)
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import (
    bulk_insert,
    indexes_built_after,
    replace_child_rows,
    rows_of_children,
    stored_moment,
)
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.dialect import index_reads, is_sqlite


@dataclass(frozen=True, slots=True)
class FamilyMember:
    child_id: int
    upn: str
    surname: str
    forename: str
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Family:
    """A family of two or more children, each with their open flags."""

    id: int
    key: str
    basis: str
    members: tuple[FamilyMember, ...]

    @property
    def flagged(self) -> bool:
        return any(m.flags for m in self.members)

    @property
    def flagged_children(self) -> int:
        """How many of the family's children have at least one open flag."""
        return sum(1 for m in self.members if m.flags)

    @property
    def rule_counts(self) -> list[tuple[str, int]]:
        """Each rule the family's children are flagged for, with how many of them, most first."""
        counts = Counter(rule for m in self.members for rule in set(m.flags))
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@dataclass(frozen=True, slots=True)
class SuggestedChild:
    child_id: int
    upn: str
    surname: str
    forename: str


@dataclass(frozen=True, slots=True)
class FamilySuggestion:
    """Children who share an address but are not linked: an officer confirms (links) or not."""

    address: str  # as the census gave it (normalised line and postcode)
    why: str
    children: tuple[SuggestedChild, ...]


@contextmanager
def writing_keys(conn: sa.Connection, children: int) -> Iterator[None]:
    """Around the saving of every child's keys: when fewer than half of `children` have keys
    stored (the first recompute after an authority's history is imported, say), most will be
    inserted, so the keys' indexes are built once after them rather than row by row."""
    stored = conn.execute(sa.select(sa.func.count()).select_from(t.child_family_keys))
    if stored.scalar_one() * 2 >= children:
        yield
        return
    with indexes_built_after(conn, t.child_family_keys):
        yield


def save_family_keys(
    conn: sa.Connection,
    keys: Mapping[int, ChildKeys | None],
    *,
    first_id: int,
    last_id: int,
    child_ids: Sequence[int] | None = None,
) -> None:
    """Make the stored family and address keys of a batch of children (ids first..last, or
    exactly `child_ids`) those of `keys` (only those that changed are written)."""
    rows = [
        (
            child,
            found.family.key if found.family else found.address,
            found.family.basis if found.family else "address",
            found.address,
        )
        for child, found in keys.items()
        if found is not None and (found.family is not None or found.address is not None)
    ]
    replace_child_rows(
        conn,
        t.child_family_keys,
        ["child_id", "family_key", "basis", "address_key"],
        rows,
        first_id=first_id,
        last_id=last_id,
        child_ids=child_ids,
    )


def _rules(conn: sa.Connection) -> CommunalRules:
    """The communal-address thresholds in force (settings, else the defaults) and the list."""
    stored = dict(
        conn.execute(
            sa.select(t.settings.c.key, t.settings.c.value).where(
                t.settings.c.key.in_([MAX_SURNAMES_SETTING, MAX_CHILDREN_SETTING])
            )
        ).all()
    )

    def number(key: str, default: int) -> int:
        try:
            value = json.loads(stored[key])
        except (KeyError, ValueError):
            return default
        return (
            int(value)
            if isinstance(value, int | float) and not isinstance(value, bool)
            else default
        )

    return communal_rules(
        number(MAX_SURNAMES_SETTING, DEFAULT_MAX_SURNAMES),
        number(MAX_CHILDREN_SETTING, DEFAULT_MAX_CHILDREN),
    )


def _decisions(conn: sa.Connection) -> list[FamilyDecision]:
    query = sa.select(
        t.family_decisions.c.child_id,
        t.family_decisions.c.other_child_id,
        t.family_decisions.c.decision,
    ).order_by(t.family_decisions.c.decided_at, t.family_decisions.c.id)
    return [FamilyDecision(a, b, d) for a, b, d in conn.execute(query)]


def _scope(
    conn: sa.Connection,
    child_ids: Iterable[int],
    decisions: list[FamilyDecision],
    *,
    keyed: int | None = None,
) -> set[int] | None:
    """The children whose families may change when these children's keys change: those who
    share a key, an address, a family or an officer's decision with them, followed until it
    closes (whether an address is communal depends on everyone living there). With `keyed`
    (how many children have keys), None, for everyone, as soon as grouping everyone is quicker
    (bulk_work.whole_is_quicker).

    Each round reads the children's keys, addresses and families, then looks up who else has
    them, by lists of values under `index_reads`: each value is found in its index, whatever the
    server believes about the tables (a subquery in their place let it join by walking a whole
    index per batch; an OR of the two look-ups tested every stored key against the batch's)."""
    partners: dict[int, set[int]] = {}
    for d in decisions:
        partners.setdefault(d.child_id, set()).add(d.other_child_id)
        partners.setdefault(d.other_child_id, set()).add(d.child_id)
    k = t.child_family_keys.c
    fm = t.family_members.c
    scope: set[int] = set()
    todo = set(child_ids)
    with index_reads(conn):
        while todo:
            scope |= todo
            if keyed is not None and whole_is_quicker(len(scope), keyed):
                return None
            batch = sorted(todo)
            found: set[int] = set()
            own = rows_of_children(
                conn, sa.select(k.child_id, k.family_key, k.address_key), k.child_id, batch
            )
            families = rows_of_children(
                conn, sa.select(fm.child_id, fm.family_id), fm.child_id, batch
            )
            for column, values in (
                (k.family_key, {key for _, key, _ in own}),
                (k.address_key, {address for _, _, address in own if address is not None}),
                (fm.family_id, {family for _, family in families}),
            ):
                ordered = sorted(values)
                for start in range(0, len(ordered), 900):
                    sharing = sa.select(column.table.c.child_id).where(
                        column.in_(ordered[start : start + 900])
                    )
                    found.update(conn.execute(sharing).scalars())
            for child in batch:
                found |= partners.get(child, set())
            todo = found - scope
    return scope


def family_scope(conn: sa.Connection, child_ids: Iterable[int]) -> set[int]:
    """The children whose families a change to these children can alter, as the data stands:
    they, and everyone who shares a key, an address, a family or an officer's decision with them,
    followed until it closes (what `regroup_families` looks at for them)."""
    scope = _scope(conn, child_ids, _decisions(conn))
    assert scope is not None  # no limit
    return scope


def _keyed(conn: sa.Connection) -> int:
    """How many children have family keys."""
    keyed = conn.execute(sa.select(sa.func.count()).select_from(t.child_family_keys))
    return int(keyed.scalar_one())


def regroup_scope(conn: sa.Connection, child_ids: Iterable[int]) -> set[int] | None:
    """What `regroup_families` needs to look at for these children (family_scope), or None when
    that is so large a share of the authority that regrouping everyone is quicker."""
    return _scope(conn, child_ids, _decisions(conn), keyed=_keyed(conn))


def _references(conn: sa.Connection) -> Iterator[tuple[int, str]]:
    """Every (child, family reference key), streamed."""
    k = t.child_family_keys.c
    query = sa.select(k.child_id, k.family_key).where(k.basis == "reference")
    rows = conn.execute(query, execution_options={"yield_per": _STREAM})
    yield from ((int(child), str(key)) for child, key in rows)


def _shared_addresses(conn: sa.Connection) -> sa.Select[Any]:
    """Every child at an address where two or more children live, with their surname, in address
    order, each surname one look-up by primary key.

    PostgreSQL counts who shares an address over the keys in one pass (a window): nothing is
    joined or matched row by row. The keys are written in the same transaction, and an undo and
    re-import can leave the children's statistics saying that table is empty, so the server could
    plan a subquery or a join that ran again for every row (more than ten minutes at an
    authority's size instead of a second). SQLite cannot tell that the window's rows are already
    in address order and sorts them all again (4.1 s at a million children); there the shared
    addresses are found on the address index first and each one's children read from it, in
    order with nothing to sort (2.4 s)."""
    k = t.child_family_keys.c
    surname = sa.select(t.children.c.surname)
    if is_sqlite(conn):
        shared = (
            sa.select(k.address_key)
            .where(k.address_key.is_not(None))
            .group_by(k.address_key)
            .having(sa.func.count() > 1)
        )
        return (
            sa.select(
                k.child_id,
                k.family_key,
                k.basis,
                k.address_key,
                surname.where(t.children.c.id == k.child_id).scalar_subquery(),
            )
            .where(k.address_key.in_(shared))
            .order_by(k.address_key, k.child_id)
        )
    living = (
        sa.select(
            k.child_id,
            k.family_key,
            k.basis,
            k.address_key,
            sa.func.count().over(partition_by=k.address_key).label("sharing"),
        )
        .where(k.address_key.is_not(None))
        .subquery()
    )
    v = living.c
    return (
        sa.select(
            v.child_id,
            v.family_key,
            v.basis,
            v.address_key,
            surname.where(t.children.c.id == v.child_id).scalar_subquery(),
        )
        .where(v.sharing > 1)
        .order_by(v.address_key, v.child_id)
    )


def _addresses(conn: sa.Connection) -> Iterator[tuple[str, dict[int, ChildFamilyFacts]]]:
    """Each address key where two or more children live, once, with the facts of every child
    living there, streamed in address order (a whole authority's facts are never held at once;
    an address of one child makes nothing: families.plan_by_address)."""
    address = ""
    people: dict[int, ChildFamilyFacts] = {}
    rows = conn.execute(_shared_addresses(conn), execution_options={"yield_per": _STREAM})
    for child, key, basis, here, surname in rows:
        if not here:
            continue
        if here != address:
            if people:
                yield address, people
            address, people = here, {}
        people[child] = ChildFamilyFacts(
            key if basis == "reference" else None, here, fold_name(surname)
        )
    if people:
        yield address, people


_STREAM = 10_000  # rows fetched at a time (a server-side cursor on PostgreSQL)


def _facts(conn: sa.Connection, child_ids: list[int] | None) -> dict[int, ChildFamilyFacts | None]:
    """Each child's reference key, address key and folded surname (every child with keys, or
    the named ones; a named child with no keys maps to None). The keys are read by ranges of
    ids and each surname by primary key (see `rows_of_children` and `_shared_addresses`)."""
    k = t.child_family_keys.c
    surname = sa.select(t.children.c.surname).where(t.children.c.id == k.child_id)
    query = sa.select(k.child_id, k.family_key, k.basis, k.address_key, surname.scalar_subquery())
    found: dict[int, ChildFamilyFacts | None] = {}
    if child_ids is not None:
        found.update(dict.fromkeys(child_ids))
    rows: Iterable[Any] = (
        conn.execute(query)
        if child_ids is None
        else rows_of_children(conn, query, k.child_id, child_ids)
    )
    for child, key, basis, address, name in rows:
        found[child] = ChildFamilyFacts(
            key if basis == "reference" else None, address, fold_name(name)
        )
    return found


def plan_stored_families(conn: sa.Connection, child_ids: Iterable[int] | None = None) -> FamilyPlan:
    """The families and suggestions the stored keys and decisions give (for every child, or
    for the named children and everyone their families can reach)."""
    decisions = _decisions(conn)
    found = None if child_ids is None else _scope(conn, child_ids, decisions)
    scope = None if found is None else sorted(found)
    if scope is not None:
        wanted = set(scope)
        decisions = [d for d in decisions if d.child_id in wanted or d.other_child_id in wanted]
    return plan_families(_facts(conn, scope), decisions, _rules(conn))


def regroup_families(conn: sa.Connection, child_ids: Iterable[int] | None = None) -> int:
    """Group children into families from the stored keys and decisions and store the result,
    keeping each family's id while its key lasts: every child, or only those whose families the
    named children's keys can change. Returns the number of families in the database."""
    decisions = _decisions(conn)
    scope = None if child_ids is None else _scope(conn, child_ids, decisions, keyed=_keyed(conn))
    member_query = sa.select(t.family_members.c.family_id, t.family_members.c.child_id)
    members: dict[int, set[int]] = {}
    rules = _rules(conn)
    if scope is None:
        for fid, child in conn.execute(member_query):
            members.setdefault(fid, set()).add(child)
        plan = plan_by_address(_references(conn), _addresses(conn), decisions, rules)
    else:
        ordered = sorted(scope)
        for start in range(0, len(ordered), 900):
            part = ordered[start : start + 900]
            for fid, child in conn.execute(
                member_query.where(t.family_members.c.child_id.in_(part))
            ):
                members.setdefault(fid, set()).add(child)
        decisions = [d for d in decisions if d.child_id in scope or d.other_child_id in scope]
        plan = plan_families(_facts(conn, ordered), decisions, rules)
    groups = plan.groups
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
    for fid in gone:
        # Its members went with it; a new family may be given the same id (SQLite reuses the
        # largest), and must not be taken to have them still.
        members.pop(fid, None)
    created = stored_moment(conn, dt.datetime.now())
    new = [(g.key, g.basis, created) for g in groups if g.key not in existing]
    if new:
        bulk_insert(conn, t.families, ["family_key", "basis", "created_at"], new)
        existing = {
            key: fid
            for fid, key in conn.execute(sa.select(t.families.c.id, t.families.c.family_key))
        }
    removals: list[dict[str, int]] = []
    additions: list[tuple[int, int]] = []
    for group in groups:
        fid = existing[group.key]
        have = members.get(fid, set())
        removals += [{"f": fid, "c": c} for c in have - group.members]
        additions += [(fid, c) for c in group.members - have]
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
    bulk_insert(conn, t.family_members, ["family_id", "child_id"], additions)
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


def family_sizes(conn: sa.Connection, family_ids: Iterable[int]) -> dict[int, int]:
    """family id -> how many children it has, for the families named."""
    ids = sorted(set(family_ids))
    found: dict[int, int] = {}
    fm = t.family_members.c
    for start in range(0, len(ids), 900):
        query = (
            sa.select(fm.family_id, sa.func.count())
            .where(fm.family_id.in_(ids[start : start + 900]))
            .group_by(fm.family_id)
        )
        found.update({int(f): int(n) for f, n in conn.execute(query)})
    return found


def members_of(conn: sa.Connection, family_ids: Iterable[int]) -> dict[int, list[int]]:
    """family id -> its children's ids (ascending), for the families named."""
    ids = sorted(set(family_ids))
    found: dict[int, list[int]] = {}
    fm = t.family_members.c
    for start in range(0, len(ids), 900):
        query = (
            sa.select(fm.family_id, fm.child_id)
            .where(fm.family_id.in_(ids[start : start + 900]))
            .order_by(fm.family_id, fm.child_id)
        )
        for family_id, child_id in conn.execute(query):
            found.setdefault(int(family_id), []).append(int(child_id))
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


def family_suggestions(db: Database) -> list[FamilySuggestion]:
    """Children who share an address an officer should look at: one surname at a communal
    address, or a child whom nothing links at a family's address. Linking them confirms one."""
    with db.read() as conn:
        plan = plan_stored_families(conn)
        ids = sorted({c for s in plan.suggestions for c in s.members})
        people: dict[int, SuggestedChild] = {}
        current = t.child_identifiers.alias("current")
        query = sa.select(
            t.children.c.id, current.c.upn, t.children.c.surname, t.children.c.forename
        ).outerjoin(
            current, sa.and_(current.c.child_id == t.children.c.id, current.c.kind == "current")
        )
        for start in range(0, len(ids), 900):
            for child, upn, surname, forename in conn.execute(
                query.where(t.children.c.id.in_(ids[start : start + 900]))
            ):
                people[child] = SuggestedChild(child, upn or "", surname, forename)
    found = []
    for suggestion in plan.suggestions:
        children = sorted(
            (people[c] for c in suggestion.members if c in people),
            key=lambda p: (p.surname.casefold(), p.forename.casefold(), p.upn),
        )
        line, _, postcode = suggestion.address.removeprefix("addr:").partition("|")
        found.append(FamilySuggestion(f"{line}, {postcode}", suggestion.why, tuple(children)))
    found.sort(
        key=lambda f: (
            f.address,
            [(c.surname.casefold(), c.forename.casefold()) for c in f.children],
        )
    )
    return found


def _record_decision(
    db: Database, child_id: int, other_child_id: int, decision: str, account: str
) -> None:
    with db.write() as conn:
        record_family_decision(conn, child_id, other_child_id, decision, account)


def record_family_decision(
    conn: sa.Connection, child_id: int, other_child_id: int, decision: str, account: str
) -> None:
    """Link ("link") or unlink ("unlink") two children from now on, in the caller's
    transaction, and regroup their families."""
    if child_id == other_child_id:
        raise InvalidInputError("A child cannot be linked to or unlinked from themselves.")
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


def keep_apart(db: Database, child_ids: Iterable[int], account: str) -> None:
    """An officer's answer to a suggestion, "not a family": every two of these children not
    already in one family are recorded as kept apart, so no address links them and the
    suggestion goes (a family among them stays as it is)."""
    with db.write() as conn:
        keep_apart_in(conn, child_ids, account)


def keep_apart_in(conn: sa.Connection, child_ids: Iterable[int], account: str) -> None:
    """`keep_apart` in the caller's transaction."""
    ids = sorted(set(child_ids))
    if len(ids) < 2:
        raise InvalidInputError("Keeping children apart needs two children or more.")
    known = set(conn.execute(sa.select(t.children.c.id).where(t.children.c.id.in_(ids))).scalars())
    missing = set(ids) - known
    if missing:
        raise NotFoundError(f"There is no child with id {min(missing)}.")
    pair = t.family_decisions.c
    now = dt.datetime.now()
    family = family_ids_of(conn, ids)
    for i, child in enumerate(ids):
        for other in ids[i + 1 :]:
            if family.get(child) is not None and family.get(child) == family.get(other):
                continue
            conn.execute(
                t.family_decisions.delete().where(
                    sa.or_(
                        sa.and_(pair.child_id == child, pair.other_child_id == other),
                        sa.and_(pair.child_id == other, pair.other_child_id == child),
                    )
                )
            )
            conn.execute(
                t.family_decisions.insert().values(
                    child_id=child,
                    other_child_id=other,
                    decision="unlink",
                    decided_by=account,
                    decided_at=now,
                )
            )
    regroup_families(conn, ids)


def link_children(db: Database, child_id: int, other_child_id: int, account: str) -> None:
    """Put two children in one family, whatever their addresses say, from now on."""
    _record_decision(db, child_id, other_child_id, "link", account)


def unlink_children(db: Database, child_id: int, other_child_id: int, account: str) -> None:
    """Take `child_id` out of the family of `other_child_id`, and keep them apart from now on."""
    _record_decision(db, child_id, other_child_id, "unlink", account)
