"""Disproportionality (docs/regional.md, "Disproportionality"): each pupil group's rates of
suspension, permanent exclusion and one-or-more suspension against a reference group, as a
relative rate index with a 95% interval.

For proportions (permanent exclusion, one or more suspensions) the interval is Katz's log method:
exp(ln RRI +/- 1.96 * sqrt(1/a - 1/n1 + 1/c - 1/n2)) (Katz, Baptista, Azen and Pike, Biometrics
1978). Suspensions are events that can outnumber pupils, so their rate ratio's interval drops the
binomial terms: exp(ln RRI +/- 1.96 * sqrt(1/a + 1/c)) (the Poisson form of the same log method).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from exclusion_monitor import codelists
from exclusion_monitor.reports.practice import PracticeYear
from exclusion_monitor.store.statistics import PupilFact

Z_95 = 1.959963984540054
MEASURES = ("suspension", "permanent", "one_plus")


@dataclass(frozen=True, slots=True)
class RateIndex:
    """A relative rate index with its 95% interval; None where it cannot be estimated."""

    index: float | None
    lower: float | None
    upper: float | None

    @property
    def significant(self) -> bool:
        return (
            self.lower is not None and self.upper is not None and (self.lower > 1 or self.upper < 1)
        )


def katz_interval(a: int, n1: int, c: int, n2: int, *, events: bool = False) -> RateIndex:
    """The relative rate (a / n1) / (c / n2) and its 95% interval by Katz's log method; with
    `events`, counts that may exceed the group (the Poisson form, without the -1/n terms)."""
    if n1 <= 0 or n2 <= 0 or c <= 0:
        return RateIndex(None, None, None)
    index = (a / n1) / (c / n2)
    if a <= 0:
        return RateIndex(index, None, None)
    variance = 1 / a + 1 / c if events else 1 / a - 1 / n1 + 1 / c - 1 / n2
    if variance < 0:
        return RateIndex(index, None, None)
    spread = Z_95 * math.sqrt(variance)
    return RateIndex(index, math.exp(math.log(index) - spread), math.exp(math.log(index) + spread))


def _major(code: str | None) -> str | None:
    if not code:
        return None
    found = codelists.codelist("ethnicity_major_groups").get(code)
    return found.label if found else None


def _ethnicity(code: str | None) -> str | None:
    found = codelists.ethnicity(code) if code else None
    return found.code if found else None


def _sen(code: str | None) -> str | None:
    if code not in ("N", "K", "E"):
        return None
    found = codelists.codelist(codelists.SEN).get(code)
    return found.label if found else code


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Yes" if value else "No")


GROUPINGS: dict[str, tuple[str, Callable[[PupilFact], str | None]]] = {
    "sex": ("Sex", lambda p: {"M": "Boys", "F": "Girls"}.get(p.sex or "")),
    "fsm": ("Free school meals", lambda p: _yes_no(p.fsm)),
    "sen": ("SEN provision", lambda p: _sen(p.sen)),
    "ethnicity": ("Ethnicity (main code)", lambda p: _ethnicity(p.ethnicity)),
    "ethnic_group": ("Ethnicity (major group)", lambda p: _major(_ethnicity(p.ethnicity))),
    "looked_after": ("Looked after", lambda p: _yes_no(p.looked_after)),
}


@dataclass(frozen=True, slots=True)
class GroupRates:
    grouping: str
    group: str
    pupils: int
    suspensions: int
    permanents: int
    one_plus: int
    reference: bool
    indexes: dict[str, RateIndex]

    def rate(self, measure: str) -> float | None:
        count = {"suspension": self.suspensions, "permanent": self.permanents,
                 "one_plus": self.one_plus}[measure]  # fmt: skip
        return None if not self.pupils else 100 * count / self.pupils


def group_rates(
    year: PracticeYear,
    grouping: str,
    reference: str | None = None,
    pupils: Sequence[PupilFact] | None = None,
) -> list[GroupRates]:
    """Each group's counts and rates, and its relative rate index against `reference` (default:
    the largest group). Pupils whose group is not recorded are left out of the comparison."""
    _label, key_of = GROUPINGS[grouping]
    population = year.pupils if pupils is None else pupils
    members: Counter[str] = Counter()
    susp: Counter[str] = Counter()
    perm: Counter[str] = Counter()
    once: Counter[str] = Counter()
    for pupil in population:
        group = key_of(pupil)
        if group is None:
            continue
        members[group] += 1
        events = year.by_pupil.get(pupil.child_id)
        if events is not None:
            susp[group] += events[0]
            perm[group] += events[1]
            once[group] += 1 if events[0] else 0
    if not members:
        return []
    ref: str = (
        reference
        if reference is not None and reference in members
        else members.most_common(1)[0][0]
    )
    n2 = members[ref]
    rows = []
    itself = RateIndex(1.0, None, None)
    for group, n1 in sorted(members.items(), key=lambda item: (-item[1], item[0])):
        if group == ref:
            rows.append(
                GroupRates(grouping, group, n1, susp[group], perm[group], once[group], True,
                           dict.fromkeys(MEASURES, itself))
            )  # fmt: skip
            continue
        rows.append(
            GroupRates(
                grouping, group, n1, susp[group], perm[group], once[group], group == ref,
                {
                    "suspension": katz_interval(susp[group], n1, susp[ref], n2, events=True),
                    "permanent": katz_interval(perm[group], n1, perm[ref], n2),
                    "one_plus": katz_interval(once[group], n1, once[ref], n2),
                },
            )
        )  # fmt: skip
    return rows


def all_groups(
    year: PracticeYear, references: Mapping[str, str] | None = None
) -> dict[str, list[GroupRates]]:
    refs = references or {}
    return {name: group_rates(year, name, refs.get(name)) for name in GROUPINGS}


def girls_apart(year: PracticeYear) -> dict[str, list[GroupRates]]:
    """Girls' rates by each other characteristic, among girls only (the report's named
    concern: girls' exclusions are hidden inside rates dominated by boys)."""
    girls = [p for p in year.pupils if p.sex == "F"]
    return {name: group_rates(year, name, None, girls) for name in GROUPINGS if name != "sex"}
