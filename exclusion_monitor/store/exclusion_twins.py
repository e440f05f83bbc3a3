"""One exclusion across a conversion (docs/rules.md, "One record across returns"): the same
child, category and start date at a predecessor and its successor is one exclusion. A links file
that arrives after both returns joins the twins it makes one (noting each join, so undoing the
links splits them back); undoing links splits every exclusion whose returns are no longer one
school's.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store import sightings as sg
from exclusion_monitor.store.school_groups import school_groups

RECORD = "exclusions"


@dataclass(frozen=True, slots=True)
class JoinedTwins:
    kept_id: int
    absorbed_id: int
    laestabs: tuple[str, str]


def join_twins(conn: sa.Connection, batch_id: int) -> list[JoinedTwins]:
    """Join the exclusions that the school links now make one (same child, category and start
    date, schools in one group), the earliest record keeping its id; each join is noted as a
    merge made by `batch_id`."""
    groups = school_groups(conn)
    if not groups:
        return []
    e = t.exclusions.c
    other = t.exclusions.alias("other")
    pairs = conn.execute(
        sa.select(e.id, e.school_id, other.c.id, other.c.school_id)
        .join(
            other,
            sa.and_(
                other.c.child_id == e.child_id,
                other.c.category == e.category,
                other.c.start_date == e.start_date,
                other.c.id > e.id,
            ),
        )
        .where(e.school_id.in_(sorted(groups)), other.c.school_id.in_(sorted(groups)))
        .order_by(e.id, other.c.id)
    ).all()
    laestab = dict(conn.execute(sa.select(t.schools.c.id, t.schools.c.laestab)).all())
    school_open = sg.school_open_on(conn)
    kept_of: dict[int, int] = {}
    joined: list[JoinedTwins] = []
    now = dt.datetime.now()
    for first, first_school, second, second_school in pairs:
        if groups.get(first_school, first_school) != groups.get(second_school, second_school):
            continue
        kept = kept_of.get(first, first)
        if second in kept_of:
            continue
        seen = sg.sightings_of(conn, RECORD, [kept, second])
        if not seen.get(kept) or not seen.get(second):
            continue
        batches = {s.batch_id for s in seen[kept]}
        dropped = [s for s in seen[second] if s.batch_id in batches]
        sg.settle(
            conn,
            RECORD,
            {second: [], kept: seen[kept] + [s for s in seen[second] if s.batch_id not in batches]},
            school_open=school_open,
        )
        kept_of[second] = kept
        names = (laestab[first_school], laestab[second_school])
        detail = {
            "schools": sorted({int(s.stated["school_id"]) for s in seen[second]}),
            "dropped": [[s.batch_id, s.row_number, sg.encode(s.stated)] for s in dropped],
        }
        conn.execute(
            t.record_merges.insert().values(
                record_type=RECORD,
                kept_id=kept,
                merged_id=second,
                batch_id=batch_id,
                reason=f"the same exclusion returned under {names[0]} and {names[1]}, one school "
                "by the school links",
                detail=json.dumps(detail),
                merged_at=now,
            )
        )
        joined.append(JoinedTwins(kept, second, names))
    return joined


def split_twins(conn: sa.Connection, batch_id: int) -> int:
    """After the school links of `batch_id` are gone: split each exclusion whose returns name
    schools that are no longer one school, the part a join took in getting its id back. Returns
    how many exclusions came apart."""
    m = t.record_merges.c
    journal: dict[int, list[tuple[int, set[int], list[Any]]]] = {}
    for kept, merged, detail in conn.execute(
        sa.select(m.kept_id, m.merged_id, m.detail)
        .where(m.record_type == RECORD, m.batch_id == batch_id)
        .order_by(m.id.desc())
    ):
        data = json.loads(detail)
        journal.setdefault(int(kept), []).append(
            (int(merged), set(data["schools"]), data["dropped"])
        )
    conn.execute(t.record_merges.delete().where(m.record_type == RECORD, m.batch_id == batch_id))
    v = t.record_versions.c
    versioned = sorted(
        int(i)
        for i in conn.execute(
            sa.select(v.record_id).distinct().where(v.record_type == RECORD)
        ).scalars()
    )
    if not versioned:
        return 0
    groups = school_groups(conn)
    school_open = sg.school_open_on(conn)
    live = {
        int(i)
        for i in conn.execute(
            sa.select(t.import_batches.c.id).where(t.import_batches.c.status == "imported")
        ).scalars()
    }
    seen = sg.sightings_of(conn, RECORD, versioned)
    rows = sg.record_rows(conn, RECORD, versioned)
    next_id = (
        int(
            conn.execute(
                sa.select(sa.func.coalesce(sa.func.max(t.exclusions.c.id), 0))
            ).scalar_one()
        )
        + 1
    )
    parts: dict[int, list[sg.Sighting]] = {}
    new_rows: dict[int, dict[str, Any]] = {}
    split = 0
    for record_id, sightings in seen.items():
        by_group: dict[int, list[sg.Sighting]] = {}
        for s in sightings:
            school = int(s.stated["school_id"])
            by_group.setdefault(groups.get(school, school), []).append(s)
        joins = journal.get(record_id, [])
        if len(by_group) < 2 and not any(dropped for _, _, dropped in joins):
            continue
        named: dict[int, int] = {}  # group -> the record id a join gave its part
        for merged, schools, dropped in joins:
            for school in schools:
                named.setdefault(groups.get(school, school), merged)
            for b, r, text in dropped:
                if int(b) in live:
                    group = groups.get(next(iter(schools)), next(iter(schools)))
                    by_group.setdefault(group, []).append(
                        sg.Sighting(int(b), r, sg.decode(RECORD, text))
                    )
        first_group = min(by_group, key=lambda g: min(s.batch_id for s in by_group[g]))
        for group, part in by_group.items():
            if group == first_group and named.get(group) is None:
                parts[record_id] = part
                continue
            target = named.get(group)
            if target is None or target in rows or target in parts:
                target = next_id
                next_id += 1
            parts[target] = part
            row = rows[record_id]
            new_rows[target] = {k: row[k] for k in sg.RECORD_KEYS[RECORD]}
        parts.setdefault(record_id, [])
        split += 1
    sg.settle(conn, RECORD, parts, school_open=school_open, new_rows=new_rows)
    return split
