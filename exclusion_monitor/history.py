"""A child's school history as of a date: enrolment spells built from enrolment records and
census observations together, placements (S/G registrations) kept apart, and classified moves
(docs/rules.md#school-histories-and-moves).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from exclusion_monitor.census_collections import Collection, Returned, collections_of
from exclusion_monitor.codelists import history_statuses, nc_year_order, nc_year_orders
from exclusion_monitor.records import Enrolment, Exclusion, Move, School
from exclusion_monitor.school_days import DEFAULT_CALENDAR, SchoolCalendar
from exclusion_monitor.school_links import Succession
from exclusion_monitor.terms import academic_year

_YEAR_BY_ORDER = {-2: "N1", -1: "N2", 0: "R", **{n: str(n) for n in range(1, 15)}}


class CensusPoint(NamedTuple):
    """One census observation as the history needs it (a tuple: there are millions of them)."""

    census_date: dt.date
    school_id: int
    nc_year: str | None
    enrol_status: str | None
    entry_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ChildRecord:
    """Everything stored about one child that histories and rules read, in date order."""

    child_id: int
    date_of_birth: dt.date | None
    census: tuple[CensusPoint, ...] = ()
    enrolments: tuple[Enrolment, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()


@dataclass(frozen=True, slots=True)
class Authority:
    """What the history needs to know about the whole authority: its schools, the links that make
    two schools one (`conversions`: (earlier, later) pairs), the census dates in the data and the
    collections each school returned (`returns`; None: every school returned every census)."""

    schools: Mapping[int, School]
    conversions: frozenset[tuple[int, int]] = frozenset()
    census_dates: tuple[dt.date, ...] = ()
    calendar: SchoolCalendar = DEFAULT_CALENDAR  # school days, for spreading sessions
    returns: Mapping[int, Mapping[Collection, dt.date]] | None = None
    succession: Succession = field(init=False, repr=False, compare=False)
    _returned: dict[int, Returned] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _dates_to: dict[dt.date, tuple[dt.date, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "succession", Succession(self.conversions))

    def is_conversion(self, from_school: int | None, to_school: int | None) -> bool:
        """Whether two different schools are one school: one became the other through school
        links (a conversion, amalgamation, merger or split; chains followed)."""
        return from_school != to_school and self.succession.same_school(from_school, to_school)

    def same_school(self, a: int | None, b: int | None) -> bool:
        return self.succession.same_school(a, b)

    def phase(self, school_id: int | None) -> str | None:
        school = self.schools.get(school_id) if school_id is not None else None
        return school.phase if school else None

    @property
    def collections(self) -> dict[Collection, dt.date]:
        """Every census collection in the data, with its earliest date."""
        return collections_of(self.census_dates)

    def census_dates_to(self, as_of: dt.date) -> tuple[dt.date, ...]:
        """The census dates in the data up to and including `as_of` (worked out once a date)."""
        found = self._dates_to.get(as_of)
        if found is None:
            found = self._dates_to[as_of] = tuple(d for d in self.census_dates if d <= as_of)
        return found

    def returned(self, school_id: int) -> Mapping[Collection, dt.date]:
        """The collections that count for a child last seen at this school: those the school or
        a school it became returned, and, once it closed with no successor, every collection
        after its closing (it will never return another)."""
        cached = self._returned.get(school_id)
        if cached is not None:
            return cached
        if self.returns is None:
            found = self.collections
        else:
            found = {}
            for school in (school_id, *self.succession.later(school_id)):
                for collection, day in self.returns.get(school, {}).items():
                    if collection not in found or day < found[collection]:
                        found[collection] = day
            closed = self.schools.get(school_id)
            if (
                closed is not None
                and closed.close_date is not None
                and not self.succession.later(school_id)
            ):
                for collection, day in self.collections.items():
                    if day > closed.close_date and collection not in found:
                        found[collection] = day
        self._returned[school_id] = returned = Returned(found.items())
        return returned


@dataclass(frozen=True, slots=True)
class Spell:
    """One registration at one school: from its entry date (else the first census seen there) to
    its leaving date when one is known."""

    school_id: int
    start: dt.date
    end: dt.date | None
    first_census: dt.date | None
    last_census: dt.date | None
    first_year: str | None
    last_year: str | None
    enrol_status: str | None
    destination: str | None = None
    leaving_reason: str | None = None

    @property
    def last_date(self) -> dt.date:
        """The last day the child is known to have been on this roll."""
        return self.end or self.last_census or self.start


@dataclass(frozen=True, slots=True)
class ChildHistory:
    """One child's history as of a date: the input of every flag rule."""

    child_id: int
    date_of_birth: dt.date | None
    as_of: dt.date
    spells: tuple[Spell, ...]
    placements: tuple[Spell, ...]
    moves: tuple[Move, ...]
    census: tuple[CensusPoint, ...]
    exclusions: tuple[Exclusion, ...]
    census_dates: tuple[dt.date, ...] = field(default=())


