"""Two children made one (docs/rules.md, "Identity: UPNs, Former UPNs and near matches"): every
record of one moves to the other (twins made one with both returns' sightings; flags with their
reviews and notes; family decisions; identity reviews), both keep their UPNs, and record_merges
keeps what undoing it needs (merge_undo.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.codelists import counts_for_history
from exclusion_monitor.store import schema as t
from exclusion_monitor.store import sightings as sg
from exclusion_monitor.store.school_groups import school_groups

CHILD_RECORDS = ("census_observations", "exclusions", "enrolments")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def row_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as JSON can keep it (dates and times as ISO text), for the merge's journal."""
    return {name: _plain(value) for name, value in row.items()}


def row_back(table: sa.Table, data: Mapping[str, Any]) -> dict[str, Any]:
    """A row saved by `row_json`, with its dates and times as the table types them."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        kind = table.c[name].type
        if value is not None and isinstance(kind, sa.DateTime):
            value = dt.datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, sa.Date):
            value = dt.date.fromisoformat(value)
        out[name] = value
    return out


def one_row(conn: sa.Connection, table: sa.Table, row_id: int) -> dict[str, Any] | None:
    """A row of a table by id, every column, or None."""
    row = conn.execute(sa.select(table).where(table.c.id == row_id)).first()
    return None if row is None else dict(row._mapping)


def _sources(conn: sa.Connection, record_type: str, record_id: int) -> list[list[Any]]:
    """[batch, row] of a record's other sources."""
    rs = t.record_sources.c
    return [
        [int(b), r]
        for b, r in conn.execute(
            sa.select(rs.batch_id, rs.row_number)
            .where(rs.record_type == record_type, rs.record_id == record_id)
            .order_by(rs.batch_id)
        )
    ]


@dataclass(frozen=True, slots=True)
class Conflict:
    """Why two children joined by a Former UPN are not merged without an officer."""

    what: str  # "dates of birth", "sex", "census"
    text: str


def merge_conflict(
    conn: sa.Connection,
    a: int,
    b: int,
    *,
    stated: tuple[dt.date | None, str | None] = (None, None),
) -> Conflict | None:
    """What stops two children being one without an officer: a different date of birth or sex,
    or both on a roll in the same census (one school's twice, or two schools' as main
    registrations: two pupils at once). `stated` is the date of birth and sex the row gives for
    child `a`, used where `a` has none held."""
    c = t.children.c
    held = {
        int(r.id): r
        for r in conn.execute(sa.select(c.id, c.date_of_birth, c.sex).where(c.id.in_([a, b])))
    }
    first, second = held[a], held[b]
    born = first.date_of_birth or stated[0]
    sex = first.sex or stated[1]
    if born and second.date_of_birth and born != second.date_of_birth:
        return Conflict("dates of birth", "their dates of birth differ")
    if sex and second.sex and sex != second.sex:
        return Conflict("sex", "their recorded sex differs")
    co = t.census_observations.c
    census = conn.execute(
        sa.select(co.child_id, co.census_date, co.school_id, co.enrol_status, t.schools.c.laestab)
        .join(t.schools, t.schools.c.id == co.school_id)
        .where(co.child_id.in_([a, b]))
        .order_by(co.census_date, co.id)
    ).all()
    seen: dict[dt.date, list[Any]] = {}
    for row in census:
        seen.setdefault(row.census_date, []).append(row)
    for day, found in seen.items():
        mine = [r for r in found if r.child_id == a]
        theirs = [r for r in found if r.child_id == b]
        for x in mine:
            for y in theirs:
                # A child may be on two rolls at once only as a dual registration (one main,
                # one subsidiary): two rows at one school, or two main registrations, are two
                # pupils.
                if x.school_id == y.school_id or (
                    counts_for_history(x.enrol_status) and counts_for_history(y.enrol_status)
                ):
                    where = (
                        f"the roll of school {x.laestab}"
                        if x.school_id == y.school_id
                        else f"the rolls of schools {x.laestab} and {y.laestab}"
                    )
                    return Conflict(
                        "census", f"both were on {where} in the census of {day:%d/%m/%Y}"
                    )
    return None


