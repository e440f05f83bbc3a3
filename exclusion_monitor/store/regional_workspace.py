"""The regional workspace's SQL (docs/regional.md, "The workspace"): replacing an authority's
return, linking children by pseudonym, loading joined histories for the rules, and the rows the
region's lists and statistics read."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.records import School
from exclusion_monitor.school_links import StoredLink, succession_edges
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import bulk_insert
from exclusion_monitor.store.histories import _Dates, _rows
from exclusion_monitor.store.regional_schema import (
    regional_census as census,
)
from exclusion_monitor.store.regional_schema import (
    regional_census_returns as census_returns,
)
from exclusion_monitor.store.regional_schema import (
    regional_children as children,
)
from exclusion_monitor.store.regional_schema import (
    regional_exclusions as exclusions,
)
from exclusion_monitor.store.regional_schema import (
    regional_flags as flags,
)
from exclusion_monitor.store.regional_schema import (
    regional_local_flags as local_flags,
)
from exclusion_monitor.store.regional_schema import (
    regional_people as people,
)
from exclusion_monitor.store.regional_schema import (
    regional_pseudonyms as pseudonyms,
)
from exclusion_monitor.store.regional_schema import (
    regional_registrations as registrations,
)
from exclusion_monitor.store.regional_schema import (
    regional_returns as returns,
)
from exclusion_monitor.store.regional_schema import (
    regional_school_links as school_links,
)
from exclusion_monitor.store.regional_schema import (
    regional_schools as schools,
)

_IN_BATCH = 900


@dataclass(frozen=True, slots=True)
class StoredReturn:
    id: int
    la_code: str
    la_name: str | None
    made_at: dt.datetime
    as_of: dt.date
    key_fingerprint: str
    file_name: str
    file_hash: str
    imported_at: dt.datetime
    imported_by: str | None
    children: int
    census_rows: int
    exclusions: int


def ensure_regional(conn: sa.Connection) -> None:
    """Refuse to use an authority's database as a regional workspace."""
    if conn.execute(sa.select(t.children.c.id).limit(1)).first() is not None:
        raise InvalidInputError(
            "This database holds an authority's own named records, so it cannot be a regional "
            "workspace: pseudonymised returns from other authorities must never sit beside "
            "named children. Use a database of its own for the region (--db REGION_DB)."
        )


def holds_returns(conn: sa.Connection) -> bool:
    return conn.execute(sa.select(returns.c.id).limit(1)).first() is not None


def current_returns(conn: sa.Connection) -> list[StoredReturn]:
    c = returns.c
    rows = conn.execute(
        sa.select(
            c.id, c.la_code, c.la_name, c.made_at, c.as_of, c.key_fingerprint, c.file_name,
            c.file_hash, c.imported_at, c.imported_by, c.children, c.census_rows, c.exclusions,
        )
        .where(c.status == "current")
        .order_by(c.la_code)
    )  # fmt: skip
    return [StoredReturn(*row) for row in rows]  # type: ignore[call-arg]


def file_already_imported(conn: sa.Connection, file_hash: str) -> bool:
    c = returns.c
    return (
        conn.execute(sa.select(c.id).where(c.file_hash == file_hash, c.status == "current")).first()
        is not None
    )


