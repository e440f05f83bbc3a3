"""Undoing a merge of two children (docs/rules.md, "A late Former UPN"): the merged child comes
back with its own id, UPNs, details, flags, reviews and notes, and each record goes to the child
whose UPN it was returned under. A merge an import made is undone with that import's batch.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store import sightings as sg
from exclusion_monitor.store.merges import CHILD_RECORDS, one_row, row_back


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
    if one_row(conn, t.children, keep) is None:  # everything of both went with later undos
        conn.execute(t.record_merges.delete().where(t.record_merges.c.id == merge.id))
        return
    conn.execute(t.children.insert().values(**row_back(t.children, journal["gone"])))
    _restore_identifiers(conn, keep, gone, journal)
    _split_child_sources(conn, keep, gone, journal, batch_id)
    _split_records(conn, keep, gone, journal)
    _restore_flags(conn, keep, gone, journal["flags"])
    _restore_case(conn, keep, gone, journal.get("case") or {})
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
        # A merge made before cases (schema 6) kept its flag's review columns, which flags no
        # longer have, and the ids of its reviews and notes, which are now the case's.
        saved = {k: v for k, v in joined["flag"].items() if k in t.flags.c}
        flag = row_back(t.flags, saved)
        if conn.execute(sa.select(f.id).where(f.id == flag["id"])).first() is None:
            conn.execute(t.flags.insert().values(**flag))


def _restore_case(conn: sa.Connection, keep: int, gone: int, case: dict[str, Any]) -> None:
    """`gone`'s case back as it was before the merge (a case made after it stays with `keep`)."""
    c = t.cases.c
    if "moved" in case:
        conn.execute(
            t.cases.update().where(c.id == case["moved"], c.child_id == keep).values(child_id=gone)
        )
    elif "joined" in case:
        row = row_back(t.cases, case["joined"])
        if conn.execute(sa.select(c.id).where(c.id == row["id"])).first() is None:
            conn.execute(t.cases.insert().values(**{**row, "child_id": gone}))
        for table in (t.case_notes, t.case_events):
            ids = case.get(table.name, [])
            if ids:
                conn.execute(table.update().where(table.c.id.in_(ids)).values(case_id=row["id"]))


def _restore_pairs(
    conn: sa.Connection, table: sa.Table, other: str, gone: int, pairs: dict[str, Any]
) -> None:
    for row_id, column in pairs["moved"]:
        conn.execute(table.update().where(table.c.id == row_id).values({column: gone}))
    children = t.children.c
    for data in pairs["deleted"]:
        row = row_back(table, data)
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
