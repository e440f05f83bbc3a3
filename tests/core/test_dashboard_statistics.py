"""Dashboard figures on a small authority whose numbers are worked out by hand below."""

from __future__ import annotations

import datetime as dt

import pytest

from exclusion_monitor.reports import statistics as stats
from exclusion_monitor.reports.dashboard import build_dashboard
from exclusion_monitor.store import Database
from tests.core.small_authority import SPRING_CENSUS, build_small_authority


@pytest.fixture
def authority(db: Database) -> Database:
    return build_small_authority(db)


def test_headline_figures(authority: Database) -> None:
    board = build_dashboard(authority, as_of=dt.date(2024, 6, 30))
    assert board.academic_year == "2023/24"
    assert board.census_date == SPRING_CENSUS
    # Flagged as of the date itself (evaluated: the store holds no flags for 30 June 2024).
    assert (board.children, board.flagged_children, board.whole_family_cases) == (20, 3, 1)
    assert (board.suspensions, board.permanents, board.primary_exclusions) == (6, 1, 1)
    assert board.authority.pupils == 20
    assert board.authority.suspension_rate == pytest.approx(30.0)
    assert board.authority.permanent_rate == pytest.approx(5.0)


def test_school_rates_against_the_authority(authority: Database) -> None:
    board = build_dashboard(authority, as_of=dt.date(2024, 6, 30))
    oak, elm = board.schools
    assert (oak.label, oak.pupils, oak.suspensions, oak.pupils_suspended, oak.permanents) == (
        "Oak Academy",
        10,
        5,
        3,
        1,
    )
    assert oak.suspension_rate == pytest.approx(50.0)
    assert oak.relative_suspension_rate == pytest.approx(50 / 30)
    assert oak.relative_permanent_rate == pytest.approx(2.0)
    assert (elm.label, elm.suspensions, elm.permanents) == ("Elm Primary", 1, 0)
    assert elm.relative_suspension_rate == pytest.approx(1 / 3)


def test_reasons_count_every_reason_given(authority: Database) -> None:
    board = build_dashboard(authority, as_of=dt.date(2024, 6, 30))
    assert [(r.code, r.count) for r in board.reasons] == [
        ("DB", 3),
        ("PA", 2),
        ("VA", 2),
        ("PP", 1),
    ]
    assert board.reasons[0].label == "Persistent disruptive behaviour"
    assert board.reasons[0].share == pytest.approx(3 / 8)


def test_rates_by_sex_and_relative_rates(authority: Database) -> None:
    board = build_dashboard(authority, as_of=dt.date(2024, 6, 30))
    boys, girls = board.groups["sex"]
    assert (boys.label, boys.pupils, boys.suspensions, boys.permanents) == ("Boys", 11, 5, 1)
    assert boys.suspension_rate == pytest.approx(500 / 11)
    assert boys.relative_suspension_rate == pytest.approx((500 / 11) / 30)
    assert (girls.label, girls.pupils, girls.suspensions) == ("Girls", 9, 1)
    assert girls.is_suppressed and boys.is_suppressed is True  # 1 permanent exclusion among boys


def test_term_series_fills_empty_terms(authority: Database) -> None:
    board = build_dashboard(authority, as_of=dt.date(2024, 6, 30))
    assert [(c.term_label, c.suspensions, c.permanents) for c in board.terms] == [
        ("Spring 2023", 1, 0),
        ("Summer 2023", 0, 0),
        ("Autumn 2023", 2, 0),
        ("Spring 2024", 2, 1),
        ("Summer 2024", 2, 0),
    ]


def test_as_of_defaults_to_the_latest_date_in_the_data(authority: Database) -> None:
    assert build_dashboard(authority).as_of == dt.date(2024, 5, 13)


def test_as_of_cuts_the_year_short(authority: Database) -> None:
    board = build_dashboard(authority, as_of=dt.date(2024, 1, 31))
    assert (board.suspensions, board.permanents) == (3, 0)


def test_empty_database_gives_zeroes_not_errors(db: Database) -> None:
    board = build_dashboard(db, as_of=dt.date(2024, 6, 30))
    assert (board.children, board.suspensions, board.schools, board.terms) == (0, 0, [], [])
    assert board.authority.suspension_rate is None


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, None), (4, None), (5, 5), (120, 120)])
def test_counts_from_1_to_4_are_suppressed(count: int, shown: int | None) -> None:
    assert stats.suppress(count) == shown
    assert stats.shown(stats.suppress(count)) == ("c" if shown is None else f"{count:,}")
