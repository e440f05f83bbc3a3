"""The synthetic authority's schools: primaries (a few infant/junior pairs), secondaries, special
schools and pupil referral units, with one or two academy conversions linked in GIAS style."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from imports.demo.names import PLACE_SUFFIXES, PLACES, SAINTS
from imports.demo.records import DemoSchool, SchoolLink

PRIMARY_KINDS = ("primary", "infant", "junior")
_PHASE = {
    "primary": "primary",
    "infant": "primary",
    "junior": "primary",
    "secondary": "secondary",
    "special": "special",
    "pru": "pru_ap",
}
# GIAS phase names; special schools and PRUs get names the phase code list recognises.
PHASE_NAMES = {
    "primary": "Primary",
    "secondary": "Secondary",
    "special": "Special",
    "pru_ap": "Pupil referral unit",
}
_YEARS = {
    "primary": (0, 6),
    "infant": (0, 2),
    "junior": (3, 6),
    "secondary": (7, 11),
    "special": (0, 11),
    "pru": (1, 11),
}
_TYPES = {
    "primary": (
        ("Community school", 55),
        ("Voluntary aided school", 15),
        ("Academy converter", 30),
    ),
    "secondary": (("Community school", 35), ("Foundation school", 15), ("Academy converter", 50)),
    "special": (("Community special school", 70), ("Academy special converter", 30)),
    "pru": (("Pupil referral unit", 100),),
}
_FIRST_NUMBER = {"primary": 2001, "secondary": 4001, "special": 7001, "pru": 1101}


@dataclass
class SchoolPlan:
    """Schools by site (a site keeps its pupils through a conversion) and by area."""

    schools: list[DemoSchool] = field(default_factory=list)
    links: list[SchoolLink] = field(default_factory=list)
    site_kind: list[str] = field(default_factory=list)
    site_area: list[int] = field(default_factory=list)
    establishments: dict[int, list[DemoSchool]] = field(default_factory=dict)
    area_primaries: dict[int, list[int]] = field(default_factory=dict)
    area_secondary: dict[int, int] = field(default_factory=dict)
    junior_of_infant: dict[int, int] = field(default_factory=dict)
    conversions: list[tuple[int, dt.date]] = field(default_factory=list)

    def establishment(self, site: int, day: dt.date) -> DemoSchool:
        """The establishment running `site` on `day` (the predecessor before a conversion)."""
        options = self.establishments[site]
        for school in options:
            if school.open_on(day):
                return school
        first = options[0]
        return first if first.close_date is None or day <= first.close_date else options[-1]

    def sites_of(self, kind: str) -> list[int]:
        return [site for site, k in enumerate(self.site_kind) if k == kind]

    def covers(self, site: int, nc_year: int) -> bool:
        low, high = _YEARS[self.site_kind[site]]
        return low <= nc_year <= high

    def phase_of_site(self, site: int) -> str:
        return _PHASE[self.site_kind[site]]


def _counts(pupils: int) -> dict[str, int]:
    secondary = max(6, round(pupils * 5 / 12 / 950))
    primary = max(10, round(pupils * 7 / 12 / 300))
    return {
        "secondary": secondary,
        "primary": primary,
        "pairs": max(1, primary // 15),
        "special": max(2, round(pupils * 0.018 / 140)),
        "pru": max(1, round(pupils / 60_000)),
    }


def build_schools(la: str, pupils: int, first_year: int, rng: random.Random) -> SchoolPlan:
    """Schools sized for `pupils` on roll; conversions fall inside the period."""
    counts = _counts(pupils)
    places = [place + suffix for suffix in PLACE_SUFFIXES for place in PLACES]
    rng.shuffle(places)
    plan = SchoolPlan()
    numbers = dict(_FIRST_NUMBER)
    urns = iter(range(103_001, 200_000, 3))
    academy_urns = iter(range(140_002, 200_000, 7))

    def add(kind: str, area: int, name_hint: str = "") -> int:
        site = len(plan.site_kind)
        group = "primary" if kind in PRIMARY_KINDS else kind
        weights = _TYPES[group]
        type_name = rng.choices([t for t, _ in weights], [w for _, w in weights])[0]
        place = name_hint or places.pop()
        academy = type_name.startswith("Academy")
        number = numbers[group]
        numbers[group] += 1
        if type_name == "Voluntary aided school":
            number += 1300
        school = DemoSchool(
            urn=str(next(academy_urns) if academy else next(urns)),
            laestab=f"{la}{number:04d}",
            name=_school_name(kind, place, type_name, rng),
            phase=_PHASE[kind],
            kind=kind,
            type_name=type_name,
            low_year=_YEARS[kind][0],
            high_year=_YEARS[kind][1],
            site=site,
            area=area,
            open_date=dt.date(rng.randint(2011, 2018), rng.choice((4, 9)), 1) if academy else None,
        )
        plan.schools.append(school)
        plan.site_kind.append(kind)
        plan.site_area.append(area)
        plan.establishments[site] = [school]
        return site

    areas = counts["secondary"]
    for area in range(areas):
        plan.area_secondary[area] = add("secondary", area)
        plan.area_primaries[area] = []
    for index in range(counts["primary"]):
        area = index % areas
        if index < counts["pairs"]:
            place = places.pop()
            infant = add("infant", area, place)
            junior = add("junior", area, place)
            plan.junior_of_infant[infant] = junior
            plan.area_primaries[area] += [infant, junior]
        else:
            plan.area_primaries[area].append(add("primary", area))
    for index in range(counts["special"]):
        add("special", index % areas)
    for index in range(counts["pru"]):
        add("pru", index % areas)
    _convert(plan, la, numbers, academy_urns, first_year, rng)
    return plan


def _school_name(kind: str, place: str, type_name: str, rng: random.Random) -> str:
    academy = type_name.startswith("Academy")
    if kind in PRIMARY_KINDS:
        word = {"primary": "Primary", "infant": "Infant", "junior": "Junior"}[kind]
        if type_name == "Voluntary aided school":
            faith = rng.choice(("C of E", "Catholic"))
            return f"{rng.choice(SAINTS)} {faith} {word} School ({place})"
        return f"{place} {word} {'Academy' if academy else 'School'}"
    if kind == "secondary":
        return f"{place} {'Academy' if academy else rng.choice(('School', 'High School'))}"
    if kind == "special":
        return f"{place} School"
    return f"{place} Pupil Referral Unit"


def _convert(
    plan: SchoolPlan,
    la: str,
    numbers: dict[str, int],
    urns: Iterator[int],
    first_year: int,
    rng: random.Random,
) -> None:
    """Convert one maintained secondary (and a primary, when there are enough) to academies."""
    candidates: list[tuple[str, dt.date]] = [("secondary", dt.date(first_year + 2, 9, 1))]
    if len(plan.sites_of("primary")) >= 8:
        candidates.append(("primary", dt.date(first_year + 3, 4, 1)))
    for kind, day in candidates:
        maintained = [
            s
            for s in plan.sites_of(kind)
            if not plan.establishments[s][0].type_name.startswith("Academy")
        ]
        if not maintained:
            continue
        site = rng.choice(maintained)
        old = plan.establishments[site][0]
        closed = replace(old, close_date=day - dt.timedelta(days=1))
        number = numbers[kind]
        numbers[kind] += 1
        if kind == "secondary":
            place = old.name.removesuffix(" School").removesuffix(" High")
        else:
            place = old.name.split(" Primary")[0]
        successor = replace(
            old,
            urn=str(next(urns)),
            laestab=f"{la}{number:04d}",
            name=f"{place} {'Primary ' if kind == 'primary' else ''}Academy",
            type_name="Academy converter",
            open_date=day,
            close_date=None,
        )
        plan.schools[plan.schools.index(old)] = closed
        plan.schools.append(successor)
        plan.establishments[site] = [closed, successor]
        plan.conversions.append((site, day))
        plan.links.append(SchoolLink(closed.urn, successor.urn, "Successor", day))
        plan.links.append(SchoolLink(successor.urn, closed.urn, "Predecessor", day))
