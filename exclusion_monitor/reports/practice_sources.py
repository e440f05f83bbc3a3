"""The facts of one academic year for the school practice figures, from an authority's own
database or from the regional workspace (docs/regional.md, "School practice")."""

from __future__ import annotations

import datetime as dt

from exclusion_monitor.flagging import default_as_of
from exclusion_monitor.reports.practice import PracticeYear
from exclusion_monitor.store import Database, histories
from exclusion_monitor.store import regional_workspace as ws
from exclusion_monitor.store import statistics as facts
from exclusion_monitor.store.statistics import ExclusionFact, PupilFact, SchoolFact
from exclusion_monitor.terms import Season, Term, academic_year, academic_year_bounds
from exclusion_monitor.terms import academic_year_label as label


def authority_year(
    db: Database, as_of: dt.date | None = None
) -> tuple[PracticeYear, PracticeYear | None]:
    """(the year containing `as_of`, the year before it) from an authority's database; the year
    before gives the Year 10 pupils whose losses the movement figures follow."""
    as_of = as_of or default_as_of(db) or dt.date.today()
    schools = {s.id: s for s in facts.schools(db)}

    def one(year: int, until: dt.date) -> PracticeYear:
        first, last = academic_year_bounds(year)
        census = facts.spring_census_date(db, year)
        return PracticeYear(
            label(year), census, until,
            facts.population(db, census) if census else [],
            schools, facts.exclusions_between(db, first, min(last, until)),
        )  # fmt: skip

    year = academic_year(as_of)
    current = one(year, as_of)
    previous = one(year - 1, academic_year_bounds(year - 1)[1])
    return current, previous if previous.census_date else None


def authority_conversions(db: Database) -> frozenset[tuple[int, int]]:
    with db.read() as conn:
        return histories.load_authority(conn).conversions


def _spring_census(conn: object, year: int) -> dt.date | None:
    term = Term(year, Season.SPRING)
    found = ws.census_dates_between(conn, term.start, term.end)  # type: ignore[arg-type]
    if not found:
        return None
    return max(found, key=lambda item: (item[1], item[0]))[0]


def region_year(db: Database, as_of: dt.date) -> tuple[PracticeYear, PracticeYear | None]:
    """The same from the regional workspace: pupils are people (linked across authorities),
    schools the region's register, each school's authority its LA number."""
    with db.read() as conn:
        rows = ws.school_rows(conn)
        schools = {i: SchoolFact(i, laestab, name, phase) for i, laestab, name, phase in rows}
        authority = {i: laestab[:3] for i, laestab, _n, _p in rows}

        def one(year: int, until: dt.date) -> PracticeYear:
            first, last = academic_year_bounds(year)
            census = _spring_census(conn, year)
            pupils = [PupilFact(*row) for row in ws.population(conn, census)] if census else []
            exclusions = [
                ExclusionFact(p, s, cat, start, float(sessions or 0),
                              tuple(r for r in (r1, r2, r3) if r))
                for p, s, cat, start, sessions, r1, r2, r3 in ws.exclusions_between(
                    conn, first, min(last, until)
                )
            ]  # fmt: skip
            return PracticeYear(label(year), census, until, pupils, schools, exclusions, authority)

        year = academic_year(as_of)
        current = one(year, as_of)
        previous = one(year - 1, academic_year_bounds(year - 1)[1])
    return current, previous if previous.census_date else None


def region_conversions(db: Database) -> frozenset[tuple[int, int]]:
    with db.read() as conn:
        return ws.load_region(conn)[1]
