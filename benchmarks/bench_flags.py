"""Benchmark: recompute every flag of a large synthetic authority (250,000 children, ten years of
three censuses a year, 200,000 exclusions), then the flags of the children of one school.

    python benchmarks/bench_flags.py [--scale 0.1] [--db PATH_OR_URL] [--postgres]

--db postgresql://... builds into that (empty) database; --postgres into a throwaway server.

Targets on the reference 2-core machine: whole authority under 60 s, one school under 2 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

from exclusion_monitor.store import Database, open_database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import bulk_insert
from exclusion_monitor.upn import check_letter

CHILDREN = 250_000
EXCLUSIONS = 200_000
FIRST_AUTUMN = 2014
YEARS = 10
SURNAMES = ["Ashdown", "Brackley", "Carrow", "Dunmore", "Ellery", "Fenwick", "Garside", "Holloway"]
FORENAMES = ["Ada", "Bram", "Cleo", "Dev", "Esme", "Finn", "Gus", "Hana", "Ivo", "Jude"]


def _insert(conn: sa.Connection, table: sa.Table, rows: Sequence[tuple[object, ...]]) -> None:
    """Through the store's one bulk route (columns in table order, id left out)."""
    columns = [c.name for c in table.columns if c.name != "id"][: len(rows[0])]
    bulk_insert(conn, table, columns, rows)


def census_dates() -> list[dt.date]:
    dates = []
    for year in range(FIRST_AUTUMN, FIRST_AUTUMN + YEARS):
        dates += [dt.date(year, 10, 2), dt.date(year + 1, 1, 16), dt.date(year + 1, 5, 15)]
    return dates


def _year_order(born: dt.date, day: dt.date) -> int:
    academic = day.year if day.month >= 8 else day.year - 1
    return academic - born.year - (1 if (born.month, born.day) > (8, 31) else 0) - 4


def _upn(n: int) -> str:
    body = f"330{n // 1000 % 10000:04d}{n // 10_000_000 % 100:02d}{n % 1000:03d}"
    return check_letter(body) + body


