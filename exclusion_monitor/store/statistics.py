"""Facts for the dashboard and school reports: the spring-census population and exclusions.

The queries return plain records; the arithmetic (rates, suppression) is in reports/statistics.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database
from exclusion_monitor.terms import Season, Term


@dataclass(frozen=True, slots=True)
class PupilFact:
    """One pupil on a roll at the spring census: the denominator of exclusion rates."""

    child_id: int
    school_id: int
    nc_year: str | None
    sex: str | None
    fsm: bool | None
    sen: str | None
    ethnicity: str | None
    looked_after: bool | None


@dataclass(frozen=True, slots=True)
class ExclusionFact:
    child_id: int
    school_id: int
    category: str
    start_date: dt.date
    sessions: float
    reasons: tuple[str, ...]
    end_date: dt.date | None = None
    review_outcome: str | None = None
    start_session: str | None = None
    end_session: str | None = None


@dataclass(frozen=True, slots=True)
class SchoolFact:
    id: int
    laestab: str
    name: str
    phase: str | None


def spring_census_date(db: Database, academic_year: int) -> dt.date | None:
    """The spring census day of an academic year: the census date in the spring term with the
    most pupils recorded (the DfE's denominator for exclusion rates), or None if there is none."""
    term = Term(academic_year, Season.SPRING)
    obs = t.census_observations
    with db.read() as conn:
        row = conn.execute(
            sa.select(obs.c.census_date)
            .where(obs.c.census_date.between(term.start, term.end))
            .group_by(obs.c.census_date)
            .order_by(sa.func.count().desc(), obs.c.census_date.desc())
            .limit(1)
        ).first()
    return None if row is None else row[0]


def population(db: Database, census_date: dt.date) -> list[PupilFact]:
    """Pupils on a roll (current single or main registration) at the census date, once each."""
    obs = t.census_observations
    first = (
        sa.select(sa.func.min(obs.c.id))
        .where(obs.c.census_date == census_date)
        .where(sa.or_(obs.c.enrol_status.is_(None), obs.c.enrol_status.in_(("C", "M"))))
        .group_by(obs.c.child_id)
    )
    query = (
        sa.select(
            obs.c.child_id,
            obs.c.school_id,
            obs.c.nc_year,
            t.children.c.sex,
            obs.c.fsm,
            obs.c.sen,
            obs.c.ethnicity,
            sa.func.coalesce(obs.c.looked_after, t.children.c.looked_after),
        )
        .join(t.children, t.children.c.id == obs.c.child_id)
        .where(obs.c.id.in_(first))
    )
    with db.read() as conn:
        return [PupilFact(*row) for row in conn.execute(query)]


def exclusions_between(db: Database, first: dt.date, last: dt.date) -> list[ExclusionFact]:
    """Every exclusion starting between two dates, inclusive."""
    ex = t.exclusions
    query = (
        sa.select(
            ex.c.child_id,
            ex.c.school_id,
            ex.c.category,
            ex.c.start_date,
            ex.c.sessions,
            ex.c.reason1,
            ex.c.reason2,
            ex.c.reason3,
            ex.c.end_date,
            ex.c.review_outcome,
        )
        .where(ex.c.start_date.between(first, last))
        .order_by(ex.c.start_date, ex.c.id)
    )
    with db.read() as conn:
        return [
            ExclusionFact(
                child_id,
                school_id,
                category,
                start,
                float(sessions),
                tuple(r for r in (r1, r2, r3) if r),
                end,
                outcome,
            )
            for child_id, school_id, category, start, sessions, r1, r2, r3, end, outcome in (
                conn.execute(query)
            )
        ]


def exclusion_counts_by_date(
    db: Database, last: dt.date | None = None
) -> list[tuple[dt.date, str, str | None, int]]:
    """How many exclusions of each category and review outcome started on each date up to
    `last` (every date when None)."""
    ex = t.exclusions
    query = (
        sa.select(ex.c.start_date, ex.c.category, ex.c.review_outcome, sa.func.count())
        .group_by(ex.c.start_date, ex.c.category, ex.c.review_outcome)
        .order_by(ex.c.start_date)
    )
    if last is not None:
        query = query.where(ex.c.start_date <= last)
    with db.read() as conn:
        return [
            (day, category, outcome, int(n)) for day, category, outcome, n in conn.execute(query)
        ]


def schools(db: Database) -> list[SchoolFact]:
    query = sa.select(t.schools.c.id, t.schools.c.laestab, t.schools.c.name, t.schools.c.phase)
    with db.read() as conn:
        return [SchoolFact(*row) for row in conn.execute(query.order_by(t.schools.c.name))]


def children_on_record(db: Database, as_of: dt.date) -> int:
    """Children with a record dated on or before `as_of`: a census, a registration that had
    begun (or ended) by then, or an exclusion that had started."""
    enrol = t.enrolments
    known = sa.union(
        sa.select(t.census_observations.c.child_id).where(
            t.census_observations.c.census_date <= as_of
        ),
        sa.select(enrol.c.child_id).where(
            sa.func.coalesce(enrol.c.entry_date, enrol.c.leaving_date) <= as_of
        ),
        sa.select(t.exclusions.c.child_id).where(t.exclusions.c.start_date <= as_of),
    ).subquery()
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(known)).scalar_one())


def children_with_open_flags(db: Database) -> set[int]:
    """Children with at least one stored flag that is not cleared."""
    with db.read() as conn:
        return {
            int(c)
            for c in conn.execute(
                sa.select(t.flags.c.child_id).distinct().where(t.flags.c.cleared_on.is_(None))
            ).scalars()
        }


def families_of(db: Database, child_ids: set[int]) -> int:
    """How many families (of two or more linked children) the children belong to."""
    ids = sorted(child_ids)
    found: set[int] = set()
    members = t.family_members
    with db.read() as conn:
        for start in range(0, len(ids), 900):
            batch = ids[start : start + 900]
            found.update(
                conn.execute(
                    sa.select(members.c.family_id).where(members.c.child_id.in_(batch))
                ).scalars()
            )
    return len(found)
