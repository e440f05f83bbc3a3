"""What each return said of a record (docs/rules.md, "One record across returns"): a sighting is
one batch's values for a census row, an exclusion or a registration. A record seen with the same
values every time keeps them in its own row (no version rows); once two returns differ, every
sighting is kept in `record_versions` and the record's row holds what they add up to: for each
value, the latest batch that gave one (a blank never erases). Undo, merges and splits all come
back to `settle`, so a record is always the same function of the sightings still live.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import bulk_insert
from exclusion_monitor.store.dialect import advance_id_sequence

# The columns that say which record a row is (de-duplication). An exclusion's school is a value,
# not part of its key: a predecessor's and its successor's LAESTAB are one school for it.
RECORD_KEYS: dict[str, tuple[str, ...]] = {
    "census_observations": ("child_id", "school_id", "census_date"),
    "exclusions": ("child_id", "category", "start_date"),
    "enrolments": ("child_id", "school_id", "entry_date", "enrol_status"),
}
TABLES: dict[str, sa.Table] = {
    name: t.metadata.tables[name] for name in RECORD_KEYS
}  # the record types with sightings
# Given together or not at all: a return that names any reason names all it has.
REASON_COLUMNS = ("reason1", "reason2", "reason3", "reasons_as_written")
_IN = 900

SchoolOpen = Callable[[int, dt.date], bool]


def value_columns(record_type: str) -> tuple[str, ...]:
    """The columns a return gives values for (not the key, the id or the batch)."""
    skip = {"id", "batch_id", *RECORD_KEYS[record_type]}
    return tuple(c.name for c in TABLES[record_type].columns if c.name not in skip)


def _date_columns(record_type: str) -> frozenset[str]:
    return frozenset(c.name for c in TABLES[record_type].columns if isinstance(c.type, sa.Date))


@dataclass(slots=True)
class Sighting:
    """One batch's values for a record (`row_number` None for the batch that first brought it,
    whose row is not kept)."""

    batch_id: int
    row_number: int | None
    stated: dict[str, Any]


def encode(stated: Mapping[str, Any]) -> str:
    return json.dumps(
        {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in stated.items()},
        sort_keys=True,
    )


def decode(record_type: str, text: str) -> dict[str, Any]:
    dates = _date_columns(record_type)
    stated: dict[str, Any] = json.loads(text)
    for name in dates & stated.keys():
        if stated[name] is not None:
            stated[name] = dt.date.fromisoformat(stated[name])
    return stated


def same_values(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two sightings say the same (a value one does not give counts as blank)."""
    return all(a.get(name) == b.get(name) for name in a.keys() | b.keys())


def fold(
    record_type: str,
    sightings: Sequence[Sighting],
    *,
    start: dt.date | None = None,
    school_open: SchoolOpen | None = None,
) -> dict[str, Any]:
    """What the sightings add up to: each value from the latest batch that gives one (reasons
    as one value). An exclusion's school is the latest named school open on its start date
    (else the latest named)."""
    ordered = sorted(sightings, key=lambda s: s.batch_id)
    result: dict[str, Any] = {}
    reasons = [name for name in REASON_COLUMNS if name in TABLES[record_type].c]
    for name in value_columns(record_type):
        if name in REASON_COLUMNS:
            continue
        result[name] = None
        for sighting in reversed(ordered):
            if sighting.stated.get(name) is not None:
                result[name] = sighting.stated[name]
                break
    if reasons:
        for name in reasons:
            result[name] = None
        for sighting in reversed(ordered):
            if any(sighting.stated.get(name) is not None for name in reasons):
                for name in reasons:
                    result[name] = sighting.stated.get(name)
                break
    if record_type == "exclusions" and school_open is not None and start is not None:
        named = [s.stated["school_id"] for s in ordered if s.stated.get("school_id") is not None]
        open_then = [school for school in named if school_open(school, start)]
        if open_then:
            result["school_id"] = open_then[-1]
    return result


def versioned_ids(conn: sa.Connection, record_type: str, record_ids: Iterable[int]) -> set[int]:
    """The records among these that hold sightings in record_versions."""
    v = t.record_versions.c
    # Few records have versions: all of a type's, read through the primary key, then matched.
    versioned = {
        int(r)
        for r in conn.execute(
            sa.select(v.record_id).distinct().where(v.record_type == record_type)
        ).scalars()
    }
    return versioned.intersection(record_ids) if versioned else set()