def build(db: Database, scale: float, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    n_children = max(200, int(CHILDREN * scale))
    n_primary, n_secondary = max(4, int(300 * scale)), max(3, int(60 * scale))
    now = dt.datetime(2024, 6, 1)
    with db.write() as conn:
        schools = []
        for i in range(n_primary):
            schools.append(
                (
                    f"330{2000 + i:04d}",
                    str(200000 + i),
                    f"Primary {i}",
                    "330",
                    "primary",
                    None,
                    4,
                    11,
                )
            )
        for i in range(n_secondary):
            schools.append(
                (
                    f"330{4000 + i:04d}",
                    str(400000 + i),
                    f"Secondary {i}",
                    "330",
                    "secondary",
                    None,
                    11,
                    16,
                )
            )
        for i in range(3):
            schools.append(
                (f"330{1100 + i:04d}", str(110000 + i), f"PRU {i}", "330", "pru_ap", None, 5, 16)
            )
        converted = max(1, n_secondary // 6)
        for i in range(converted):  # academies that replaced a secondary in 2019
            schools.append(
                (
                    f"330{6900 + i:04d}",
                    str(690000 + i),
                    f"Academy {i}",
                    "330",
                    "secondary",
                    None,
                    11,
                    16,
                )
            )
        _insert(conn, t.schools, schools)
        ids = dict(conn.execute(sa.select(t.schools.c.laestab, t.schools.c.id)).all())
        primaries = [ids[s[0]] for s in schools if s[4] == "primary"]
        secondaries = [ids[f"330{4000 + i:04d}"] for i in range(n_secondary)]
        prus = [ids[f"330{1100 + i:04d}"] for i in range(3)]
        successor = {ids[f"330{4000 + i:04d}"]: ids[f"330{6900 + i:04d}"] for i in range(converted)}
        _insert(conn, t.school_links, [(old, new, "successor") for old, new in successor.items()])
        dates = census_dates()
        children, identifiers, census, enrolments, spells_by_child = [], [], [], [], []
        for n in range(1, n_children + 1):
            born = dt.date(rng.randint(1999, 2019), rng.randint(1, 12), rng.randint(1, 28))
            children.append(
                (rng.choice(SURNAMES), rng.choice(FORENAMES), born, rng.choice("FM"), None, now)
            )
            identifiers.append((n, _upn(n), "current", False))
            family = n // 2 if n % 5 < 2 else n
            address, postcode = (
                f"{family % 300 + 1} Street {family // 300} Road",
                f"B{family % 97} {family % 9}AA",
            )
            school = rng.choice(primaries)
            leaves_at = rng.randrange(len(dates) * 4)  # about 1 in 4 leave the authority
            spells: list[tuple[int, dt.date]] = []
            for k, day in enumerate(dates):
                year = _year_order(born, day)
                if not 0 <= year <= 11 or k >= leaves_at:
                    continue
                if year == 7 and day.month == 10 and (not spells or spells[-1][0] in primaries):
                    school = rng.choice(secondaries)
                elif rng.random() < 0.006:
                    school = rng.choice(secondaries if year >= 7 else primaries)
                elif year >= 7 and rng.random() < 0.001:
                    school = rng.choice(prus)
                if school in successor and day >= dt.date(2019, 9, 1):
                    school = successor[school]
                if not spells or spells[-1][0] != school:
                    spells.append((school, day))
                census.append(
                    (
                        n,
                        school,
                        day,
                        _upn(n),
                        "R" if year == 0 else str(year),
                        "C",
                        None,
                        None,
                        None,
                        None,
                        None,
                        address,
                        postcode,
                        None,
                    )
                )
            if n % 10 == 0:
                for school_id, start in spells:
                    enrolments.append(
                        (n, school_id, start - dt.timedelta(days=30), None, None, None, "C")
                    )
            spells_by_child.append(spells)
        _insert(conn, t.children, children)
        _insert(conn, t.child_identifiers, identifiers)
        for start in range(0, len(census), 200_000):
            _insert(conn, t.census_observations, census[start : start + 200_000])
        if enrolments:
            _insert(conn, t.enrolments, enrolments)
        exclusions: dict[tuple[object, ...], tuple[object, ...]] = {}
        n_excl = int(EXCLUSIONS * scale)
        excluded = [n for n in range(1, n_children + 1) if spells_by_child[n - 1] and n % 12 == 0]
        while len(exclusions) < n_excl:
            n = rng.choice(excluded)
            school_id, start = rng.choice(spells_by_child[n - 1])
            day = start + dt.timedelta(days=rng.randrange(0, 700))
            roll = rng.random()
            category = "PERM" if roll < 0.01 else "LNCH" if roll < 0.04 else "SUSP"
            exclusions[(n, school_id, category, day)] = (
                n,
                school_id,
                category,
                day,
                None,
                float(rng.choice([1, 2, 2, 4, 6, 10])),
                "DB",
                None,
                None,
            )
        rows = sorted(exclusions.values(), key=lambda r: (str(r[0]).zfill(9), str(r[3])))
        _insert(conn, t.exclusions, rows)
    return {
        "children": n_children,
        "census": len(census),
        "exclusions": len(exclusions),
        "enrolments": len(enrolments),
    }


def measure(path: Path | str) -> None:
    from exclusion_monitor.flagging import recompute_flags
    from exclusion_monitor.store.histories import child_ids_at_school

    db = open_database(path)
    started, cpu = time.perf_counter(), time.process_time()
    summary = recompute_flags(db)
    whole = time.perf_counter() - started
    print(f"  (CPU time of this process: {time.process_time() - cpu:.1f} s)")
    print(
        f"recompute, whole authority: {whole:.1f} s for {summary.children} children "
        f"({summary.flags_held} flags held, {summary.families} families)",
        flush=True,
    )
    print(f"  by rule: {summary.by_rule}")
    started = time.perf_counter()
    summary = recompute_flags(db)
    print(f"recompute again, nothing changed: {time.perf_counter() - started:.1f} s")
    with db.read() as conn:
        school = (
            conn.execute(
                sa.select(t.schools.c.id)
                .where(t.schools.c.phase == "secondary")
                .order_by(t.schools.c.id)
            )
            .scalars()
            .first()
        )
    started = time.perf_counter()
    with db.read() as conn:
        ids = child_ids_at_school(conn, int(school))
    part = recompute_flags(db, child_ids=ids)
    one = time.perf_counter() - started
    print(f"recompute, children of one school: {one:.2f} s for {part.children} children")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the measuring process: {peak:.0f} MB")
    db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    parser.add_argument(
        "--db", help="database file to build (or reuse if it exists), or an empty postgresql://"
    )
    parser.add_argument(
        "--postgres", action="store_true", help="build and measure on a throwaway PostgreSQL"
    )
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure_only:
        measure(args.db if "://" in args.db else Path(args.db))
        return 0
    if args.postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.support.postgres import throwaway_server

        with throwaway_server() as server:
            return _build_and_measure(server.url(server.create_database()), args.scale)
    if args.db is None:
        with tempfile.TemporaryDirectory() as folder:
            return _build_and_measure(str(Path(folder) / "bench.db"), args.scale)
    return _build_and_measure(args.db, args.scale)


def _build_and_measure(location: str, scale: float) -> int:
    if "://" in location or not Path(location).exists():
        started = time.perf_counter()
        db = open_database(location)
        counts = build(db, scale)
        db.close()
        print(f"built {counts} in {time.perf_counter() - started:.0f} s", flush=True)
    # Measure in a fresh process so its peak memory is the recompute's, not the build's.
    subprocess.run([sys.executable, __file__, "--db", location, "--measure-only"], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
