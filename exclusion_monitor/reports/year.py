"""The facts every yearly report starts from: the academic year containing the as-of date, its
spring census roll, its exclusions so far and the school register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exclusion_monitor.flagging import default_as_of
from exclusion_monitor.store import Database
from exclusion_monitor.store import statistics as facts
from exclusion_monitor.terms import academic_year, academic_year_bounds, academic_year_label


@dataclass(frozen=True, slots=True)
class YearFacts:
    as_of: dt.date
    year: int
    census_date: dt.date | None
    pupils: list[facts.PupilFact]
    exclusions: list[facts.ExclusionFact]
    schools: list[facts.SchoolFact]

    @property
    def label(self) -> str:
        return academic_year_label(self.year)


def year_facts(db: Database, as_of: dt.date | None = None) -> YearFacts:
    """The academic year containing `as_of` (default: the latest date in the data, or today on an
    empty database), with exclusions from its start up to `as_of`."""
    as_of = as_of or default_as_of(db) or dt.date.today()
    year = academic_year(as_of)
    first, last = academic_year_bounds(year)
    census_date = facts.spring_census_date(db, year)
    return YearFacts(
        as_of=as_of,
        year=year,
        census_date=census_date,
        pupils=facts.population(db, census_date) if census_date else [],
        exclusions=facts.exclusions_between(db, first, min(last, as_of)),
        schools=facts.schools(db),
    )