@dataclass(slots=True)
class _Work:
    school_id: int
    start: dt.date | None
    end: dt.date | None
    enrol_status: str | None
    destination: str | None = None
    leaving_reason: str | None = None
    points: list[CensusPoint] = field(default_factory=list)

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def freeze(self) -> Spell:
        first = self.points[0] if self.points else None
        last = self.points[-1] if self.points else None
        start = self.start or (first.census_date if first else self.end)
        assert start is not None
        return Spell(
            school_id=self.school_id,
            start=start,
            end=self.end,
            first_census=first.census_date if first else None,
            last_census=last.census_date if last else None,
            first_year=first.nc_year if first else None,
            last_year=last.nc_year if last else None,
            enrol_status=self.enrol_status,
            destination=self.destination,
            leaving_reason=self.leaving_reason,
        )


def _sort_key(spell: Spell) -> tuple[dt.date, dt.date]:
    return spell.start, spell.first_census or spell.start


def build_spells(
    census: Sequence[CensusPoint], enrolments: Sequence[Enrolment]
) -> tuple[list[Spell], list[Spell]]:
    """(history spells from C/M registrations, placements from S/G), each in date order.

    An enrolment record bounds a spell with its entry and leaving dates and census observations
    inside those dates confirm it; census observations with no enrolment record around them make
    a spell of their own, one per run of consecutive censuses at the same school.
    """
    counting = history_statuses()
    main_points: list[CensusPoint] = []
    other_points: list[CensusPoint] = []
    for point in census:
        status = point.enrol_status
        (main_points if status is None or status in counting else other_points).append(point)
    main_enrols: list[Enrolment] = []
    other_enrols: list[Enrolment] = []
    for enrolment in enrolments:
        if enrolment.entry_date is None and enrolment.leaving_date is None:
            continue
        status = enrolment.enrol_status
        (main_enrols if status is None or status in counting else other_enrols).append(enrolment)
    return _spells(main_points, main_enrols), _spells(other_points, other_enrols)


def _spells(census: Sequence[CensusPoint], enrolments: Sequence[Enrolment]) -> list[Spell]:
    if not enrolments:
        return _census_runs(census)
    works = [
        _Work(
            e.school_id,
            e.entry_date,
            e.leaving_date,
            e.enrol_status,
            e.destination,
            e.leaving_reason,
        )
        for e in enrolments
    ]
    by_school: dict[int, list[_Work]] = {}
    for work in works:
        by_school.setdefault(work.school_id, []).append(work)
    run: _Work | None = None
    for point in census:
        day = point.census_date
        matched = next((w for w in by_school.get(point.school_id, ()) if w.contains(day)), None)
        if matched is not None:
            matched.points.append(point)
            run = None
            continue
        if run is None or run.school_id != point.school_id:
            run = _Work(point.school_id, _entry(point), None, point.enrol_status)
            works.append(run)
        run.points.append(point)
    return sorted((w.freeze() for w in works), key=_sort_key)


def _entry(point: CensusPoint) -> dt.date | None:
    entry = point.entry_date
    return entry if entry is not None and entry <= point.census_date else None


def _census_runs(census: Sequence[CensusPoint]) -> list[Spell]:
    """The common case, kept fast: no enrolment records, one spell per run of censuses."""
    spells: list[Spell] = []
    i, count = 0, len(census)
    while i < count:
        first = census[i]
        j = i
        while j + 1 < count and census[j + 1].school_id == first.school_id:
            j += 1
        last = census[j]
        spells.append(
            Spell(
                school_id=first.school_id,
                start=_entry(first) or first.census_date,
                end=None,
                first_census=first.census_date,
                last_census=last.census_date,
                first_year=first.nc_year,
                last_year=last.nc_year,
                enrol_status=first.enrol_status,
            )
        )
        i = j + 1
    spells.sort(key=_sort_key)
    return spells


def year_from_birth(date_of_birth: dt.date, day: dt.date) -> str | None:
    """The NC year a child of this age is normally in on `day` (age on 31 August minus 4)."""
    year = academic_year(day)
    age = (
        year - date_of_birth.year - (1 if (date_of_birth.month, date_of_birth.day) > (8, 31) else 0)
    )
    return _YEAR_BY_ORDER.get(age - 4)


def shift_year(code: str | None, years: int) -> str | None:
    """The NC year `years` academic years later (or earlier) than `code`."""
    if code is None:
        return None
    order = nc_year_order(code)
    if order == 99:
        return None
    return _YEAR_BY_ORDER.get(order + years)


