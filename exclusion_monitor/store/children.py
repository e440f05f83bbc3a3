"""Queries about children: the authority-wide list (search, filters, sort, pages) and look-ups.

The list reads `child_summaries`, one derived row per child kept up to date by
`refresh_child_summaries` (call it after an import, an undo, an identity merge or a flag run;
`ensure_child_summaries` refreshes only when the data changed since the last refresh). Each
child's status (on roll, left, missing, ...) comes from `child_status`, which the flag recompute
keeps (`save_child_status`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from exclusion_monitor.child_search import ChildSearch, fold_name, parse_search, prefix_upper_bound
from exclusion_monitor.codelists import nc_year_order
from exclusion_monitor.records import ChildSummary, ReviewStatus
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import bulk_insert, indexes_built_after, replace_child_rows
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.dialect import settle_statistics, sqlite_null_order
from exclusion_monitor.store.settings import get_setting, set_setting

log = logging.getLogger(__name__)

CLOSED_REVIEWS = (ReviewStatus.CLOSED.value, ReviewStatus.NO_FURTHER_ACTION.value)
SortKey = Literal["upn", "name", "date_of_birth", "nc_year", "status", "school", "flags"]
SORT_KEYS: tuple[SortKey, ...] = (
    "upn",
    "name",
    "date_of_birth",
    "nc_year",
    "status",
    "school",
    "flags",
)
_STATE_KEY = "child_summaries.state"
_CHUNK = 500
_RANGE = 20_000  # children per step of a full refresh

s = t.child_summaries
_NAME_ORDER = (s.c.surname_key, s.c.forename_key, s.c.child_id)
_ORDERS: dict[SortKey, tuple[sa.ColumnElement[Any], ...]] = {
    "upn": (s.c.upn, s.c.child_id),
    "name": _NAME_ORDER,
    "date_of_birth": (s.c.date_of_birth, *_NAME_ORDER),
    "nc_year": (s.c.year_order, s.c.nc_year, *_NAME_ORDER),
    "status": (s.c.status, *_NAME_ORDER),
    "school": (s.c.school_key, *_NAME_ORDER),
    "flags": (s.c.flag_count, *_NAME_ORDER),
}


@dataclass(frozen=True, slots=True)
class ChildFilter:
    """Which children the list shows: typed search text, a school (current, or the last one),
    a year group, a status (`places.Status` values), flagged only."""

    search: str = ""
    school_id: int | None = None
    nc_year: str | None = None
    flagged_only: bool = False
    status: str | None = None


@dataclass(frozen=True, slots=True)
class ChildSearchHit:
    """A search result: the child, and the former UPN that matched when it was not the current."""

    child: ChildSummary
    former_upn: str | None = None


def _summary_columns() -> list[sa.ColumnElement[Any]]:
    return [
        s.c.child_id.label("id"),
        sa.func.coalesce(s.c.upn, "").label("upn"),
        s.c.surname,
        s.c.forename,
        s.c.date_of_birth,
        s.c.sex,
        s.c.nc_year,
        s.c.school_laestab,
        s.c.school_name,
        s.c.flag_count,
        s.c.status,
        s.c.status_date,
    ]


def _search_condition(search: ChildSearch) -> sa.ColumnElement[bool]:
    if search.upn_prefix is not None:
        prefix = search.upn_prefix
        # Current and former UPNs: an index range on child_identifiers.upn.
        matching = sa.select(t.child_identifiers.c.child_id).where(
            t.child_identifiers.c.upn >= prefix,
            t.child_identifiers.c.upn < prefix_upper_bound(prefix),
        )
        return s.c.child_id.in_(matching)
    alternatives = []
    for surname, forename in search.names:
        parts = []
        if surname:
            parts += [s.c.surname_key >= surname, s.c.surname_key < prefix_upper_bound(surname)]
        if forename:
            parts += [s.c.forename_key >= forename, s.c.forename_key < prefix_upper_bound(forename)]
        alternatives.append(sa.and_(*parts))
    return sa.or_(*alternatives)


def _where(where: ChildFilter | None) -> list[sa.ColumnElement[bool]]:
    if where is None:
        return []
    conditions: list[sa.ColumnElement[bool]] = []
    search = parse_search(where.search)
    if not search.is_empty:
        conditions.append(_search_condition(search))
    elif where.search.strip():
        conditions.append(sa.false())  # typed text that cannot match anything
    if where.school_id is not None:
        conditions.append(s.c.school_id == where.school_id)
    if where.nc_year is not None:
        # year_order leads an index; nc_year alone has none.
        conditions.append(s.c.year_order == nc_year_order(where.nc_year))
        conditions.append(s.c.nc_year == where.nc_year)
    if where.flagged_only:
        conditions.append(s.c.flag_count > 0)
    if where.status is not None:
        conditions.append(s.c.status == where.status)
    return conditions


def _order(conn: sa.Connection, order_by: SortKey, descending: bool) -> list[sa.ColumnElement[Any]]:
    return [sqlite_null_order(conn, c, descending) for c in _ORDERS[order_by]]


def list_children(
    db: Database,
    where: ChildFilter | None = None,
    *,
    order_by: SortKey = "name",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[ChildSummary]:
    """One page of the children list, filtered and sorted in SQL (by surname and forename unless
    `order_by` says otherwise; ties broken by name, then id)."""
    with db.read() as conn:
        query = (
            sa.select(*_summary_columns())
            .where(*_where(where))
            .order_by(*_order(conn, order_by, descending))
            .offset(offset)
        )
        if limit is not None:
            query = query.limit(limit)
        return [ChildSummary(**row._mapping) for row in conn.execute(query)]


def year_groups_of(db: Database, child_ids: Iterable[int]) -> dict[int, str]:
    """child id -> the year group the children list shows, for the children named (those with
    one); read by primary key, so a few hundred flagged children cost a few hundred rows."""
    ids = sorted(set(child_ids))
    found: dict[int, str] = {}
    with db.read() as conn:
        for start in range(0, len(ids), 900):
            query = sa.select(s.c.child_id, s.c.nc_year).where(
                s.c.child_id.in_(ids[start : start + 900]), s.c.nc_year.is_not(None)
            )
            found.update({int(c): str(y) for c, y in conn.execute(query)})
    return found


def count_children(db: Database, where: ChildFilter | None = None) -> int:
    """How many children the database holds, or (given a filter) how many the list shows."""
    with db.read() as conn:
        if where is None:
            query = sa.select(sa.func.count()).select_from(t.children)
        else:
            query = sa.select(sa.func.count()).select_from(s).where(*_where(where))
        return int(conn.execute(query).scalar_one())


def child_list_position(
    db: Database,
    child_id: int,
    where: ChildFilter | None = None,
    *,
    order_by: SortKey = "name",
    descending: bool = False,
) -> int | None:
    """The row a child has in the list with this filter and order, or None if it is not shown."""
    columns = _ORDERS[order_by]
    with db.read() as conn:
        found = conn.execute(
            sa.select(*columns).where(s.c.child_id == child_id, *_where(where))
        ).first()
        if found is None:
            return None
        before = _before(list(zip(columns, found, strict=True)), descending)
        return int(
            conn.execute(
                sa.select(sa.func.count()).select_from(s).where(before, *_where(where))
            ).scalar_one()
        )


def _before(
    keys: list[tuple[sa.ColumnElement[Any], Any]], descending: bool
) -> sa.ColumnElement[bool]:
    """Rows that sort before the given key values (SQLite sorts NULL first in ascending order)."""
    (column, value), rest = keys[0], keys[1:]
    tail = _before(rest, descending) if rest else sa.false()
    if value is None:
        if descending:
            return sa.or_(column.is_not(None), sa.and_(column.is_(None), tail))
        return sa.and_(column.is_(None), tail)
    strictly = column > value if descending else sa.or_(column.is_(None), column < value)
    return sa.or_(strictly, sa.and_(column == value, tail))


def search_children(db: Database, text: str, *, limit: int = 20) -> list[ChildSearchHit]:
    """The children a search box text finds (name, current or former UPN), best first."""
    search = parse_search(text)
    if search.is_empty:
        return []
    found = list_children(db, ChildFilter(search=text), limit=limit)
    if search.upn_prefix is None or not found:
        return [ChildSearchHit(child) for child in found]
    prefix = search.upn_prefix
    with db.read() as conn:
        former = dict(
            conn.execute(
                sa.select(t.child_identifiers.c.child_id, t.child_identifiers.c.upn).where(
                    t.child_identifiers.c.child_id.in_([c.id for c in found]),
                    t.child_identifiers.c.kind != "current",
                    t.child_identifiers.c.upn >= prefix,
                    t.child_identifiers.c.upn < prefix_upper_bound(prefix),
                )
            ).all()
        )
    return [
        ChildSearchHit(c, None if c.upn.startswith(prefix) else former.get(c.id)) for c in found
    ]


def child_schools(db: Database) -> list[tuple[int, str]]:
    """(school id, name) of every school some child in the list attends or last attended."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(t.schools.c.id, t.schools.c.name)
            .where(t.schools.c.id.in_(sa.select(s.c.school_id).where(s.c.school_id.is_not(None))))
            .order_by(t.schools.c.name, t.schools.c.id)
        ).all()
    return [(int(row.id), str(row.name)) for row in rows]


