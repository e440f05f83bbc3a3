"""Undo in every order, compared with table contents: helpers for the tests of one record across
returns. `exact` dumps every table the intake writes, ids and all (undoing the latest batch must
give back exactly what was there before it); `canonical` names each record by what it is (a
child by its UPNs, a school by its LAESTAB, a batch by its file) so that a database where some
batches were undone can be compared with one that never imported them. (The merge journal is
history, not data: a merge whose first child's returns were all undone stays noted until its
own batch is undone, which the later undos check.)"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import open_database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.batches import undo_batch
from imports import import_files

# What an import writes (and undo must give back). Derived tables (flags, the children list,
# families) are worked out again after each import and undo; the audit trail and the batch
# list record what happened and only grow.
RECORD_TABLES = [
    t.schools, t.school_links, t.children, t.child_identifiers, t.census_observations,
    t.exclusions, t.enrolments, t.record_sources, t.record_versions, t.record_merges,
    t.identity_reviews, t.family_decisions,
]  # fmt: skip
VOLATILE = {"created_at", "first_seen", "merged_at", "decided_at"}
# A child's name, date of birth and sex are those of the first return that brought them (and a
# merge fills what the kept child lacked): undoing that return while others still bring the
# child keeps them, so a database that never had it can differ there (docs/rules.md, identity).
FIRST_RETURN_DETAILS = {"surname", "forename", "date_of_birth", "sex"}
# A school's register details are the latest extract's, and stay when it is undone while returns
# still name the school (the schools loader's rule, not one record across returns').
REGISTER_DETAILS = {
    "urn", "name", "phase", "school_type", "low_age", "high_age", "open_date", "close_date",
    "status", "open_reason", "close_reason", "previous_laestab",
}  # fmt: skip


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def exact(db: Any) -> dict[str, list[list[Any]]]:
    """Every row of the record tables, ordered by primary key (moments of the run left out)."""
    out: dict[str, list[list[Any]]] = {}
    with db.read() as conn:
        for table in RECORD_TABLES:
            columns = [c for c in table.columns if c.name not in VOLATILE]
            rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns))
            out[table.name] = [[_plain(v) for v in row] for row in rows]
    return out


def canonical(db: Any) -> dict[str, Any]:
    """The record tables with every id replaced by what it stands for."""
    with db.read() as conn:
        files = dict(
            conn.execute(sa.select(t.import_batches.c.id, t.import_batches.c.file_name)).all()
        )
        laestab = dict(conn.execute(sa.select(t.schools.c.id, t.schools.c.laestab)).all())
        upns: dict[int, list[str]] = {}
        for child, upn in conn.execute(
            sa.select(t.child_identifiers.c.child_id, t.child_identifiers.c.upn)
        ):
            upns.setdefault(child, []).append(upn)
        child = {c: "+".join(sorted(u)) for c, u in upns.items()}
        sources: dict[tuple[str, int], list[Any]] = {}
        for kind, record, batch, row in conn.execute(sa.select(t.record_sources)):
            sources.setdefault((kind, record), []).append([files[batch], row])
        versions: dict[tuple[str, int], list[Any]] = {}
        for v in conn.execute(sa.select(t.record_versions)):
            stated = json.loads(v.stated)
            if "school_id" in stated:
                stated["school_id"] = laestab.get(stated["school_id"])
            versions.setdefault((v.record_type, v.record_id), []).append(
                [files[v.batch_id], v.row_number, stated]
            )

        def named(table: sa.Table, key: Callable[[Any, Any], Any]) -> list[Any]:
            found = []
            for row in conn.execute(sa.select(table)):
                m = dict(row._mapping)
                ident = m.pop("id", None)
                shown = {
                    name: _plain(value)
                    for name, value in m.items()
                    if name not in VOLATILE
                    and name not in ("child_id", "school_id", "batch_id")
                    and not (table is t.children and name in FIRST_RETURN_DETAILS)
                    and not (table is t.schools and name in REGISTER_DETAILS)
                }
                if "school_id" in m:
                    shown["school"] = laestab.get(m["school_id"])
                if "child_id" in m:
                    shown["child"] = child.get(m["child_id"], f"no UPN ({m['child_id']})")
                if "batch_id" in m:
                    shown["batch"] = files.get(m["batch_id"])
                shown["sources"] = sorted(sources.get((table.name, ident), []))
                shown["versions"] = sorted(
                    versions.get((table.name, ident), []), key=lambda x: json.dumps(x)
                )
                found.append([json.dumps(key(shown, ident), default=str), shown])
            return sorted(found, key=lambda pair: (pair[0], json.dumps(pair[1], default=str)))

        out: dict[str, Any] = {
            "schools": named(t.schools, lambda r, _: r["laestab"]),
            "children": named(t.children, lambda _, i: child.get(i)),
            "child_identifiers": named(t.child_identifiers, lambda r, _: r["upn"]),
        }
        for table in (t.census_observations, t.exclusions, t.enrolments):
            out[table.name] = named(table, lambda r, _: [r["child"], r["school"]])
        out["links"] = sorted(
            [laestab[a], laestab[b], kind, files.get(batch)]
            for a, b, kind, batch in conn.execute(
                sa.select(
                    t.school_links.c.school_id,
                    t.school_links.c.linked_school_id,
                    t.school_links.c.link_type,
                    t.school_links.c.batch_id,
                )
            )
        )
        out["identity_reviews"] = sorted(
            [
                sorted([str(child.get(r.child_id)), str(child.get(r.candidate_id))]),
                r.reason,
                r.status,
                files.get(r.batch_id),
                r.former_upn_reason,
                files.get(r.former_upn_batch_id),
            ]
            for r in conn.execute(sa.select(t.identity_reviews))
        )
    return out


@contextmanager
def fresh_db(location: str) -> Iterator[Any]:
    db = open_database(location)
    try:
        yield db
    finally:
        db.close()


def import_in_order(db: Any, files: Sequence[Path]) -> dict[str, int]:
    """Import the files one by one; file name -> batch id."""
    batches = {}
    for path in files:
        (result,) = import_files(db, [path], account="tester")
        assert result.status == "imported", result.message
        batches[path.name] = result.batch_id
    return batches


def check_every_undo_order(
    files: Sequence[Path],
    new_location: Callable[[], str],
    *,
    orders: Sequence[Sequence[int]] | None = None,
    register_first: bool = False,
) -> int:
    """Import the files, then undo them in each order (every permutation unless `orders` is
    given; with `register_first`, the first file, a school register the links need, is undone
    last): after each undo the database must hold what importing only the files still live
    gives (canonical form); undoing the newest batch must give back exactly the tables before
    it. Returns the number of orders tried."""
    references: dict[tuple[int, ...], dict[str, Any]] = {}

    def reference(live: tuple[int, ...]) -> dict[str, Any]:
        if live not in references:
            with fresh_db(new_location()) as db:
                import_in_order(db, [files[i] for i in live])
                references[live] = canonical(db)
        return references[live]

    stack: list[dict[str, Any]] = []
    tried = 0
    chosen = orders or [
        (*rest, 0) if register_first else rest
        for rest in itertools.permutations(range(1 if register_first else 0, len(files)))
    ]
    for order in chosen:
        with fresh_db(new_location()) as db:
            stack.clear()
            batches: dict[str, int] = {}
            for path in files:
                stack.append(exact(db))
                batches.update(import_in_order(db, [path]))
            live = list(range(len(files)))
            for index in order:
                undo_batch(db, batches[files[index].name], "tester")
                live.remove(index)
                label = f"order {[files[i].name for i in order]}, after undoing {files[index].name}"
                if live == list(range(index)):  # the newest of the batches imported so far
                    now = exact(db)
                    for name, rows in stack[index].items():
                        assert now[name] == rows, (
                            f"{label}: {name} differs from before it{_diff(now[name], rows)}"
                        )
                got, want = canonical(db), reference(tuple(live))
                for name in want:
                    assert got[name] == want[name], f"{label}: {name}{_diff(got[name], want[name])}"
        tried += 1
    return tried


def _diff(got: list[Any], want: list[Any]) -> str:
    mine = {json.dumps(x, default=str) for x in got}
    theirs = {json.dumps(x, default=str) for x in want}
    extra = "\n  ".join(sorted(mine - theirs))
    missing = "\n  ".join(sorted(theirs - mine))
    return f"\n here, not in the reference:\n  {extra}\n in the reference, not here:\n  {missing}"