def record_rows(
    conn: sa.Connection, record_type: str, record_ids: Iterable[int]
) -> dict[int, dict[str, Any]]:
    """Record id -> its row (every column) for the records that exist."""
    table = TABLES[record_type]
    ids = sorted(set(record_ids))
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), _IN):
        for row in conn.execute(sa.select(table).where(table.c.id.in_(ids[start : start + _IN]))):
            found[int(row.id)] = dict(row._mapping)
    return found


def sightings_of(
    conn: sa.Connection, record_type: str, record_ids: Iterable[int]
) -> dict[int, list[Sighting]]:
    """Every live sighting of each record, oldest batch first: its version rows when it has
    them, else its own batch and its other sources, all with the record's values."""
    ids = sorted(set(record_ids))
    rows = record_rows(conn, record_type, ids)
    found: dict[int, list[Sighting]] = {record_id: [] for record_id in rows}
    v = t.record_versions.c
    with_versions: set[int] = set()
    for start in range(0, len(ids), _IN):
        for record_id, batch_id, row_number, stated in conn.execute(
            sa.select(v.record_id, v.batch_id, v.row_number, v.stated)
            .where(v.record_type == record_type, v.record_id.in_(ids[start : start + _IN]))
            .order_by(v.record_id, v.batch_id)
        ):
            if record_id in found:
                with_versions.add(int(record_id))
                found[int(record_id)].append(
                    Sighting(int(batch_id), row_number, decode(record_type, stated))
                )
    plain = [record_id for record_id in rows if record_id not in with_versions]
    if plain:
        columns = value_columns(record_type)
        sources = _sources(conn, record_type, plain)
        for record_id in plain:
            row = rows[record_id]
            stated = {name: row[name] for name in columns}
            own = row["batch_id"]
            seen = [] if own is None else [Sighting(int(own), None, dict(stated))]
            seen += [
                Sighting(batch, number, dict(stated))
                for batch, number in sources.get(record_id, [])
                if batch != own
            ]
            found[record_id] = seen
    return found


def _sources(
    conn: sa.Connection, record_type: str, record_ids: Sequence[int]
) -> dict[int, list[tuple[int, int | None]]]:
    rs = t.record_sources.c
    found: dict[int, list[tuple[int, int | None]]] = {}
    for start in range(0, len(record_ids), _IN):
        for record_id, batch_id, row_number in conn.execute(
            sa.select(rs.record_id, rs.batch_id, rs.row_number)
            .where(
                rs.record_type == record_type,
                rs.record_id.in_(list(record_ids[start : start + _IN])),
            )
            .order_by(rs.record_id, rs.batch_id)
        ):
            found.setdefault(int(record_id), []).append((int(batch_id), row_number))
    return found


def settle(
    conn: sa.Connection,
    record_type: str,
    sightings: Mapping[int, Sequence[Sighting]],
    *,
    school_open: SchoolOpen | None = None,
    new_rows: Mapping[int, Mapping[str, Any]] | None = None,
) -> dict[int, dict[str, Any]]:
    """Make each record what its sightings say: its values folded, its own batch the earliest,
    the other batches in record_sources, and version rows only when the sightings differ. A
    record with no sighting left is deleted. `new_rows` are records to insert first (record id
    -> key values and child), for a record split off another. Returns each record's new values.
    """
    table = TABLES[record_type]
    keys = RECORD_KEYS[record_type]
    ids = sorted(sightings)
    if not ids:
        return {}
    rows = record_rows(conn, record_type, ids)
    for record_id, key in (new_rows or {}).items():
        if record_id not in rows:
            rows[record_id] = {"id": record_id, **key}
    gone = [record_id for record_id in ids if not sightings[record_id]]
    _forget(conn, record_type, ids)
    for start in range(0, len(gone), _IN):
        conn.execute(table.delete().where(table.c.id.in_(gone[start : start + _IN])))
    settled: dict[int, dict[str, Any]] = {}
    sources: list[tuple[str, int, int, int | None]] = []
    versions: list[tuple[str, int, int, int | None, str]] = []
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    held = _existing(conn, table, list(new_rows or ()))
    for record_id in ids:
        seen = sorted(sightings[record_id], key=lambda s: s.batch_id)
        if not seen:
            continue
        row = rows[record_id]
        values = fold(record_type, seen, start=row.get("start_date"), school_open=school_open)
        values["batch_id"] = seen[0].batch_id
        settled[record_id] = values
        sources += [(record_type, record_id, s.batch_id, s.row_number) for s in seen[1:]]
        if any(not same_values(seen[0].stated, s.stated) for s in seen[1:]):
            # The first batch's row is not kept (as for a record's own batch everywhere).
            versions += [
                (record_type, record_id, s.batch_id, None if i == 0 else s.row_number,
                 encode(s.stated))
                for i, s in enumerate(seen)
            ]  # fmt: skip
        if record_id in (new_rows or {}) and record_id not in held:
            inserts.append({"id": record_id, **{k: row[k] for k in keys}, **values})
        else:
            updates.append({"record": record_id, **{f"v_{k}": v for k, v in values.items()}})
    if updates:
        # Bound names apart from the columns' own (SQLAlchemy keeps those for SET).
        names = [name[2:] for name in updates[0] if name != "record"]
        conn.execute(
            table.update()
            .where(table.c.id == sa.bindparam("record"))
            .values({name: sa.bindparam(f"v_{name}") for name in names}),
            updates,
        )
    if inserts:
        conn.execute(table.insert(), inserts)
        advance_id_sequence(conn, table)
    bulk_insert(
        conn,
        t.record_sources,
        ["record_type", "record_id", "batch_id", "row_number"],
        sources,
    )
    bulk_insert(
        conn,
        t.record_versions,
        ["record_type", "record_id", "batch_id", "row_number", "stated"],
        versions,
    )
    return settled