def child_year_groups(db: Database) -> list[str]:
    """The NC years children in the list are in, in school order (N1, N2, R, 1 .. 14, X)."""
    with db.read() as conn:
        rows = conn.execute(
            sa.select(s.c.year_order, s.c.nc_year)
            .distinct()
            .where(s.c.year_order.is_not(None))
            .order_by(s.c.year_order, s.c.nc_year)
        ).all()
    return [str(row.nc_year) for row in rows]


def child_id_for_upn(db: Database, upn: str) -> int | None:
    """The child a UPN belongs to, whether it is their current, former or temporary UPN."""
    with db.read() as conn:
        found = conn.execute(
            sa.select(t.child_identifiers.c.child_id).where(t.child_identifiers.c.upn == upn)
        ).scalar_one_or_none()
    return None if found is None else int(found)


# --- keeping child_summaries up to date --------------------------------------------------------


# Which children one step of a refresh covers: a condition on a child_id column.
_Scope = Callable[[sa.ColumnElement[int]], sa.ColumnElement[bool]]


def _latest_census(scope: _Scope) -> sa.Subquery:
    """Each child's most recent census observation (school and NC year)."""
    co = t.census_observations
    ranked = sa.select(
        co.c.child_id,
        co.c.school_id,
        co.c.nc_year,
        co.c.census_date,
        sa.func.row_number()
        .over(partition_by=co.c.child_id, order_by=(co.c.census_date.desc(), co.c.id.desc()))
        .label("rank"),
    )
    sub = ranked.where(scope(co.c.child_id)).subquery("ranked")
    return sa.select(sub).where(sub.c.rank == 1).subquery("latest")


