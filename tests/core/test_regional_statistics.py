"""The statistics of school practice against worked examples: PHE's funnel limits for
proportions and rates, the relative rate index with Katz's interval, secondary suppression that
leaves no hidden count derivable, and the off-rolling signal's split."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from exclusion_monitor.reports import funnel
from exclusion_monitor.reports.disproportionality import group_rates, katz_interval
from exclusion_monitor.reports.practice import PracticeYear, movement, school_practice
from exclusion_monitor.reports.suppression import suppress_cells
from exclusion_monitor.store.statistics import ExclusionFact, PupilFact, SchoolFact

# Source: Public Health England / UKHSA, PHEindicatormethods (R package), test data
# tests/testthat/testdata_funnel_prop_outputs.csv: proportion funnel limits (per cent) around a
# baseline average of 80.642448% for the populations listed.
PHE_PROPORTION_ROWS = [
    # population, lower 95%, upper 95%, lower 99.8%, upper 99.8%
    (3, 35.933491, 100.0, 10.150815, 100.0),
    (24, 64.835445, 96.449451, 55.719892, 100.0),
    (539, 77.306949, 83.977947, 75.38344, 85.901456),
    (12316, 79.944665, 81.340231, 79.542269, 81.742627),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]
# Source: the same package, tests/testthat/testdata_funnel_rate_outputs_2.csv (crude rate per
# 100,000, baseline 114.8591735): for each number of events, the rate on each limit line.
PHE_RATE_ROWS = [
    # events, lower 95%, upper 95%, lower 99.8%, upper 99.8%
    (1, 20.61494982, 4536.678859, 12.4395182, 114796.3768),
    (2, 31.79630214, 948.4284419, 20.45783597, 5059.653722),
    (11, 64.19308938, 230.088163, 49.37419062, 361.8664943),
    (30, 80.45825241, 170.2384565, 67.45427696, 217.1364875),
]


@pytest.mark.parametrize("row", PHE_PROPORTION_ROWS)
def test_proportion_limits_agree_with_phe_to_four_places(row: tuple[float, ...]) -> None:
    n, lo95, hi95, lo998, hi998 = row
    average = 0.80642448
    found = [
        100 * funnel.proportion_limit(funnel.P_95, n, average, "low"),
        100 * funnel.proportion_limit(funnel.P_95, n, average, "high"),
        100 * funnel.proportion_limit(funnel.P_998, n, average, "low"),
        100 * funnel.proportion_limit(funnel.P_998, n, average, "high"),
    ]
    assert [round(x, 4) for x in found] == [round(x, 4) for x in (lo95, hi95, lo998, hi998)]


def test_proportion_limit_worked_by_hand() -> None:
    """n = 100 pupils, average 10%, 95% limits (z = qnorm(0.975) = 1.959964, z^2 = 3.841459):
    first = 0.1 * (100 / 3.841459 + 1) = 2.703178
    inner = (-8 * 2.703178)^2 - 64 * (1 / 3.841459 + 1 / 100) * 0.1
            * (100 * (0.1 * (100 / 3.841459 + 2) - 1) + 3.841459 * (0.1 - 1)) = 161.684304
    last = 1 / 3.841459 + 1 / 100 = 0.270318
    upper = (first + sqrt(inner) / 8) / last / 100 = (2.703178 + 1.589439) / 0.270318 / 100
          = 0.158799;  lower = (2.703178 - 1.589439) / 0.270318 / 100 = 0.041201.
    Check: the Wilson score interval around 15.8799 of 100 has its lower end at 0.1 exactly."""
    assert round(funnel.proportion_limit(funnel.P_95, 100, 0.1, "high"), 4) == 0.1588
    assert round(funnel.proportion_limit(funnel.P_95, 100, 0.1, "low"), 4) == 0.0412
    z = funnel._z(funnel.P_95)
    x = 100 * funnel.proportion_limit(funnel.P_95, 100, 0.1, "high")
    wilson_lower = (
        (2 * x + z * z - z * math.sqrt(z * z + 4 * x * (1 - x / 100))) / 2 / (100 + z * z)
    )
    assert wilson_lower == pytest.approx(0.1, abs=1e-12)


@pytest.mark.parametrize("row", PHE_RATE_ROWS)
def test_rate_limit_lines_agree_with_phe_to_four_places(row: tuple[float, ...]) -> None:
    events, lo95, hi95, lo998, hi998 = row
    average = 114.8591735 / 100_000
    found = [
        events * 100_000 / (funnel.poisson_funnel_mean(int(events), p, side) / average)
        for p, side in (
            (funnel.P_95, "high"), (funnel.P_95, "low"), (funnel.P_998, "high"),
            (funnel.P_998, "low"),
        )
    ]  # fmt: skip
    assert [round(x, 4) for x in found] == [round(x, 4) for x in (lo95, hi95, lo998, hi998)]


def test_exact_poisson_interval_worked_by_hand() -> None:
    """One event: the 95% interval is [-ln(0.975), qchisq(0.975, 4) / 2] = [0.025318, 5.571643]
    (P(X >= 1 | 0.025318) = 1 - e^-0.025318 = 0.025; P(X <= 1 | 5.571643) = 0.025)."""
    assert round(funnel.poisson_lower(1, 0.975), 6) == round(-math.log(0.975), 6)
    assert round(funnel.poisson_upper(1, 0.975), 4) == 5.5716
    # From 10 events Byar's method: 10 * (1 - 1/90 - 1.959964 / (3 * sqrt(10)))^3
    # = 10 * 0.782295^3 = 4.7874
    assert round(funnel.poisson_lower(10, 0.975), 4) == 4.7874


def test_schools_are_placed_on_their_phase_funnel() -> None:
    schools = {i: SchoolFact(i, f"33040{i:02d}", f"School {i}", "secondary") for i in range(1, 8)}
    schools[9] = SchoolFact(9, "3301101", "The PRU", "pru_ap")
    pupils = [PupilFact(1000 * s + k, s, "9", "M", None, None, None, None)
              for s in range(1, 8) for k in range(200)]  # fmt: skip
    pupils += [PupilFact(9000 + k, 9, "9", "M", None, None, None, None) for k in range(30)]
    exclusions = []
    for s in range(1, 8):
        count = 80 if s == 1 else (1 if s == 2 else 20)
        for k in range(count):
            exclusions.append(
                ExclusionFact(1000 * s + k % 200, s, "SUSP", dt.date(2024, 2, 1), 2.0, ())
            )
    exclusions += [ExclusionFact(9000 + k, 9, "SUSP", dt.date(2024, 2, 1), 2.0, ())
                   for k in range(25)]  # fmt: skip
    year = PracticeYear("2023/24", dt.date(2024, 1, 18), dt.date(2024, 7, 31), pupils, schools,
                        exclusions)  # fmt: skip
    rows = {r.laestab: r for r in school_practice(year)}
    assert rows["3304001"].positions["suspension"].position == "above 99.8%"
    assert rows["3304002"].positions["suspension"].position == "below 99.8%"
    assert rows["3304003"].positions["suspension"].position == "within"
    # The PRU is compared with alternative provision only (where it is the average).
    assert rows["3301101"].group == "alternative provision"
    assert rows["3301101"].positions["suspension"].position == "within"
    # School 2's single suspension is hidden, and so is one more count of the column, so the
    # secondary total cannot give it away.
    assert "suspension" in rows["3304002"].hidden
    assert sum("suspension" in r.hidden for r in rows.values() if r.group == "secondary") == 2


def test_relative_rate_index_and_katz_interval_worked_by_hand() -> None:
    """Katz's log method (Biometrics 1978; the formula in docs/regional.md): a = 30 of
    n1 = 100 against c = 15 of n2 = 150: RRI = 0.30 / 0.10 = 3.0;
    se = sqrt(1/30 - 1/100 + 1/15 - 1/150) = sqrt(0.083333) = 0.288675;
    95% interval exp(ln 3 -/+ 1.959964 * 0.288675) = exp(1.098612 -/+ 0.565792)
    = (1.7037, 5.2825)."""
    found = katz_interval(30, 100, 15, 150)
    assert round(found.index or 0, 4) == 3.0
    assert (round(found.lower or 0, 4), round(found.upper or 0, 4)) == (1.7037, 5.2825)
    assert found.significant
    # Suspensions (events): se = sqrt(1/120 + 1/200) = 0.115470; RRI = 0.12 / 0.05 = 2.4;
    # interval exp(ln 2.4 -/+ 1.959964 * 0.115470) = (1.9139, 3.0095).
    events = katz_interval(120, 1000, 200, 4000, events=True)
    assert (round(events.lower or 0, 4), round(events.upper or 0, 4)) == (1.9139, 3.0095)
    assert katz_interval(0, 100, 5, 100).lower is None
    assert not katz_interval(5, 100, 5, 100).significant


def test_reference_group_defaults_to_the_largest_and_can_be_chosen() -> None:
    pupils = [PupilFact(i, 1, "9", "M" if i < 60 else "F", i % 3 == 0, "N", "WBRI", False)
              for i in range(100)]  # fmt: skip
    exclusions = [
        ExclusionFact(i, 1, "SUSP", dt.date(2024, 2, 1), 2.0, ()) for i in range(0, 60, 3)
    ]
    exclusions += [ExclusionFact(60, 1, "SUSP", dt.date(2024, 2, 1), 2.0, ())]
    schools = {1: SchoolFact(1, "3304001", "One", "secondary")}
    year = PracticeYear("2023/24", None, dt.date(2024, 7, 31), pupils, schools, exclusions)
    rows = {r.group: r for r in group_rates(year, "sex")}
    assert rows["Boys"].reference and not rows["Girls"].reference
    assert rows["Girls"].indexes["one_plus"].index == pytest.approx((1 / 40) / (20 / 60))
    chosen = {r.group: r for r in group_rates(year, "sex", "Girls")}
    assert chosen["Girls"].reference
    assert chosen["Boys"].indexes["one_plus"].index == pytest.approx((20 / 60) / (1 / 40))


def _derivable(
    cells: dict[tuple[int, int], int],
    hidden: set[tuple[int, int]],
    lines: list[list[tuple[int, int]]],
    hidden_totals: set[int],
) -> bool:
    """Whether some hidden cell follows from what is published: its value is a linear
    combination of the published totals less the shown cells (its unit vector lies in the row
    space of the published lines over the hidden cells), or a line's hidden cells sum to 0."""
    import numpy as np

    keys = sorted(hidden)
    rows = [
        [1.0 if k in line else 0.0 for k in keys]
        for i, line in enumerate(lines)
        if i not in hidden_totals and any(k in hidden for k in line)
    ]
    for i, line in enumerate(lines):
        inside = [k for k in line if k in hidden]
        if i not in hidden_totals and inside and sum(cells[k] for k in inside) == 0:
            return True
    if not rows:
        return False
    matrix = np.array(rows)
    rank = np.linalg.matrix_rank(matrix)
    for j in range(len(keys)):
        unit = np.zeros(len(keys))
        unit[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            return True
    return False


@pytest.mark.parametrize(
    "grid",
    [
        [[3, 40, 12], [25, 30, 9], [18, 22, 31]],
        [[0, 2, 50], [0, 7, 60], [1, 0, 8]],
        [[4, 4, 10], [12, 3, 0], [9, 9, 9]],
    ],
)
def test_no_suppressed_cell_can_be_worked_out(grid: list[list[int]]) -> None:
    cells = {(r, c): v for r, row in enumerate(grid) for c, v in enumerate(row)}
    lines = [[(r, c) for c in range(3)] for r in range(3)] + [
        [(r, c) for r in range(3)] for c in range(3)
    ]
    hidden, hidden_totals = suppress_cells(cells, lines)
    assert {k for k, v in cells.items() if 0 < v < 5} <= hidden
    for i, line in enumerate(lines):
        if i not in hidden_totals:
            assert sum(k in hidden for k in line) != 1
    assert not _derivable(cells, hidden, lines, hidden_totals)


def test_movement_splits_the_losses_by_where_pupils_went() -> None:
    schools = {
        1: SchoolFact(1, "3304001", "Losing School", "secondary"),
        2: SchoolFact(2, "3334002", "Next Door School", "secondary"),
        3: SchoolFact(3, "3311101", "The PRU", "pru_ap"),
        4: SchoolFact(4, "3304004", "Converted Academy", "secondary"),
        5: SchoolFact(5, "3304005", "Steady School", "secondary"),
    }
    year_10 = [PupilFact(i, 1, "10", "M", None, None, None, None) for i in range(60)]
    year_10 += [PupilFact(100 + i, 5, "10", "F", None, None, None, None) for i in range(60)]
    following = [PupilFact(i, 1, "11", "M", None, None, None, None) for i in range(40)]
    following += [PupilFact(i, 2, "11", "M", None, None, None, None) for i in range(40, 46)]
    following += [PupilFact(i, 3, "11", "M", None, None, None, None) for i in range(46, 53)]
    following += [PupilFact(100 + i, 4, "11", "F", None, None, None, None) for i in range(59)]
    rows = {m.laestab: m for m in movement(year_10, following, schools, {(5, 4), (4, 5)})}
    losing = rows["3304001"]
    assert (losing.lost, losing.to_state_school, losing.to_alternative_provision,
            losing.not_found) == (20, 6, 7, 7)  # fmt: skip
    assert losing.stands_out and losing.position.position.startswith("above")
    steady = rows["3304005"]  # converted to an academy: not a loss; one pupil not found
    assert (steady.lost, steady.not_found, steady.stands_out) == (1, 1, False)
    assert "lost" in steady.hidden