def merge_children(
    conn: sa.Connection,
    *,
    keep: int,
    gone: int,
    reason: str,
    batch_id: int | None = None,
    row_number: int | None = None,
    account: str | None = None,
) -> int:
    """Move every record of child `gone` to child `keep` (`gone`'s UPNs become former UPNs of
    `keep`, unless `keep`'s current UPN is temporary and `gone`'s permanent) and delete `gone`.
    Returns the record_merges id that undoes it."""
    journal: dict[str, Any] = {
        "gone": row_json(one_row(conn, t.children, gone) or {}),
        "gone_sources": _sources(conn, "children", gone),
        "keep_sources": _sources(conn, "children", keep),
        "keep_batch": (one_row(conn, t.children, keep) or {}).get("batch_id"),
    }
    journal.update(_move_identifiers(conn, keep, gone))
    journal["records"], journal["twins"] = _move_records(conn, keep, gone)
    journal["flags"] = _move_flags(conn, keep, gone)
    journal["case"] = _move_case(conn, keep, gone)
    journal["decisions"] = _move_pairs(conn, t.family_decisions, "other_child_id", keep, gone)
    journal["reviews"] = _move_reviews(conn, keep, gone)
    journal["filled"] = _fill_details(conn, keep, gone)
    _move_child_sources(conn, keep, gone)
    conn.execute(t.children.delete().where(t.children.c.id == gone))
    result = conn.execute(
        t.record_merges.insert().values(
            record_type="children",
            kept_id=keep,
            merged_id=gone,
            batch_id=batch_id,
            row_number=row_number,
            reason=reason,
            detail=json.dumps(journal),
            merged_at=dt.datetime.now(),
            merged_by=account,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _move_identifiers(conn: sa.Connection, keep: int, gone: int) -> dict[str, Any]:
    ci = t.child_identifiers.c
    rows = conn.execute(
        sa.select(ci.id, ci.child_id, ci.kind, ci.temporary)
        .where(ci.child_id.in_([keep, gone]))
        .order_by(ci.id)
    ).all()
    mine = [r for r in rows if r.child_id == gone]
    keep_current = next((r for r in rows if r.child_id == keep and r.kind == "current"), None)
    gone_current = next((r for r in mine if r.kind == "current"), None)
    # A permanent UPN replaces a temporary current one; of two permanent UPNs the child keeps
    # the one known first (docs/rules.md, identity).
    promote = (
        gone_current is not None
        and not gone_current.temporary
        and (keep_current is None or keep_current.temporary)
    )
    conn.execute(
        t.child_identifiers.update().where(ci.child_id == gone).values(child_id=keep, kind="former")
    )
    if promote:
        assert gone_current is not None
        if keep_current is not None:
            conn.execute(
                t.child_identifiers.update().where(ci.id == keep_current.id).values(kind="former")
            )
        conn.execute(
            t.child_identifiers.update().where(ci.id == gone_current.id).values(kind="current")
        )
    return {
        "identifiers": [[int(r.id), r.kind] for r in mine],
        "keep_current": None if keep_current is None else int(keep_current.id),
    }


def _key_of(record_type: str, row: Mapping[str, Any], groups: Mapping[int, int]) -> tuple[Any, ...]:
    """A record's key without its child (an exclusion's school as its group)."""
    key = tuple(row[name] for name in sg.RECORD_KEYS[record_type] if name != "child_id")
    if record_type == "exclusions":
        return (*key, groups.get(row["school_id"], row["school_id"]))
    return key


def _move_records(
    conn: sa.Connection, keep: int, gone: int
) -> tuple[dict[str, list[int]], list[dict[str, Any]]]:
    groups = school_groups(conn)
    school_open = sg.school_open_on(conn)
    moved: dict[str, list[int]] = {}
    twins: list[dict[str, Any]] = []
    for record_type in CHILD_RECORDS:
        table = sg.TABLES[record_type]
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(table).where(table.c.child_id.in_([keep, gone])).order_by(table.c.id)
            )
        ]
        kept_by_key = {
            _key_of(record_type, r, groups): r["id"] for r in rows if r["child_id"] == keep
        }
        plain: list[int] = []
        for row in (r for r in rows if r["child_id"] == gone):
            twin = kept_by_key.get(_key_of(record_type, row, groups))
            if twin is None:
                plain.append(int(row["id"]))
                continue
            twins.append(_join_twins(conn, record_type, int(twin), int(row["id"]), school_open))
        if plain:
            conn.execute(table.update().where(table.c.id.in_(plain)).values(child_id=keep))
        moved[record_type] = plain
    return moved, twins


def _join_twins(
    conn: sa.Connection, record_type: str, kept: int, absorbed: int, school_open: sg.SchoolOpen
) -> dict[str, Any]:
    """Two records of one child that are one record: `absorbed`'s sightings join `kept`'s (a
    batch both have keeps `kept`'s; the other is remembered for a split)."""
    seen = sg.sightings_of(conn, record_type, [kept, absorbed])
    batches = {s.batch_id for s in seen[kept]}
    dropped = [s for s in seen[absorbed] if s.batch_id in batches]
    joined = seen[kept] + [s for s in seen[absorbed] if s.batch_id not in batches]
    sg.settle(conn, record_type, {absorbed: [], kept: joined}, school_open=school_open)
    return {
        "type": record_type,
        "kept": kept,
        "absorbed": absorbed,
        "batches": sorted({s.batch_id for s in seen[absorbed]}),
        "dropped": [[s.batch_id, s.row_number, sg.encode(s.stated)] for s in dropped],
    }


