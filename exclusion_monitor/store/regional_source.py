"""What an authority's regional return reads from its own database (docs/regional.md): every
child's identifiers, characteristics, registrations, censuses, exclusions and flags, streamed in
child order so a large authority's return is written without holding it all in memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import schema as t

_CHUNK = 5_000


def _stream(conn: sa.Connection, query: sa.Select[Any]) -> Iterator[Any]:
    result = conn.execute(query, execution_options={"yield_per": _CHUNK})
    yield from result


def children(conn: sa.Connection) -> Iterator[Any]:
    """(id, date_of_birth, sex, looked_after) of every child, by id."""
    c = t.children.c
    return _stream(conn, sa.select(c.id, c.date_of_birth, c.sex, c.looked_after).order_by(c.id))


def identifiers(conn: sa.Connection) -> Iterator[Any]:
    """(child_id, upn, kind) of every UPN and former UPN."""
    c = t.child_identifiers.c
    return _stream(conn, sa.select(c.child_id, c.upn, c.kind).order_by(c.child_id, c.id))


def schools(conn: sa.Connection) -> list[Any]:
    c = t.schools.c
    return list(
        conn.execute(
            sa.select(
                c.id, c.laestab, c.urn, c.name, c.la_code, c.phase, c.school_type, c.open_date,
                c.close_date, c.low_age, c.high_age,
            ).order_by(c.laestab)
        )
    )  # fmt: skip


def school_links(conn: sa.Connection) -> list[Any]:
    c = t.school_links.c
    return list(conn.execute(sa.select(c.school_id, c.linked_school_id, c.link_type)))


def census_returns(conn: sa.Connection, as_of: dt.date) -> list[Any]:
    """(school_id, census_date): which school returned which census."""
    c = t.census_observations.c
    return list(
        conn.execute(
            sa.select(c.school_id, c.census_date)
            .where(c.census_date <= as_of)
            .distinct()
            .order_by(c.census_date, c.school_id)
        )
    )


def census(conn: sa.Connection, as_of: dt.date) -> Iterator[Any]:
    """Every census observation up to `as_of`, by child and date."""
    c = t.census_observations.c
    return _stream(
        conn,
        sa.select(
            c.child_id, c.school_id, c.census_date, c.nc_year, c.enrol_status, c.entry_date,
            c.fsm, c.sen, c.ethnicity, c.looked_after, c.postcode,
        )
        .where(c.census_date <= as_of)
        .order_by(c.child_id, c.census_date, c.school_id),
    )  # fmt: skip


def enrolments(conn: sa.Connection, as_of: dt.date) -> Iterator[Any]:
    c = t.enrolments.c
    return _stream(
        conn,
        sa.select(
            c.child_id, c.school_id, c.entry_date, c.leaving_date, c.enrol_status,
            c.leaving_reason, c.destination,
        )
        .where(sa.or_(c.entry_date.is_(None), c.entry_date <= as_of))
        .order_by(c.child_id, c.entry_date),
    )  # fmt: skip


def exclusions(conn: sa.Connection, as_of: dt.date) -> Iterator[Any]:
    c = t.exclusions.c
    return _stream(
        conn,
        sa.select(
            c.child_id, c.school_id, c.category, c.start_date, c.end_date, c.sessions,
            c.reason1, c.reason2, c.reason3, c.review_outcome,
        )
        .where(c.start_date <= as_of)
        .order_by(c.child_id, c.start_date),
    )  # fmt: skip
