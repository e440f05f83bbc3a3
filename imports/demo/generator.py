"""Generate a synthetic West Midlands-style local authority as plain records (no database).

Deterministic for a seed: one `random.Random(seed)` drives everything, in a fixed order.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from exclusion_monitor.terms import Term, term_of
from imports.demo import rates
from imports.demo.careers import CareerSimulator
from imports.demo.names import LA_NAMES
from imports.demo.population import PopulationBuilder
from imports.demo.records import (
    Arrival,
    BorderCrossing,
    CensusRow,
    DemoExclusion,
    DemoSchool,
    PlantedStory,
    Pupil,
    Registration,
    SchoolLink,
    SchoolPractice,
)
from imports.demo.school_calendar import census_date, census_terms, first_school_day, school_days
from imports.demo.schools import SchoolPlan, build_schools
from imports.demo.stories import plant_stories

DEFAULT_PUPILS = 6_000
DEFAULT_SEED = 2024
DEFAULT_LA = "335"
FIRST_YEAR = 2019  # 2019/20
LAST_YEAR = 2025  # 2025/26


@dataclass(frozen=True, slots=True)
class DemoAuthority:
    """Everything generated for one seed; the census is derived from the registrations."""

    seed: int
    la: str
    la_name: str
    first_year: int
    last_year: int
    census_dates: tuple[dt.date, ...]
    schools: tuple[DemoSchool, ...]
    links: tuple[SchoolLink, ...]
    pupils: tuple[Pupil, ...]
    registrations: tuple[Registration, ...]
    exclusions: tuple[DemoExclusion, ...]
    stories: tuple[PlantedStory, ...]
    # ((phase, academic year), expected permanent exclusions): the model's expectation.
    expected_permanent: tuple[tuple[tuple[str, int], float], ...] = ()
    # Regional demos: secondary pupils whose move took them into another authority.
    crossings: tuple[BorderCrossing, ...] = ()

    def school(self, laestab: str) -> DemoSchool:
        for school in self.schools:
            if school.laestab == laestab:
                return school
        raise KeyError(laestab)

    def pupil(self, pid: int) -> Pupil:
        return self.pupils[pid]

    @property
    def as_of(self) -> dt.date:
        """The latest date in the returns: the last census date."""
        return self.census_dates[-1]


def generate_authority(
    pupils: int = DEFAULT_PUPILS,
    seed: int = DEFAULT_SEED,
    *,
    la: str = DEFAULT_LA,
    first_year: int = FIRST_YEAR,
    last_year: int = LAST_YEAR,
    practice: Callable[[SchoolPlan], SchoolPractice] | None = None,
    crossing_share: float = 0.0,
    arrivals: Sequence[Arrival] = (),
) -> DemoAuthority:
    """A synthetic authority with about `pupils` on roll at each census, academic years
    `first_year` to `last_year` (three censuses each), and the planted stories.

    For a regional demo: `practice` picks schools that stand out, `crossing_share` of secondary
    non-standard moves go to another authority (listed in `crossings`), and `arrivals` join
    from other authorities. None of these draws from the authority's own random sequence, so the
    same seed gives the same authority with or without arrivals."""
    if last_year - first_year < 5:
        raise ValueError("the demo needs at least six academic years")
    rng = random.Random(seed)
    plan = build_schools(la, pupils, first_year, rng)
    terms = census_terms(first_year, last_year)
    dates = tuple(census_date(term) for term in terms)
    # Exclusions from two terms before the first census (reported in it) to the last term any
    # census reports (one term in arrears of the last).
    exclusion_terms = (terms[0].index - 2, terms[-1].index - 1)
    chosen = practice(plan) if practice is not None else None
    border_rng = random.Random(f"{seed}-{la}-border")
    sim = CareerSimulator(
        plan,
        rng,
        dates[-1],
        exclusion_terms,
        practice=chosen,
        crosses_border=(lambda: border_rng.random() < crossing_share) if crossing_share else None,
    )
    builder = PopulationBuilder(la, len(plan.area_secondary), rng)
    found_pupils: list[Pupil] = []
    registrations: list[Registration] = []
    exclusions: list[DemoExclusion] = []
    specials = plan.sites_of("special")
    cohort = pupils / 12
    for reception_year in range(first_year - 11, last_year + 1):
        for _ in range(round(cohort * rng.uniform(0.95, 1.05))):
            household = builder.household_for(reception_year)
            special = rng.random() < rates.SPECIAL_SCHOOL_SHARE
            if special:
                site = specials[household.area % len(specials)]
            else:
                site = sim.pick_school(0, household.area)
            entry = first_school_day(reception_year)
            school = plan.establishment(site, entry)
            upn = builder.upns.permanent(la, school.laestab[3:], reception_year)
            pupil, risk = builder.pupil(
                len(found_pupils), reception_year, household, upn, sen="E" if special else None
            )
            regs, excl = sim.career(pupil, risk, site, entry, household.area)
            found_pupils.append(pupil)
            registrations += regs
            exclusions += excl
    for term in terms:
        for _ in range(round(pupils * rates.LEAVE_LA_PER_TERM * rng.uniform(0.8, 1.2))):
            nc_year = rng.randint(0, 10)
            area = rng.randrange(len(plan.area_secondary))
            day = rng.choice(school_days(term))
            site = sim.pick_school(nc_year, area)
            school = plan.establishment(site, day)
            reception_year = term.year - nc_year
            temporary = upn_from = None
            if rng.random() < rates.TEMPORARY_UPN_SHARE_OF_JOINERS:
                temporary = builder.upns.temporary(la, school.laestab[3:], day.year)
                upn_from = rng.choice(school_days(term + rng.randint(1, 3)))
                upn = builder.upns.permanent(la, school.laestab[3:], upn_from.year)
            else:
                other = rng.choice([code for code in LA_NAMES if code != la] + ["860", "937"])
                upn = builder.upns.permanent(other, f"{rng.randint(2000, 4999)}", reception_year)
            household = builder.new_household(area)
            pupil, risk = builder.pupil(
                len(found_pupils),
                reception_year,
                household,
                upn,
                temporary_upn=temporary,
                upn_from=upn_from,
            )
            regs, excl = sim.career(pupil, risk, site, day, area)
            found_pupils.append(pupil)
            registrations += regs
            exclusions += excl
    planted = plant_stories(sim, builder, len(found_pupils), last_year)
    found_pupils += planted.pupils
    registrations += planted.registrations
    exclusions += planted.exclusions
    if arrivals:
        arrival_rng = random.Random(f"{seed}-{la}-arrivals")
        builder.rng = arrival_rng
        newcomer = CareerSimulator(plan, arrival_rng, dates[-1], exclusion_terms, practice=chosen)
        for arrival in arrivals:
            area = arrival_rng.randrange(len(plan.area_secondary))
            household = builder.new_household(area)
            household.children.append(len(found_pupils))
            pupil = replace(
                arrival.pupil,
                pid=len(found_pupils),
                household=household.hid,
                address=household.address,
                postcode=household.postcode,
                family_ref=f"F{household.hid + 1:06d}",
            )
            site = newcomer.pick_school(arrival.nc_year, area)
            regs, excl = newcomer.career(pupil, builder.risk(pupil), site, arrival.start, area)
            found_pupils.append(pupil)
            registrations += regs
            exclusions += excl
    exclusions.sort(key=lambda e: (e.start_date, e.pid, e.category))
    return DemoAuthority(
        seed=seed,
        la=la,
        la_name=LA_NAMES.get(la, f"LA {la}"),
        first_year=first_year,
        last_year=last_year,
        census_dates=dates,
        schools=tuple(plan.schools),
        links=tuple(plan.links),
        pupils=tuple(found_pupils),
        registrations=tuple(registrations),
        exclusions=tuple(exclusions),
        stories=tuple(planted.stories),
        expected_permanent=tuple(sorted(sim.expected_permanent.items())),
        crossings=tuple(sim.crossings),
    )


def census_rows(authority: DemoAuthority) -> dict[dt.date, list[CensusRow]]:
    """Every census date's rows (pupils on roll), ordered by school, NC year and name."""
    dates = authority.census_dates
    buckets: dict[dt.date, list[Registration]] = {day: [] for day in dates}
    for reg in authority.registrations:
        first = bisect.bisect_left(dates, reg.entry_date)
        last = (
            len(dates) if reg.leaving_date is None else bisect.bisect_right(dates, reg.leaving_date)
        )
        for day in dates[first:last]:
            buckets[day].append(reg)
    schools = {school.laestab: school for school in authority.schools}
    found: dict[dt.date, list[CensusRow]] = {}
    for day, regs in buckets.items():
        rows = []
        for reg in regs:
            pupil = authority.pupils[reg.pid]
            nc_year = pupil.nc_year(term_of(day).year)
            rows.append(CensusRow(pupil, schools[reg.laestab], day, nc_year, reg.entry_date, "C"))
        rows.sort(key=lambda r: (r.school.laestab, r.nc_year, r.pupil.surname, r.pupil.pid))
        found[day] = rows
    return found


def reported_exclusions(authority: DemoAuthority) -> dict[dt.date, list[DemoExclusion]]:
    """Each census date's exclusion return: the terms one and two terms in arrears."""
    by_term: dict[int, list[DemoExclusion]] = {}
    for exclusion in authority.exclusions:
        by_term.setdefault(term_of(exclusion.start_date).index, []).append(exclusion)
    found: dict[dt.date, list[DemoExclusion]] = {}
    for day in authority.census_dates:
        index = term_of(day).index
        found[day] = by_term.get(index - 2, []) + by_term.get(index - 1, [])
    return found


def iter_terms(authority: DemoAuthority) -> Iterator[Term]:
    return iter(census_terms(authority.first_year, authority.last_year))
