"""Test data through the store's tables: schools, children with UPNs, census rows and flags.

Every name here is invented. No Qt, so core tests can use it too.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

import sqlalchemy as sa

from exclusion_monitor import flagging
from exclusion_monitor.store import Database, histories
from exclusion_monitor.store import flags as flag_store
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.children import refresh_child_summaries
from exclusion_monitor.upn import check_letter

CREATED = dt.datetime(2024, 1, 2, 9, 0)
CENSUS_DATE = dt.date(2024, 1, 18)

SURNAMES = [
    "Ashdown", "Brackley", "Carraway", "Dunmore", "Ellery", "Fairweather", "Gorringe", "Hollis",
    "Ingleby", "Jessop", "Kettering", "Larkwood", "Merriman", "Nettleton", "O'Hallan", "Penhaligon",
    "Quarrie", "Rushmere", "Stainton", "Thackeray", "Underhill", "Vance", "Whitcombe", "Yardley",
]  # fmt: skip
FORENAMES = [
    "Alfie", "Bethan", "Callum", "Darcy", "Eliza", "Finley", "Grace", "Harvey", "Isla", "Jasper",
    "Kezia", "Louis", "Maisie", "Noah", "Orla", "Pippa", "Reuben", "Sienna", "Theo", "Zoë",
]  # fmt: skip


def make_upn(la: str, establishment: str, year: str, serial: int) -> str:
    """A valid permanent UPN from its parts (the check letter computed)."""
    body = f"{la}{establishment}{year}{serial:03d}"
    return check_letter(body) + body


class Authority:
    """Builds a small local authority in a test database; call `done()` to refresh the list."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._serials = itertools.count(1)
        self.schools: dict[str, int] = {}

    def school(self, name: str, laestab: str | None = None, phase: str = "primary") -> int:
        laestab = laestab or f"330{2000 + len(self.schools) + 1:04d}"
        with self.db.write() as conn:
            school_id = conn.execute(
                t.schools.insert().values(laestab=laestab, name=name, phase=phase, la_code="330")
            ).inserted_primary_key[0]
        self.schools[name] = int(school_id)
        return int(school_id)

    def child(
        self,
        surname: str,
        forename: str,
        date_of_birth: dt.date | None = dt.date(2015, 5, 1),
        *,
        upn: str | None = None,
        former_upns: Iterable[str] = (),
        sex: str = "F",
        school: int | None = None,
        nc_year: str | None = "3",
        census: Iterable[tuple[dt.date, int, str]] = (),
        flags: Iterable[str] = (),
        conn: sa.Connection | None = None,
    ) -> int:
        """A child with a current UPN, optional former UPNs, census rows and open flags.

        `school` and `nc_year` make one census row on CENSUS_DATE; `census` adds more as
        (census date, school id, NC year).
        """
        if conn is None:
            with self.db.write() as own:
                return self.child(
                    surname, forename, date_of_birth, upn=upn, former_upns=former_upns, sex=sex,
                    school=school, nc_year=nc_year, census=census, flags=flags, conn=own,
                )  # fmt: skip
        upn = upn or make_upn("330", "2001", "15", next(self._serials))
        rows = list(census)
        if school is not None:
            rows.append((CENSUS_DATE, school, nc_year or "3"))
        child_id = int(
            conn.execute(
                t.children.insert().values(
                    surname=surname,
                    forename=forename,
                    date_of_birth=date_of_birth,
                    sex=sex,
                    created_at=CREATED,
                )
            ).inserted_primary_key[0]
        )
        conn.execute(
            t.child_identifiers.insert(),
            [{"child_id": child_id, "upn": upn, "kind": "current", "temporary": False}]
            + [
                {"child_id": child_id, "upn": old, "kind": "former", "temporary": False}
                for old in former_upns
            ],
        )
        for census_date, school_id, year in rows:
            conn.execute(
                t.census_observations.insert().values(
                    child_id=child_id,
                    school_id=school_id,
                    census_date=census_date,
                    nc_year=year,
                    enrol_status="C",
                )
            )
        for rule in flags:
            conn.execute(
                t.flags.insert().values(
                    child_id=child_id,
                    rule=rule,
                    rule_version=1,
                    as_of=CENSUS_DATE,
                    reason=f"test flag {rule}",
                    first_raised=CENSUS_DATE,
                    last_seen=CENSUS_DATE,
                )
            )
        return child_id

    def many(self, count: int, schools: list[int]) -> list[int]:
        """`count` invented children spread over the schools, year groups R to 11, some flagged."""
        years = ["R", *[str(y) for y in range(1, 12)]]
        ids = []
        with self.db.write() as conn:
            for n in range(count):
                ids.append(
                    self.child(
                        SURNAMES[n % len(SURNAMES)],
                        FORENAMES[(n // len(SURNAMES)) % len(FORENAMES)],
                        # Born January to August, so the year group fits the 2024 census date.
                        dt.date(2019 - (n % len(years)), 1 + n % 8, 1 + n % 28),
                        sex="MF"[n % 2],
                        school=schools[n % len(schools)],
                        nc_year=years[n % len(years)],
                        flags=["exclusion_escalation"] if n % 7 == 0 else (),
                        conn=conn,
                    )
                )
        return ids

    def done(self, *, keep_flags: bool = False) -> None:
        """Build the children list; with `keep_flags`, the invented flags first stand as the
        current ones (a recompute, which a page may run, would clear them: they follow from no
        record)."""
        if keep_flags:
            with self.db.write() as conn:
                latest = histories.latest_data_date(conn)
                if latest is not None:
                    flag_store.save_state(
                        conn, flag_store.FlagState(latest, flagging.data_fingerprint(conn))
                    )
        refresh_child_summaries(self.db)
