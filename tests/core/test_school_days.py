"""School days and the spreading of a suspension's sessions over them; totals by term that follow
the sessions; the authority's own holidays; compulsory school age at its statutory boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.exclusion_terms import term_totals, year_totals
from exclusion_monitor.flagging import recompute_flags
from exclusion_monitor.history import (
    compulsory_school_age,
    compulsory_school_age_ends,
    compulsory_school_age_starts,
)
from exclusion_monitor.records import Category, Exclusion
from exclusion_monitor.school_days import (
    DEFAULT_CALENDAR,
    Holiday,
    SchoolCalendar,
    default_holidays,
    spread_sessions,
)
from exclusion_monitor.store import Database
from exclusion_monitor.store.calendar import (
    HOLIDAYS_SETTING,
    holidays_from_setting,
    holidays_setting,
    load_calendar,
)
from exclusion_monitor.store.settings import set_setting
from tests.core import example_authority as story

D = dt.date


def days(spread: list[tuple[dt.date, float]]) -> list[tuple[str, float]]:
    return [(f"{d:%d %b}", n) for d, n in spread]


def test_default_calendar_keeps_weekdays_outside_the_usual_holidays() -> None:
    assert DEFAULT_CALENDAR.is_school_day(D(2023, 12, 19))  # Tuesday before Christmas
    assert not DEFAULT_CALENDAR.is_school_day(D(2023, 12, 20))  # Christmas holiday
    assert not DEFAULT_CALENDAR.is_school_day(D(2024, 1, 4))
    assert DEFAULT_CALENDAR.is_school_day(D(2024, 1, 5))
    assert not DEFAULT_CALENDAR.is_school_day(D(2024, 1, 6))  # Saturday
    # Easter Sunday 2024 was 31 March: the holiday runs 23 March to 8 April.
    assert DEFAULT_CALENDAR.is_school_day(D(2024, 3, 22))
    assert not DEFAULT_CALENDAR.is_school_day(D(2024, 4, 8))
    assert DEFAULT_CALENDAR.is_school_day(D(2024, 4, 9))
    # The summer holiday of 2023/24 runs into August, the next academic year.
    assert DEFAULT_CALENDAR.is_school_day(D(2024, 7, 19))
    assert not DEFAULT_CALENDAR.is_school_day(D(2024, 8, 5))
    assert DEFAULT_CALENDAR.is_school_day(D(2024, 9, 3))
    labels = [h.label for h in default_holidays(2023)]
    assert labels == [
        "Autumn half term",
        "Christmas holiday",
        "February half term",
        "Easter holiday",
        "May half term",
        "Summer holiday",
    ]


def test_sessions_fill_two_a_day_over_school_days_from_the_start() -> None:
    # No end date: 10 sessions from Monday 18 December 2023 run over Christmas into January.
    assert days(spread_sessions(D(2023, 12, 18), 10)) == [
        ("18 Dec", 2), ("19 Dec", 2), ("05 Jan", 2), ("08 Jan", 2), ("09 Jan", 2),
    ]  # fmt: skip
    # An odd number: the last day is a morning.
    assert days(spread_sessions(D(2024, 2, 5), 3)) == [("05 Feb", 2), ("06 Feb", 1)]
    # A half-day start (the afternoon): one session on the first day.
    assert days(spread_sessions(D(2024, 2, 5), 3, starts_pm=True)) == [("05 Feb", 1), ("06 Feb", 2)]
    # A start date the calendar calls a holiday is still a day of the suspension.
    assert days(spread_sessions(D(2023, 10, 30), 4)) == [("30 Oct", 2), ("01 Nov", 2)]
    assert spread_sessions(D(2024, 2, 5), 0) == ()


def test_an_end_date_bounds_the_days_and_the_sessions_are_never_changed() -> None:
    # Dates and sessions agree.
    assert days(spread_sessions(D(2024, 2, 5), 6, end=D(2024, 2, 7))) == [
        ("05 Feb", 2), ("06 Feb", 2), ("07 Feb", 2),
    ]  # fmt: skip
    # Fewer sessions than days: the end date is read as the day of return.
    assert days(spread_sessions(D(2023, 12, 15), 4, end=D(2024, 1, 8))) == [
        ("15 Dec", 2), ("18 Dec", 2),
    ]  # fmt: skip
    # More sessions than the school days allow: weekdays the calendar calls holidays are used
    # (the school's holidays differ), then what is left is counted on the end date.
    assert days(spread_sessions(D(2023, 10, 23), 12, end=D(2023, 10, 27))) == [
        ("23 Oct", 2), ("24 Oct", 2), ("25 Oct", 2), ("26 Oct", 2), ("27 Oct", 4),
    ]  # fmt: skip
    assert days(spread_sessions(D(2023, 12, 15), 20, end=D(2023, 12, 19))) == [
        ("15 Dec", 2), ("18 Dec", 2), ("19 Dec", 16),
    ]  # fmt: skip
    # Ending at midday: one session on the end date.
    assert days(spread_sessions(D(2024, 2, 5), 3, end=D(2024, 2, 6), ends_am=True)) == [
        ("05 Feb", 2), ("06 Feb", 1),
    ]  # fmt: skip
    # A one-day suspension recorded with more sessions than a day has keeps them on the day.
    assert days(spread_sessions(D(2024, 2, 5), 4, end=D(2024, 2, 5))) == [("05 Feb", 4)]


def _susp(day: dt.date, sessions: float, **more: object) -> Exclusion:
    return Exclusion(1, 1, Category.SUSPENSION, day, sessions, ("DB",), **more)  # type: ignore[arg-type]


def test_term_and_year_totals_follow_the_sessions() -> None:
    exclusions = [
        _susp(D(2023, 12, 18), 10),
        Exclusion(1, 1, Category.LUNCHTIME, D(2024, 1, 10), 0.0),
        Exclusion(1, 1, Category.PERMANENT, D(2024, 3, 4), 0.0, review_outcome="Reinstated"),
        _susp(D(2024, 7, 18), 6),  # 18 and 19 July, then 3 September
    ]
    terms = {t.totals.label: t.totals for t in term_totals(exclusions)}
    autumn, spring = terms["Autumn 2023"], terms["Spring 2024"]
    assert (autumn.suspensions, autumn.sessions, autumn.sessions_carried) == (1, 4.0, 0.0)
    assert (spring.suspensions, spring.lunchtimes, spring.sessions) == (1, 1, 7.0)
    assert spring.sessions_carried == 6.0
    assert (spring.permanents, spring.reversed_permanents) == (0, 1)
    assert terms["Autumn 2024"].sessions == 2.0 and terms["Autumn 2024"].suspensions == 0
    years = {y.totals.label: y.totals for y in year_totals(exclusions)}
    assert years["2023/24"].sessions == 15.0 and years["2024/25"].sessions == 2.0


def test_an_authority_sets_its_own_holidays_for_a_year() -> None:
    own = [Holiday(D(2023, 12, 22), D(2024, 1, 8), "Christmas")]
    calendar = SchoolCalendar(own)
    assert calendar.is_set_by_authority(2023) and not calendar.is_set_by_authority(2024)
    assert calendar.is_school_day(D(2023, 12, 20)) and calendar.is_school_day(D(2023, 10, 25))
    assert not calendar.is_school_day(D(2024, 1, 8))
    assert calendar.holidays(2024) == default_holidays(2024)
    assert days(spread_sessions(D(2023, 12, 20), 6, calendar=calendar)) == [
        ("20 Dec", 2), ("21 Dec", 2), ("09 Jan", 2),
    ]  # fmt: skip


def test_the_holidays_setting_is_read_checked_and_written() -> None:
    value = holidays_setting([Holiday(D(2023, 12, 22), D(2024, 1, 8), "Christmas")])
    assert value == [{"first": "2023-12-22", "last": "2024-01-08", "label": "Christmas"}]
    assert holidays_from_setting(value) == [Holiday(D(2023, 12, 22), D(2024, 1, 8), "Christmas")]
    for bad, said in [
        ({"first": "2023-12-22"}, "is not a list"),
        ([{"first": "2023-12-22"}], "needs a first and a last day"),
        ([{"first": "2024-01-08", "last": "2023-12-22"}], "ends before it begins"),
        ([{"first": "2023-01-01", "last": "2023-12-31"}], "longer than 120 days"),
    ]:
        with pytest.raises(InvalidInputError, match=said):
            holidays_from_setting(bad)


def test_the_stored_calendar_moves_sessions_and_recomputes_the_flags(db: Database) -> None:
    story.build(db)
    with db.read() as conn:
        assert load_calendar(conn) == SchoolCalendar()
    before = recompute_flags(db)
    set_setting(db, HOLIDAYS_SETTING, [{"first": "2024-02-12", "last": "2024-03-29"}])
    with db.read() as conn:
        calendar = load_calendar(conn)
    assert not calendar.is_school_day(D(2024, 3, 1))
    after = recompute_flags(db)
    # Kai's 32 spring sessions are pushed past a long closure into the summer term.
    assert before.by_rule.get("statutory_limit") == 1 and "statutory_limit" not in after.by_rule
    set_setting(db, HOLIDAYS_SETTING, "damaged")  # never stops the flags: defaults apply
    with db.read() as conn:
        assert load_calendar(conn) == SchoolCalendar()


@pytest.mark.parametrize(
    ("born", "starts"),
    [
        # Fifth birthday on, before and after 31 December.
        (D(2018, 12, 30), D(2023, 12, 31)),
        (D(2018, 12, 31), D(2023, 12, 31)),
        (D(2019, 1, 1), D(2024, 3, 31)),
        # On, before and after 31 March.
        (D(2019, 3, 30), D(2024, 3, 31)),
        (D(2019, 3, 31), D(2024, 3, 31)),
        (D(2019, 4, 1), D(2024, 8, 31)),
        # On, before and after 31 August.
        (D(2019, 8, 30), D(2024, 8, 31)),
        (D(2019, 8, 31), D(2024, 8, 31)),
        (D(2019, 9, 1), D(2024, 12, 31)),
        (D(2015, 2, 28), D(2020, 3, 31)),
        (D(2016, 2, 29), D(2021, 3, 31)),
    ],
)
def test_compulsory_school_age_starts_on_the_prescribed_day(born: dt.date, starts: dt.date) -> None:
    assert compulsory_school_age_starts(born) == starts
    assert compulsory_school_age(born, starts)
    assert not compulsory_school_age(born, starts - dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("born", "last_day"),
    [
        # Turning 16 on 31 August 2024 (school year 2023/24): the last Friday of June 2024.
        (D(2008, 8, 31), D(2024, 6, 28)),
        (D(2008, 9, 1), D(2025, 6, 27)),  # a year younger in school terms
        (D(2008, 6, 28), D(2024, 6, 28)),  # turns 16 on the leaving date itself
        (D(2008, 7, 1), D(2024, 6, 28)),  # turns 16 after it, before September: that day
        (D(2008, 1, 15), D(2024, 6, 28)),
    ],
)
def test_compulsory_school_age_ends_on_the_last_friday_in_june(
    born: dt.date, last_day: dt.date
) -> None:
    assert compulsory_school_age_ends(born) == last_day
    assert last_day.weekday() == 4 and last_day.month == 6 and last_day.day > 23
    assert compulsory_school_age(born, last_day)
    assert not compulsory_school_age(born, last_day + dt.timedelta(days=1))
