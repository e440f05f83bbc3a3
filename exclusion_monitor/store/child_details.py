"""Small look-ups about named children for the family and school views (current school and year
group from the children list's summaries)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database

_BATCH = 900


@dataclass(frozen=True, slots=True)
class SchoolAndYear:
    school_laestab: str | None
    school_name: str | None
    nc_year: str | None


def schools_and_years(db: Database, child_ids: Iterable[int]) -> dict[int, SchoolAndYear]:
    """child id -> current school and year group, as the children list shows them."""
    s = t.child_summaries.c
    ids = sorted(set(child_ids))
    found: dict[int, SchoolAndYear] = {}
    with db.read() as conn:
        for start in range(0, len(ids), _BATCH):
            query = sa.select(s.child_id, s.school_laestab, s.school_name, s.nc_year).where(
                s.child_id.in_(ids[start : start + _BATCH])
            )
            for child_id, laestab, name, year in conn.execute(query):
                found[int(child_id)] = SchoolAndYear(laestab, name, year)
    return found


def upns_of(db: Database, child_ids: Iterable[int]) -> dict[int, str]:
    """child id -> current UPN (for audit targets)."""
    with db.read() as conn:
        return upns_in(conn, child_ids)


def upns_in(conn: sa.Connection, child_ids: Iterable[int]) -> dict[int, str]:
    """`upns_of` in the caller's transaction."""
    ids = sorted(set(child_ids))
    ident = t.child_identifiers.c
    rows = conn.execute(
        sa.select(ident.child_id, ident.upn).where(ident.child_id.in_(ids), ident.kind == "current")
    )
    return {int(c): str(u) for c, u in rows}
