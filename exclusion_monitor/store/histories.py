"""Bulk loading of children's histories for the flag rules: the schools and the links that make
two schools one, the census collections each school returned, and every child's censuses,
enrolments and exclusions by id range.

The loaders read millions of census rows, so they run plain SQL through the driver and build
tuples, with each distinct date string parsed once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.census_collections import returns_by_school
from exclusion_monitor.census_coverage import CensusCoverage, coverage
from exclusion_monitor.codelists import CATEGORIES, codelist
from exclusion_monitor.history import Authority, CensusPoint, ChildRecord
from exclusion_monitor.records import Category, Enrolment, Exclusion, School
from exclusion_monitor.school_links import StoredLink, succession_edges
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.calendar import load_calendar
from exclusion_monitor.store.dialect import driver_sql

_IN_BATCH = 900


@dataclass(frozen=True, slots=True)
class FamilyFacts:
    """A child's family reference and address as of their latest census that gave one."""

    family_ref: str | None
    address_line1: str | None
    postcode: str | None


@dataclass(slots=True)
class LoadedChildren:
    """A batch of children as stored: their records and their latest family facts."""

    records: list[ChildRecord] = field(default_factory=list)
    family: dict[int, FamilyFacts] = field(default_factory=dict)


class _Dates:
    """ISO date strings to dates, each distinct string parsed once."""

    def __init__(self) -> None:
        self.seen: dict[str, dt.date] = {}

    def day(self, value: object) -> dt.date:
        found = self(value)
        assert found is not None
        return found

    def __call__(self, value: object) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.date):
            return value
        text = str(value)
        found = self.seen.get(text)
        if found is None:
            found = self.seen[text] = dt.date.fromisoformat(text[:10])
        return found


def load_authority(conn: sa.Connection, *, as_of: dt.date | None = None) -> Authority:
    """Every school, the links that make two schools one (as (earlier, later) pairs; see
    `school_links`), the distinct census dates in the data and the collections each school
    returned (up to `as_of`), and the school calendar."""
    schools = {
        row.id: School(
            id=row.id,
            laestab=row.laestab,
            name=row.name,
            phase=row.phase,
            school_type=row.school_type,
            urn=row.urn,
            open_date=row.open_date,
            close_date=row.close_date,
            low_age=row.low_age,
            high_age=row.high_age,
        )
        for row in conn.execute(sa.select(t.schools))
    }
    links = [
        StoredLink(a, b, str(kind))
        for a, b, kind in conn.execute(
            sa.select(
                t.school_links.c.school_id,
                t.school_links.c.linked_school_id,
                t.school_links.c.link_type,
            )
        )
    ]
    edges = succession_edges(links, {s.id: s.close_date for s in schools.values()})
    dates = census_dates(conn)
    pairs = school_census_dates(conn)
    if as_of is not None:
        dates = [d for d in dates if d <= as_of]
        pairs = [(s, d) for s, d in pairs if d <= as_of]
    return Authority(
        schools, edges, tuple(dates), load_calendar(conn), returns=returns_by_school(pairs)
    )


def school_census_dates(conn: sa.Connection) -> list[tuple[int, dt.date]]:
    """The distinct (school, census date) pairs: which censuses each school returned. One index
    seek per pair on (school_id, census_date), never a scan of the observations."""
    rows = conn.exec_driver_sql(
        "WITH RECURSIVE d(s, x) AS ("
        " SELECT id, (SELECT min(census_date) FROM census_observations"
        " WHERE school_id = schools.id) FROM schools"
        " UNION ALL"
        " SELECT s, (SELECT min(census_date) FROM census_observations"
        " WHERE school_id = d.s AND census_date > d.x)"
        " FROM d WHERE d.x IS NOT NULL)"
        " SELECT s, x FROM d WHERE x IS NOT NULL"
    ).all()
    parse = _Dates()
    return [(int(school), parse.day(value)) for school, value in rows]


def batch_census_coverage(conn: sa.Connection, batch_id: int) -> list[CensusCoverage]:
    """For each census collection an import batch brought, how much of it has arrived now."""
    pairs = conn.execute(
        sa.select(t.census_observations.c.school_id, t.census_observations.c.census_date)
        .where(t.census_observations.c.batch_id == batch_id)
        .distinct()
    ).all()
    if not pairs:
        return []
    parse = _Dates()
    in_file = returns_by_school((int(s), parse.day(d)) for s, d in pairs)
    collections = sorted({c for found in in_file.values() for c in found})
    authority = load_authority(conn)
    return [
        coverage(authority, c, [s for s, found in in_file.items() if c in found])
        for c in collections
    ]


def census_dates(conn: sa.Connection) -> list[dt.date]:
    """The distinct census dates, found by stepping through the census-date index (one seek per
    date rather than a scan of every observation)."""
    rows = conn.exec_driver_sql(
        "WITH RECURSIVE d(x) AS ("
        " SELECT min(census_date) FROM census_observations"
        " UNION ALL"
        " SELECT (SELECT min(census_date) FROM census_observations WHERE census_date > d.x)"
        " FROM d WHERE d.x IS NOT NULL)"
        " SELECT x FROM d WHERE x IS NOT NULL"
    ).all()
    parse = _Dates()
    return [d for (value,) in rows if (d := parse(value)) is not None]


