"""School practice for one academic year (docs/regional.md, "School practice"): each school's
roll, suspensions, permanent exclusions and pupils suspended at least once, placed on funnel
plots against schools of the same kind; and the Year 10 to Year 11 losses (the off-rolling
signal). Pure: the facts come from an authority's store or the regional workspace alike."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from exclusion_monitor.exclusion_kinds import counts_as_permanent
from exclusion_monitor.reports import funnel
from exclusion_monitor.reports.suppression import shown, suppress_cells
from exclusion_monitor.store.statistics import ExclusionFact, PupilFact, SchoolFact

SUSPENSION_CATEGORIES = frozenset({"SUSP", "LNCH"})  # a lunchtime suspension is a suspension
PHASE_GROUPS = {
    "primary": "primary", "middle_primary": "primary", "nursery": "primary",
    "secondary": "secondary", "middle_secondary": "secondary", "all_through": "secondary",
    "sixteen_plus": "secondary", "special": "special", "pru_ap": "alternative provision",
}  # fmt: skip
GROUP_ORDER = ("primary", "secondary", "special", "alternative provision", "other")
MEASURE_LABELS = {
    "suspension": "Suspensions per 100 pupils",
    "permanent": "Permanent exclusions per 100 pupils",
    "one_plus": "Pupils with one or more suspensions per 100 pupils",
}
LOSS_PUPILS, LOSS_SHARE = 5, 0.05


def phase_group(phase: str | None) -> str:
    return PHASE_GROUPS.get(phase or "", "other")


@dataclass
class PracticeYear:
    """The facts of one academic year: the spring census roll and the year's exclusions."""

    label: str
    census_date: dt.date | None
    as_of: dt.date
    pupils: list[PupilFact]
    schools: dict[int, SchoolFact]
    exclusions: list[ExclusionFact]
    authority: dict[int, str] = field(default_factory=dict)  # school id -> LA number
    by_pupil: dict[int, tuple[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        counts: dict[int, list[int]] = {}
        for e in self.exclusions:
            found = counts.setdefault(e.child_id, [0, 0])
            if e.category in SUSPENSION_CATEGORIES:
                found[0] += 1
            elif counts_as_permanent(e):  # not one reversed on review
                found[1] += 1
        self.by_pupil = {k: (v[0], v[1]) for k, v in counts.items()}


@dataclass(frozen=True, slots=True)
class SchoolPractice:
    school_id: int
    laestab: str
    name: str
    authority: str
    phase: str | None
    group: str
    roll: int
    counts: dict[str, int]
    positions: dict[str, funnel.FunnelPosition]
    hidden: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        def rate(measure: str) -> float | str | None:
            value = self.positions[measure].value
            if measure in self.hidden:
                return "c"
            return None if value is None else round(value, 2)

        return {
            "authority": self.authority,
            "laestab": self.laestab,
            "name": self.name,
            "phase": self.phase,
            "comparison_group": self.group,
            "roll": self.roll,
            **{f"{m}s" if m != "one_plus" else "one_plus_suspensions":
               shown(self.counts[m], m in self.hidden) for m in MEASURE_LABELS},
            **{f"{m}_rate": rate(m) for m in MEASURE_LABELS},
            "funnels": {
                m: {
                    "position": p.position,
                    **{k: (None if v is None or m in self.hidden else round(v, 4))
                       for k, v in (("lower_998", p.lower_998), ("lower_95", p.lower_95),
                                    ("upper_95", p.upper_95), ("upper_998", p.upper_998))},
                }
                for m, p in self.positions.items()
            },
        }  # fmt: skip


def school_practice(year: PracticeYear) -> list[SchoolPractice]:
    """Every school with pupils on the spring census roll, with each measure's funnel position
    against the schools of its group (primary, secondary, special, alternative provision)."""
    roll = Counter(p.school_id for p in year.pupils)
    susp: Counter[int] = Counter()
    perm: Counter[int] = Counter()
    suspended: dict[int, set[int]] = {}
    for e in year.exclusions:
        if e.category in SUSPENSION_CATEGORIES:
            susp[e.school_id] += 1
            suspended.setdefault(e.school_id, set()).add(e.child_id)
        elif counts_as_permanent(e):  # not one reversed on review
            perm[e.school_id] += 1
    rows: list[tuple[SchoolFact, dict[str, int]]] = []
    for school_id, n in roll.items():
        school = year.schools.get(school_id)
        if school is None or n <= 0:
            continue
        counts = {
            "suspension": susp[school_id],
            "permanent": perm[school_id],
            "one_plus": len(suspended.get(school_id, ())),
        }
        rows.append((school, counts))
    found: list[SchoolPractice] = []
    for group in GROUP_ORDER:
        members = [(s, c) for s, c in rows if phase_group(s.phase) == group]
        if not members:
            continue
        total = sum(roll[s.id] for s, _ in members)
        averages = {m: sum(c[m] for _, c in members) / total for m in MEASURE_LABELS}
        cells = {(s.id, m): c[m] for s, c in members for m in MEASURE_LABELS}
        lines = [[(s.id, m) for s, _ in members] for m in MEASURE_LABELS]
        hidden, _totals = suppress_cells(cells, lines)
        for school, counts in members:
            n = roll[school.id]
            positions = {
                "suspension": funnel.rate_position(counts["suspension"], n, averages["suspension"]),
                "permanent": funnel.proportion_position(counts["permanent"], n,
                                                        averages["permanent"]),
                "one_plus": funnel.proportion_position(counts["one_plus"], n,
                                                       averages["one_plus"]),
            }  # fmt: skip
            found.append(
                SchoolPractice(
                    school.id, school.laestab, school.name,
                    year.authority.get(school.id, school.laestab[:3]), school.phase, group, n,
                    counts, positions,
                    frozenset(m for m in MEASURE_LABELS if (school.id, m) in hidden),
                )
            )  # fmt: skip
    return found


def outside_limits(rows: Iterable[SchoolPractice], measure: str) -> list[SchoolPractice]:
    """Schools outside the 95% limits on a measure, furthest first."""
    outside = [
        r for r in rows if r.positions[measure].position not in (funnel.WITHIN, "not assessed")
    ]
    order = {"above 99.8%": 0, "above 95%": 1, "below 99.8%": 2, "below 95%": 3}
    return sorted(outside, key=lambda r: (order[r.positions[measure].position], r.name))


# --- pupil movement: the off-rolling signal ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchoolMovement:
    school_id: int
    laestab: str
    name: str
    authority: str
    cohort: int
    lost: int
    to_state_school: int
    to_alternative_provision: int
    not_found: int
    position: funnel.FunnelPosition
    hidden: frozenset[str] = frozenset()

    @property
    def stands_out(self) -> bool:
        """At least 5 pupils and 5 per cent lost (Ofsted's published threshold)."""
        return self.lost >= LOSS_PUPILS and self.lost >= LOSS_SHARE * self.cohort

    def to_json(self) -> dict[str, Any]:
        def value(name: str, count: int) -> int | str:
            return shown(count, name in self.hidden)

        return {
            "authority": self.authority,
            "laestab": self.laestab,
            "name": self.name,
            "year_10_pupils": self.cohort,
            "lost": value("lost", self.lost),
            "lost_share": "c" if "lost" in self.hidden else round(100 * self.lost / self.cohort, 2),
            "to_another_state_school": value("to_state_school", self.to_state_school),
            "to_alternative_provision": value("to_ap", self.to_alternative_provision),
            "not_found": value("not_found", self.not_found),
            "stands_out": self.stands_out,
            "funnel": {
                "position": self.position.position,
                "lower_95": _round(self.position.lower_95),
                "upper_95": _round(self.position.upper_95),
                "upper_998": _round(self.position.upper_998),
            },
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def movement(
    year_10: Sequence[PupilFact],
    next_census: Sequence[PupilFact],
    schools: dict[int, SchoolFact],
    conversions: Collection[tuple[int, int]],
    authority: dict[int, str] | None = None,
) -> list[SchoolMovement]:
    """For each secondary school, its Year 10 pupils at one January census who are not on its
    roll (or its successor's) at the next: gone to another state school, to alternative
    provision, or found on no roll at all (of the authority, or of the region)."""
    where = {p.child_id: p.school_id for p in next_census}
    cohorts: dict[int, list[int]] = {}
    for p in year_10:
        school = schools.get(p.school_id)
        if p.nc_year != "10" or school is None or phase_group(school.phase) != "secondary":
            continue
        cohorts.setdefault(p.school_id, []).append(p.child_id)
    raw: list[tuple[SchoolFact, int, list[int]]] = []  # school, cohort, [lost, state, AP, none]
    for school_id, pupils in cohorts.items():
        counts = [0, 0, 0, 0]  # lost, state school, AP, not found
        for child in pupils:
            now = where.get(child)
            if now is not None and (now == school_id or (school_id, now) in conversions):
                continue
            counts[0] += 1
            if now is None:
                counts[3] += 1
            elif phase_group(schools[now].phase if now in schools else None) == (
                "alternative provision"
            ):
                counts[2] += 1
            else:
                counts[1] += 1
        raw.append((schools[school_id], len(pupils), counts))
    total = sum(n for _, n, _ in raw)
    average = sum(c[0] for _, _, c in raw) / total if total else 0.0
    names = ("lost", "to_state_school", "to_ap", "not_found")
    cells = {(s.id, k): c[i] for s, _, c in raw for i, k in enumerate(names)}
    # Each school's lost pupils are the sum of its three destinations; each measure's column
    # sums to the published total.
    lines: list[list[tuple[int, str]]] = [[(s.id, k) for k in names[1:]] for s, _, _ in raw]
    lines += [[(s.id, k) for s, _, _ in raw] for k in names]
    hidden, _totals = suppress_cells(cells, lines)
    return sorted(
        (
            SchoolMovement(
                school.id, school.laestab, school.name,
                (authority or {}).get(school.id, school.laestab[:3]), n, counts[0], counts[1],
                counts[2], counts[3], funnel.proportion_position(counts[0], n, average),
                frozenset(k for k in names if (school.id, k) in hidden),
            )
            for school, n, counts in raw
        ),
        key=lambda m: (-m.lost / m.cohort, m.name),
    )  # fmt: skip
