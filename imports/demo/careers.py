"""School careers of synthetic pupils: registrations with standard transitions, non-standard moves
and leavers, then suspensions, lunchtime and permanent exclusions at national rates."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from exclusion_monitor.terms import Season, Term, term_of
from imports.demo import rates
from imports.demo.population import Risk
from imports.demo.records import BorderCrossing, DemoExclusion, Pupil, Registration, SchoolPractice
from imports.demo.school_calendar import (
    add_school_days,
    first_school_day,
    last_school_day,
    school_days,
)
from imports.demo.schools import PRIMARY_KINDS, SchoolPlan

LEAVING_LA_REASONS = ("Moved out of the area", "Emigrated", "Elective home education", "")
# Calibration: at secondary rates the product of risks saturates (a pupil is suspended at most
# once a year in the hazard), so secondary hazards are scaled back up; special-school pupils all
# have EHC plans, so their SEN risk is taken out of the special-school rate.
SECONDARY_HAZARD_SCALE = 1.15
PERMANENT_HAZARD_SCALE = 1.15
_SPECIAL_SEN = (
    rates.SEN_RISK["E"][0] / rates.mean_risk(rates.SEN_MIX, rates.SEN_RISK, 0),
    rates.SEN_RISK["E"][1] / rates.mean_risk(rates.SEN_MIX, rates.SEN_RISK, 1),
)
_REPEAT = 1 - 1 / rates.SUSPENSIONS_PER_SUSPENDED_PUPIL  # geometric repeats: mean 2.8


@dataclass
class Spell:
    """A registration in the making, at a site (the establishment is fixed later)."""

    site: int
    entry: dt.date
    leaving: dt.date | None = None
    reason: str = ""


class _Chooser:
    """Weighted choice from a code -> weight table, with cumulative weights computed once."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.codes = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def reasons(self, rng: random.Random, count: int) -> tuple[str, ...]:
        chosen: list[str] = []
        for _ in range(count * 6):
            code = rng.choices(self.codes, cum_weights=self.cumulative)[0]
            if code not in chosen:
                chosen.append(code)
            if len(chosen) == count:
                break
        return tuple(chosen)


_SUSPENSION_REASONS = _Chooser(rates.SUSPENSION_REASONS)
_PRIMARY_PEX_REASONS = _Chooser(rates.PRIMARY_PERMANENT_REASONS)
_SECONDARY_PEX_REASONS = _Chooser(rates.SECONDARY_PERMANENT_REASONS)
_SESSIONS = list(rates.SUSPENSION_SESSIONS)
_SESSION_WEIGHTS = list(itertools.accumulate(rates.SUSPENSION_SESSIONS.values()))


