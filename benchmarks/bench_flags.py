"""Benchmark: recompute every flag of a large synthetic authority (250,000 children at scale 1, ten
years of three censuses a year, 200,000 exclusions; --scale 4 is a region's million) against its
floor, recompute again with nothing changed, then the flags of the children of one school.

    python benchmarks/bench_flags.py [--scale 0.1] [--db PATH_OR_URL] [--postgres] [--json]

The floor is one ordered pass over the rows the recompute reads (children, census, enrolments,
exclusions: the same columns), fetched into Python in chunks and thrown away, in the same run.
Each measurement runs in its own process, so each peak memory is its own. --db builds into that
file or empty postgresql:// database (a file that exists is reused); --postgres builds into a
throwaway server. --json prints one JSON object and nothing else on stdout. Targets
(docs/benchmarks.md): the full recompute at most 3x its floor and under 600 MB; nothing changed
close to nothing (at most 1/20 of the floor).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from harness import (
    TreeMemory,
    children_cpu_s,
    figure,
    load_average,
    machine,
    peak_mb,
    print_figures,
    run_child,
)

from exclusion_monitor.store import Database, open_database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import bulk_insert
from exclusion_monitor.upn import check_letter
from imports.demo.names import BOYS, GIRLS
from imports.demo.names import SURNAMES as DEMO_SURNAMES

CHILDREN = 250_000
EXCLUSIONS = 200_000
FIRST_AUTUMN = 2014
YEARS = 10
BUILD_CHUNK = 25_000  # children per build transaction: the build's memory stays bounded
FETCH = 10_000  # rows per fetch of the floor's passes

# The floor: what the recompute reads of each table (the columns of store/histories.py's loaders),
# in child order. If the rules come to read more columns, add them here.
FLOOR_QUERIES = {
    "children": "SELECT id, date_of_birth FROM children ORDER BY id",
    "census_observations": (
        "SELECT child_id, census_date, school_id, nc_year, enrol_status, entry_date, family_ref, "
        "address_line1, postcode FROM census_observations ORDER BY child_id"
    ),
    "enrolments": (
        "SELECT child_id, school_id, entry_date, leaving_date, enrol_status, leaving_reason, "
        "destination FROM enrolments ORDER BY child_id"
    ),
    "exclusions": (
        "SELECT child_id, school_id, category, start_date, sessions, reason1, reason2, reason3, "
        "end_date, review_outcome FROM exclusions ORDER BY child_id"
    ),
}


def say(text: str) -> None:
    """Progress, on stderr: stdout carries the results (one JSON object with --json)."""
    print(text, file=sys.stderr, flush=True)


def _insert(conn: sa.Connection, table: sa.Table, rows: Sequence[tuple[object, ...]]) -> None:
    """Through the store's one bulk route (columns in table order, id left out)."""
    if not rows:
        return
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


def upn(n: int) -> str:
    """Child n's UPN (unique up to ten million children)."""
    body = f"330{n // 1000 % 10000:04d}{n // 10_000_000 % 100:02d}{n % 1000:03d}"
    return check_letter(body) + body


