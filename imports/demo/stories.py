"""Planted stories: children whose histories the flag rules must catch (docs/rules.md#the-rules).

Each is built by hand on top of the random authority, with its expected rule ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from exclusion_monitor.terms import Season, Term, term_of
from imports.demo.careers import CareerSimulator, Spell
from imports.demo.population import Household, PopulationBuilder
from imports.demo.records import (
    DemoExclusion,
    ExpectedFlags,
    PlantedStory,
    Pupil,
    Registration,
)
from imports.demo.school_calendar import (
    add_school_days,
    census_date,
    first_school_day,
    last_school_day,
    school_days,
)


@dataclass
class PlantedChildren:
    pupils: list[Pupil] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    exclusions: list[DemoExclusion] = field(default_factory=list)
    stories: list[PlantedStory] = field(default_factory=list)


def _day(term: Term, index: int) -> dt.date:
    days = school_days(term)
    return days[min(index, len(days) - 1)]


class _Planter:
    def __init__(
        self, sim: CareerSimulator, builder: PopulationBuilder, first_pid: int, last_year: int
    ) -> None:
        self.sim, self.builder = sim, builder
        self.next_pid = first_pid
        self.last = last_year
        self.out = PlantedChildren()
        self.as_of = census_date(Term(last_year, Season.SUMMER))
        plan = sim.plan
        self.secondaries = plan.sites_of("secondary")
        self.primaries = plan.sites_of("primary")

    def child(self, reception_year: int, household_area: int, spells: list[Spell]) -> Pupil:
        household = self.builder.household_for(reception_year, area=household_area)
        return self.child_in(reception_year, household, spells)

    def child_in(self, reception_year: int, household: Household, spells: list[Spell]) -> Pupil:
        first = self.sim.plan.establishment(spells[0].site, spells[0].entry)
        upn = self.builder.upns.permanent(first.laestab[:3], first.laestab[3:], reception_year)
        pupil, _ = self.builder.pupil(self.next_pid, reception_year, household, upn, sen="K")
        self.next_pid += 1
        self.out.pupils.append(pupil)
        self.out.registrations += self.sim.registrations(pupil.pid, spells)
        return pupil

    def exclude(
        self,
        pupil: Pupil,
        site: int,
        day: dt.date,
        sessions: int | None,
        reasons: tuple[str, ...],
    ) -> None:
        category = "PERM" if sessions is None else "SUSP"
        end = day if sessions is None else add_school_days(day, (sessions + 1) // 2 - 1)
        laestab = self.sim.plan.establishment(site, day).laestab
        nc_year = term_of(day).year - pupil.reception_year
        self.out.exclusions.append(
            DemoExclusion(pupil.pid, laestab, category, day, end, sessions, reasons, nc_year)
        )

    def story(
        self,
        key: str,
        pupil: Pupil,
        text: str,
        *expected: ExpectedFlags,
        siblings: tuple[str, ...] = (),
    ) -> None:
        self.out.stories.append(PlantedStory(key, pupil.pid, pupil.upn, text, expected, siblings))


def plant_stories(
    sim: CareerSimulator, builder: PopulationBuilder, first_pid: int, last_year: int
) -> PlantedChildren:
    """Six planted children (stories a to f), using the latest academic year `last_year`."""
    p = _Planter(sim, builder, first_pid, last_year)
    last = last_year
    sec, pri = p.secondaries, p.primaries
    autumn, spring = Term(last, Season.AUTUMN), Term(last, Season.SPRING)
    # (a) suspended in Years 5 and 6, then escalating suspensions in secondary, then permanent.
    e_a = last - 9
    pex = _day(spring, 45)
    pru = sim.prus[0]
    a_spells = [
        Spell(
            pri[0],
            first_school_day(e_a),
            last_school_day(e_a + 6),
            "Transferred to secondary school",
        ),
        Spell(sec[0], first_school_day(e_a + 7), pex, "Permanently excluded"),
        Spell(pru, add_school_days(pex, 6)),
    ]
    a = p.child(e_a, sim.plan.site_area[pri[0]], a_spells)
    p.exclude(a, pri[0], _day(Term(e_a + 5, Season.SPRING), 20), 2, ("PA",))
    p.exclude(a, pri[0], _day(Term(e_a + 6, Season.AUTUMN), 45), 2, ("PP", "VA"))
    p.exclude(a, sec[0], _day(Term(last - 1, Season.SUMMER), 15), 2, ("DB",))
    for index, reason in ((20, "VA"), (50, "DB")):
        p.exclude(a, sec[0], _day(autumn, index), 2, (reason,))
    for index, reason in ((5, "DB"), (20, "PP"), (35, "VA")):
        p.exclude(a, sec[0], _day(spring, index), 4, (reason,))
    p.exclude(a, sec[0], pex, None, ("PA", "DB"))
    # (d) a younger sibling at the same address, suspended in Year 6 this year.
    e_d = last - 6
    household = builder.households[a.household]
    d = p.child_in(e_d, household, [Spell(pri[0], first_school_day(e_d))])
    p.exclude(d, pri[0], _day(autumn, 30), 2, ("PA",))
    p.exclude(d, pri[0], _day(spring, 25), 2, ("PP",))
    p.story(
        "a_primary_to_secondary_escalation",
        a,
        "Suspended in Years 5 and 6; in secondary 1, 2 then 3 suspensions a term, then "
        "permanently excluded and placed in the pupil referral unit.",
        ExpectedFlags(
            p.as_of, ("permanent_exclusion", "repeated_suspensions", "escalating_exclusion")
        ),
        ExpectedFlags(census_date(Term(e_a + 6, Season.SPRING)), ("primary_exclusion",)),
        siblings=(d.upn,),
    )
    p.story(
        "d_primary_sibling",
        d,
        "Younger sibling of story a (same address and family reference), suspended twice in "
        "Year 6.",
        ExpectedFlags(p.as_of, ("primary_exclusion",), ("repeated_suspensions",)),
        siblings=(a.upn,),
    )
    # (b) through five secondary schools in under two years.
    e_b = last - 9
    moves = [
        _day(Term(last - 1, Season.AUTUMN), 50),
        _day(Term(last - 1, Season.SPRING), 40),
        _day(autumn, 25),
        _day(spring, 20),
    ]
    b_spells = [
        Spell(
            pri[1],
            first_school_day(e_b),
            last_school_day(e_b + 6),
            "Transferred to secondary school",
        ),
        Spell(sec[1], first_school_day(e_b + 7)),
    ]
    for step, day in enumerate(moves):
        b_spells[-1].leaving, b_spells[-1].reason = day, "Transferred to another school"
        b_spells.append(Spell(sec[(step + 2) % len(sec)], add_school_days(day, 5)))
    b = p.child(e_b, sim.plan.site_area[pri[1]], b_spells)
    p.story(
        "b_five_secondary_schools",
        b,
        "Four non-standard moves between five secondary schools within two years.",
        ExpectedFlags(
            p.as_of, ("high_mobility", "many_secondary_schools"), ("permanent_exclusion",)
        ),
    )
    # (c) suspended twice, then off the roll within weeks, with no permanent exclusion.
    e_c = last - 8
    left = _day(autumn, 55)
    c_spells = [
        Spell(
            pri[2],
            first_school_day(e_c),
            last_school_day(e_c + 6),
            "Transferred to secondary school",
        ),
        Spell(sec[2], first_school_day(e_c + 7), left, "Transferred to another school"),
        Spell(sec[3], _day(spring, 1)),
    ]
    c = p.child(e_c, sim.plan.site_area[pri[2]], c_spells)
    p.exclude(c, sec[2], _day(autumn, 20), 2, ("DB",))
    p.exclude(c, sec[2], _day(autumn, 40), 2, ("VA",))
    p.story(
        "c_exit_after_suspension",
        c,
        "Suspended twice in the autumn term, then left that school within weeks (a managed move "
        "or off-rolling pattern) with no permanent exclusion.",
        ExpectedFlags(p.as_of, ("exit_after_suspension",), ("permanent_exclusion",)),
    )
    # (e) over 30 sessions of suspension in one term.
    e_e = last - 10
    e_spells = [
        Spell(
            pri[3],
            first_school_day(e_e),
            last_school_day(e_e + 6),
            "Transferred to secondary school",
        ),
        Spell(sec[4], first_school_day(e_e + 7)),
    ]
    e = p.child(e_e, sim.plan.site_area[pri[3]], e_spells)
    for index in (5, 15, 25, 35):
        p.exclude(e, sec[4], _day(Term(last - 1, Season.SPRING), index), 2, ("DB",))
    for index in (5, 20, 35, 50):
        p.exclude(e, sec[4], _day(autumn, index), 10, ("PP", "VA"))
    p.story(
        "e_statutory_limit",
        e,
        "Four five-day suspensions in one autumn term: 40 sessions, over the 30-session limit.",
        ExpectedFlags(p.as_of, ("statutory_limit", "repeated_suspensions")),
    )
    # (f) on the spring roll, on no roll at the summer census, no destination recorded.
    e_f = last - 7
    f_spells = [
        Spell(
            pri[4],
            first_school_day(e_f),
            last_school_day(e_f + 6),
            "Transferred to secondary school",
        ),
        Spell(sec[5 % len(sec)], first_school_day(e_f + 7), _day(spring, 35), ""),
    ]
    f = p.child(e_f, sim.plan.site_area[pri[4]], f_spells)
    p.story(
        "f_missing_from_roll",
        f,
        "Left a secondary school in the spring term with no destination; on no roll at the "
        "summer census.",
        ExpectedFlags(p.as_of, ("missing_from_roll",)),
    )
    return p.out
