"""School days (weekdays outside the school holidays) and a suspension's sessions spread over the
school days it covers, so that each session falls in the term and academic year of its own day
(docs/rules.md#exclusions-categories-sessions-terms-and-review-outcomes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from exclusion_monitor.terms import academic_year, easter_sunday

ONE_DAY = dt.timedelta(days=1)
SESSIONS_A_DAY = 2.0


@dataclass(frozen=True, slots=True, order=True)
class Holiday:
    """A school holiday (or a closure such as a bank holiday): every day from first to last."""

    first: dt.date
    last: dt.date
    label: str = "Holiday"

    def days(self) -> Iterator[dt.date]:
        day = self.first
        while day <= self.last:
            yield day
            day += ONE_DAY


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += ONE_DAY
    return day


def _weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= ONE_DAY
    return day


def first_school_day(year: int) -> dt.date:
    """The default first day of academic year `year`: the first weekday from 3 September."""
    return _weekday_on_or_after(dt.date(year, 9, 3))


def last_school_day(year: int) -> dt.date:
    """The default last day of academic year `year`: the last weekday up to 21 July."""
    return _weekday_on_or_before(dt.date(year + 1, 7, 21))


def default_holidays(year: int) -> tuple[Holiday, ...]:
    """The holidays of academic year `year` in the pattern most English schools keep (used where
    the authority has not set its own): half terms at the end of October, in mid February and
    at the end of May, Christmas, Easter around Easter Sunday, and the summer holiday."""
    easter = easter_sunday(year + 1)
    return (
        Holiday(dt.date(year, 10, 24), dt.date(year, 10, 31), "Autumn half term"),
        Holiday(dt.date(year, 12, 20), dt.date(year + 1, 1, 4), "Christmas holiday"),
        Holiday(dt.date(year + 1, 2, 14), dt.date(year + 1, 2, 20), "February half term"),
        Holiday(easter - 8 * ONE_DAY, easter + 8 * ONE_DAY, "Easter holiday"),
        Holiday(dt.date(year + 1, 5, 26), dt.date(year + 1, 5, 31), "May half term"),
        Holiday(
            last_school_day(year) + ONE_DAY,
            first_school_day(year + 1) - ONE_DAY,
            "Summer holiday",
        ),
    )


class SchoolCalendar:
    """Which days are school days: weekdays outside the holidays. For an academic year in which
    the authority has set holidays of its own, those are the year's holidays; for any other year
    the default pattern is used. A holiday belongs to the academic year its first day is in."""

    def __init__(self, holidays: Iterable[Holiday] = ()) -> None:
        self._set: dict[int, list[Holiday]] = {}
        for holiday in sorted(holidays):
            self._set.setdefault(academic_year(holiday.first), []).append(holiday)
        self._closed: dict[int, frozenset[dt.date]] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SchoolCalendar) and self._set == other._set

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._set)))

    def holidays(self, year: int) -> tuple[Holiday, ...]:
        """The holidays of academic year `year`, in date order."""
        found = self._set.get(year)
        return tuple(found) if found else default_holidays(year)

    def is_set_by_authority(self, year: int) -> bool:
        return year in self._set

    def _closed_days(self, year: int) -> frozenset[dt.date]:
        found = self._closed.get(year)
        if found is None:
            found = frozenset(day for h in self.holidays(year) for day in h.days())
            self._closed[year] = found
        return found

    def is_school_day(self, day: dt.date) -> bool:
        if day.weekday() >= 5:
            return False
        # The summer holiday that ends academic year Y runs into the August of Y + 1.
        year = academic_year(day)
        return day not in self._closed_days(year) and day not in self._closed_days(year - 1)

    def school_days_after(self, day: dt.date) -> Iterator[dt.date]:
        """Every school day after `day`, in order (endless)."""
        while True:
            day += ONE_DAY
            if self.is_school_day(day):
                yield day


DEFAULT_CALENDAR = SchoolCalendar()


def _fill(
    days: list[dt.date], sessions: float, first_capacity: float
) -> tuple[tuple[dt.date, float], ...]:
    """Two sessions a day from the first day (one on the first if it starts in the afternoon)."""
    placed: list[tuple[dt.date, float]] = []
    left = sessions
    for i, day in enumerate(days):
        if left <= 0:
            break
        take = min(left, first_capacity if i == 0 else SESSIONS_A_DAY)
        placed.append((day, take))
        left -= take
    if left > 0 and placed:
        day, taken = placed[-1]
        placed[-1] = (day, taken + left)
    return tuple(placed)


# Many children share a suspension's dates and length: a flag recompute spreads each shape once.
@lru_cache(maxsize=65_536)
def spread_sessions(
    start: dt.date,
    sessions: float,
    *,
    end: dt.date | None = None,
    starts_pm: bool = False,
    ends_am: bool = False,
    calendar: SchoolCalendar = DEFAULT_CALENDAR,
) -> tuple[tuple[dt.date, float], ...]:
    """The days a suspension's sessions fall on, with the sessions of each.

    The start date is always a day of the suspension (the school recorded it). Sessions fill two
    a day (one on the first day when it starts in the afternoon), over the school days after it.
    The number of sessions is what the school says was lost and is never changed; the dates say
    where the sessions fall:

    - with no end date, over as many school days as the sessions need;
    - with an end date, over the days from the start to the end date (the end date counts when
      it is a weekday). Days left over at the end are read as the day of return or a day the
      school was closed. When the days are too few, weekdays the calendar counts as holidays are
      used too (the school's holidays differ from the calendar's), and any sessions still over
      are counted on the end date, so they stay in the end date's term.
    """
    if sessions <= 0:
        return ()
    first_capacity = 1.0 if starts_pm else SESSIONS_A_DAY
    if end is None or end < start:
        days = [start]
        capacity = first_capacity
        following = calendar.school_days_after(start)
        while capacity < sessions:
            days.append(next(following))
            capacity += SESSIONS_A_DAY
        return _fill(days, sessions, first_capacity)
    between = [start + ONE_DAY * n for n in range(1, (end - start).days)]
    tail = [end] if end > start and end.weekday() < 5 else []
    days = [start, *[d for d in between if calendar.is_school_day(d)], *tail]
    capacity = first_capacity + SESSIONS_A_DAY * (len(days) - 1)
    if ends_am:
        capacity -= 1.0 if tail or end == start else 0.0
    if capacity < sessions:
        days = [start, *[d for d in between if d.weekday() < 5], *tail]
    return _fill(days, sessions, first_capacity)