def _schools(scale: float) -> list[tuple[object, ...]]:
    """(LAESTAB, URN, name, LA, phase, type, low age, high age) of each school."""
    n_primary, n_secondary = max(4, int(300 * scale)), max(3, int(60 * scale))
    kinds = [
        (n_primary, 2000, "Primary", "primary", 4, 11),
        (n_secondary, 4000, "Secondary", "secondary", 11, 16),
        (3, 1100, "PRU", "pru_ap", 5, 16),
        # academies that replaced the first sixth of the secondaries in 2019
        (max(1, n_secondary // 6), 6900, "Academy", "secondary", 11, 16),
    ]
    return [
        (f"330{first + i:04d}", str(100 * first + i), f"{name} {i}", "330", phase, None, low, high)
        for count, first, name, phase, low, high in kinds
        for i in range(count)
    ]


def build(db: Database, scale: float, seed: int = 7) -> dict[str, int]:
    """The synthetic authority: schools (a sixth of the secondaries converted in 2019), children
    with ten years of censuses from Reception to Year 11 (about 1 in 4 leave early, some move,
    a few pass through a PRU; 2 in 5 share an address with a sibling), enrolments for 1 in 10
    and exclusions for 1 in 12. Written a chunk of children at a time, so a million fit."""
    rng, names = random.Random(seed), random.Random(seed + 1)
    n_children = max(200, int(CHILDREN * scale))
    now = dt.datetime(2024, 6, 1)
    schools = _schools(scale)
    with db.write() as conn:
        _insert(conn, t.schools, schools)
        ids = dict(conn.execute(sa.select(t.schools.c.laestab, t.schools.c.id)).all())
        primaries = [ids[s[0]] for s in schools if s[4] == "primary"]
        secondaries = [ids[s[0]] for s in schools if str(s[2]).startswith("Secondary")]
        prus = [ids[s[0]] for s in schools if s[4] == "pru_ap"]
        academies = [ids[s[0]] for s in schools if str(s[2]).startswith("Academy")]
        successor = dict(zip(secondaries, academies, strict=False))
        _insert(conn, t.school_links, [(old, new, "successor") for old, new in successor.items()])
    dates = census_dates()
    counts = {"children": n_children, "census": 0, "exclusions": 0, "enrolments": 0}
    # Only children who may be excluded keep their spells (n % 12 == 0), for the exclusions.
    spells_of: dict[int, list[tuple[int, dt.date]]] = {}
    children: list[tuple[object, ...]] = []
    identifiers: list[tuple[object, ...]] = []
    census: list[tuple[object, ...]] = []
    enrolments: list[tuple[object, ...]] = []
    for n in range(1, n_children + 1):
        born = dt.date(rng.randint(1999, 2019), rng.randint(1, 12), rng.randint(1, 28))
        sex = rng.choice("FM")
        forename = names.choice(GIRLS if sex == "F" else BOYS)
        children.append((names.choice(DEMO_SURNAMES), forename, born, sex, None, now))
        identifiers.append((n, upn(n), "current", False))
        family = n // 2 if n % 5 < 2 else n
        address = f"{family % 300 + 1} Street {family // 300} Road"
        postcode = f"B{family % 97} {family % 9}AA"
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
            year_text = "R" if year == 0 else str(year)
            census.append(
                (n, school, day, upn(n), year_text, "C", None, None, None, None, None, address,
                 postcode, None)
            )  # fmt: skip
        if n % 10 == 0:
            for school_id, start in spells:
                enrolments.append(
                    (n, school_id, start - dt.timedelta(days=30), None, None, None, "C")
                )
        if n % 12 == 0 and spells:
            spells_of[n] = spells
        if n % BUILD_CHUNK == 0 or n == n_children:
            with db.write() as conn:
                for table, rows in (
                    (t.children, children),
                    (t.child_identifiers, identifiers),
                    (t.census_observations, census),
                    (t.enrolments, enrolments),
                ):
                    _insert(conn, table, rows)
            counts["census"] += len(census)
            counts["enrolments"] += len(enrolments)
            for rows in (children, identifiers, census, enrolments):
                rows.clear()
            say(f"  built {n:,} of {n_children:,} children")
    exclusions: dict[tuple[object, ...], tuple[object, ...]] = {}
    n_excl = int(EXCLUSIONS * scale)
    excluded = sorted(spells_of)
    while excluded and len(exclusions) < n_excl:
        n = rng.choice(excluded)
        school_id, start = rng.choice(spells_of[n])
        day = start + dt.timedelta(days=rng.randrange(0, 700))
        roll = rng.random()
        category = "PERM" if roll < 0.01 else "LNCH" if roll < 0.04 else "SUSP"
        sessions = float(rng.choice([1, 2, 2, 4, 6, 10]))
        exclusions[(n, school_id, category, day)] = (
            n, school_id, category, day, None, sessions, "DB", None, None
        )  # fmt: skip
    rows = sorted(exclusions.values(), key=lambda r: (str(r[0]).zfill(9), str(r[3])))
    for start in range(0, len(rows), 200_000):
        with db.write() as conn:
            _insert(conn, t.exclusions, rows[start : start + 200_000])
    counts["exclusions"] = len(rows)
    return counts


# -- measurements, each in its own process -------------------------------------------------------
def measure_floor(location: str) -> dict[str, Any]:
    """One ordered pass over each table the recompute reads, fetched in chunks and discarded."""
    db = open_database(location)
    by_table: dict[str, float] = {}
    rows: dict[str, int] = {}
    load = load_average()
    started, cpu = time.perf_counter(), time.process_time()
    with db.read() as conn:
        driver: Any = conn.connection.driver_connection
        for table, sql in FLOOR_QUERIES.items():
            begun = time.perf_counter()
            # A server streams the rows through a named (server-side) cursor, as SQLite's does.
            cursor = (
                driver.cursor() if db.path is not None else driver.cursor(name=f"floor_{table}")
            )
            try:
                cursor.execute(sql)
                count = 0
                while chunk := cursor.fetchmany(FETCH):
                    count += len(chunk)
            finally:
                cursor.close()
            by_table[table] = round(time.perf_counter() - begun, 3)
            rows[table] = count
    result = {
        "floor_s": round(time.perf_counter() - started, 3),
        "floor_cpu_s": round(time.process_time() - cpu, 3),
        "floor_by_table_s": by_table,
        "floor_rows": rows,
        "floor_peak_mb": peak_mb(),
        "floor_load": [load, load_average()],
    }
    db.close()
    return result


def _reset_flags(db: Database) -> None:
    """Forget stored flags and families, so the full recompute starts from none (a database
    reused with --db). A database with cases (someone acted on its flags) is not a benchmark's:
    refused."""
    with db.write() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(t.cases)).scalar():
            raise SystemExit("This database has cases: it is not a benchmark database.")
        for table in (t.family_members, t.families, t.child_family_keys, t.flags):
            conn.execute(table.delete())
        conn.execute(t.settings.delete().where(t.settings.c.key == "flags.state"))


def measure_full(location: str) -> dict[str, Any]:
    """Every flag of the authority, recomputed from no stored flags."""
    from exclusion_monitor.flag_evaluation import worker_count
    from exclusion_monitor.flagging import recompute_flags
    from exclusion_monitor.store.histories import count_children

    db = open_database(location)
    _reset_flags(db)
    load = load_average()
    with db.read() as conn:
        workers = worker_count(count_children(conn))
    started, cpu, workers_cpu = time.perf_counter(), time.process_time(), children_cpu_s()
    with TreeMemory() as memory:
        summary = recompute_flags(db)
    result = {
        "full_s": round(time.perf_counter() - started, 3),
        "full_cpu_s": round(time.process_time() - cpu + children_cpu_s() - workers_cpu, 3),
        "full_load": [load, load_average()],
        "workers": workers,
        "children": summary.children,
        "flags_held": summary.flags_held,
        "families": summary.families,
        "by_rule": summary.by_rule,
        "peak_mb": memory.peak,
    }
    db.close()
    return result


def measure_again(location: str) -> dict[str, Any]:
    """After the full recompute: the check every page makes, the whole recompute with nothing
    changed, and the children of one school (what one school's return touches)."""
    from exclusion_monitor.flagging import flags_are_current, recompute_flags
    from exclusion_monitor.store.histories import child_ids_at_school

    db = open_database(location)
    load = load_average()
    started = time.perf_counter()
    current = flags_are_current(db)
    check = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    recompute_flags(db)
    unchanged, unchanged_cpu = time.perf_counter() - started, time.process_time() - cpu
    with db.read() as conn:
        secondary = t.schools.c.phase == "secondary"
        school = conn.execute(
            sa.select(t.schools.c.id).where(secondary).order_by(t.schools.c.id)
        ).scalars().first()  # fmt: skip
    started = time.perf_counter()
    with db.read() as conn:
        ids = child_ids_at_school(conn, int(school))
    part = recompute_flags(db, child_ids=ids)
    one = time.perf_counter() - started
    result = {
        "current_check_s": round(check, 3),
        "current_after_full": current,
        "unchanged_s": round(unchanged, 3),
        "unchanged_cpu_s": round(unchanged_cpu, 3),
        "one_school_s": round(one, 3),
        "one_school_children": part.children,
        "again_peak_mb": peak_mb(),
        "again_load": [load, load_average()],
    }
    db.close()
    return result


MEASURES = {"floor": measure_floor, "full": measure_full, "again": measure_again}


def measure_all(location: str, profile: str | None = None) -> dict[str, Any]:
    """Floor, full recompute, then the rest, each in a fresh process (with --profile DIR, the
    full recompute and the rest run under cProfile and leave full.prof and again.prof there:
    read them with `python -m pstats`; the profiler slows pure-Python code down)."""
    result: dict[str, Any] = {}
    for name in ("floor", "full", "again"):
        say(f"  measuring: {name}")
        extra = ["--profile", profile] if profile and name != "floor" else []
        result.update(run_child([__file__, "--measure", name, location, *extra]))
    return result


def _profiled(what: str, location: str, folder: str) -> dict[str, Any]:
    import cProfile

    profiler = cProfile.Profile()
    result = profiler.runcall(MEASURES[what], location)
    Path(folder).mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(Path(folder) / f"{what}.prof"))
    return result