def add_return(conn: sa.Connection, values: dict[str, Any]) -> int:
    key = conn.execute(returns.insert().values(status="loading", **values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def remove_return(conn: sa.Connection, stored: StoredReturn) -> None:
    """Delete every row an earlier return brought (its children's ids are one range)."""
    row = conn.execute(
        sa.select(returns.c.first_child_id, returns.c.last_child_id).where(
            returns.c.id == stored.id
        )
    ).one()
    first, last = row
    if first is not None:
        for table in (pseudonyms, registrations, census, exclusions, local_flags):
            conn.execute(table.delete().where(table.c.child_id.between(first, last)))
        conn.execute(children.delete().where(children.c.return_id == stored.id))
    conn.execute(census_returns.delete().where(census_returns.c.return_id == stored.id))
    conn.execute(returns.update().where(returns.c.id == stored.id).values(status="replaced"))


def finish_return(conn: sa.Connection, return_id: int, **values: Any) -> None:
    conn.execute(
        returns.update().where(returns.c.id == return_id).values(status="current", **values)
    )


def next_child_id(conn: sa.Connection) -> int:
    found = conn.execute(sa.select(sa.func.max(children.c.id))).scalar()
    return int(found or 0) + 1


def school_ids(conn: sa.Connection) -> dict[str, int]:
    return {str(k): int(v) for k, v in conn.execute(sa.select(schools.c.laestab, schools.c.id))}


def save_schools(conn: sa.Connection, rows: Sequence[tuple[Any, ...]], la_code: str) -> None:
    """Add the return's schools to the region's register; a school's own authority's return
    describes it (names and phases from another authority's register do not overwrite it)."""
    known = school_ids(conn)
    new = [r for r in rows if r[0] not in known]
    if new:
        bulk_insert(
            conn,
            schools,
            ["laestab", "urn", "name", "la_code", "phase", "school_type", "open_date",
             "close_date", "low_age", "high_age"],
            [(*r[:3], r[3] or r[0][:3], *r[4:]) for r in new],
        )  # fmt: skip
    for r in rows:
        if r[0] in known and r[0][:3] == la_code:
            conn.execute(
                schools.update()
                .where(schools.c.laestab == r[0])
                .values(
                    urn=r[1], name=r[2], la_code=r[3] or la_code, phase=r[4], school_type=r[5],
                    open_date=r[6], close_date=r[7], low_age=r[8], high_age=r[9],
                )
            )  # fmt: skip


def ensure_schools(conn: sa.Connection, laestabs: Iterable[str]) -> dict[str, int]:
    """Ids for LAESTABs, registering any the region has not seen by number alone."""
    known = school_ids(conn)
    missing = sorted(set(laestabs) - set(known))
    if missing:
        bulk_insert(
            conn, schools, ["laestab", "name", "la_code"],
            [(code, f"School {code}", code[:3]) for code in missing],
        )  # fmt: skip
        known = school_ids(conn)
    return known


def save_links(conn: sa.Connection, rows: Iterable[tuple[int, int, str]]) -> None:
    bulk_insert(
        conn,
        school_links,
        ["school_id", "linked_school_id", "link_type"],
        list(set(rows)),
        ignore_conflicts=True,
    )


def insert(conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Any) -> None:
    bulk_insert(conn, table, columns, rows)


# --- linking ----------------------------------------------------------------------------------


def pseudonym_rows(conn: sa.Connection) -> list[tuple[int, str, str, int, str]]:
    """(child_id, pseudonym, kind, return_id, la_code) for every current child record."""
    query = (
        sa.select(
            pseudonyms.c.child_id,
            pseudonyms.c.pseudonym,
            pseudonyms.c.kind,
            children.c.return_id,
            returns.c.la_code,
        )
        .join(children, children.c.id == pseudonyms.c.child_id)
        .join(returns, returns.c.id == children.c.return_id)
        .order_by(returns.c.as_of.desc(), pseudonyms.c.child_id)
    )
    return [tuple(row) for row in conn.execute(query)]


def replace_people(
    conn: sa.Connection,
    rows: Sequence[tuple[int, str, str]],
    joined: Sequence[tuple[int, int]],
) -> None:
    """Store the region's people (id, display pseudonym, authorities). A person's id is the
    smallest id of their child records, so a child known to one authority only (nearly all) is
    their own person; `joined` lists (child id, person id) for the others. Regional flags go with
    the old people."""
    conn.execute(flags.delete())
    conn.execute(people.delete())
    conn.execute(children.update().values(person_id=children.c.id))
    bulk_insert(conn, people, ["id", "pseudonym", "authorities"], list(rows))
    if joined:
        conn.execute(
            children.update()
            .where(children.c.id == sa.bindparam("cid"))
            .values(person_id=sa.bindparam("pid")),
            [{"cid": c, "pid": p} for c, p in joined],
        )


# --- histories ---------------------------------------------------------------------------------


def load_region(conn: sa.Connection) -> tuple[dict[int, School], frozenset[tuple[int, int]]]:
    """The region's schools (as the rules see them) and the (earlier, later) pairs of schools
    that school links make one (docs/rules.md#schools-conversions-and-successor-chains)."""
    found = {
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
        for row in conn.execute(sa.select(schools))
    }
    links = [StoredLink(a, b, str(kind)) for a, b, kind in conn.execute(sa.select(school_links))]
    return found, succession_edges(links, {s.id: s.close_date for s in found.values()})


def census_coverage(conn: sa.Connection) -> list[tuple[int, dt.date]]:
    """(school id, census date) for every census a school returned, in any current return."""
    parse = _Dates()
    rows = conn.execute(
        sa.select(census_returns.c.school_id, census_returns.c.census_date).distinct()
    )
    return [(int(s), parse.day(d)) for s, d in rows]


def people_of_children(conn: sa.Connection) -> list[tuple[int, int, str | None]]:
    """(child id, person id, birth month) of every child record, by child id."""
    c = children.c
    return [
        (int(a), int(b), m)
        for a, b, m in conn.execute(sa.select(c.id, c.person_id, c.birth_month).order_by(c.id))
    ]


_CENSUS = (
    "SELECT child_id, census_date, school_id, nc_year, enrol_status, entry_date "
    "FROM regional_census WHERE "
)
_REGISTRATIONS = (
    "SELECT child_id, school_id, entry_date, leaving_date, enrol_status, leaving_reason, "
    "destination_laestab FROM regional_registrations WHERE "
)
_EXCLUSIONS = (
    "SELECT child_id, school_id, category, start_date, sessions, reason1, reason2, reason3, "
    "end_date, review_outcome FROM regional_exclusions WHERE "
)


def records_between(conn: sa.Connection, first: int, last: int) -> tuple[list[Any], ...]:
    """(census, registrations, exclusions) rows of child records with ids in [first, last]."""
    return tuple(
        _rows(conn, sql + "child_id BETWEEN ? AND ?", (first, last))
        for sql in (_CENSUS, _REGISTRATIONS, _EXCLUSIONS)
    )


def records_of(conn: sa.Connection, child_ids: Sequence[int]) -> tuple[list[Any], ...]:
    found: tuple[list[Any], ...] = ([], [], [])
    ids = sorted(set(child_ids))
    for start in range(0, len(ids), _IN_BATCH):
        batch = tuple(ids[start : start + _IN_BATCH])
        marks = ",".join("?" * len(batch))
        for i, sql in enumerate((_CENSUS, _REGISTRATIONS, _EXCLUSIONS)):
            found[i].extend(_rows(conn, f"{sql}child_id IN ({marks})", batch))
    return found


def save_flags(conn: sa.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """(person id, rule, version, as of, reason, evidence dict) rows."""
    bulk_insert(
        conn,
        flags,
        ["person_id", "rule", "rule_version", "as_of", "reason", "evidence"],
        [(*r[:5], json.dumps(r[5], sort_keys=True, default=str)) for r in rows],
    )


_STATE_KEY = "regional.refreshed_for"


def refresh_state(conn: sa.Connection) -> str | None:
    raw = conn.execute(
        sa.select(t.settings.c.value).where(t.settings.c.key == _STATE_KEY)
    ).scalar_one_or_none()
    return None if raw is None else str(json.loads(raw))


def save_refresh_state(conn: sa.Connection, state: str, account: str | None) -> None:
    conn.execute(t.settings.delete().where(t.settings.c.key == _STATE_KEY))
    conn.execute(
        t.settings.insert().values(
            key=_STATE_KEY, value=json.dumps(state), updated_at=dt.datetime.now(),
            updated_by=account,
        )
    )  # fmt: skip


# --- what the region's lists read --------------------------------------------------------------


def people_rows(conn: sa.Connection) -> list[tuple[int, str, str]]:
    """(person id, pseudonym, authorities) of everyone, by pseudonym."""
    c = people.c
    return [
        (int(a), str(b), str(d))
        for a, b, d in conn.execute(
            sa.select(c.id, c.pseudonym, c.authorities).order_by(c.pseudonym)
        )
    ]


def person_for_pseudonym(conn: sa.Connection, pseudonym: str) -> int | None:
    found = conn.execute(
        sa.select(children.c.person_id)
        .select_from(children)
        .join(pseudonyms, pseudonyms.c.child_id == children.c.id)
        .where(pseudonyms.c.pseudonym == pseudonym)
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


def regional_flag_rows(
    conn: sa.Connection, person: int | None = None
) -> list[tuple[int, str, int, dt.date, str, dict[str, Any]]]:
    c = flags.c
    query = sa.select(c.person_id, c.rule, c.rule_version, c.as_of, c.reason, c.evidence)
    if person is not None:
        query = query.where(c.person_id == person)
    parse = _Dates()
    return [
        (int(p), str(rule), int(v), parse.day(a), str(reason), json.loads(e or "{}"))
        for p, rule, v, a, reason, e in conn.execute(query.order_by(c.person_id, c.rule))
    ]


def local_flag_rows(conn: sa.Connection) -> list[tuple[int, str, str]]:
    """(person id, LA number, rule) of every flag the authorities raised themselves."""
    query = (
        sa.select(children.c.person_id, returns.c.la_code, local_flags.c.rule)
        .select_from(local_flags)
        .join(children, children.c.id == local_flags.c.child_id)
        .join(returns, returns.c.id == children.c.return_id)
    )
    return [(int(p), str(la), str(rule)) for p, la, rule in conn.execute(query)]


def school_rows_by_person(conn: sa.Connection) -> list[tuple[int, str]]:
    """(person id, LAESTAB) of every school a person was registered or counted at."""
    rows: set[tuple[int, str]] = set()
    for table in (census, registrations):
        query = (
            sa.select(children.c.person_id, schools.c.laestab)
            .select_from(table)
            .join(children, children.c.id == table.c.child_id)
            .join(schools, schools.c.id == table.c.school_id)
            .distinct()
        )
        rows.update((int(p), str(s)) for p, s in conn.execute(query))
    return sorted(rows)


def child_records_of_person(conn: sa.Connection, person: int) -> list[Any]:
    c = children.c
    return list(
        conn.execute(
            sa.select(
                c.id, returns.c.la_code, returns.c.la_name, c.birth_month, c.sex, c.ethnicity,
                c.fsm, c.sen, c.looked_after, c.postcode_sector,
            )
            .join(returns, returns.c.id == c.return_id)
            .where(c.person_id == person)
            .order_by(c.id)
        )
    )  # fmt: skip


def pseudonyms_of(conn: sa.Connection, child_ids: Sequence[int]) -> list[tuple[int, str, str]]:
    c = pseudonyms.c
    return [
        (int(a), str(b), str(k))
        for a, b, k in conn.execute(
            sa.select(c.child_id, c.pseudonym, c.kind).where(c.child_id.in_(list(child_ids)))
        )
    ]


def local_flags_of(conn: sa.Connection, child_ids: Sequence[int]) -> list[tuple[int, str, int]]:
    c = local_flags.c
    return [
        (int(a), str(b), int(v))
        for a, b, v in conn.execute(
            sa.select(c.child_id, c.rule, c.rule_version).where(c.child_id.in_(list(child_ids)))
        )
    ]


# --- the region's facts for school practice ----------------------------------------------------


def census_dates_between(
    conn: sa.Connection, first: dt.date, last: dt.date
) -> list[tuple[dt.date, int]]:
    """(census date, rows) of the censuses between two dates."""
    parse = _Dates()
    rows = conn.execute(
        sa.select(census.c.census_date, sa.func.count())
        .where(census.c.census_date.between(first, last))
        .group_by(census.c.census_date)
    )
    return [(parse.day(d), int(n)) for d, n in rows]


def population(conn: sa.Connection, census_date: dt.date) -> list[tuple[Any, ...]]:
    """(person id, school id, NC year, sex, FSM, SEN, ethnicity, looked after) of everyone on a
    roll (C or M) at a census date, once each (their first row)."""
    c = census.c
    query = (
        sa.select(
            children.c.person_id, c.school_id, c.nc_year, children.c.sex, c.fsm, c.sen,
            children.c.ethnicity, children.c.looked_after,
        )
        .select_from(census)
        .join(children, children.c.id == c.child_id)
        .where(c.census_date == census_date)
        .where(sa.or_(c.enrol_status.is_(None), c.enrol_status.in_(("C", "M"))))
        .order_by(children.c.person_id, c.child_id)
    )  # fmt: skip
    seen: set[int] = set()
    found = []
    for row in conn.execute(query):
        if row[0] in seen:
            continue
        seen.add(row[0])
        found.append(tuple(row))
    return found


def exclusions_between(conn: sa.Connection, first: dt.date, last: dt.date) -> list[tuple[Any, ...]]:
    """(person id, school id, category, start, sessions, reasons...) of exclusions starting
    between two dates, once each across returns; a permanent exclusion reversed on review
    (reinstated) is left out, as in published figures."""
    e = exclusions.c
    query = (
        sa.select(
            children.c.person_id, e.school_id, e.category, e.start_date, e.sessions, e.reason1,
            e.reason2, e.reason3,
        )
        .select_from(exclusions)
        .join(children, children.c.id == e.child_id)
        .where(e.start_date.between(first, last))
        .where(sa.or_(e.review_outcome.is_(None), e.review_outcome != "Reinstated",
                      e.category != "PERM"))
    )  # fmt: skip
    parse = _Dates()
    seen: set[tuple[Any, ...]] = set()
    found = []
    for row in conn.execute(query):
        key = (row[0], row[1], row[2], str(row[3]))
        if key in seen:
            continue
        seen.add(key)
        found.append((row[0], row[1], row[2], parse.day(row[3]), *row[4:]))
    return found


def school_rows(conn: sa.Connection) -> list[tuple[int, str, str, str | None]]:
    s = schools.c
    return [
        (int(i), str(code), str(name), phase)
        for i, code, name, phase in conn.execute(sa.select(s.id, s.laestab, s.name, s.phase))
    ]