def latest_data_date(conn: sa.Connection) -> dt.date | None:
    """The latest date in the data: censuses, exclusion starts, enrolment entries and leavings."""
    found = [
        conn.execute(sa.select(sa.func.max(t.census_observations.c.census_date))).scalar(),
        conn.execute(sa.select(sa.func.max(t.exclusions.c.start_date))).scalar(),
        conn.execute(sa.select(sa.func.max(t.enrolments.c.entry_date))).scalar(),
        conn.execute(sa.select(sa.func.max(t.enrolments.c.leaving_date))).scalar(),
    ]
    parse = _Dates()
    dates = [d for value in found if (d := parse(value)) is not None]
    return max(dates) if dates else None


def id_ranges(conn: sa.Connection, size: int) -> Iterator[tuple[int, int]]:
    """Every child's id in consecutive ranges (first, last) of `size` children each (the last
    range may hold fewer), in order, a range at a time. The ids themselves are not fetched: each
    range's last id is found by stepping over `size - 1` ids of the index, and the next range
    starts just after it (a range's first id need not be a child's)."""
    ids = t.children.c.id
    first = conn.execute(sa.select(sa.func.min(ids))).scalar()
    step = sa.select(ids).order_by(ids).limit(1).offset(size - 1)
    while first is not None:
        last = conn.execute(step.where(ids >= first)).scalar()
        if last is None:  # fewer than `size` left: the last range runs to the highest id
            highest = conn.execute(sa.select(sa.func.max(ids))).scalar()
            if highest is not None and highest >= first:
                yield int(first), int(highest)
            return
        yield int(first), int(last)
        first = int(last) + 1


def count_children(conn: sa.Connection) -> int:
    """How many children the database holds."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(t.children)).scalar_one())


def child_ids_at_school(conn: sa.Connection, school_id: int) -> list[int]:
    """Every child with a census, enrolment or exclusion at a school (those one return touches)."""
    query = sa.union(
        sa.select(t.census_observations.c.child_id).where(
            t.census_observations.c.school_id == school_id
        ),
        sa.select(t.enrolments.c.child_id).where(t.enrolments.c.school_id == school_id),
        sa.select(t.exclusions.c.child_id).where(t.exclusions.c.school_id == school_id),
    )
    return sorted(int(i) for i in conn.execute(query).scalars())


# (select, the child id column, the order): each child's census comes in date order (then school),
# as the history reads it, sorted by the database rather than in Python.
_CHILDREN = ("SELECT id, date_of_birth FROM children WHERE ", "id", "")
_CENSUS = (
    "SELECT child_id, census_date, school_id, nc_year, enrol_status, entry_date, family_ref, "
    "address_line1, postcode FROM census_observations WHERE ",
    "child_id",
    " ORDER BY child_id, census_date, school_id",
)
_ENROLMENTS = (
    "SELECT child_id, school_id, entry_date, leaving_date, enrol_status, leaving_reason, "
    "destination FROM enrolments WHERE ",
    "child_id",
    "",
)
_EXCLUSIONS = (
    "SELECT child_id, school_id, category, start_date, sessions, reason1, reason2, reason3, "
    "end_date, review_outcome FROM exclusions WHERE ",
    "child_id",
    "",
)
_TABLES = (_CHILDREN, _CENSUS, _ENROLMENTS, _EXCLUSIONS)


def load_children_between(conn: sa.Connection, first_id: int, last_id: int) -> LoadedChildren:
    """Every child whose id is in [first_id, last_id], with their whole stored history."""
    params = (first_id, last_id)
    return _assemble(
        *(
            _rows(conn, f"{select}{column} BETWEEN ? AND ?{order}", params)
            for select, column, order in _TABLES
        )
    )


def load_children(conn: sa.Connection, child_ids: Iterable[int]) -> LoadedChildren:
    """The named children, with their whole stored history."""
    ids = sorted(set(child_ids))
    parts: list[list[Any]] = [[], [], [], []]
    for start in range(0, len(ids), _IN_BATCH):
        batch = tuple(ids[start : start + _IN_BATCH])
        marks = ",".join("?" * len(batch))
        for i, (select, column, order) in enumerate(_TABLES):
            parts[i].extend(_rows(conn, f"{select}{column} IN ({marks}){order}", batch))
    return _assemble(*parts)


def _rows(conn: sa.Connection, sql: str, params: Sequence[object]) -> list[Any]:
    """Plain tuples straight from the driver: the loaders read millions of rows. The SQL is
    written with `?` placeholders and given to the driver in its own style."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(driver_sql(conn, sql), tuple(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _category(value: object) -> Category | None:
    try:
        return Category(str(value))
    except ValueError:
        found = codelist(CATEGORIES).match(value)
        return Category(found.code) if found and found.code in set(Category) else None