def figures(r: dict[str, Any]) -> list[dict[str, Any]]:
    floor = r["floor_s"]
    share = floor * r["one_school_children"] / r["children"] if r["children"] else None
    return [
        figure(
            f"full recompute, {r['children']:,} children",
            r["full_s"],
            floor=floor,
            floor_name="one ordered pass fetching the rows it reads",
            max_ratio=3,
            note=f"{r['workers']} worker process(es) on {machine()['cpus']} cores",
        ),
        figure(
            "full recompute, CPU seconds of it and its workers",
            r["full_cpu_s"],
            floor=r["floor_cpu_s"],
            note="the work itself, whatever the cores; a server's own CPU is not in it",
        ),
        figure(
            "peak memory of the full recompute and its workers together",
            r["peak_mb"],
            "MB",
            max_value=600,
        ),
        figure(
            "recompute again, nothing changed",
            r["unchanged_s"],
            floor=floor,
            floor_name="the full recompute's floor",
            max_ratio=0.05,
        ),
        figure("check that the flags are current", r["current_check_s"]),
        figure(
            f"recompute one school's {r['one_school_children']:,} children",
            r["one_school_s"],
            floor=share,
            floor_name="those children's share of the floor",
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of 250,000 children")
    parser.add_argument(
        "--db", help="database file to build (or reuse if it exists), or an empty postgresql://"
    )
    parser.add_argument(
        "--postgres", action="store_true", help="build and measure on a throwaway PostgreSQL"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--profile", metavar="DIR", help="cProfile the recomputes into DIR")
    parser.add_argument("--measure", nargs=2, metavar=("WHAT", "DB"), help=argparse.SUPPRESS)
    parser.add_argument("--build-only", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_only:
        print(json.dumps(_build(args.build_only, args.scale)))
        return 0
    if args.measure:
        what, location = args.measure
        if args.profile:
            print(json.dumps(_profiled(what, location, args.profile)))
        else:
            print(json.dumps(MEASURES[what](location)))
        return 0
    if args.postgres:
        from tests.support.postgres import throwaway_server

        with throwaway_server() as server:
            location = server.url(server.create_database())
            result = _build_and_measure(location, args.scale, args.profile)
    elif args.db is None:
        with tempfile.TemporaryDirectory() as folder:
            result = _build_and_measure(str(Path(folder) / "bench.db"), args.scale, args.profile)
    else:
        result = _build_and_measure(args.db, args.scale, args.profile)
    result["engine"] = "postgresql" if args.postgres or "://" in (args.db or "") else "sqlite"
    result["scale"] = args.scale
    result["machine"] = machine()
    result["figures"] = figures(result)
    result["full_ratio"] = result["figures"][0]["ratio"]
    result["unchanged_ratio"] = result["figures"][3]["ratio"]
    if args.json:
        print(json.dumps(result))
    else:
        built = (
            f"built {result['built']} in {result['build_s']:.0f} s"
            if result["build_s"] is not None
            else "measured the database given"
        )
        print(
            f"{built}; floor by table (s): "
            f"{result['floor_by_table_s']}; flags held {result['flags_held']:,} "
            f"{result['by_rule']}, {result['families']:,} families"
        )
        print_figures(f"Flag recomputation ({result['engine']})", result["figures"])
    return 0


def _build(location: str, scale: float) -> dict[str, Any]:
    started = time.perf_counter()
    db = open_database(location)
    counts = build(db, scale)
    db.close()
    return {"built": counts, "build_s": round(time.perf_counter() - started, 1)}


def _build_and_measure(location: str, scale: float, profile: str | None) -> dict[str, Any]:
    """Build (unless the file exists) and measure, each in its own process: the build's memory
    is given back before anything is measured."""
    result: dict[str, Any] = {"built": None, "build_s": None}
    if "://" in location or not Path(location).exists():
        result.update(run_child([__file__, "--scale", str(scale), "--build-only", location]))
        say(f"built {result['built']} in {result['build_s']:.0f} s")
    return result | measure_all(location, profile)


if __name__ == "__main__":
    sys.exit(main())
