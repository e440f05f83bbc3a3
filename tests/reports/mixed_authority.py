"""An authority of every kind of school (mainstream primary and secondary, special, a small PRU,
alternative provision, one school whose phase was never sent) with many small counts, pupils
excluded who are not on the spring census, and reversed permanent exclusions: drawn at random
from a seed, so the dashboard's sums and suppression are checked on more than one shape."""

from __future__ import annotations

import datetime as dt
import random

from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from exclusion_monitor.upn import check_letter

SPRING_CENSUS = dt.date(2025, 1, 16)
AUTUMN_CENSUS = dt.date(2024, 10, 3)
AS_OF = dt.date(2025, 5, 20)
SCHOOLS = [
    # (name, phase, pupils, suspensions per 100)
    *[(f"Primary {n}", "primary", 60 + 25 * n, 2.0 + n) for n in range(6)],
    *[(f"Secondary {n}", "secondary", 180 + 40 * n, 12.0 + 6 * n) for n in range(3)],
    ("Hill Special School", "special", 45, 8.0),
    ("River Pupil Referral Unit", "pru_ap", 14, 70.0),
    ("Vale Alternative Provision", "pru_ap", 22, 30.0),
    ("Unrecorded Phase School", None, 30, 5.0),
]
ETHNICITIES = ["WBRI", "WBRI", "WBRI", "APKN", "BAFR", "MWBC", "WROM", "CHNE"]
REASONS = ["DB", "DB", "VA", "PP", "PA", "VP", "DA", "DM", "BU", "LD", "CB"]
NOW = dt.datetime(2025, 5, 21)


def _upn(serial: int) -> str:
    body = f"33090015{serial:04d}"
    return check_letter(body) + body


def build_mixed_authority(db: Database, seed: int) -> Database:
    """The authority for `seed`; every figure differs from seed to seed, the kinds do not."""
    rng = random.Random(seed)
    with db.write() as conn:
        schools = []
        for n, (name, phase, pupils, rate) in enumerate(SCHOOLS):
            laestab = f"330{7000 + n}"
            school_id = conn.execute(
                t.schools.insert().values(
                    laestab=laestab, urn=str(900000 + n), name=name, la_code="330", phase=phase
                )
            ).inserted_primary_key[0]
            schools.append((school_id, phase, pupils, rate))
        serial = 0
        census_rows, exclusion_rows = [], []
        for school_id, phase, pupils, rate in schools:
            on_roll = []
            # A few pupils joined after the spring census: on the autumn census only.
            late = rng.randint(0, 2)
            for i in range(pupils + late):
                serial += 1
                child_id = conn.execute(
                    t.children.insert().values(
                        surname=f"Mixed{serial}",
                        forename="Pupil",
                        date_of_birth=dt.date(2012, 1, 1),
                        sex=rng.choice("MMMFFF") if rng.random() > 0.01 else None,
                        created_at=NOW,
                    )
                ).inserted_primary_key[0]
                conn.execute(
                    t.child_identifiers.insert().values(
                        child_id=child_id, upn=_upn(serial), kind="current", temporary=False
                    )
                )
                year = str(rng.randint(1, 6) if phase == "primary" else rng.randint(7, 11))
                census_rows.append(
                    {
                        "child_id": child_id,
                        "school_id": school_id,
                        "census_date": AUTUMN_CENSUS if i >= pupils else SPRING_CENSUS,
                        "nc_year": year,
                        "enrol_status": "C",
                        "fsm": rng.random() < 0.25 if rng.random() > 0.02 else None,
                        "sen": rng.choice("NNNNNNKKE"),
                        "ethnicity": rng.choice(ETHNICITIES),
                        "looked_after": rng.random() < 0.02,
                    }
                )
                on_roll.append(child_id)
            suspensions = max(0, round(rng.gauss(rate * pupils / 100, 2)))
            days = sorted(
                dt.date(2024, 9, 2) + dt.timedelta(days=rng.randint(0, 255))
                for _ in range(suspensions)
            )
            for day in days:
                child = rng.choice(on_roll)
                category = "LNCH" if rng.random() < 0.06 else "SUSP"
                exclusion_rows.append(_exclusion(rng, child, school_id, day, category))
            for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
                day = dt.date(2024, 9, 2) + dt.timedelta(days=rng.randint(0, 255))
                outcome = "Reinstated" if rng.random() < 0.2 else None
                exclusion_rows.append(
                    _exclusion(rng, rng.choice(on_roll), school_id, day, "PERM", outcome)
                )
            # Last year's, for the terms and reasons by year.
            for _ in range(max(0, round(rng.gauss(rate * pupils / 120, 2)))):
                day = dt.date(2023, 9, 4) + dt.timedelta(days=rng.randint(0, 300))
                exclusion_rows.append(_exclusion(rng, rng.choice(on_roll), school_id, day, "SUSP"))
        conn.execute(t.census_observations.insert(), census_rows)
        seen = set()
        unique = []
        for row in exclusion_rows:
            key = (row["child_id"], row["school_id"], row["category"], row["start_date"])
            if key not in seen:
                seen.add(key)
                unique.append(row)
        conn.execute(t.exclusions.insert(), unique)
    return db


def _exclusion(
    rng: random.Random,
    child: int,
    school: int,
    day: dt.date,
    category: str,
    outcome: str | None = None,
) -> dict[str, object]:
    reasons = rng.sample(REASONS, rng.choice([1, 1, 1, 2, 3]))
    padded = [*dict.fromkeys(reasons), None, None, None][:3]
    return {
        "child_id": child,
        "school_id": school,
        "category": category,
        "start_date": day,
        "sessions": 1.0 if category == "LNCH" else float(rng.randint(1, 10)),
        "reason1": padded[0],
        "reason2": padded[1],
        "reason3": padded[2],
        "review_outcome": outcome,
    }
