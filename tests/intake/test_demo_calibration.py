"""A mid-sized demo authority's published-style rates come within 25% of the national figures
(docs/domain.md#the-demos-calibration); permanent exclusions, rare in primary, are checked on
the model's expected count as well as on the realised one."""

from __future__ import annotations

import pytest

from imports.demo import NATIONAL, PublishedRates, generate_authority, published_rates

TOLERANCE = 0.25


@pytest.fixture(scope="module")
def rates() -> PublishedRates:
    return published_rates(generate_authority(20_000, seed=2024))


def test_six_full_years_on_a_realistic_headcount(rates: PublishedRates) -> None:
    assert rates.years == (2019, 2020, 2021, 2022, 2023, 2024)
    per_year = sum(rates.headcount.values()) / len(rates.years)
    assert 18_000 < per_year < 22_000
    assert rates.headcount["primary"] > rates.headcount["secondary"] > rates.headcount["special"]


@pytest.mark.parametrize("figure", [name for name in NATIONAL if "permanent" not in name])
def test_suspension_figures_within_a_quarter_of_national(
    rates: PublishedRates, figure: str
) -> None:
    ours, national = rates.figures[figure], NATIONAL[figure]
    assert abs(ours / national - 1) <= TOLERANCE, f"{figure}: {ours:.3f} against {national}"


@pytest.mark.parametrize("phase", ["primary", "secondary"])
def test_expected_permanent_exclusions_within_a_quarter_of_national(
    rates: PublishedRates, phase: str
) -> None:
    ours = rates.figures[f"expected_permanent_per_100.{phase}"]
    national = NATIONAL[f"permanent_per_100.{phase}"]
    assert abs(ours / national - 1) <= TOLERANCE, f"{phase}: {ours:.3f} against {national}"


@pytest.mark.parametrize(
    ("figure", "tolerance"),
    [
        ("permanent_per_100.secondary", TOLERANCE),
        ("permanent_per_100.overall", TOLERANCE),
        ("permanent_per_100.primary", 0.5),  # about 20 exclusions in six years: noisy
    ],
)
def test_realised_permanent_exclusions_near_national(
    rates: PublishedRates, figure: str, tolerance: float
) -> None:
    ours, national = rates.figures[figure], NATIONAL[figure]
    assert abs(ours / national - 1) <= tolerance, f"{figure}: {ours:.3f} against {national}"


def test_year_9_has_most_suspensions_and_a_heavy_tail() -> None:
    authority = generate_authority(3_000, seed=3)
    by_year: dict[int, int] = {}
    per_pupil: dict[int, int] = {}
    for e in authority.exclusions:
        if e.category == "SUSP":
            by_year[e.nc_year] = by_year.get(e.nc_year, 0) + 1
            per_pupil[e.pid] = per_pupil.get(e.pid, 0) + 1
    assert max(by_year, key=by_year.__getitem__) in (8, 9, 10)
    assert by_year[7] > 2.5 * by_year[6]
    assert by_year[6] == max(by_year[y] for y in range(7))  # the primary peak
    counts = sorted(per_pupil.values())
    assert counts[-1] >= 10 and counts[len(counts) // 2] <= 3
