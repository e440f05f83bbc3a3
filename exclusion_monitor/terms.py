"""Academic years and DfE terms (docs/rules.md#terms-academic-years-and-the-as-of-date).

Academic year: 1 August to 31 July. Autumn: 1 August to 31 December; spring: 1 January to Easter
Sunday; summer: Easter Monday to 31 July. A term is identified by its academic year's starting
calendar year and its season, and terms are ordered by `index`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import IntEnum
from functools import cache


class Season(IntEnum):
    AUTUMN = 0
    SPRING = 1
    SUMMER = 2

    @property
    def label(self) -> str:
        return self.name.capitalize()


@cache
def easter_sunday(year: int) -> dt.date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def academic_year(day: dt.date) -> int:
    """The calendar year in which the academic year containing `day` starts (2023 for 2023/24)."""
    return day.year if day.month >= 8 else day.year - 1


def academic_year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def academic_year_bounds(start_year: int) -> tuple[dt.date, dt.date]:
    return dt.date(start_year, 8, 1), dt.date(start_year + 1, 7, 31)


@dataclass(frozen=True, slots=True, order=True)
class Term:
    """One DfE term: `year` is the academic year's start year."""

    year: int
    season: Season

    @property
    def index(self) -> int:
        return self.year * 3 + int(self.season)

    @classmethod
    def from_index(cls, index: int) -> Term:
        year, season = divmod(index, 3)
        return cls(year, Season(season))

    @property
    def start(self) -> dt.date:
        if self.season is Season.AUTUMN:
            return dt.date(self.year, 8, 1)
        if self.season is Season.SPRING:
            return dt.date(self.year + 1, 1, 1)
        return easter_sunday(self.year + 1) + dt.timedelta(days=1)

    @property
    def end(self) -> dt.date:
        if self.season is Season.AUTUMN:
            return dt.date(self.year, 12, 31)
        if self.season is Season.SPRING:
            return easter_sunday(self.year + 1)
        return dt.date(self.year + 1, 7, 31)

    @property
    def calendar_year(self) -> int:
        return self.year if self.season is Season.AUTUMN else self.year + 1

    @property
    def label(self) -> str:
        """'Autumn 2023', 'Spring 2024': the season and the calendar year it falls in."""
        return f"{self.season.label} {self.calendar_year}"

    def __add__(self, terms: int) -> Term:
        return Term.from_index(self.index + terms)

    def __sub__(self, terms: int) -> Term:
        return Term.from_index(self.index - terms)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@cache
def term_of(day: dt.date) -> Term:
    """The term containing `day` (cached: the rules ask about the same days for many children)."""
    year = academic_year(day)
    if day.month >= 8:
        return Term(year, Season.AUTUMN)
    if day <= easter_sunday(day.year):
        return Term(year, Season.SPRING)
    return Term(year, Season.SUMMER)


def last_terms(as_of: dt.date, count: int) -> list[Term]:
    """The term containing `as_of` and the `count - 1` before it, oldest first."""
    current = term_of(as_of)
    return [current - back for back in range(count - 1, -1, -1)]


def terms_between(first: dt.date, last: dt.date) -> Iterator[Term]:
    """Every term from the one containing `first` to the one containing `last`, in order."""
    start, end = term_of(first).index, term_of(last).index
    for index in range(start, end + 1):
        yield Term.from_index(index)