class CareerSimulator:
    """Simulates one pupil at a time; deterministic for the random generator it is given."""

    def __init__(
        self,
        plan: SchoolPlan,
        rng: random.Random,
        end: dt.date,
        exclusion_terms: tuple[int, int],
        *,
        practice: SchoolPractice | None = None,
        crosses_border: Callable[[], bool] | None = None,
    ) -> None:
        self.plan = plan
        # Regional demos only: schools that stand out, and moves that cross into another
        # authority (asked of `crosses_border`, which draws from its own generator).
        self.suspension_factor = dict(practice.suspension_factor) if practice else {}
        self.off_rolling = dict(practice.off_rolling) if practice else {}
        self.crosses_border = crosses_border
        self.crossings: list[BorderCrossing] = []
        self._pid = -1
        self.rng = rng
        self.end = end
        self.last_term = term_of(end).index
        self.exclusion_terms = exclusion_terms
        self.secondaries = plan.sites_of("secondary")
        self.specials = plan.sites_of("special")
        self.prus = plan.sites_of("pru")
        self.primaries_any = [s for k in PRIMARY_KINDS for s in plan.sites_of(k)]
        # Sum of permanent-exclusion chances by (phase, academic year): the expected count,
        # steadier than the realised count for calibration at small sizes.
        self.expected_permanent: defaultdict[tuple[str, int], float] = defaultdict(float)

    def pick_school(self, nc_year: int, area: int, exclude: int | None = None) -> int:
        """A mainstream school for the year group: usually in the home area."""
        plan, rng = self.plan, self.rng
        if nc_year >= 7:
            local, pool = [plan.area_secondary[area]], self.secondaries
        else:
            local = [s for s in plan.area_primaries[area] if plan.covers(s, nc_year)]
            pool = [s for s in self.primaries_any if plan.covers(s, nc_year)]
        local = [s for s in local if s != exclude]
        if local and rng.random() < 0.7:
            return rng.choice(local)
        options = [s for s in pool if s != exclude] or pool
        return rng.choice(options)

    def career(
        self, pupil: Pupil, risk: Risk, site: int, entry: dt.date, area: int
    ) -> tuple[list[Registration], list[DemoExclusion]]:
        self._pid = pupil.pid
        spells = self.mobility(pupil.reception_year, risk.mobility, site, entry, area)
        exclusions = self.exclusions(pupil, risk, spells, area)
        return self.registrations(pupil.pid, spells), exclusions

    def mobility(
        self, reception_year: int, mobility: float, site: int, entry: dt.date, area: int
    ) -> list[Spell]:
        """Registrations from `entry` to the end of Year 11 or of the period."""
        plan, rng = self.plan, self.rng
        spells = [Spell(site, entry)]
        first = term_of(entry).index
        last = min(Term(reception_year + 11, Season.SUMMER).index, self.last_term)
        for index in range(first, last + 1):
            term = Term.from_index(index)
            nc_year = term.year - reception_year
            current = spells[-1]
            kind = plan.site_kind[current.site]
            if term.season is Season.AUTUMN and index > first:
                following, why = None, ""
                if nc_year == 7 and kind in ("primary", "junior"):
                    following = self.pick_school(7, area)
                    why = "Transferred to secondary school"
                elif nc_year == 3 and kind == "infant":
                    following = plan.junior_of_infant[current.site]
                    why = "Transferred to junior school"
                if following is not None:
                    current.leaving, current.reason = last_school_day(term.year - 1), why
                    current = Spell(following, first_school_day(term.year))
                    spells.append(current)
            if self.off_rolling.get(current.site) and _off_rolling_term(term, nc_year):
                if self._off_roll(current, term, nc_year, spells, area):
                    return spells
                current = spells[-1]
            damp = 0.3 if kind == "special" else 1.0
            leave = rates.LEAVE_LA_PER_TERM * damp
            move = min(0.5, rates.MOVE_PER_TERM * mobility * damp)
            draw = rng.random()
            if draw >= leave + move:
                continue
            day = rng.choice(school_days(term))
            if day <= current.entry or day > self.end:
                continue
            current.leaving = day
            if draw < leave:
                current.reason = rng.choice(LEAVING_LA_REASONS)
                return spells
            current.reason = "Transferred to another school"
            if kind == "secondary" and self.crosses_border is not None and self.crosses_border():
                start = add_school_days(day, rng.randint(1, 10))
                if start <= self.end:
                    self.crossings.append(BorderCrossing(self._pid, day, start, nc_year))
                    return spells
            if kind == "special":
                following = rng.choice([s for s in self.specials if s != current.site] or [site])
            else:
                following = self.pick_school(nc_year, area, exclude=current.site)
            start = add_school_days(day, rng.randint(1, 10))
            if start > self.end:
                return spells
            spells.append(Spell(following, start))
        leaving = last_school_day(reception_year + 11)
        if len(spells) > 1 and spells[-1].entry > leaving:
            spells.pop()  # a transfer drawn after the last school day of Year 11 never happened
            spells[-1].leaving = None
        if leaving <= self.end and spells[-1].leaving is None:
            spells[-1].leaving, spells[-1].reason = leaving, "End of compulsory schooling"
        return spells

    def exclusions(
        self, pupil: Pupil, risk: Risk, spells: list[Spell], area: int
    ) -> list[DemoExclusion]:
        """Suspensions and permanent exclusions year by year; a permanent exclusion ends the
        registration, places the pupil in a PRU and often back into another school later."""
        rng = self.rng
        lo, hi = self.exclusion_terms
        found: list[DemoExclusion] = []
        first_year = max(pupil.reception_year, Term.from_index(lo).year)
        last_year = min(pupil.reception_year + 11, Term.from_index(hi).year)
        for year in range(first_year, last_year + 1):
            terms = [Term(year, s) for s in Season if lo <= Term(year, s).index <= hi]
            nc_year = year - pupil.reception_year
            probe = _spell_in(spells, terms)
            if probe is None:
                continue
            kind = self.plan.site_kind[probe.site]
            suspension_rate, permanent_rate = _rates(kind, nc_year)
            hazard = suspension_rate / 100 / rates.SUSPENSIONS_PER_SUSPENDED_PUPIL
            hazard *= risk.suspension * self.suspension_factor.get(probe.site, 1.0)
            chance = permanent_rate / 100 * risk.permanent * PERMANENT_HAZARD_SCALE
            if kind == "special":
                hazard, chance = hazard / _SPECIAL_SEN[0], chance / _SPECIAL_SEN[1]
            elif nc_year >= 7:
                hazard *= SECONDARY_HAZARD_SCALE
            phase = self.plan.phase_of_site(probe.site)
            self.expected_permanent[(phase, year)] += min(chance, 1.0)
            latest: dict[int, dt.date] = {}
            if rng.random() < 1 - math.exp(-hazard):
                count = 1
                while rng.random() < _REPEAT and count < 30:
                    count += 1
                # One exclusion of a kind a day at one school: a real return has no twins.
                taken = {(e.laestab, e.start_date, e.category) for e in found}
                for _ in range(count):
                    day = rng.choice(school_days(rng.choice(terms)))
                    spell = _spell_at(spells, day)
                    if spell is None:
                        continue
                    suspension = self._exclusion(pupil, spell, day, nc_year, "SUSP")
                    if (suspension.laestab, day, "SUSP") in taken:
                        continue
                    taken.add((suspension.laestab, day, "SUSP"))
                    found.append(suspension)
                    latest[spell.site] = max(latest.get(spell.site, day), day)
                    if rng.random() < rates.LUNCHTIME_PER_SUSPENSION:
                        lunch = rng.choice(school_days(rng.choice(terms)))
                        if _spell_at(spells, lunch) is spell:
                            dinner = self._exclusion(pupil, spell, lunch, nc_year, "LNCH")
                            if (dinner.laestab, lunch, "LNCH") not in taken:
                                taken.add((dinner.laestab, lunch, "LNCH"))
                                found.append(dinner)
            if rng.random() < chance:
                day = rng.choice(school_days(rng.choice(terms)))
                spell = _spell_at(spells, day)
                if spell is not None and spell.site in latest:
                    later = add_school_days(latest[spell.site], rng.randint(3, 30))
                    within = spell.leaving is None or later <= spell.leaving
                    same_year = term_of(later).year == year and term_of(later).index <= hi
                    if within and same_year and later <= self.end:
                        day = later
                if spell is not None and term_of(day).index <= hi:
                    found = [e for e in found if e.start_date <= day]
                    found.append(self._exclusion(pupil, spell, day, nc_year, "PERM"))
                    self._after_permanent(pupil, risk, spells, spell, day, area)
        return found

    def _off_roll(
        self, current: Spell, term: Term, nc_year: int, spells: list[Spell], area: int
    ) -> bool:
        """Maybe take the pupil off this school's roll: to a PRU, to another school, or out of
        sight (home education). True when the pupil leaves the authority's schools."""
        rng = self.rng
        if rng.random() >= self.off_rolling[current.site]:
            return False
        day = rng.choice(school_days(term))
        if day <= current.entry or day > self.end:
            return False
        current.leaving = day
        draw = rng.random()
        if draw < 0.3:
            current.reason = "Elective home education"
            return True
        start = add_school_days(day, rng.randint(1, 10))
        if start > self.end:
            return True
        if draw < 0.75 and self.prus:
            current.reason = "Transferred to alternative provision"
            spells.append(Spell(rng.choice(self.prus), start))
        else:
            current.reason = "Transferred to another school"
            spells.append(Spell(self.pick_school(nc_year, area, exclude=current.site), start))
        return False

    def _after_permanent(
        self, pupil: Pupil, risk: Risk, spells: list[Spell], spell: Spell, day: dt.date, area: int
    ) -> None:
        rng = self.rng
        spell.leaving, spell.reason = day, "Permanently excluded"
        del spells[spells.index(spell) + 1 :]
        start = add_school_days(day, rng.randint(3, 12))
        nc_year = term_of(start).year - pupil.reception_year
        if start > self.end or nc_year > 11:
            return
        if nc_year < 1 or not self.prus:
            following = self.pick_school(nc_year, area, exclude=spell.site)
            spells.extend(
                self.mobility(pupil.reception_year, risk.mobility, following, start, area)
            )
            return
        placement = Spell(rng.choice(self.prus), start)
        spells.append(placement)
        back = Term.from_index(term_of(start).index + rng.randint(1, 4))
        back_year = back.year - pupil.reception_year
        back_day = rng.choice(school_days(back))
        if rng.random() < 0.6 and back_year <= 11 and back_day <= self.end:
            placement.leaving = back_day - dt.timedelta(days=1)
            placement.reason = "Returned to mainstream school"
            following = self.pick_school(back_year, area, exclude=spell.site)
            spells.extend(
                self.mobility(pupil.reception_year, risk.mobility, following, back_day, area)
            )
            return
        leaving = last_school_day(pupil.reception_year + 11)
        if leaving <= self.end:
            placement.leaving, placement.reason = leaving, "End of compulsory schooling"

    def _exclusion(
        self, pupil: Pupil, spell: Spell, day: dt.date, nc_year: int, category: str
    ) -> DemoExclusion:
        rng = self.rng
        laestab = self.plan.establishment(spell.site, day).laestab
        if category == "PERM":
            chooser = _PRIMARY_PEX_REASONS if nc_year <= 6 else _SECONDARY_PEX_REASONS
            count = rng.choices((1, 2, 3), rates.REASON_COUNT_WEIGHTS)[0]
            return DemoExclusion(
                pupil.pid, laestab, "PERM", day, day, None, chooser.reasons(rng, count), nc_year
            )
        if category == "LNCH":
            reasons = _SUSPENSION_REASONS.reasons(rng, 1)
            return DemoExclusion(pupil.pid, laestab, "LNCH", day, day, 1, reasons, nc_year)
        sessions = rng.choices(_SESSIONS, cum_weights=_SESSION_WEIGHTS)[0]
        end = add_school_days(day, (sessions + 1) // 2 - 1)
        count = rng.choices((1, 2, 3), rates.REASON_COUNT_WEIGHTS)[0]
        reasons = _SUSPENSION_REASONS.reasons(rng, count)
        return DemoExclusion(pupil.pid, laestab, "SUSP", day, end, sessions, reasons, nc_year)

    def registrations(self, pid: int, spells: list[Spell]) -> list[Registration]:
        """Spells as registrations at establishments, split where a school converted."""
        found: list[Registration] = []
        for spell in spells:
            schools = self.plan.establishments[spell.site]
            entry = spell.entry
            for school in schools:
                if school.close_date is not None and school.close_date < entry:
                    continue
                closes = school.close_date
                if closes is not None and (spell.leaving is None or spell.leaving > closes):
                    found.append(
                        Registration(pid, school.laestab, entry, closes, "Academy conversion", "C")
                    )
                    entry = closes + dt.timedelta(days=1)
                    continue
                found.append(
                    Registration(pid, school.laestab, entry, spell.leaving, spell.reason, "C")
                )
                break
        return found


def _rates(kind: str, nc_year: int) -> tuple[float, float]:
    if kind == "special":
        return rates.SPECIAL_SUSPENSIONS_PER_100, rates.SPECIAL_PERMANENT_PER_100
    if kind == "pru":
        return rates.PRU_SUSPENSIONS_PER_100, rates.PRU_PERMANENT_PER_100
    year = min(max(nc_year, 0), 11)
    return rates.SUSPENSIONS_PER_100[year], rates.PERMANENT_PER_100[year]


def _spell_at(spells: list[Spell], day: dt.date) -> Spell | None:
    for spell in spells:
        if spell.entry <= day and (spell.leaving is None or day <= spell.leaving):
            return spell
    return None


def _spell_in(spells: list[Spell], terms: list[Term]) -> Spell | None:
    """The registration covering the middle of the year's terms, or any overlapping them."""
    start, end = terms[0].start, terms[-1].end
    middle = start + (end - start) / 2
    found = _spell_at(spells, middle)
    if found is not None:
        return found
    for spell in spells:
        if spell.entry <= end and (spell.leaving is None or spell.leaving >= start):
            return spell
    return None


def _off_rolling_term(term: Term, nc_year: int) -> bool:
    """Between the January census of Year 10 and that of Year 11 (Ofsted's window)."""
    return (nc_year == 10 and term.season is not Season.AUTUMN) or (
        nc_year == 11 and term.season is Season.AUTUMN
    )
