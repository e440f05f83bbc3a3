"""Published-style rates of a generated authority, set against the national figures of
docs/domain.md#the-demos-calibration (England 2023/24): per 100 pupils on the spring census,
by phase."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from exclusion_monitor.terms import Season, Term, academic_year
from imports.demo.generator import DemoAuthority, census_rows
from imports.demo.school_calendar import census_date

# Figure name -> national value. "overall" covers primary, secondary and special schools.
NATIONAL: Mapping[str, float] = {
    "suspensions_per_100.primary": 2.3,
    "suspensions_per_100.secondary": 22.0,
    "suspensions_per_100.special": 14.0,
    "suspensions_per_100.overall": 11.3,
    "permanent_per_100.primary": 0.03,
    "permanent_per_100.secondary": 0.25,
    "permanent_per_100.overall": 0.13,
    "percent_suspended.overall": 4.0,
    "suspensions_per_suspended_pupil.overall": 2.8,
    "reason_percent.DB": 50.0,
    "reason_percent.VA": 16.0,
    "reason_percent.PP": 13.0,
    "reason_percent.PA": 6.0,
    "reason_percent.VP": 4.0,
}
_OVERALL = ("primary", "secondary", "special")


@dataclass(frozen=True, slots=True)
class PublishedRates:
    """Rates pooled over full academic years: `figures` uses the keys of `NATIONAL`."""

    years: tuple[int, ...]
    headcount: Mapping[str, int]
    figures: Mapping[str, float]

    def against_national(self) -> list[tuple[str, float, float, float]]:
        """(figure, ours, national, ours / national) for every national figure."""
        return [
            (name, self.figures[name], value, self.figures[name] / value)
            for name, value in NATIONAL.items()
        ]


def full_years(authority: DemoAuthority) -> tuple[int, ...]:
    """Academic years whose three terms of exclusions all reach a census return."""
    return tuple(range(authority.first_year, authority.last_year))


def published_rates(authority: DemoAuthority, years: Iterable[int] | None = None) -> PublishedRates:
    """Suspensions and permanent exclusions per 100 (spring census headcount) by phase, the
    percentage of pupils suspended, suspensions per suspended pupil and shares of reasons."""
    chosen = tuple(years) if years is not None else full_years(authority)
    rows = census_rows(authority)
    phase_of = {school.laestab: school.phase for school in authority.schools}
    headcount: Counter[str] = Counter()
    for year in chosen:
        for row in rows[census_date(Term(year, Season.SPRING))]:
            headcount[row.school.phase] += 1
    suspensions: Counter[str] = Counter()
    permanent: Counter[str] = Counter()
    suspended: Counter[tuple[int, int]] = Counter()
    reasons: Counter[str] = Counter()
    wanted = set(chosen)
    for exclusion in authority.exclusions:
        year = academic_year(exclusion.start_date)
        if year not in wanted:
            continue
        phase = phase_of[exclusion.laestab]
        if exclusion.category == "SUSP":
            suspensions[phase] += 1
            reasons.update(exclusion.reasons)
            if phase in _OVERALL:
                suspended[(exclusion.pid, year)] += 1
        elif exclusion.category == "PERM":
            permanent[phase] += 1
    figures: dict[str, float] = {}
    for phase in (*_OVERALL, "pru_ap"):
        pupils = max(headcount[phase], 1)
        figures[f"suspensions_per_100.{phase}"] = 100 * suspensions[phase] / pupils
        figures[f"permanent_per_100.{phase}"] = 100 * permanent[phase] / pupils
    pupils = max(sum(headcount[p] for p in _OVERALL), 1)
    figures["suspensions_per_100.overall"] = 100 * sum(suspensions[p] for p in _OVERALL) / pupils
    figures["permanent_per_100.overall"] = 100 * sum(permanent[p] for p in _OVERALL) / pupils
    figures["percent_suspended.overall"] = 100 * len(suspended) / pupils
    figures["suspensions_per_suspended_pupil.overall"] = sum(suspended.values()) / max(
        len(suspended), 1
    )
    expected: dict[str, float] = {"primary": 0.0, "secondary": 0.0}
    for (phase, year), value in authority.expected_permanent:
        if year in wanted:
            expected[phase] = expected.get(phase, 0.0) + value
    for phase in ("primary", "secondary"):
        figures[f"expected_permanent_per_100.{phase}"] = (
            100 * expected[phase] / max(headcount[phase], 1)
        )
    total_reasons = max(sum(reasons.values()), 1)
    for code in sorted(reasons):
        figures[f"reason_percent.{code}"] = 100 * reasons[code] / total_reasons
    for name in NATIONAL:
        figures.setdefault(name, 0.0)
    return PublishedRates(chosen, dict(headcount), figures)
