"""A record brought again (docs/rules.md, "One record across returns"): with the same values it is
one more source; with other values (an amended return, a corrected census, the same exclusion
under a successor's LAESTAB) every return's values are kept and the record takes the latest,
and the import warns with the row and what changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.record_history import REASONS, changes, fields
from exclusion_monitor.store import intake as store
from exclusion_monitor.store import sightings as sg
from imports.rows.common import Warnings

NOUNS = {
    "census_observations": "this pupil's census details",
    "exclusions": "this exclusion",
    "enrolments": "this registration",
}
Match = tuple[int, int, tuple[Any, ...]]  # record id, row, the row's values (loader's columns)


def sort_matches(
    conn: sa.Connection,
    record_type: str,
    batch_id: int,
    columns: Sequence[str],
    matched: Sequence[Match],
    warnings: Warnings,
) -> list[tuple[int, int]]:
    """Note this batch as a source of the records it brought again. Those it brings with other
    values (or that already differ between returns) get this batch's values as a sighting and
    take what their returns add up to. Returns the (record, row) pairs that are plain sources."""
    if not matched:
        return []
    names = [name for name in sg.value_columns(record_type) if name in columns]
    where = [columns.index(name) for name in names]
    dates = {name for name in names if isinstance(sg.TABLES[record_type].c[name].type, sa.Date)}
    held = store.record_values(conn, sg.TABLES[record_type], [m[0] for m in matched], names)
    versioned = sg.versioned_ids(conn, record_type, [m[0] for m in matched])
    plain: list[tuple[int, int]] = []
    differing: list[tuple[int, int, dict[str, Any]]] = []
    parse: dict[Any, Any] = {None: None}
    for record_id, row, values in matched:
        mine = tuple(values[i] for i in where)
        if record_id not in versioned and mine == held[record_id]:
            plain.append((record_id, row))
            continue
        stated = dict(zip(names, mine, strict=True))
        for name in dates & stated.keys():
            value = stated[name]
            if isinstance(value, str):
                day = parse.get(value)
                if day is None:
                    day = parse[value] = dt.date.fromisoformat(value)
                stated[name] = day
        differing.append((record_id, row, stated))
    if differing:
        _amend(conn, record_type, batch_id, differing, warnings)
    return plain


def _amend(
    conn: sa.Connection,
    record_type: str,
    batch_id: int,
    differing: list[tuple[int, int, dict[str, Any]]],
    warnings: Warnings,
) -> None:
    ids = [record_id for record_id, _, _ in differing]
    before = sg.record_rows(conn, record_type, ids)
    seen = sg.sightings_of(conn, record_type, ids)
    earlier = {record_id: list(sightings) for record_id, sightings in seen.items()}
    for record_id, row, stated in differing:
        seen[record_id].append(sg.Sighting(batch_id, row, stated))
    after = sg.settle(conn, record_type, seen, school_open=sg.school_open_on(conn))
    files = store.batch_files(conn, {s.batch_id for group in earlier.values() for s in group})
    laestabs = store.laestabs(conn) if record_type == "exclusions" else {}
    for record_id, row, stated in differing:
        old = before[record_id]
        changed = changes(old, after[record_id])
        if changed:
            source = _giver(earlier[record_id], old, after[record_id])
            said = "; ".join(f"{name} {was} -> {now}" for name, was, now in changed)
            warnings.add(
                f"amends {NOUNS[record_type]} as returned in batch {source} "
                f"({files.get(source, 'an earlier file')}): {said}; this return's values are "
                "kept and the earlier ones stay in its history",
                row,
            )
        elif record_type == "exclusions" and stated.get("school_id") != old["school_id"]:
            warnings.add(
                f"the same exclusion as one returned under school "
                f"{laestabs.get(old['school_id'], '?')}, a predecessor or successor of school "
                f"{laestabs.get(stated['school_id'], '?')}: kept as one exclusion",
                row,
            )


def _giver(earlier: list[sg.Sighting], old: dict[str, Any], new: dict[str, Any]) -> int:
    """The batch whose values the record held before: the latest earlier return that gave the
    first changed value."""
    before, after = fields(old), fields(new)
    first = next(name for name, value in after.items() if before.get(name) != value)
    columns = REASONS if first == "reasons" else (first,)
    for sighting in sorted(earlier, key=lambda s: -s.batch_id):
        if any(sighting.stated.get(name) is not None for name in columns):
            return sighting.batch_id
    return max(s.batch_id for s in earlier)
