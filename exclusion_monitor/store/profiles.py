"""Queries behind the child profile and the flag list: identities with former UPNs, each child's
current school, and full census rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.codelists import counts_for_history
from exclusion_monitor.records import CensusObservation, Child
from exclusion_monitor.store import schema as t

_BATCH = 900


def _batches(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _BATCH):
        yield ordered[start : start + _BATCH]


def child_identities(conn: sa.Connection, child_ids: Iterable[int]) -> dict[int, Child]:
    """Children by id, with their current UPN and former (and temporary) UPNs."""
    found: dict[int, Child] = {}
    for batch in _batches(child_ids):
        upns: dict[int, tuple[str, list[str]]] = {}
        for child, upn, kind in conn.execute(
            sa.select(
                t.child_identifiers.c.child_id,
                t.child_identifiers.c.upn,
                t.child_identifiers.c.kind,
            )
            .where(t.child_identifiers.c.child_id.in_(batch))
            .order_by(t.child_identifiers.c.id)
        ):
            current, former = upns.setdefault(child, ("", []))
            if kind == "current":
                upns[child] = (upn, former)
            else:
                former.append(upn)
        for row in conn.execute(sa.select(t.children).where(t.children.c.id.in_(batch))):
            current, former = upns.get(row.id, ("", []))
            found[row.id] = Child(
                row.id,
                current or (former[-1] if former else ""),
                row.surname,
                row.forename,
                row.date_of_birth,
                row.sex,
                tuple(u for u in former if u != current),
            )
    return found


@dataclass(frozen=True, slots=True)
class CurrentPlace:
    """Where a child was on roll at their latest census on or before a date."""

    school_id: int
    laestab: str
    name: str
    nc_year: str | None


def current_places(
    conn: sa.Connection, child_ids: Iterable[int], as_of: dt.date
) -> dict[int, CurrentPlace]:
    """child id -> school and year group of the latest C/M census on or before `as_of` (any
    registration when the child had no C/M one)."""
    found: dict[int, CurrentPlace] = {}
    for batch in _batches(child_ids):
        rows = conn.execute(
            sa.select(
                t.census_observations.c.child_id,
                t.census_observations.c.enrol_status,
                t.census_observations.c.nc_year,
                t.schools.c.id,
                t.schools.c.laestab,
                t.schools.c.name,
            )
            .join(t.schools, t.schools.c.id == t.census_observations.c.school_id)
            .where(
                t.census_observations.c.child_id.in_(batch),
                t.census_observations.c.census_date <= as_of,
            )
            .order_by(t.census_observations.c.child_id, t.census_observations.c.census_date)
        ).all()
        for child, status, year, school_id, laestab, name in rows:
            if counts_for_history(status) or child not in found:
                found[child] = CurrentPlace(school_id, laestab, name, year)
    return found


def current_schools(
    conn: sa.Connection, child_ids: Iterable[int], as_of: dt.date
) -> dict[int, tuple[int, str, str]]:
    """child id -> (school id, LAESTAB, name) of the latest C/M census on or before `as_of`."""
    return {
        child: (place.school_id, place.laestab, place.name)
        for child, place in current_places(conn, child_ids, as_of).items()
    }


def census_details(conn: sa.Connection, child_id: int) -> list[CensusObservation]:
    """Every census observation of a child with all its details, oldest first."""
    c = t.census_observations.c
    rows = conn.execute(
        sa.select(t.census_observations).where(c.child_id == child_id).order_by(c.census_date, c.id)
    ).all()
    return [
        CensusObservation(
            child_id=r.child_id,
            school_id=r.school_id,
            census_date=r.census_date,
            nc_year=r.nc_year,
            enrol_status=r.enrol_status,
            entry_date=r.entry_date,
            fsm=r.fsm,
            sen=r.sen,
            ethnicity=r.ethnicity,
            looked_after=r.looked_after,
            postcode=r.postcode,
            address_line1=r.address_line1,
            family_ref=r.family_ref,
        )
        for r in rows
    ]
