"""The dashboard's figures for one academic year, gathered from the store in one call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from exclusion_monitor.reports import statistics as stats
from exclusion_monitor.store import Database
from exclusion_monitor.store import statistics as facts
from exclusion_monitor.terms import academic_year, academic_year_bounds, academic_year_label

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Dashboard:
    as_of: dt.date
    academic_year: str
    census_date: dt.date | None
    children: int
    flagged_children: int
    whole_family_cases: int
    suspensions: int
    permanents: int
    primary_exclusions: int
    authority: stats.RateRow
    terms: list[stats.TermCount]
    schools: list[stats.RateRow]
    reasons: list[stats.ReasonCount]
    groups: dict[str, list[stats.RateRow]] = field(default_factory=dict)


def build_dashboard(
    db: Database, *, as_of: dt.date | None = None, progress: Progress | None = None
) -> Dashboard:
    """Everything the dashboard shows, for the academic year containing `as_of` (default: the
    latest date in the data, or today on an empty database)."""
    report = progress or (lambda done, total: None)
    as_of = as_of or facts.latest_data_date(db) or dt.date.today()
    year = academic_year(as_of)
    first, last = academic_year_bounds(year)
    census_date = facts.spring_census_date(db, year)
    pupils = facts.population(db, census_date) if census_date else []
    report(1, 4)
    exclusions = facts.exclusions_between(db, first, min(last, as_of))
    schools = facts.schools(db)
    headline = facts.headline_counts(db)
    report(2, 4)
    series = stats.term_series(facts.exclusion_counts_by_date(db))
    report(3, 4)
    dashboard = Dashboard(
        as_of=as_of,
        academic_year=academic_year_label(year),
        census_date=census_date,
        children=headline["children"],
        flagged_children=headline["flagged_children"],
        whole_family_cases=headline["whole_family_cases"],
        suspensions=sum(1 for e in exclusions if e.category == "SUSP"),
        permanents=sum(1 for e in exclusions if e.category == "PERM"),
        primary_exclusions=len(stats.primary_exclusions(exclusions, schools, pupils)),
        authority=stats.authority_row(pupils, exclusions),
        terms=series,
        schools=stats.school_rates(schools, pupils, exclusions),
        reasons=stats.reason_counts(exclusions),
        groups={name: stats.group_rates(name, pupils, exclusions) for name in stats.GROUPINGS},
    )
    report(4, 4)
    return dashboard
