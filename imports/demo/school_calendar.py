"""Census dates and school days of the synthetic authority (docs/rules.md: terms and school days).

Autumn census on the first Thursday of October, spring on the third Thursday of January, summer
on the third Thursday of May; exclusions and moves happen on school days of the core's calendar.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from exclusion_monitor.school_days import DEFAULT_CALENDAR
from exclusion_monitor.school_days import first_school_day as first_school_day
from exclusion_monitor.school_days import last_school_day as last_school_day
from exclusion_monitor.terms import Season, Term

_THURSDAY = 3


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def census_date(term: Term) -> dt.date:
    if term.season is Season.AUTUMN:
        return _nth_weekday(term.year, 10, _THURSDAY, 1)
    if term.season is Season.SPRING:
        return _nth_weekday(term.year + 1, 1, _THURSDAY, 3)
    return _nth_weekday(term.year + 1, 5, _THURSDAY, 3)


def census_terms(first_year: int, last_year: int) -> list[Term]:
    """Every term of academic years `first_year` to `last_year` inclusive, in order."""
    return [Term(year, season) for year in range(first_year, last_year + 1) for season in Season]


@cache
def school_days(term: Term) -> tuple[dt.date, ...]:
    """Weekdays in term time outside the usual holidays (the core's default school calendar)."""
    days: list[dt.date] = []
    day = term.start
    while day <= term.end:
        if DEFAULT_CALENDAR.is_school_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return tuple(days)


def add_school_days(day: dt.date, count: int) -> dt.date:
    """The weekday `count` weekdays after `day` (0 gives `day` itself)."""
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day