def _summary_source(scope: _Scope) -> sa.Select[Any]:
    latest = _latest_census(scope)
    current = t.child_identifiers.alias("current")
    # Open flags: raised and not cleared, of a child whose case an officer has not closed
    # (closed, or no further action): the work still waiting, which is what the list counts.
    closed_cases = sa.select(t.cases.c.child_id).where(t.cases.c.status.in_(CLOSED_REVIEWS))
    flag_counts = (
        sa.select(t.flags.c.child_id, sa.func.count().label("n"))
        .where(
            t.flags.c.cleared_on.is_(None),
            t.flags.c.child_id.not_in(closed_cases),
            scope(t.flags.c.child_id),
        )
        .group_by(t.flags.c.child_id)
        .subquery("open_flags")
    )
    status = t.child_status
    # The school the status is about (current, or the last one); before the first flag run, the
    # latest census school.
    school_id = sa.func.coalesce(status.c.school_id, latest.c.school_id)
    query = (
        sa.select(
            t.children.c.id,
            current.c.upn,
            t.children.c.surname,
            t.children.c.forename,
            t.children.c.date_of_birth,
            t.children.c.sex,
            latest.c.nc_year,
            latest.c.census_date,
            t.schools.c.id.label("school_id"),
            t.schools.c.laestab,
            t.schools.c.name.label("school_name"),
            sa.func.coalesce(flag_counts.c.n, 0).label("flag_count"),
            status.c.status,
            status.c.status_date,
        )
        .outerjoin(
            current, sa.and_(current.c.child_id == t.children.c.id, current.c.kind == "current")
        )
        .outerjoin(latest, latest.c.child_id == t.children.c.id)
        .outerjoin(status, status.c.child_id == t.children.c.id)
        .outerjoin(t.schools, t.schools.c.id == school_id)
        .outerjoin(flag_counts, flag_counts.c.child_id == t.children.c.id)
    )
    return query.where(scope(t.children.c.id))


_SUMMARY_FIELDS = [column.name for column in s.columns]


def _summary_row(row: Any) -> tuple[Any, ...]:
    """One child_summaries row (in table column order) from a _summary_source row."""
    (child_id, upn, surname, forename, born, sex, nc_year, census_date, school_id, laestab,
     school_name, flag_count, status, status_date) = row  # fmt: skip
    return (
        child_id,
        upn,
        surname,
        forename,
        fold_name(surname),
        fold_name(forename),
        born,
        sex,
        nc_year,
        None if nc_year is None else nc_year_order(nc_year),
        school_id,
        laestab,
        school_name,
        None if school_name is None else fold_name(school_name),
        census_date,
        flag_count,
        status,
        status_date,
    )


