"""Two children made one, and made two again (docs/rules.md, "Identity: UPNs, Former UPNs and near
matches"). A merge moves every record of one child to the other (census rows, registrations and
exclusions, twins made one with both returns' sightings; flags with their reviews and notes;
family decisions; identity reviews), keeps both children's UPNs, and writes in record_merges what
undoing it needs. A merge an import made on a Former UPN is undone with that import's batch: the
two children come back as they were, each record going to the child whose UPN it was returned
under.
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


def _row_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _plain(value) for name, value in row.items()}


def _row_back(table: sa.Table, data: Mapping[str, Any]) -> dict[str, Any]:
    """A row saved by `_row_json`, with its dates and times as the table types them."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        kind = table.c[name].type
        if value is not None and isinstance(kind, sa.DateTime):
            value = dt.datetime.fromisoformat(value)
        elif value is not None and isinstance(kind, sa.Date):
            value = dt.date.fromisoformat(value)
        out[name] = value
    return out


def _one(conn: sa.Connection, table: sa.Table, row_id: int) -> dict[str, Any] | None:
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
        "gone": _row_json(_one(conn, t.children, gone) or {}),
        "gone_sources": _sources(conn, "children", gone),
        "keep_sources": _sources(conn, "children", keep),
        "keep_batch": (_one(conn, t.children, keep) or {}).get("batch_id"),
    }
    journal.update(_move_identifiers(conn, keep, gone))
    journal["records"], journal["twins"] = _move_records(conn, keep, gone)
    journal["flags"] = _move_flags(conn, keep, gone)
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
    """`gone`'s flags move to `keep`; where `keep` has the same rule, the reviews and notes of
    `gone`'s flag join `keep`'s flag."""
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
        parts: dict[str, list[int]] = {}
        for table in (t.flag_reviews, t.review_notes):
            ids = [
                int(i)
                for i in conn.execute(
                    sa.select(table.c.id).where(table.c.flag_id == flag["id"])
                ).scalars()
            ]
            conn.execute(table.update().where(table.c.id.in_(ids)).values(flag_id=into))
            parts[table.name] = ids
        conn.execute(t.flags.delete().where(f.id == flag["id"]))
        joined.append({"flag": _row_json(flag), "into": into, **parts})
    if moved:
        conn.execute(t.flags.update().where(f.id.in_(moved)).values(child_id=keep))
    return {"moved": moved, "joined": joined}


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
            deleted.append(_row_json(row))
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


# -- undoing a merge -------------------------------------------------------------------------------
def live_merges(conn: sa.Connection, batch_id: int, record_type: str) -> list[sa.Row[Any]]:
    """The merges a batch made of one record type, newest first."""
    m = t.record_merges.c
    return list(
        conn.execute(
            sa.select(t.record_merges)
            .where(m.batch_id == batch_id, m.record_type == record_type)
            .order_by(m.id.desc())
        ).all()
    )


def split_children(conn: sa.Connection, merge: sa.Row[Any], batch_id: int) -> None:
    """Undo one merge of two children: `gone` comes back with its UPNs, and each record goes to
    the child whose UPN it was returned under (or, returned under no UPN, where it was)."""
    journal = json.loads(merge.detail)
    keep, gone = int(merge.kept_id), int(merge.merged_id)
    if _one(conn, t.children, keep) is None:  # everything of both went with later undos
        conn.execute(t.record_merges.delete().where(t.record_merges.c.id == merge.id))
        return
    conn.execute(t.children.insert().values(**_row_back(t.children, journal["gone"])))
    _restore_identifiers(conn, keep, gone, journal)
    _split_child_sources(conn, keep, gone, journal, batch_id)
    _split_records(conn, keep, gone, journal)
    _restore_flags(conn, keep, gone, journal["flags"])
    _restore_pairs(conn, t.family_decisions, "other_child_id", gone, journal["decisions"])
    _restore_reviews(conn, gone, journal["reviews"])
    if journal["filled"]:
        conn.execute(t.children.update().where(t.children.c.id == keep).values(**journal["filled"]))
    conn.execute(t.record_merges.delete().where(t.record_merges.c.id == merge.id))