def year_group_on(
    census: Sequence[CensusPoint], date_of_birth: dt.date | None, day: dt.date
) -> str | None:
    """The child's NC year on `day`: from a census in the same academic year, else from their
    date of birth, else from the nearest census moved on by the years between."""
    target = academic_year(day)
    best: CensusPoint | None = None
    best_gap = 0
    orders = nc_year_orders()
    for point in census:
        year = point.nc_year
        if year is None or orders.get(year, 99) == 99:
            continue
        gap = abs((point.census_date - day).days)
        if best is None or gap < best_gap:
            best, best_gap = point, gap
    if best is not None and academic_year(best.census_date) == target:
        return best.nc_year
    if date_of_birth is not None:
        return year_from_birth(date_of_birth, day)
    if best is not None:
        return shift_year(best.nc_year, target - academic_year(best.census_date))
    return None


def _last_friday_of_june(year: int) -> dt.date:
    day = dt.date(year, 6, 30)
    return day - dt.timedelta(days=(day.weekday() - 4) % 7)


# The prescribed days of the Education (Start of Compulsory School Age) Order 1998, as (month, day).
_PRESCRIBED_DAYS = ((3, 31), (8, 31), (12, 31))


@cache
def compulsory_school_age_starts(date_of_birth: dt.date) -> dt.date:
    """The day a child becomes of compulsory school age: their fifth birthday if it falls on a
    prescribed day (31 December, 31 March or 31 August), else the next prescribed day after it
    (Education Act 1996 section 8)."""
    fifth = _add_years(date_of_birth, 5)
    return min(
        dt.date(fifth.year + later, month, day)
        for later in (0, 1)
        for month, day in _PRESCRIBED_DAYS
        if dt.date(fifth.year + later, month, day) >= fifth
    )


@cache
def compulsory_school_age_ends(date_of_birth: dt.date) -> dt.date:
    """The last day of compulsory school age: the school leaving date (the last Friday in June)
    of the school year in which the child turns 16, the school year counted from 1 September. A
    child who turns 16 after the leaving date but before September leaves on that leaving date."""
    sixteenth = _add_years(date_of_birth, 16)
    school_year = sixteenth.year if sixteenth.month >= 9 else sixteenth.year - 1
    return _last_friday_of_june(school_year + 1)


def compulsory_school_age(
    date_of_birth: dt.date | None, day: dt.date, year_group: str | None = None
) -> bool:
    """Whether a child is of compulsory school age on `day`, both end days included
    (docs/rules.md#compulsory-school-age). Without a date of birth, Years 1 to 11 are taken as
    compulsory school age."""
    if date_of_birth is None:
        if year_group is None:
            return False
        return 1 <= nc_year_order(year_group) <= 11
    return (
        compulsory_school_age_starts(date_of_birth)
        <= day
        <= compulsory_school_age_ends(date_of_birth)
    )


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def truncate(record: ChildRecord, as_of: dt.date) -> ChildRecord:
    """The record as it stood on `as_of`: later censuses, exclusions and registrations dropped,
    leaving dates after `as_of` not yet known."""
    census = record.census
    if any(p.census_date > as_of for p in census):
        census = tuple(p for p in census if p.census_date <= as_of)
    exclusions = record.exclusions
    if any(e.start_date > as_of for e in exclusions):
        exclusions = tuple(e for e in exclusions if e.start_date <= as_of)
    if not record.enrolments and census is record.census and exclusions is record.exclusions:
        return record  # the usual case when `as_of` is the latest date in the data
    enrolments = []
    for e in record.enrolments:
        if e.entry_date is not None and e.entry_date > as_of:
            continue
        if e.leaving_date is not None and e.leaving_date > as_of:
            if e.entry_date is None:
                continue
            e = Enrolment(e.child_id, e.school_id, e.entry_date, None, e.enrol_status)
        enrolments.append(e)
    return ChildRecord(record.child_id, record.date_of_birth, census, tuple(enrolments), exclusions)


def build_history(record: ChildRecord, authority: Authority, as_of: dt.date) -> ChildHistory:
    """The child's history as of `as_of`: spells, placements and classified moves."""
    from exclusion_monitor.moves import classify_moves

    record = truncate(record, as_of)
    spells, placements = build_spells(record.census, record.enrolments)
    moves = classify_moves(spells, record.census, record.date_of_birth, authority)
    return ChildHistory(
        child_id=record.child_id,
        date_of_birth=record.date_of_birth,
        as_of=as_of,
        spells=tuple(spells),
        placements=tuple(placements),
        moves=tuple(moves),
        census=record.census,
        exclusions=record.exclusions,
        census_dates=authority.census_dates_to(as_of),
    )