def _assemble(
    children: Sequence[Sequence[Any]],
    census: Sequence[Sequence[Any]],
    enrolments: Sequence[Sequence[Any]],
    exclusions: Sequence[Sequence[Any]],
) -> LoadedChildren:
    date = _Dates()
    seen = date.seen
    point = tuple.__new__  # a CensusPoint from its five values without the keyword machinery
    points: dict[int, list[CensusPoint]] = {}
    family_rows: dict[int, Sequence[Any]] = {}
    child, cid = None, 0
    here: list[CensusPoint] = []
    # The rows come in child, then date, then school order (the query sorts them), so each
    # child's points are in history order, and the last with a family reference or a whole
    # address is the latest.
    for row in census:
        if row[0] != child:
            child = row[0]
            cid = int(child)
            here = points.setdefault(cid, [])
        entry = row[5]
        here.append(
            point(
                CensusPoint,
                (
                    seen.get(row[1]) or date.day(row[1]),
                    row[2],
                    row[3],
                    row[4],
                    None if entry is None else (seen.get(entry) or date(entry)),
                ),
            )
        )
        if row[6] or (row[7] and row[8]):
            family_rows[cid] = row
    enrols: dict[int, list[Enrolment]] = {}
    for c, s, entry, leaving, status, reason, destination in enrolments:
        enrols.setdefault(c, []).append(
            Enrolment(
                c,
                s,
                date(entry),
                date(leaving),
                status,
                reason,
                destination,
            )
        )
    excls: dict[int, list[Exclusion]] = {}
    for c, s, cat, start, sessions, r1, r2, r3, end, outcome in exclusions:
        category = _category(cat)
        start_date = date(start)
        if category is None or start_date is None:
            continue
        excls.setdefault(c, []).append(
            Exclusion(
                c,
                s,
                category,
                start_date,
                float(sessions or 0.0),
                tuple(str(r) for r in (r1, r2, r3) if r),
                date(end),
                outcome,
            )
        )
    loaded = LoadedChildren(
        family={c: FamilyFacts(r[6], r[7], r[8]) for c, r in family_rows.items()}
    )
    for child_id, birth in children:
        cid = int(child_id)
        the_census = tuple(points.get(cid, ()))
        child_exclusions = excls.get(cid, [])
        child_exclusions.sort(key=lambda e: (e.start_date, e.category))
        child_enrols = enrols.get(cid, [])
        child_enrols.sort(key=lambda e: e.entry_date or e.leaving_date or dt.date.min)
        loaded.records.append(
            ChildRecord(cid, date(birth), the_census, tuple(child_enrols), tuple(child_exclusions))
        )
    return loaded


def children_of_batch(conn: sa.Connection, batch_id: int) -> set[int] | None:
    """The children whose flags an import batch can change, as the data stands now (call it
    after the import's rows are written, or before an undo removes them): every child with a
    record the batch brought or brought again, and every child with any record at a school the
    batch returned records for (a school's return says who is missing from it). None when the
    batch added schools or school links, which can change any child's history (a school it
    only named again is unchanged by it)."""
    rs = t.record_sources

    def of_batch(table: sa.Table) -> sa.ColumnElement[bool]:
        again = sa.select(rs.c.record_id).where(
            rs.c.record_type == table.name, rs.c.batch_id == batch_id
        )
        return sa.or_(table.c.batch_id == batch_id, table.c.id.in_(again))

    for table in (t.schools, t.school_links):
        if conn.execute(sa.select(table.c.id).where(table.c.batch_id == batch_id).limit(1)).first():
            return None
    found = {
        int(i)
        for i in conn.execute(sa.select(t.children.c.id).where(of_batch(t.children))).scalars()
    }
    found |= {
        int(i)
        for i in conn.execute(
            sa.select(t.child_identifiers.c.child_id).where(of_batch(t.child_identifiers))
        ).scalars()
    }
    schools: set[int] = set()
    for table in (t.census_observations, t.enrolments, t.exclusions):
        for child, school in conn.execute(
            sa.select(table.c.child_id, table.c.school_id).where(of_batch(table)).distinct()
        ):
            found.add(int(child))
            if school is not None:
                schools.add(int(school))
    for school in sorted(_linked_schools(conn, schools)):
        found.update(child_ids_at_school(conn, school))
    return found


def _linked_schools(conn: sa.Connection, schools: set[int]) -> set[int]:
    """The schools and every school linked to them, directly or through others: a child last
    seen at a school counts as missing by the returns of the school it became."""
    links: dict[int, set[int]] = {}
    for a, b in conn.execute(
        sa.select(t.school_links.c.school_id, t.school_links.c.linked_school_id)
    ):
        links.setdefault(int(a), set()).add(int(b))
        links.setdefault(int(b), set()).add(int(a))
    found = set(schools)
    waiting = list(schools)
    while waiting:
        for other in links.get(waiting.pop(), ()):
            if other not in found:
                found.add(other)
                waiting.append(other)
    return found