def _restore_identifiers(
    conn: sa.Connection, keep: int, gone: int, journal: dict[str, Any]
) -> None:
    ci = t.child_identifiers.c
    for identifier_id, kind in journal["identifiers"]:
        conn.execute(
            t.child_identifiers.update()
            .where(ci.id == identifier_id, ci.child_id == keep)
            .values(child_id=gone, kind=kind)
        )
    current = journal["keep_current"]
    if current is not None:
        exists = conn.execute(sa.select(ci.id).where(ci.id == current, ci.child_id == keep)).first()
        if exists is not None:
            conn.execute(
                t.child_identifiers.update()
                .where(ci.child_id == keep, ci.kind == "current", ci.id != current)
                .values(kind="former")
            )
            conn.execute(
                t.child_identifiers.update().where(ci.id == current).values(kind="current")
            )


def _identifier_batches(conn: sa.Connection, child_id: int) -> set[int]:
    ci = t.child_identifiers.c
    rs = t.record_sources.c
    ids = [int(i) for i in conn.execute(sa.select(ci.id).where(ci.child_id == child_id)).scalars()]
    found = {
        int(b)
        for b in conn.execute(
            sa.select(ci.batch_id).where(ci.id.in_(ids), ci.batch_id.is_not(None))
        ).scalars()
    }
    found.update(
        int(b)
        for b in conn.execute(
            sa.select(rs.batch_id).where(
                rs.record_type == "child_identifiers", rs.record_id.in_(ids)
            )
        ).scalars()
    )
    return found


def _split_child_sources(
    conn: sa.Connection, keep: int, gone: int, journal: dict[str, Any], undone: int
) -> None:
    """Each child gets back the batches that brought it and are still live; a batch that came
    after the merge goes to the child whose UPNs it named. A child left with none has only what
    the batch being undone (`undone`) brought, and goes with it."""
    rs = t.record_sources.c
    c = t.children.c
    now_own = conn.execute(sa.select(c.batch_id).where(c.id == keep)).scalar()
    current: dict[int, int | None] = {} if now_own is None else {int(now_own): None}
    current.update(
        {
            int(b): r
            for b, r in conn.execute(
                sa.select(rs.batch_id, rs.row_number).where(
                    rs.record_type == "children", rs.record_id == keep
                )
            )
        }
    )
    before_keep = {int(b): r for b, r in journal["keep_sources"]}
    if journal["keep_batch"] is not None:
        before_keep[int(journal["keep_batch"])] = None
    before_gone = {int(b): r for b, r in journal["gone_sources"]}
    if journal["gone"].get("batch_id") is not None:
        before_gone[int(journal["gone"]["batch_id"])] = None
    gone_named = _identifier_batches(conn, gone)
    keep_named = _identifier_batches(conn, keep)
    sides: dict[int, dict[int, int | None]] = {keep: {}, gone: {}}
    for batch, row in current.items():
        if batch in before_keep or batch in before_gone:
            if batch in before_keep:
                sides[keep][batch] = before_keep[batch]
            if batch in before_gone:
                sides[gone][batch] = before_gone[batch]
            continue
        if batch in gone_named:
            sides[gone][batch] = row
        if batch in keep_named or batch not in gone_named:
            sides[keep][batch] = row
    conn.execute(
        t.record_sources.delete().where(rs.record_type == "children", rs.record_id == keep)
    )
    from exclusion_monitor.store.intake import add_sources

    for child, batches in sides.items():
        if not batches:
            batches[undone] = None
        first = min(batches)
        conn.execute(t.children.update().where(c.id == child).values(batch_id=first))
        for batch, row in sorted(batches.items()):
            if batch != first:
                add_sources(conn, "children", batch, [(child, row)])


