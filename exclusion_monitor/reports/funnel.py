"""Funnel plot control limits as Public Health England's published method computes them
(docs/regional.md, "Funnel plots"), for comparing schools of different sizes.

Proportions (pupils with one or more suspensions, permanent exclusions, pupils lost from Year 10):
the limits are the proportions at which a Wilson score interval around the observed value just
touches the average (PHE's `sigma_adjustment`). Rates (suspensions per 100 pupils, which can
exceed 100): a school's exact Poisson interval (chi-squared below 10 events, Byar's method from
10) is compared with the average, and the limit lines are drawn through the populations at which
each whole number of events has its interval end on the average (PHE's `poisson_funnel`).
95% limits are z = qnorm(0.975) ("2 sigma"), 99.8% limits qnorm(0.999) ("3 sigma").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

P_95 = 0.975
P_998 = 0.999
WITHIN = "within"


def _z(p: float) -> float:
    return NormalDist().inv_cdf(p)


def proportion_limit(p: float, population: float, average: float, side: str) -> float:
    """The proportion (0 to 1) on the `side` ("low" or "high") limit line at a population, for
    probability `p` (0.975 for the 95% limits, 0.999 for 99.8%)."""
    z2 = _z(p) ** 2
    n = population
    first = average * (n / z2 + 1)
    adj = math.sqrt(
        (-8 * average * (n / z2 + 1)) ** 2
        - 64 * (1 / z2 + 1 / n) * average * (n * (average * (n / z2 + 2) - 1) + z2 * (average - 1))
    )
    last = 1 / z2 + 1 / n
    value = (first - adj / 8) / last if side == "low" else (first + adj / 8) / last
    return min(1.0, max(0.0, value / n))


def _poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean)."""
    if mean <= 0:
        return 1.0
    term = math.exp(-mean)
    total = term
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return min(1.0, total)


def _solve(target: float, fn: Callable[[float], float], low: float, high: float) -> float:
    for _ in range(200):
        mid = (low + high) / 2
        if fn(mid) > target:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def poisson_lower(observed: int, p: float) -> float:
    """The lower end of the exact two-sided Poisson interval of confidence 2p - 1 for an
    observed count: qchisq(1 - p, 2x) / 2 below 10 events, Byar's approximation from 10."""
    if observed == 0:
        return 0.0
    if observed < 10:
        # P(X >= x | m) = 1 - p, i.e. P(X <= x - 1 | m) = p: decreasing in m.
        return _solve(p, lambda m: _poisson_cdf(observed - 1, m), 0.0, 10.0 * observed + 50)
    z = _z(p)
    x = observed
    return x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3


def poisson_upper(observed: int, p: float) -> float:
    """The upper end of the exact two-sided Poisson interval: qchisq(p, 2x + 2) / 2 below 10
    events, Byar's approximation from 10."""
    if observed < 10:
        # P(X <= x | m) = 1 - p: decreasing in m.
        return _solve(1 - p, lambda m: _poisson_cdf(observed, m), 0.0, 10.0 * observed + 50)
    z = _z(p)
    x = observed + 1
    return x * (1 - 1 / (9 * x) + z / (3 * math.sqrt(x))) ** 3


def poisson_funnel_mean(observed: int, p: float, side: str) -> float:
    """PHE's `poisson_funnel`: the Poisson mean m whose tail from `observed` is 1 - p: for side
    "high", P(X <= observed | m) = 1 - p (where a lower limit line passes); for "low",
    P(X >= observed | m) = 1 - p. Found as PHE finds it, by halving a step in
    v = m / (m + 1 + observed) down to 1e-7, so the lines agree with theirs to the digit."""
    tail = 1 - p
    v, dv = 0.5, 0.5
    while dv > 1e-7:
        dv /= 2
        m = (1 + observed) * v / (1 - v)
        if side == "low":
            above = 1 - _poisson_cdf(observed - 1, m) if observed > 0 else 1.0
            v = v - dv if above > tail else v + dv
        else:
            v = v - dv if _poisson_cdf(observed, m) < tail else v + dv
    return (1 + observed) * v / (1 - v)


@dataclass(frozen=True, slots=True)
class FunnelPosition:
    """Where one school sits: its value, the four limits at its size, and the words."""

    value: float | None
    lower_998: float | None
    lower_95: float | None
    upper_95: float | None
    upper_998: float | None
    position: str  # within | above 95% | above 99.8% | below 95% | below 99.8% | not assessed


def _words(value: float, lo3: float, lo2: float, hi2: float, hi3: float) -> str:
    if value > hi3:
        return "above 99.8%"
    if value > hi2:
        return "above 95%"
    if value < lo3:
        return "below 99.8%"
    if value < lo2:
        return "below 95%"
    return WITHIN