def _insert_summaries(conn: sa.Connection, rows: list[tuple[Any, ...]]) -> None:
    bulk_insert(conn, s, _SUMMARY_FIELDS, rows)


def _fingerprint(conn: sa.Connection) -> list[Any]:
    """Cheap figures that change whenever anything the summaries show may have changed."""

    def figures(table: sa.Table, *extra: sa.ColumnElement[Any]) -> list[Any]:
        row = conn.execute(sa.select(sa.func.count(), sa.func.max(table.c.id), *extra)).one()
        return [None if v is None else str(v) for v in row]

    return [
        *figures(t.children),
        *figures(t.child_identifiers),
        # Census rows only by their newest id: counting them is the slow part, and they are only
        # deleted by an undo (undone_at) or with their child (the children count).
        str(conn.execute(sa.select(sa.func.max(t.census_observations.c.id))).scalar()),
        *figures(t.schools),
        *figures(t.flags, sa.func.max(t.flags.c.updated_at), sa.func.max(t.flags.c.cleared_on)),
        *figures(t.cases),
        *figures(t.case_events),  # every change of a case (a closed case counts no open flags)
        *figures(t.import_batches, sa.func.max(t.import_batches.c.undone_at)),
        *_status_figures(conn),
    ]


def _status_figures(conn: sa.Connection) -> list[Any]:
    """How many children have each status, and the latest status date: a recompute that moved
    a child from one status to another changes them."""
    c = t.child_status.c
    rows = conn.execute(
        sa.select(c.status, sa.func.count(), sa.func.max(c.status_date), sa.func.sum(c.school_id))
        .group_by(c.status)
        .order_by(c.status)
    ).all()
    return [str(tuple(row)) for row in rows]


def save_child_status(
    conn: sa.Connection,
    places: Sequence[tuple[int, str, int | None, dt.date | None]],
    *,
    first_id: int,
    last_id: int,
    child_ids: Sequence[int] | None = None,
) -> None:
    """Make the stored status of a batch of children (ids first..last, or exactly `child_ids`)
    the (child id, status, school id, date) rows of `places` (only those that changed are
    written)."""
    replace_child_rows(
        conn,
        t.child_status,
        ["child_id", "status", "school_id", "status_date"],
        places,
        first_id=first_id,
        last_id=last_id,
        child_ids=child_ids,
    )


def refresh_child_summaries(
    db: Database,
    child_ids: Iterable[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rebuild the list rows of these children (all when None) from their records, in one
    transaction; returns how many rows were written. Call after imports, undo, identity merges,
    renames and flag recomputation."""
    with db.write() as conn:
        settle_statistics(conn)  # an import, undo or recompute just before can leave them stale
        if child_ids is None:
            state = _fingerprint(conn)
            conn.execute(s.delete())
            low, high = conn.execute(
                sa.select(sa.func.min(t.children.c.id), sa.func.max(t.children.c.id))
            ).one()
            scopes = (
                []
                if low is None
                else [
                    _id_range(start, start + _RANGE - 1) for start in range(low, high + 1, _RANGE)
                ]
            )
        else:
            state = None
            ids = sorted(set(child_ids))
            scopes = [_id_list(ids[i : i + _CHUNK]) for i in range(0, len(ids), _CHUNK)]
            for scope in scopes:
                conn.execute(s.delete().where(scope(s.c.child_id)))
        written = 0
        # Every row anew: its eight indexes are built once after the rows, not row by row.
        with indexes_built_after(conn, s) if child_ids is None else nullcontext():
            for number, scope in enumerate(scopes, start=1):
                rows = [_summary_row(row) for row in conn.execute(_summary_source(scope))]
                if rows:
                    _insert_summaries(conn, rows)
                written += len(rows)
                if progress is not None:
                    progress(number, len(scopes))
        settle_statistics(conn)  # for the lists' queries straight after
    if state is not None:
        set_setting(db, _STATE_KEY, state)
    log.info("refreshed %d child summaries", written)
    return written


def _id_range(low: int, high: int) -> _Scope:
    return lambda column: column.between(low, high)


def _id_list(ids: list[int]) -> _Scope:
    return lambda column: column.in_(ids)


def child_summaries_stale(db: Database) -> bool:
    """True when children, UPNs, census rows, schools, flags or batches changed since the last
    full refresh."""
    with db.read() as conn:
        state = _fingerprint(conn)
    return bool(get_setting(db, _STATE_KEY) != state)


def ensure_child_summaries(db: Database) -> bool:
    """Refresh every summary if the data changed since the last full refresh; True if it did."""
    if not child_summaries_stale(db):
        return False
    refresh_child_summaries(db)
    return True