def _existing(conn: sa.Connection, table: sa.Table, ids: Sequence[int]) -> set[int]:
    return {
        int(i) for i in conn.execute(sa.select(table.c.id).where(table.c.id.in_(ids))).scalars()
    }


def _forget(conn: sa.Connection, record_type: str, ids: Sequence[int]) -> None:
    """Remove the records' other sources and version rows (settle writes them again)."""
    rs, v = t.record_sources, t.record_versions
    for start in range(0, len(ids), _IN):
        part = list(ids[start : start + _IN])
        conn.execute(rs.delete().where(rs.c.record_type == record_type, rs.c.record_id.in_(part)))
        conn.execute(v.delete().where(v.c.record_type == record_type, v.c.record_id.in_(part)))


def school_open_on(conn: sa.Connection) -> SchoolOpen:
    """Whether a school was open on a day, by its GIAS open and close dates (unknown: open)."""
    s = t.schools.c
    spans = {
        int(school_id): (opened, closed)
        for school_id, opened, closed in conn.execute(sa.select(s.id, s.open_date, s.close_date))
    }

    def is_open(school_id: int, day: dt.date) -> bool:
        opened, closed = spans.get(school_id, (None, None))
        return (opened is None or opened <= day) and (closed is None or day <= closed)

    return is_open


def history(
    conn: sa.Connection, record_type: str, record_ids: Iterable[int]
) -> dict[int, list[tuple[int, int | None, dict[str, Any]]]]:
    """Record id -> (batch, row, values) of each version row, oldest batch first (records with
    no versions are left out: every return said the same)."""
    v = t.record_versions.c
    ids = sorted(set(record_ids))
    found: dict[int, list[tuple[int, int | None, dict[str, Any]]]] = {}
    for start in range(0, len(ids), _IN):
        for record_id, batch_id, row_number, stated in conn.execute(
            sa.select(v.record_id, v.batch_id, v.row_number, v.stated)
            .where(v.record_type == record_type, v.record_id.in_(ids[start : start + _IN]))
            .order_by(v.record_id, v.batch_id)
        ):
            found.setdefault(int(record_id), []).append(
                (int(batch_id), row_number, decode(record_type, stated))
            )
    return found


def child_histories(
    conn: sa.Connection, record_type: str, child_id: int, key: Sequence[str]
) -> dict[tuple[Any, ...], tuple[dict[str, Any], list[tuple[int, int | None, dict[str, Any]]]]]:
    """A child's records that returns gave different values for, by the `key` columns: (the
    record's row, each return's values oldest first)."""
    table = TABLES[record_type]
    v = t.record_versions.c
    ids = [
        int(i)
        for i in conn.execute(
            sa.select(table.c.id)
            .where(table.c.child_id == child_id)
            .where(table.c.id.in_(sa.select(v.record_id).where(v.record_type == record_type)))
        ).scalars()
    ]
    if not ids:
        return {}
    rows = record_rows(conn, record_type, ids)
    versions = history(conn, record_type, ids)
    return {tuple(rows[i][name] for name in key): (rows[i], versions.get(i, [])) for i in ids}


def batch_labels(
    conn: sa.Connection, batch_ids: Iterable[int]
) -> dict[int, tuple[str, dt.datetime]]:
    """Batch id -> (file name, when it was imported)."""
    b = t.import_batches.c
    ids = sorted(set(batch_ids))
    return {
        int(i): (str(name), at)
        for i, name, at in conn.execute(
            sa.select(b.id, b.file_name, b.imported_at).where(b.id.in_(ids))
        )
    }