def proportion_position(
    numerator: int, denominator: int, average: float, multiplier: float = 100.0
) -> FunnelPosition:
    """A school's proportion (times `multiplier`) against the funnel around `average` (0 to 1)."""
    if denominator <= 0 or numerator > denominator or not 0 < average < 1:
        value = None if denominator <= 0 else multiplier * numerator / denominator
        return FunnelPosition(value, None, None, None, None, "not assessed")
    value = numerator / denominator
    limits = [
        proportion_limit(P_998, denominator, average, "low"),
        proportion_limit(P_95, denominator, average, "low"),
        proportion_limit(P_95, denominator, average, "high"),
        proportion_limit(P_998, denominator, average, "high"),
    ]
    lo3, lo2, hi2, hi3 = (multiplier * x for x in limits)
    return FunnelPosition(multiplier * value, lo3, lo2, hi2, hi3, _words(value, *limits))


def rate_position(
    events: int, denominator: int, average: float, multiplier: float = 100.0
) -> FunnelPosition:
    """A school's rate of events per `multiplier` pupils against the funnel around `average`
    (events per pupil): high when the lower end of the school's interval is above the average,
    low when the upper end is below it (PHE's `funnel_ratio_significance`). The limits given are
    the rates at this size that would just reach each line."""
    if denominator <= 0 or average <= 0:
        value = None if denominator <= 0 else multiplier * events / denominator
        return FunnelPosition(value, None, None, None, None, "not assessed")
    value = events / denominator
    expected = average * denominator
    if poisson_lower(events, 0.5 + 0.998 / 2) / denominator > average:
        words = "above 99.8%"
    elif poisson_lower(events, 0.5 + 0.95 / 2) / denominator > average:
        words = "above 95%"
    elif poisson_upper(events, 0.5 + 0.998 / 2) / denominator < average:
        words = "below 99.8%"
    elif poisson_upper(events, 0.5 + 0.95 / 2) / denominator < average:
        words = "below 95%"
    else:
        words = WITHIN
    limits = [
        _rate_limit(expected, P_998, "low"),
        _rate_limit(expected, P_95, "low"),
        _rate_limit(expected, P_95, "high"),
        _rate_limit(expected, P_998, "high"),
    ]
    lo3, lo2, hi2, hi3 = (multiplier * x / denominator for x in limits)
    return FunnelPosition(multiplier * value, lo3, lo2, hi2, hi3, words)


def _rate_limit(expected: float, p: float, side: str) -> float:
    """The count at which a school of this expected count would just reach a limit line: the
    smallest count whose interval lies wholly above the average (high), or the largest wholly
    below it (low), read from the exact interval."""
    if side == "high":
        x = max(0, int(expected))
        while poisson_lower(x, p) <= expected:
            x += 1
        return float(x)
    x = int(expected) + 1
    while x > 0 and poisson_upper(x, p) >= expected:
        x -= 1
    return float(x) if poisson_upper(x, p) < expected else -1.0


def proportion_lines(
    average: float, largest: int, points: int = 100, multiplier: float = 100.0
) -> list[tuple[int, float, float, float, float]]:
    """Points of the four limit lines (population, lower 99.8, lower 95, upper 95, upper 99.8)
    from 1 to a little past the largest population, spaced closer for small populations."""
    top = max(2, int(largest * 1.05) + 1)
    sizes = sorted({max(1, round(top ** (i / (points - 1)))) for i in range(points)})
    return [
        (
            n,
            multiplier * proportion_limit(P_998, n, average, "low"),
            multiplier * proportion_limit(P_95, n, average, "low"),
            multiplier * proportion_limit(P_95, n, average, "high"),
            multiplier * proportion_limit(P_998, n, average, "high"),
        )
        for n in sizes
    ]


def rate_lines(
    average: float, largest: int, multiplier: float = 100.0
) -> dict[str, list[tuple[float, float]]]:
    """The rate limit lines as PHE draws them: for each whole number of events E, the population
    at which E's interval ends on the average, and the rate E per that population."""
    lines: dict[str, list[tuple[float, float]]] = {}
    top_events = max(5, int(average * largest * 1.5) + 10)
    for name, p, side in (
        ("lower_998", P_998, "high"),
        ("lower_95", P_95, "high"),
        ("upper_95", P_95, "low"),
        ("upper_998", P_998, "low"),
    ):
        found = []
        for events in range(1, top_events):
            population = poisson_funnel_mean(events, p, side) / average
            if population > 0:
                found.append((population, multiplier * events / population))
        lines[name] = found
    return lines
