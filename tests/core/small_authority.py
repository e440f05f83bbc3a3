"""A small authority for report tests: every figure in it is worked out by hand in the tests."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from exclusion_monitor.upn import check_letter

SPRING_CENSUS = dt.date(2024, 1, 18)
NOW = dt.datetime(2024, 6, 1)


def _upn(n: int) -> str:
    body = f"3304001240{n:02d}"[:12]
    return check_letter(body) + body


def _child(conn: sa.Connection, n: int, sex: str, school: int, year: str, fsm: bool) -> int:
    child_id = conn.execute(
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
    )
    conn.execute(
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
    conn: sa.Connection, child: int, school: int, category: str, day: dt.date, *reasons: str
) -> None:
    values = {f"reason{i + 1}": r for i, r in enumerate(reasons)}
    conn.execute(
        t.exclusions.insert().values(
            child_id=child,
            school_id=school,
            category=category,
            start_date=day,
            sessions=2.0,
            **values,
        )
    )


def build_small_authority(db: Database) -> Database:
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
