"""A fixed set of schools and helpers to build one child's history in memory, for rule tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from exclusion_monitor.history import (
    Authority,
    CensusPoint,
    ChildHistory,
    ChildRecord,
    build_history,
)
from exclusion_monitor.records import Category, Enrolment, Exclusion, School
from exclusion_monitor.rules import RULES, Finding
from tests.core.builders import BORN, censuses

D = dt.date
NURSERY = School(1, "3301001", "Little Acorns Nursery", "nursery", low_age=2, high_age=4)
PRIMARY = School(2, "3302001", "Elm Primary", "primary", low_age=4, high_age=11)
PRIMARY2 = School(3, "3302002", "Holly Primary", "primary", low_age=4, high_age=11)
INFANT = School(4, "3302003", "Birch Infants", "primary", low_age=4, high_age=7)
JUNIOR = School(5, "3302004", "Birch Juniors", "primary", low_age=7, high_age=11)
FIRST = School(6, "3302005", "Cedar First", "primary", low_age=4, high_age=9)
MIDDLE = School(7, "3303001", "Dale Middle", "middle_secondary", low_age=9, high_age=13)
UPPER = School(8, "3304001", "Fern Upper", "secondary", low_age=13, high_age=18)
OAK = School(9, "3304002", "Oak High", "secondary", low_age=11, high_age=16)
ASH = School(10, "3304003", "Ash Academy", "secondary", low_age=11, high_age=16)
BEECH = School(11, "3304004", "Beech School", "secondary", low_age=11, high_age=16)
OAK_ACADEMY = School(12, "3304005", "Oak High Academy", "secondary", low_age=11, high_age=16)
PRU = School(13, "3301100", "Hawthorn Centre", "pru_ap", low_age=11, high_age=16)
SCHOOLS = [NURSERY, PRIMARY, PRIMARY2, INFANT, JUNIOR, FIRST, MIDDLE, UPPER, OAK, ASH, BEECH]
SCHOOLS += [OAK_ACADEMY, PRU]
CENSUS_DATES = tuple(censuses(2012, 2025))
AUTHORITY = Authority(
    {s.id: s for s in SCHOOLS},
    conversions=frozenset({(OAK.id, OAK_ACADEMY.id), (OAK_ACADEMY.id, OAK.id)}),
    census_dates=CENSUS_DATES,
)
AS_OF = D(2024, 5, 16)  # the summer 2024 census: last 3 terms are Autumn 2023 to Summer 2024


def roll(
    school: School, first: dt.date, last: dt.date, first_year: str, *, status: str = "C"
) -> list[CensusPoint]:
    """A census point at each authority census from `first` to `last`, years going up."""
    order = ["N1", "N2", "R", *[str(n) for n in range(1, 15)]]
    start = order.index(first_year)

    def academic(day: dt.date) -> int:
        return day.year if day.month >= 8 else day.year - 1

    return [
        CensusPoint(d, school.id, order[start + academic(d) - academic(first)], status)
        for d in CENSUS_DATES
        if first <= d <= last
    ]


def excl(
    day: dt.date,
    school: School = OAK,
    category: str = "SUSP",
    sessions: float = 2.0,
    *,
    end: dt.date | None = None,
    outcome: str | None = None,
    start_session: str | None = None,
) -> Exclusion:
    return Exclusion(
        1,
        school.id,
        Category(category),
        day,
        sessions,
        ("DB",),
        end,
        outcome,
        start_session=start_session,
    )


def enrol(
    school: School,
    entry: dt.date | None,
    leaving: dt.date | None = None,
    *,
    status: str = "C",
    destination: str | None = None,
) -> Enrolment:
    return Enrolment(1, school.id, entry, leaving, status, None, destination)


def history(
    *,
    census: Iterable[CensusPoint] = (),
    enrolments: Iterable[Enrolment] = (),
    exclusions: Iterable[Exclusion] = (),
    as_of: dt.date = AS_OF,
    born: dt.date | None = BORN,
) -> ChildHistory:
    record = ChildRecord(
        1,
        born,
        tuple(sorted(census)),
        tuple(enrolments),
        tuple(sorted(exclusions, key=lambda e: e.start_date)),
    )
    return build_history(record, AUTHORITY, as_of)


def check(rule_id: str, found: ChildHistory, **params: Any) -> Finding | None:
    rule = RULES[rule_id]
    return rule.evaluate(found, AUTHORITY, {**rule.defaults(), **params})