def _move_flags(conn: sa.Connection, keep: int, gone: int) -> dict[str, Any]:
    """`gone`'s flags move to `keep`; where `keep` has the same rule, `gone`'s flag goes (the
    two children's case holds what was done about either)."""
    f = t.flags.c
    held = {
        r.rule: int(r.id) for r in conn.execute(sa.select(f.id, f.rule).where(f.child_id == keep))
    }
    moved: list[int] = []
    joined: list[dict[str, Any]] = []
    for row in conn.execute(sa.select(t.flags).where(f.child_id == gone).order_by(f.id)).all():
        flag = dict(row._mapping)
        into = held.get(flag["rule"])
        if into is None:
            moved.append(int(flag["id"]))
            continue
        conn.execute(t.flags.delete().where(f.id == flag["id"]))
        joined.append({"flag": row_json(flag), "into": into})
    if moved:
        conn.execute(t.flags.update().where(f.id.in_(moved)).values(child_id=keep))
    return {"moved": moved, "joined": joined}


def _move_case(conn: sa.Connection, keep: int, gone: int) -> dict[str, Any]:
    """`gone`'s case becomes `keep`'s when `keep` has none; else its notes and history join
    `keep`'s case (whose status and officer stand) and it goes."""
    c = t.cases.c
    theirs = conn.execute(sa.select(t.cases).where(c.child_id == gone)).first()
    if theirs is None:
        return {}
    ours = conn.execute(sa.select(c.id).where(c.child_id == keep)).scalar()
    if ours is None:
        conn.execute(t.cases.update().where(c.id == theirs.id).values(child_id=keep))
        return {"moved": int(theirs.id)}
    parts: dict[str, list[int]] = {}
    for table in (t.case_notes, t.case_events):
        ids = [
            int(i)
            for i in conn.execute(
                sa.select(table.c.id).where(table.c.case_id == theirs.id)
            ).scalars()
        ]
        conn.execute(table.update().where(table.c.id.in_(ids)).values(case_id=ours))
        parts[table.name] = ids
    conn.execute(t.cases.delete().where(c.id == theirs.id))
    return {"joined": row_json(dict(theirs._mapping)), "into": int(ours), **parts}


def _move_pairs(
    conn: sa.Connection, table: sa.Table, other: str, keep: int, gone: int
) -> dict[str, Any]:
    """Rows about a pair of children (family decisions, identity reviews) that name `gone` name
    `keep` instead; one that would repeat a row of `keep`'s, or pair `keep` with itself, goes."""
    a, b = table.c.child_id, table.c[other]
    rows = [
        dict(r._mapping)
        for r in conn.execute(
            sa.select(table).where(sa.or_(a == gone, b == gone)).order_by(table.c.id)
        )
    ]
    pairs = {
        frozenset((int(x), int(y)))
        for x, y in conn.execute(sa.select(a, b).where(sa.or_(a == keep, b == keep)))
    }
    moved: list[list[Any]] = []
    deleted: list[dict[str, Any]] = []
    for row in rows:
        column = "child_id" if row["child_id"] == gone else other
        partner = row[other] if column == "child_id" else row["child_id"]
        pair = frozenset((keep, int(partner)))
        if partner == keep or pair in pairs:
            conn.execute(table.delete().where(table.c.id == row["id"]))
            deleted.append(row_json(row))
            continue
        pairs.add(pair)
        conn.execute(table.update().where(table.c.id == row["id"]).values({column: keep}))
        moved.append([int(row["id"]), column])
    return {"moved": moved, "deleted": deleted}


def _move_reviews(conn: sa.Connection, keep: int, gone: int) -> dict[str, Any]:
    """Reviews of `gone` with a third child follow it; a review of this very pair goes (the
    merge decides it) and comes back if the merge is undone."""
    return _move_pairs(conn, t.identity_reviews, "candidate_id", keep, gone)


def _fill_details(conn: sa.Connection, keep: int, gone: int) -> dict[str, Any]:
    """What `keep` lacked (date of birth, sex, looked after) is taken from `gone`."""
    c = t.children.c
    kept = conn.execute(sa.select(t.children).where(c.id == keep)).one()._mapping
    other = conn.execute(sa.select(t.children).where(c.id == gone)).one()._mapping
    fill = {
        name: other[name]
        for name in ("date_of_birth", "sex", "looked_after")
        if kept[name] is None and other[name] is not None
    }
    if fill:
        conn.execute(t.children.update().where(c.id == keep).values(**fill))
    return {name: None for name in fill}


def _move_child_sources(conn: sa.Connection, keep: int, gone: int) -> None:
    """The batches that brought `gone` become sources of `keep` (its own batch stays its own)."""
    from exclusion_monitor.store.intake import add_sources

    rs = t.record_sources
    c = t.children.c
    own = dict(conn.execute(sa.select(c.id, c.batch_id).where(c.id.in_([keep, gone]))).all())
    brought: list[tuple[Any, Any]] = [(own[gone], None)] if own.get(gone) is not None else []
    brought += conn.execute(
        sa.select(rs.c.batch_id, rs.c.row_number).where(
            rs.c.record_type == "children", rs.c.record_id == gone
        )
    ).all()
    for batch_id, row_number in brought:
        if batch_id != own.get(keep):
            add_sources(conn, "children", int(batch_id), [(keep, row_number)])
    conn.execute(rs.delete().where(rs.c.record_type == "children", rs.c.record_id == gone))
