"""Loading checked records into the store inside the file's transaction, with every source noted.

A record that is already there (the same exclusion in two censuses, the same file again, the
same exclusion under a successor's LAESTAB) is not added twice: the batch is recorded as one
more source of it, and where it says something else, as an amendment (imports.amendments).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa

from exclusion_monitor.store import intake as store
from exclusion_monitor.store import intake_rows as layout
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import bulk_insert, stored_dates
from exclusion_monitor.store.exclusion_twins import join_twins
from exclusion_monitor.store.intake_rows import SchoolRecord
from exclusion_monitor.store.school_groups import school_groups
from imports.amendments import sort_matches
from imports.former_upns import apply_joins
from imports.identity import IdentityResolver, UnknownChildError
from imports.kinds import Kind
from imports.rows.common import Record, Warnings

Rejection = tuple[int, str]  # row number, reason


@dataclass(slots=True)
class LoadOutcome:
    imported: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    # The load's working data, spent once its rows are written (for imports.release).
    spent: list[list[Any] | dict[Any, Any]] = field(default_factory=list)
    merges: list[dict[str, Any]] = field(default_factory=list)  # children a Former UPN joined


class SchoolRegister:
    """The schools known to the store, found by LAESTAB, URN or name; unknown LAESTABs are added."""

    def __init__(self, conn: sa.Connection, batch_id: int, warnings: Warnings) -> None:
        self.conn = conn
        self.batch_id = batch_id
        self.warnings = warnings
        self.by_laestab: dict[str, int] = {}
        self.by_urn: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        for school in store.load_schools(conn):
            self.by_laestab[school.laestab] = school.id
            if school.urn:
                self.by_urn[school.urn] = school.id
            self.by_name.setdefault(school.name.casefold(), school.id)
        self.used: dict[int, int] = {}  # school id -> first row that used it
        self._next = self._first_new = store.next_id(conn, t.schools)
        self._cache: dict[tuple[str | None, str | None, str | None], int | str] = {}
        self.added: list[tuple[str, int]] = []  # (LAESTAB, first row) of each school added

    def resolve(self, record: Record, row: int) -> int:
        key = (record["laestab"], record["urn"], record["school_name"])
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._find(*key, row)
        if isinstance(found, str):
            raise ValueError(found)
        self.used.setdefault(found, row)
        return found

    def _find(self, laestab: str | None, urn: str | None, name: str | None, row: int) -> int | str:
        if laestab:
            school_id = self.by_laestab.get(laestab)
            if school_id is None:
                school_id = self._add(laestab, name)
                self.added.append((laestab, row))
            return school_id
        if urn:
            return self.by_urn.get(urn) or f"school URN {urn} is not in the school register"
        assert name is not None
        return self.by_name.get(name.casefold()) or f"school '{name}' is not in the school register"

    def _add(self, laestab: str, name: str | None) -> int:
        school_id = self._next
        self._next += 1
        bulk_insert(
            self.conn,
            t.schools,
            ["id", "laestab", "name", "la_code", "batch_id"],
            [(school_id, laestab, name or f"School {laestab}", laestab[:3], self.batch_id)],
        )
        self.by_laestab[laestab] = school_id
        return school_id

    def report_added(self) -> None:
        """One warning for the schools this file added to the register: a Common Transfer File
        brings dozens from other authorities, which one line each would bury."""
        if len(self.added) == 1:
            laestab, row = self.added[0]
            self.warnings.add(
                f"school {laestab} was not in the school register and was added; import the "
                "GIAS extract to complete its details",
                row,
            )
        elif self.added:
            shown = ", ".join(f"{laestab} (row {row})" for laestab, row in self.added[:10])
            more = f" and {len(self.added) - 10} more" if len(self.added) > 10 else ""
            self.warnings.add(
                f"{len(self.added)} schools were not in the school register and were added: "
                f"{shown}{more}; import the GIAS extract to complete their details"
            )

    def record_sources(self) -> None:
        """This batch as a source of the registered schools it used (the schools it added have
        it as their own batch)."""
        store.add_sources(
            self.conn,
            "schools",
            self.batch_id,
            [(school, row) for school, row in self.used.items() if school < self._first_new],
        )


Loader = Callable[[sa.Connection, int, list[tuple[int, Record]], Warnings], LoadOutcome]


def load(
    conn: sa.Connection,
    kind: Kind,
    batch_id: int,
    records: list[tuple[int, Record]],
    warnings: Warnings,
) -> LoadOutcome:
    """Load checked records of one kind; rows that fail here (unknown school) are rejected."""
    loaders: dict[Kind, Loader] = {
        Kind.CENSUS: _load_census,
        Kind.EXCLUSIONS: _load_exclusions,
        Kind.ENROLMENTS: _load_enrolments,
        Kind.SCHOOLS: _load_schools,
        Kind.SCHOOL_LINKS: _load_links,
    }
    return loaders[kind](conn, batch_id, records, warnings)


def indexes_built_after(conn: sa.Connection, kind: Kind, rows: int) -> AbstractContextManager[None]:
    """Around a big load of children's records: their tables' indexes built once, after it."""
    tables = _CHILD_RECORD_TABLES.get(kind, [])
    return store.indexes_built_after(conn, tables, rows)


_IDENTITY_TABLES = [t.children, t.child_identifiers, t.record_sources]
_CHILD_RECORD_TABLES = {
    Kind(kind): [*_IDENTITY_TABLES, table] for kind, table in layout.CHILD_RECORD_TABLES.items()
}


@dataclass(slots=True)
class _ChildRows:
    """Rows resolved to (school, child), with the identity work to write."""

    resolved: list[tuple[int, Record, int, int]]  # row, record, school id, child id
    outcome: LoadOutcome
    resolver: IdentityResolver
    schools: SchoolRegister
    child_rows: dict[int, int]  # child id -> first row
    identifier_rows: dict[int, int]
    records: list[tuple[int, Record]]


def _resolve_children(
    conn: sa.Connection, batch_id: int, records: list[tuple[int, Record]], warnings: Warnings
) -> _ChildRows:
    outcome = LoadOutcome()
    schools = SchoolRegister(conn, batch_id, warnings)
    resolver = IdentityResolver(conn, dt.date.today(), batch_id)
    resolved: list[tuple[int, Record, int, int]] = []
    child_rows: dict[int, int] = {}
    identifier_rows: dict[int, int] = {}
    school_of, child_of, identifier_of = schools.resolve, resolver.resolve, resolver.identifier_id
    first_for_child, first_for_identifier = child_rows.setdefault, identifier_rows.setdefault
    first_new_child, first_new_identifier = resolver.first_new_ids()
    add = resolved.append
    for row, record in records:
        try:
            school_id = school_of(record, row)
            child_id = child_of(record)
        except (ValueError, UnknownChildError) as exc:
            outcome.rejected.append((row, str(exc)))
            continue
        # Children and UPNs the register already held get this batch as one more source (a
        # child new in this load has only new UPNs); a Former UPN the row names is one too.
        if child_id < first_new_child:
            first_for_child(child_id, row)
            identifier_id = identifier_of(record["upn"])
            if identifier_id < first_new_identifier:
                first_for_identifier(identifier_id, row)
        former = record["former_upn"]
        if former:
            identifier_id = identifier_of(former)
            if identifier_id < first_new_identifier:
                first_for_identifier(identifier_id, row)
        add((row, record, school_id, child_id))
    return _ChildRows(resolved, outcome, resolver, schools, child_rows, identifier_rows, records)


def _write_identity(conn: sa.Connection, batch_id: int, rows: _ChildRows) -> None:
    resolver = rows.resolver
    bulk_insert(conn, t.children, layout.CHILD_COLUMNS, resolver.new_children)
    for identifier_id in resolver.demoted:
        store.set_identifier_kind(conn, identifier_id, "former")
    bulk_insert(conn, t.child_identifiers, layout.IDENTIFIER_COLUMNS, resolver.new_identifiers)
    store.add_sources(conn, "children", batch_id, rows.child_rows.items())
    store.add_sources(conn, "child_identifiers", batch_id, rows.identifier_rows.items())
    rows.schools.report_added()
    rows.schools.record_sources()
    store.add_identity_reviews(
        conn, batch_id, [(a, b, reason) for (a, b), reason in resolver.reviews.items()]
    )


@dataclass(frozen=True, slots=True)
class _Keyed:
    """How one kind's records are made and told apart: `columns` of each made row (ending with
    the batch), the de-duplication key of a made row, and the words for a repeat."""

    table: sa.Table
    columns: Sequence[str]
    row: Callable[[Any, int, int, int, Any], tuple[Any, ...]]  # store.intake_rows' row of a kind
    key: Callable[[tuple[Any, ...]], tuple[Any, ...]]
    what: str


def _load_keyed(
    conn: sa.Connection,
    batch_id: int,
    rows: _ChildRows,
    spec: _Keyed,
    existing: dict[tuple[Any, ...], int],
    warnings: Warnings,
) -> LoadOutcome:
    """Insert the records not already there (this batch is their own batch); note this batch as
    one more source of each record that was, keeping its values where they differ (amendments).
    Then merge the children a Former UPN joins."""
    outcome = rows.outcome
    make, day = spec.row, stored_dates(conn)
    made = [
        make(record, school_id, child_id, batch_id, day)
        for _, record, school_id, child_id in rows.resolved
    ]
    matched: list[tuple[int, int, tuple[Any, ...]]] = []
    key_of = spec.key
    keys: list[tuple[Any, ...]] = []
    # A key starts with the child: one row per child and nothing there yet (a first census) means
    # every row is new and none repeats; so does a set of new keys (a new census date). The
    # first test needs no keys at all (a quarter of a million tuples fewer).
    all_new = not existing and len({values[0] for values in made}) == len(made)
    if not all_new:
        keys = [key_of(values) for values in made]
        all_new = len(set(keys)) == len(keys) and existing.keys().isdisjoint(keys)
    if all_new:
        new_rows = made
    else:
        new_rows = []
        first_row: dict[tuple[Any, ...], int] = {}
        known = existing.get
        for (row, *_), key, values in zip(rows.resolved, keys, made, strict=True):
            if key in first_row:
                outcome.rejected.append((row, f"repeats row {first_row[key]} ({spec.what})"))
                continue
            first_row[key] = row
            record_id = known(key)
            if record_id is None:
                new_rows.append(values)
            else:
                matched.append((record_id, row, values))
    outcome.imported += len(new_rows) + len(matched)
    _write_identity(conn, batch_id, rows)
    bulk_insert(conn, spec.table, spec.columns, new_rows)  # the database numbers them
    sources = sort_matches(conn, spec.table.name, batch_id, spec.columns, matched, warnings)
    store.add_sources(conn, spec.table.name, batch_id, sources)
    joins = rows.resolver.joins
    if joins:
        rows_of = {id(record): row for row, record in rows.records}
        outcome.merges = apply_joins(
            conn, batch_id, [(rows_of[id(r)], r, a, b) for r, a, b in joins], warnings
        )
    outcome.spent += [made, rows.resolved, *rows.resolver.working_data()]
    return outcome


def _first(n: int) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    return lambda values: values[:n]


def _load_census(
    conn: sa.Connection, batch_id: int, records: list[tuple[int, Record]], warnings: Warnings
) -> LoadOutcome:
    rows = _resolve_children(conn, batch_id, records, warnings)
    existing = store.census_keys(conn, {r["census_date"] for _, r, _, _ in rows.resolved})
    spec = _Keyed(
        t.census_observations, layout.CENSUS_COLUMNS, layout.census_row,
        _first(layout.CENSUS_KEY_WIDTH),
        "the same pupil at the same school on the same census date",
    )  # fmt: skip
    return _load_keyed(conn, batch_id, rows, spec, existing, warnings)


def _load_exclusions(
    conn: sa.Connection, batch_id: int, records: list[tuple[int, Record]], warnings: Warnings
) -> LoadOutcome:
    rows = _resolve_children(conn, batch_id, records, warnings)
    # One exclusion is (child, category, start date) at one school, a predecessor and its
    # successors being one school (school_groups).
    groups = school_groups(conn)
    group = groups.get
    existing: dict[tuple[Any, ...], int] = {}
    for (child, school, category, start), record_id in store.exclusion_keys(conn).items():
        grouped = (child, group(school, school), category, start)
        if record_id < existing.get(grouped, record_id + 1):
            existing[grouped] = record_id

    def one_school(values: tuple[Any, ...]) -> tuple[Any, ...]:
        return (values[0], group(values[1], values[1]), values[2], values[3])

    spec = _Keyed(
        t.exclusions, layout.EXCLUSION_COLUMNS, layout.exclusion_row,
        one_school if groups else _first(layout.EXCLUSION_KEY_WIDTH),
        "the same exclusion: pupil, school, category and start date",
    )  # fmt: skip
    return _load_keyed(conn, batch_id, rows, spec, existing, warnings)


def _load_enrolments(
    conn: sa.Connection, batch_id: int, records: list[tuple[int, Record]], warnings: Warnings
) -> LoadOutcome:
    rows = _resolve_children(conn, batch_id, records, warnings)
    existing = store.enrolment_keys(conn)
    spec = _Keyed(
        t.enrolments, layout.ENROLMENT_COLUMNS, layout.enrolment_row,
        _first(layout.ENROLMENT_KEY_WIDTH),
        "the same registration: pupil, school, entry date and status",
    )  # fmt: skip
    return _load_keyed(conn, batch_id, rows, spec, existing, warnings)


def _load_schools(
    conn: sa.Connection, batch_id: int, records: list[tuple[int, Record]], warnings: Warnings
) -> LoadOutcome:
    outcome = LoadOutcome()
    known = {s.laestab: s for s in store.load_schools(conn)}
    urn_owner = {s.urn: s.laestab for s in known.values() if s.urn}
    next_id = store.next_id(conn, t.schools)
    seen: dict[str, int] = {}
    new_rows: list[tuple[Any, ...]] = []
    sources: list[tuple[int, int]] = []
    records = [(row, r) for row, r in records if r["laestab"] is not None]  # see rows.py
    superseded = _superseded_establishments(records)
    for row in sorted(superseded):
        warnings.add(SUPERSEDED, row)
    for row, r in records:
        laestab = r["laestab"]
        if row in superseded:
            continue
        if laestab in seen:
            outcome.rejected.append((row, f"repeats row {seen[laestab]} (the same LAESTAB)"))
            continue
        owner = urn_owner.get(r["urn"]) if r["urn"] else None
        if owner is not None and owner != laestab:
            outcome.rejected.append((row, f"URN {r['urn']} already belongs to school {owner}"))
            continue
        seen[laestab] = row
        if r["urn"]:
            urn_owner[r["urn"]] = laestab
        record = cast(SchoolRecord, r)
        existing = known.get(laestab)
        if existing is not None:
            store.update_school(conn, existing.id, layout.school_values(record))
            sources.append((existing.id, row))
        else:
            new_rows.append(layout.school_row(next_id, record, batch_id))
            next_id += 1
        outcome.imported += 1
    bulk_insert(conn, t.schools, layout.SCHOOL_COLUMNS, new_rows)
    store.add_sources(conn, "schools", batch_id, sources)
    current = [(row, r) for row, r in records if row not in superseded]
    _links_from_previous_numbers(conn, batch_id, current, warnings)
    return outcome


SUPERSEDED = (
    "establishments that gave their LAESTAB to a later one (a school that closed and reopened "
    "under the same number, often as an academy) were left out: the current establishment's "
    "details were kept"
)


def _superseded_establishments(records: list[tuple[int, Record]]) -> set[int]:
    """The rows of a register whose LAESTAB is used again by another establishment (another URN):
    every one but the current (open, else the latest to close or open, else the latest row).
    Rows with one URN, or none, are a plain repeat and rejected as such."""
    by_laestab: dict[str, list[tuple[int, Record]]] = {}
    for row, r in records:
        if r.get("urn"):
            by_laestab.setdefault(r["laestab"], []).append((row, r))
    earlier: set[int] = set()
    for rows in by_laestab.values():
        if len({r["urn"] for _, r in rows}) < 2:
            continue

        def current(item: tuple[int, Record]) -> tuple[bool, dt.date, dt.date, int]:
            row, r = item
            return (
                r["close_date"] is None,
                r["close_date"] or dt.date.min,
                r["open_date"] or dt.date.min,
                row,
            )

        keep = max(rows, key=current)
        urns_kept = keep[1]["urn"]
        earlier.update(row for row, r in rows if r["urn"] != urns_kept)
    return earlier


# A GIAS "ReasonEstablishmentClosed" that means the school carried on as another (its pupils did
# not move): an academy conversion, or a change the links file records as a predecessor.
_CARRIED_ON = ("academy converter", "academy sponsor led", "academy free school", "converter")


def _links_from_previous_numbers(
    conn: sa.Connection, batch_id: int, records: list[tuple[int, Record]], warnings: Warnings
) -> None:
    """The register's own word that a school had another LAESTAB before (PreviousLA (code) and
    PreviousEstablishmentNumber: a converted academy's maintained predecessor) becomes a
    predecessor link, so a pupil who stayed through the conversion made no move even when the
    links file has not been imported. A school the register says closed to carry on as another,
    with no link to its successor, is a warning: its pupils would seem to move."""
    ids = {s.laestab: s.id for s in store.load_schools(conn)}
    existing = store.link_keys(conn)
    linked = {a for a, b, _type in existing} | {b for a, b, _type in existing}
    next_id = store.next_id(conn, t.school_links)
    new_rows: list[tuple[Any, ...]] = []
    unknown: list[str] = []
    for row, r in records:
        previous = r.get("previous")
        school_id = ids.get(r["laestab"])
        if not previous or school_id is None:
            continue
        previous_id = ids.get(previous)
        if previous_id is None:
            unknown.append(f"{r['laestab']} (previously {previous}, row {row})")
            continue
        if (school_id, previous_id, "predecessor") in existing:
            continue
        existing[(school_id, previous_id, "predecessor")] = next_id
        new_rows.append(
            layout.link_row(
                next_id, school_id, previous_id, "predecessor", r["open_date"], batch_id
            )
        )
        linked.update((school_id, previous_id))
        next_id += 1
    bulk_insert(conn, t.school_links, layout.LINK_COLUMNS, new_rows)
    if new_rows:
        warnings.add(
            f"{len(new_rows)} school(s) had a previous LAESTAB in the register (an academy's "
            "maintained predecessor): each is linked to it as its predecessor, so a pupil who "
            "stayed through the change made no move"
        )
    if unknown:
        shown = ", ".join(unknown[:5]) + (
            f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        )
        warnings.add(
            f"the register gives a previous LAESTAB that is not in it for {shown}: import the "
            "register's closed schools too, or the links file, so the change is not read as a move"
        )
    carried_on = [
        (row, r["laestab"])
        for row, r in records
        if (r.get("closed_reason") or "").casefold().startswith(_CARRIED_ON)
        and ids.get(r["laestab"]) not in linked
    ]
    for row, laestab in carried_on:
        warnings.add(
            f"school {laestab} closed to carry on as another school, but no link to that school "
            "is known: import the GIAS links file, or its pupils will seem to have moved",
            row,
        )
    if new_rows:
        joined = join_twins(conn, batch_id)
        if joined:
            warnings.add(
                f"{len(joined)} exclusion(s) returned under both a predecessor's and its "
                "successor's LAESTAB are now one exclusion each (undoing this import separates "
                "them)"
            )


def _load_links(
    conn: sa.Connection, batch_id: int, records: list[tuple[int, Record]], warnings: Warnings
) -> LoadOutcome:
    outcome = LoadOutcome()
    by_urn = {s.urn: s.id for s in store.load_schools(conn) if s.urn}
    existing = store.link_keys(conn)
    next_id = store.next_id(conn, t.school_links)
    seen: dict[tuple[Any, ...], int] = {}
    new_rows: list[tuple[Any, ...]] = []
    sources: list[tuple[int, int]] = []
    for row, r in records:
        school_id, linked_id = by_urn.get(r["urn"]), by_urn.get(r["link_urn"])
        if school_id is None or linked_id is None:
            missing = r["urn"] if school_id is None else r["link_urn"]
            outcome.rejected.append(
                (row, f"URN {missing} is not in the school register; import the schools first")
            )
            continue
        key = (school_id, linked_id, r["link_type"])
        if key in seen:
            outcome.rejected.append((row, f"repeats row {seen[key]} (the same link)"))
            continue
        seen[key] = row
        record_id = existing.get(key)
        if record_id is None:
            new_rows.append(
                layout.link_row(
                    next_id, school_id, linked_id, r["link_type"], r["link_date"], batch_id
                )
            )
            next_id += 1
        else:
            sources.append((record_id, row))
        outcome.imported += 1
    bulk_insert(conn, t.school_links, layout.LINK_COLUMNS, new_rows)
    store.add_sources(conn, "school_links", batch_id, sources)
    joined = join_twins(conn, batch_id)
    if joined:
        pairs = sorted({tuple(sorted(j.laestabs)) for j in joined})
        shown = ", ".join(f"{a} and {b}" for a, b in pairs[:10])
        more = f" and {len(pairs) - 10} more pairs" if len(pairs) > 10 else ""
        warnings.add(
            f"{len(joined)} exclusion{'s were' if len(joined) != 1 else ' was'} returned under "
            f"both a predecessor's and its successor's LAESTAB ({shown}{more}), which these links "
            "make one school: each is now one exclusion (undoing this import separates them)"
        )
    return outcome
