"""Dashboard figures on a small authority whose numbers are worked out by hand below."""

from __future__ import annotations

import datetime as dt

import pytest

from exclusion_monitor.reports import statistics as stats
from exclusion_monitor.reports.dashboard import build_dashboard
from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from exclusion_monitor.upn import check_letter

SPRING_CENSUS = dt.date(2024, 1, 18)
NOW = dt.datetime(2024, 6, 1)


def _upn(n: int) -> str:
    body = f"3304001240{n:02d}"[:12]
    return check_letter(body) + body


def _child(conn: object, n: int, sex: str, school: int, year: str, fsm: bool) -> int:
    child_id = conn.execute(  # type: ignore[attr-defined]
        t.children.insert().values(
            surname=f"Pupil{n}",
            forename="Test",
            sex=sex,
            date_of_birth=dt.date(2012, 1, 1),
            created_at=NOW,
        )
    ).inserted_primary_key[0]
    conn.execute(
        t.child_identifiers.insert().values(child_id=child_id, upn=_upn(n), kind="current")
    )  # type: ignore[attr-defined]
    conn.execute(  # type: ignore[attr-defined]
        t.census_observations.insert().values(
            child_id=child_id,
            school_id=school,
            census_date=SPRING_CENSUS,
            nc_year=year,
            enrol_status="C",
            fsm=fsm,
            sen="N",
            ethnicity="WBRI",
        )
    )
    return int(child_id)


def _exclusion(
    conn: object, child: int, school: int, category: str, day: dt.date, *reasons: str
) -> None:
    values = {f"reason{i + 1}": r for i, r in enumerate(reasons)}
    conn.execute(  # type: ignore[attr-defined]
        t.exclusions.insert().values(
            child_id=child,
            school_id=school,
            category=category,
            start_date=day,
            sessions=2.0,
            **values,
        )
    )


@pytest.fixture
def authority(db: Database) -> Database:
    """20 pupils on the spring 2024 census: 10 at a primary (5 boys), 10 at a secondary (6 boys).

    2023/24: s0 3 suspensions, s1 1 suspension + 1 permanent, s2 1 suspension (a girl), p0 1
    suspension (Year 5). 2022/23: one more suspension, outside the year.
    """
    with db.write() as conn:
        primary = conn.execute(
            t.schools.insert().values(laestab="3301001", name="Elm Primary", phase="primary")
        ).inserted_primary_key[0]
        secondary = conn.execute(
            t.schools.insert().values(laestab="3304001", name="Oak Academy", phase="secondary")
        ).inserted_primary_key[0]
        p = [_child(conn, i, "M" if i < 5 else "F", primary, "5", i % 2 == 0) for i in range(10)]
        s = [_child(conn, 10 + i, "M" if i < 6 else "F", secondary, "9", i < 3) for i in range(10)]
        s2 = s[6]  # a girl
        _exclusion(conn, s[0], secondary, "SUSP", dt.date(2023, 10, 2), "DB")
        _exclusion(conn, s[0], secondary, "SUSP", dt.date(2023, 11, 6), "DB", "VA")
        _exclusion(conn, s[0], secondary, "SUSP", dt.date(2024, 2, 5), "PP")
        _exclusion(conn, s[1], secondary, "SUSP", dt.date(2024, 1, 9), "VA")
        _exclusion(conn, s[1], secondary, "PERM", dt.date(2024, 3, 4), "PA")
        _exclusion(conn, s2, secondary, "SUSP", dt.date(2024, 5, 13), "DB")
        _exclusion(conn, p[0], primary, "SUSP", dt.date(2024, 4, 15), "PA")
        _exclusion(conn, s[0], secondary, "SUSP", dt.date(2023, 3, 1), "DB")
        # s0 is flagged and has a brother at the primary: one whole-family case.
        flag_values = dict(
            rule_version=1,
            as_of=dt.date(2024, 5, 13),
            reason="r",
            first_raised=dt.date(2024, 2, 5),
            last_seen=dt.date(2024, 5, 13),
        )
        conn.execute(
            t.flags.insert().values(child_id=s[0], rule="repeated_suspensions", **flag_values)
        )
        conn.execute(
            t.flags.insert().values(
                child_id=p[0],
                rule="primary_exclusion",
                cleared_on=dt.date(2024, 5, 1),
                **flag_values,
            )
        )
        family = conn.execute(
            t.families.insert().values(family_key="ref:F1", basis="reference", created_at=NOW)
        ).inserted_primary_key[0]
        conn.execute(
            t.family_members.insert(),
            [{"family_id": family, "child_id": s[0]}, {"family_id": family, "child_id": p[1]}],
        )
    return db


def test_headline_figures(authority: Database) -> None:
    board = build_dashboard(authority, as_of=dt.date(2024, 6, 30))
    assert board.academic_year == "2023/24"
    assert board.census_date == SPRING_CENSUS
    assert (board.children, board.flagged_children, board.whole_family_cases) == (20, 1, 1)
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
