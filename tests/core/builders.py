"""A small authority built row by row through the store tables, for tests of histories, moves,
families and flags. Every name is invented and every UPN is made with a valid check letter."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

import sqlalchemy as sa

from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from exclusion_monitor.upn import check_letter

D = dt.date
BORN = dt.date(2010, 3, 1)
_serials = itertools.count(1)


def make_upn(serial: int | None = None, *, temporary: bool = False) -> str:
    """A valid permanent (or temporary) UPN of LA 330."""
    n = next(_serials) if serial is None else serial
    tail = f"{n % 100:02d}{'ABCDEFGHJK'[n % 10]}" if temporary else f"{n % 1000:03d}"
    # Never establishment 2001: tests/builders.py numbers its children there, and a session
    # that makes more than a thousand children here would otherwise meet them.
    body = f"330200{'023456789'[(n // 1000) % 9]}15{tail}"
    return check_letter(body) + body


def autumn(year: int) -> dt.date:
    return D(year, 10, 5)


def spring(year: int) -> dt.date:
    return D(year, 1, 18)


def summer(year: int) -> dt.date:
    return D(year, 5, 16)


def censuses(first_autumn: int, last_year: int) -> list[dt.date]:
    """Every census date from the autumn of `first_autumn` to the summer of `last_year`."""
    dates = []
    for year in range(first_autumn, last_year):
        dates += [autumn(year), spring(year + 1), summer(year + 1)]
    return dates


class Builder:
    """Inserts schools, children, censuses, enrolments and exclusions; returns their ids."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._estab = itertools.count(2001)

    def _insert(self, table: sa.Table, **values: object) -> int:
        with self.db.write() as conn:
            key = conn.execute(table.insert().values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def school(
        self,
        name: str,
        phase: str,
        *,
        laestab: str | None = None,
        low_age: int | None = None,
        high_age: int | None = None,
    ) -> int:
        code = laestab or f"330{next(self._estab):04d}"
        return self._insert(
            t.schools,
            laestab=code,
            urn=str(100000 + int(code[3:])),
            name=name,
            la_code=code[:3],
            phase=phase,
            low_age=low_age,
            high_age=high_age,
        )

    def link(self, school_id: int, linked_school_id: int, link_type: str = "successor") -> None:
        self._insert(
            t.school_links,
            school_id=school_id,
            linked_school_id=linked_school_id,
            link_type=link_type,
        )

    def child(
        self,
        forename: str,
        surname: str = "Testchild",
        *,
        born: dt.date = BORN,
        sex: str = "F",
        upn: str | None = None,
        former: Iterable[str] = (),
    ) -> int:
        child_id = self._insert(
            t.children,
            surname=surname,
            forename=forename,
            date_of_birth=born,
            sex=sex,
            created_at=dt.datetime(2024, 1, 1),
        )
        current = upn or make_upn()
        rows = [{"upn": current, "kind": "current", "temporary": current[-1].isalpha()}]
        rows += [{"upn": u, "kind": "former", "temporary": u[-1].isalpha()} for u in former]
        with self.db.write() as conn:
            conn.execute(t.child_identifiers.insert(), [{**r, "child_id": child_id} for r in rows])
        return child_id

    def upn_of(self, child_id: int) -> str:
        with self.db.read() as conn:
            return str(
                conn.execute(
                    sa.select(t.child_identifiers.c.upn).where(
                        t.child_identifiers.c.child_id == child_id,
                        t.child_identifiers.c.kind == "current",
                    )
                ).scalar_one()
            )

    def census(
        self,
        child_id: int,
        school_id: int,
        day: dt.date,
        nc_year: str | None,
        *,
        status: str = "C",
        entry: dt.date | None = None,
        address: str | None = None,
        postcode: str | None = None,
        family_ref: str | None = None,
        **details: object,
    ) -> None:
        """One census row; `details` are further columns (fsm, sen, ethnicity, looked_after)."""
        self._insert(
            t.census_observations,
            child_id=child_id,
            school_id=school_id,
            census_date=day,
            nc_year=nc_year,
            enrol_status=status,
            entry_date=entry,
            address_line1=address,
            postcode=postcode,
            family_ref=family_ref,
            **details,
        )

    def on_roll(
        self,
        child_id: int,
        school_id: int,
        dates: Iterable[dt.date],
        first_year: str,
        *,
        entry: dt.date | None = None,
        status: str = "C",
        address: str | None = None,
        postcode: str | None = None,
        family_ref: str | None = None,
    ) -> None:
        """A census at each date, the NC year going up each autumn from `first_year`."""
        order = ["N1", "N2", "R", *[str(n) for n in range(1, 15)]]
        dates = sorted(dates)
        start = order.index(first_year)
        first_academic = dates[0].year if dates[0].month >= 8 else dates[0].year - 1
        rows = []
        for day in dates:
            academic = day.year if day.month >= 8 else day.year - 1
            rows.append(
                {
                    "child_id": child_id,
                    "school_id": school_id,
                    "census_date": day,
                    "nc_year": order[start + academic - first_academic],
                    "enrol_status": status,
                    "entry_date": entry,
                    "address_line1": address,
                    "postcode": postcode,
                    "family_ref": family_ref,
                }
            )
        with self.db.write() as conn:
            conn.execute(t.census_observations.insert(), rows)

    def enrolment(
        self,
        child_id: int,
        school_id: int,
        entry: dt.date | None,
        leaving: dt.date | None = None,
        *,
        status: str = "C",
        destination: str | None = None,
        reason: str | None = None,
    ) -> None:
        self._insert(
            t.enrolments,
            child_id=child_id,
            school_id=school_id,
            entry_date=entry,
            leaving_date=leaving,
            enrol_status=status,
            destination=destination,
            leaving_reason=reason,
        )

    def exclusion(
        self,
        child_id: int,
        school_id: int,
        start: dt.date,
        category: str = "SUSP",
        sessions: float = 2.0,
        reasons: tuple[str, ...] = ("DB",),
    ) -> None:
        padded = [*reasons, None, None, None][:3]
        self._insert(
            t.exclusions,
            child_id=child_id,
            school_id=school_id,
            category=category,
            start_date=start,
            sessions=sessions,
            reason1=padded[0],
            reason2=padded[1],
            reason3=padded[2],
        )
