"""Exclusions counted by DfE term and academic year, across schools: suspensions (lunchtime ones
among them), sessions lost where their school days fall, permanent exclusions and those reversed
on review (docs/rules.md#exclusions-categories-sessions-terms-and-review-outcomes)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from exclusion_monitor.exclusion_kinds import (
    LUNCHTIME,
    SUSPENSION,
    counts_as_permanent,
    is_lunchtime,
    is_reversed,
    is_suspension,
)
from exclusion_monitor.school_days import DEFAULT_CALENDAR, SchoolCalendar, spread_sessions
from exclusion_monitor.terms import Term, academic_year, academic_year_label, term_of

K = TypeVar("K", bound=Hashable)


class DatedExclusion(Protocol):
    """What spreading an exclusion's sessions reads (a record or a statistics fact)."""

    @property
    def category(self) -> str: ...

    @property
    def review_outcome(self) -> str | None: ...

    @property
    def start_date(self) -> dt.date: ...

    @property
    def end_date(self) -> dt.date | None: ...

    @property
    def sessions(self) -> float: ...

    @property
    def start_session(self) -> str | None: ...

    @property
    def end_session(self) -> str | None: ...


E = TypeVar("E", bound=DatedExclusion)


def sessions_lost(exclusion: DatedExclusion) -> float:
    """Sessions a suspension cost (a lunchtime suspension is one session, whatever the return
    says); a permanent exclusion is counted on its own, not in sessions."""
    if exclusion.category == LUNCHTIME:
        return 1.0
    if exclusion.category == SUSPENSION:
        return float(exclusion.sessions or 0.0)
    return 0.0


def session_days(
    exclusion: DatedExclusion, calendar: SchoolCalendar = DEFAULT_CALENDAR
) -> tuple[tuple[dt.date, float], ...]:
    """The school days an exclusion's sessions fall on, with the sessions of each: the one
    function every total of sessions by term, year or school goes through."""
    lost = sessions_lost(exclusion)
    if not lost:
        return ()
    if exclusion.category == LUNCHTIME:
        return ((exclusion.start_date, lost),)
    return spread_sessions(
        exclusion.start_date,
        lost,
        end=exclusion.end_date,
        starts_pm=(exclusion.start_session or "").upper() == "PM",
        ends_am=(exclusion.end_session or "").upper() == "AM",
        calendar=calendar,
    )


def sessions_by(
    exclusions: Iterable[E],
    key: Callable[[E, dt.date], K],
    calendar: SchoolCalendar = DEFAULT_CALENDAR,
) -> dict[K, float]:
    """Sessions lost, totalled by `key(exclusion, day)` over the days they fall on."""
    totals: dict[K, float] = defaultdict(float)
    for exclusion in exclusions:
        for day, sessions in session_days(exclusion, calendar):
            totals[key(exclusion, day)] += sessions
    return dict(totals)


def sessions_by_term(
    exclusions: Iterable[DatedExclusion], calendar: SchoolCalendar = DEFAULT_CALENDAR
) -> dict[Term, float]:
    return sessions_by(exclusions, lambda _e, day: term_of(day), calendar)


def sessions_by_year(
    exclusions: Iterable[DatedExclusion], calendar: SchoolCalendar = DEFAULT_CALENDAR
) -> dict[int, float]:
    return sessions_by(exclusions, lambda _e, day: academic_year(day), calendar)


@dataclass(frozen=True, slots=True)
class ExclusionTotals:
    """Exclusions in one period (a term or an academic year). Counts are by the period each
    exclusion began in; `sessions` are those lost on the period's own school days, of which
    `sessions_carried` come from suspensions that began in an earlier period."""

    label: str
    suspensions: int = 0
    lunchtimes: int = 0
    permanents: int = 0
    reversed_permanents: int = 0
    sessions: float = 0.0
    sessions_carried: float = 0.0

    @property
    def full_suspensions(self) -> int:
        return self.suspensions - self.lunchtimes


@dataclass(frozen=True, slots=True)
class TermTotals:
    term: Term
    totals: ExclusionTotals


@dataclass(frozen=True, slots=True)
class YearTotals:
    year: int
    totals: ExclusionTotals


def _totals(
    exclusions: Iterable[DatedExclusion],
    period: Callable[[dt.date], K],
    label: Callable[[K], str],
    calendar: SchoolCalendar,
) -> dict[K, ExclusionTotals]:
    counts: dict[K, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    sessions: dict[K, float] = defaultdict(float)
    carried: dict[K, float] = defaultdict(float)
    for exclusion in exclusions:
        began = period(exclusion.start_date)
        tally = counts[began]
        tally[0] += is_suspension(exclusion)
        tally[1] += is_lunchtime(exclusion)
        tally[2] += counts_as_permanent(exclusion)
        tally[3] += is_reversed(exclusion)
        for day, lost in session_days(exclusion, calendar):
            falls = period(day)
            sessions[falls] += lost
            if falls != began:
                carried[falls] += lost
    keys = set(counts) | set(sessions)
    found: dict[K, ExclusionTotals] = {}
    for k in keys:
        suspensions, lunchtimes, permanents, reversed_ = counts.get(k, [0, 0, 0, 0])
        found[k] = ExclusionTotals(
            label(k), suspensions, lunchtimes, permanents, reversed_, sessions[k], carried[k]
        )
    return found


def term_totals(
    exclusions: Iterable[DatedExclusion], calendar: SchoolCalendar = DEFAULT_CALENDAR
) -> list[TermTotals]:
    """Totals for each term with an exclusion or a session lost, in term order."""
    found = _totals(exclusions, term_of, lambda t: t.label, calendar)
    return [TermTotals(term, found[term]) for term in sorted(found)]


def year_totals(
    exclusions: Iterable[DatedExclusion], calendar: SchoolCalendar = DEFAULT_CALENDAR
) -> list[YearTotals]:
    """Totals for each academic year with an exclusion or a session lost, in order."""
    found = _totals(exclusions, academic_year, academic_year_label, calendar)
    return [YearTotals(year, found[year]) for year in sorted(found)]
