"""Census dates and school days of the synthetic authority (terms as in domain.md section 5).

Autumn census on the first Thursday of October, spring on the third Thursday of January, summer
on the third Thursday of May; exclusions and moves happen on term-time weekdays.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from exclusion_monitor.terms import Season, Term, easter_sunday

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


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def first_school_day(academic_year: int) -> dt.date:
    return _weekday_on_or_after(dt.date(academic_year, 9, 3))


def last_school_day(academic_year: int) -> dt.date:
    return _weekday_on_or_before(dt.date(academic_year + 1, 7, 21))


def _half_term(day: dt.date) -> bool:
    return (
        (day.month == 10 and day.day >= 24)
        or (day.month == 2 and 14 <= day.day <= 20)
        or (day.month == 5 and day.day >= 26)
    )


@cache
def school_days(term: Term) -> tuple[dt.date, ...]:
    """Weekdays in term time (holidays and half terms left out, roughly as schools keep them)."""
    easter = easter_sunday(term.year + 1)
    if term.season is Season.AUTUMN:
        start, end = first_school_day(term.year), dt.date(term.year, 12, 19)
    elif term.season is Season.SPRING:
        start, end = dt.date(term.year + 1, 1, 5), easter - dt.timedelta(days=9)
    else:
        start, end = easter + dt.timedelta(days=9), last_school_day(term.year)
    days: list[dt.date] = []
    day = start
    while day <= end:
        if day.weekday() < 5 and not _half_term(day):
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
