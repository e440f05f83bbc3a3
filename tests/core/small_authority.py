"""A small authority for report tests: every figure in it is worked out by hand in the tests."""

from __future__ import annotations

import datetime as dt

from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from exclusion_monitor.upn import check_letter
from tests.core.builders import Builder

SPRING_CENSUS = dt.date(2024, 1, 18)
NOW = dt.datetime(2024, 6, 1)


def _upn(n: int) -> str:
    body = f"3304001240{n:02d}"[:12]
    return check_letter(body) + body


def build_small_authority(db: Database) -> Database:
    """20 pupils on the spring 2024 census: 10 at a primary (5 boys), 10 at a secondary (6 boys).

    2023/24: s0 3 suspensions, s1 1 suspension + 1 permanent, s2 1 suspension (a girl), p0 1
    suspension (Year 5). 2022/23: one more suspension, outside the year.
    """
    b = Builder(db)
    primary = b.school("Elm Primary", "primary", laestab="3301001")
    secondary = b.school("Oak Academy", "secondary", laestab="3304001")

    def pupil(n: int, sex: str, school: int, year: str, fsm: bool) -> int:
        child = b.child("Test", f"Pupil{n}", born=dt.date(2012, 1, 1), sex=sex, upn=_upn(n))
        b.census(child, school, SPRING_CENSUS, year, fsm=fsm, sen="N", ethnicity="WBRI")
        return child

    p = [pupil(i, "M" if i < 5 else "F", primary, "5", i % 2 == 0) for i in range(10)]
    s = [pupil(10 + i, "M" if i < 6 else "F", secondary, "9", i < 3) for i in range(10)]
    s2 = s[6]  # a girl
    b.exclusion(s[0], secondary, dt.date(2023, 10, 2), reasons=("DB",))
    b.exclusion(s[0], secondary, dt.date(2023, 11, 6), reasons=("DB", "VA"))
    b.exclusion(s[0], secondary, dt.date(2024, 2, 5), reasons=("PP",))
    b.exclusion(s[1], secondary, dt.date(2024, 1, 9), reasons=("VA",))
    b.exclusion(s[1], secondary, dt.date(2024, 3, 4), "PERM", reasons=("PA",))
    b.exclusion(s2, secondary, dt.date(2024, 5, 13), reasons=("DB",))
    b.exclusion(p[0], primary, dt.date(2024, 4, 15), reasons=("PA",))
    b.exclusion(s[0], secondary, dt.date(2023, 3, 1), reasons=("DB",))
    # s0 is flagged and has a brother at the primary: one whole-family case.
    with db.write() as conn:
        flag_values = {
            "rule_version": 1,
            "as_of": dt.date(2024, 5, 13),
            "reason": "r",
            "first_raised": dt.date(2024, 2, 5),
            "last_seen": dt.date(2024, 5, 13),
        }
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