def _split_records(conn: sa.Connection, keep: int, gone: int, journal: dict[str, Any]) -> None:
    ci = t.child_identifiers.c
    gone_upns = {
        str(u) for u in conn.execute(sa.select(ci.upn).where(ci.child_id == gone)).scalars()
    }
    school_open = sg.school_open_on(conn)
    twins = {(x["type"], int(x["kept"])): x for x in journal["twins"]}
    live = _live_batches(conn)
    for record_type in CHILD_RECORDS:
        table = sg.TABLES[record_type]
        moved = set(journal["records"].get(record_type, []))
        ids = [
            int(i)
            for i in conn.execute(sa.select(table.c.id).where(table.c.child_id == keep)).scalars()
        ]
        seen = sg.sightings_of(conn, record_type, ids)
        whole: list[int] = []
        splits: dict[int, list[sg.Sighting]] = {}
        new_rows: dict[int, dict[str, Any]] = {}
        next_id = _next_id(conn, table)
        for record_id in ids:
            twin = twins.get((record_type, record_id))
            absorbed = set(twin["batches"]) if twin else set()
            was_gone = record_id in moved
            mine: list[sg.Sighting] = []
            theirs: list[sg.Sighting] = []
            for s in seen[record_id]:
                upn = s.stated.get("upn_seen")
                goes = upn in gone_upns if upn is not None else was_gone or s.batch_id in absorbed
                (theirs if goes else mine).append(s)
            if twin:
                theirs += [
                    sg.Sighting(int(b), r, sg.decode(record_type, text))
                    for b, r, text in twin["dropped"]
                    if int(b) in live
                ]
            if not theirs:
                continue
            if not mine:
                whole.append(record_id)
                continue
            new_id = int(twin["absorbed"]) if twin else next_id
            if not twin:
                next_id += 1
            splits[record_id] = mine
            splits[new_id] = theirs
            row = sg.record_rows(conn, record_type, [record_id])[record_id]
            new_rows[new_id] = {
                **{k: row[k] for k in sg.RECORD_KEYS[record_type]},
                "child_id": gone,
            }
        if whole:
            conn.execute(table.update().where(table.c.id.in_(whole)).values(child_id=gone))
        if splits:
            sg.settle(conn, record_type, splits, school_open=school_open, new_rows=new_rows)


def _live_batches(conn: sa.Connection) -> set[int]:
    b = t.import_batches.c
    return {int(i) for i in conn.execute(sa.select(b.id).where(b.status == "imported")).scalars()}


def _next_id(conn: sa.Connection, table: sa.Table) -> int:
    return (
        int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()) + 1
    )


def _restore_flags(conn: sa.Connection, keep: int, gone: int, flags: dict[str, Any]) -> None:
    f = t.flags.c
    if flags["moved"]:
        conn.execute(
            t.flags.update()
            .where(f.id.in_(flags["moved"]), f.child_id == keep)
            .values(child_id=gone)
        )
    for joined in flags["joined"]:
        flag = _row_back(t.flags, joined["flag"])
        if conn.execute(sa.select(f.id).where(f.id == flag["id"])).first() is None:
            conn.execute(t.flags.insert().values(**flag))
        for table in (t.flag_reviews, t.review_notes):
            ids = joined.get(table.name, [])
            if ids:
                conn.execute(table.update().where(table.c.id.in_(ids)).values(flag_id=flag["id"]))


def _restore_pairs(
    conn: sa.Connection, table: sa.Table, other: str, gone: int, pairs: dict[str, Any]
) -> None:
    for row_id, column in pairs["moved"]:
        conn.execute(table.update().where(table.c.id == row_id).values({column: gone}))
    children = t.children.c
    for data in pairs["deleted"]:
        row = _row_back(table, data)
        present = conn.execute(
            sa.select(sa.func.count()).where(children.id.in_([row["child_id"], row[other]]))
        ).scalar_one()
        if present == len({row["child_id"], row[other]}):
            conn.execute(table.insert().values(**row))


def _restore_reviews(conn: sa.Connection, gone: int, reviews: dict[str, Any]) -> None:
    """Reviews come back as they were, except those a batch undone since then had brought."""
    live = _live_batches(conn)
    deleted = [
        row for row in reviews["deleted"] if row.get("batch_id") is None or row["batch_id"] in live
    ]
    _restore_pairs(conn, t.identity_reviews, "candidate_id", gone, {**reviews, "deleted": deleted})
