"""Queries about children: the authority-wide list and look-ups by UPN."""

from __future__ import annotations

import sqlalchemy as sa

from exclusion_monitor.records import ChildSummary
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database


def _latest_census() -> sa.Subquery:
    """Each child's most recent census observation (school and NC year)."""
    ranked = sa.select(
        t.census_observations.c.child_id,
        t.census_observations.c.school_id,
        t.census_observations.c.nc_year,
        sa.func.row_number()
        .over(
            partition_by=t.census_observations.c.child_id,
            order_by=(
                t.census_observations.c.census_date.desc(),
                t.census_observations.c.id.desc(),
            ),
        )
        .label("rank"),
    ).subquery("ranked")
    return sa.select(ranked).where(ranked.c.rank == 1).subquery("latest")


def list_children(db: Database, *, limit: int | None = None, offset: int = 0) -> list[ChildSummary]:
    """Every child, ordered by surname, forename and UPN, with current school and year group."""
    latest = _latest_census()
    current = t.child_identifiers.alias("current")
    open_flags = (
        sa.select(t.flags.c.child_id, sa.func.count().label("n"))
        .where(t.flags.c.cleared_on.is_(None))
        .group_by(t.flags.c.child_id)
        .subquery("open_flags")
    )
    query = (
        sa.select(
            t.children.c.id,
            current.c.upn.label("upn"),
            t.children.c.surname,
            t.children.c.forename,
            t.children.c.date_of_birth,
            t.children.c.sex,
            latest.c.nc_year.label("nc_year"),
            t.schools.c.laestab.label("school_laestab"),
            t.schools.c.name.label("school_name"),
            sa.func.coalesce(open_flags.c.n, 0).label("flag_count"),
        )
        .join(
            current,
            sa.and_(current.c.child_id == t.children.c.id, current.c.kind == "current"),
        )
        .outerjoin(latest, latest.c.child_id == t.children.c.id)
        .outerjoin(t.schools, t.schools.c.id == latest.c.school_id)
        .outerjoin(open_flags, open_flags.c.child_id == t.children.c.id)
        .order_by(t.children.c.surname, t.children.c.forename, current.c.upn)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    with db.read() as conn:
        return [ChildSummary(**row._mapping) for row in conn.execute(query)]


def count_children(db: Database) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(t.children)).scalar_one())


def child_id_for_upn(db: Database, upn: str) -> int | None:
    """The child a UPN belongs to, whether it is their current, former or temporary UPN."""
    with db.read() as conn:
        found = conn.execute(
            sa.select(t.child_identifiers.c.child_id).where(t.child_identifiers.c.upn == upn)
        ).scalar_one_or_none()
    return None if found is None else int(found)
