from __future__ import annotations

import datetime as dt

import pytest

from exclusion_monitor.terms import (
    Season,
    Term,
    academic_year,
    academic_year_label,
    easter_sunday,
    last_terms,
    term_of,
    terms_between,
)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2019, dt.date(2019, 4, 21)),
        (2020, dt.date(2020, 4, 12)),
        (2021, dt.date(2021, 4, 4)),
        (2022, dt.date(2022, 4, 17)),
        (2023, dt.date(2023, 4, 9)),
        (2024, dt.date(2024, 3, 31)),
        (2025, dt.date(2025, 4, 20)),
        (2026, dt.date(2026, 4, 5)),
        (2008, dt.date(2008, 3, 23)),
        (2038, dt.date(2038, 4, 25)),
    ],
)
def test_easter_sunday(year: int, easter: dt.date) -> None:
    assert easter_sunday(year) == easter


def test_academic_year_starts_on_1_august() -> None:
    assert academic_year(dt.date(2023, 7, 31)) == 2022
    assert academic_year(dt.date(2023, 8, 1)) == 2023
    assert academic_year_label(2023) == "2023/24"
    assert academic_year_label(1999) == "1999/00"


def test_spring_ends_on_easter_sunday_and_summer_starts_easter_monday() -> None:
    assert term_of(dt.date(2024, 3, 31)) == Term(2023, Season.SPRING)
    assert term_of(dt.date(2024, 4, 1)) == Term(2023, Season.SUMMER)
    assert term_of(dt.date(2025, 4, 20)) == Term(2024, Season.SPRING)
    assert term_of(dt.date(2025, 4, 21)) == Term(2024, Season.SUMMER)


def test_term_boundaries_across_the_year() -> None:
    assert term_of(dt.date(2023, 8, 1)) == Term(2023, Season.AUTUMN)
    assert term_of(dt.date(2023, 12, 31)) == Term(2023, Season.AUTUMN)
    assert term_of(dt.date(2024, 1, 1)) == Term(2023, Season.SPRING)
    assert term_of(dt.date(2024, 7, 31)) == Term(2023, Season.SUMMER)


def test_29_february_is_in_spring() -> None:
    assert term_of(dt.date(2024, 2, 29)) == Term(2023, Season.SPRING)
    assert academic_year(dt.date(2024, 2, 29)) == 2023


def test_term_dates_and_labels() -> None:
    spring = Term(2023, Season.SPRING)
    assert (spring.start, spring.end) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    summer = spring + 1
    assert (summer.start, summer.end) == (dt.date(2024, 4, 1), dt.date(2024, 7, 31))
    assert summer.label == "Summer 2024"
    assert Term(2023, Season.AUTUMN).label == "Autumn 2023"


def test_term_arithmetic_crosses_years() -> None:
    autumn = Term(2023, Season.AUTUMN)
    assert autumn - 1 == Term(2022, Season.SUMMER)
    assert (autumn - 1) + 1 == autumn
    assert Term.from_index(autumn.index) == autumn


def test_last_three_terms_include_the_current_one() -> None:
    assert last_terms(dt.date(2024, 1, 10), 3) == [
        Term(2022, Season.SUMMER),
        Term(2023, Season.AUTUMN),
        Term(2023, Season.SPRING),
    ]


def test_every_day_is_in_exactly_one_term() -> None:
    day = dt.date(2019, 8, 1)
    while day < dt.date(2027, 8, 1):
        term = term_of(day)
        assert term.contains(day)
        assert not (term + 1).contains(day) and not (term - 1).contains(day)
        day += dt.timedelta(days=1)


def test_terms_between_is_inclusive() -> None:
    terms = list(terms_between(dt.date(2023, 9, 1), dt.date(2024, 5, 1)))
    assert [t.label for t in terms] == ["Autumn 2023", "Spring 2024", "Summer 2024"]
