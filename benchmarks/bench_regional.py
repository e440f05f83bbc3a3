"""Benchmark: a region of seven authorities of realistic size (about a million children in all,
ten years of three censuses a year) imported into a regional workspace, linked, flagged, and its
school funnels and Year 10 to 11 movement computed. Prints each step's time and peak memory.

    python benchmarks/bench_regional.py [--scale 0.02] [--postgres] [--json]

The returns are written straight from the demo generator's records (making seven authorities'
databases through the intake first would take hours and measure the intake, not the region);
the import, linking, flags and statistics are the product's own. --postgres measures on a
throwaway PostgreSQL server (the region's size calls for one); otherwise a SQLite file.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# Pupils on roll at each census, by authority: the seven West Midlands authorities' state-school
# rolls in proportion (Birmingham about four times the others), sized so that with ten years of
# joiners and leavers about 1,000,000 children pass through the returns at scale 1.
ROLLS = {
    "330": 212_000,
    "331": 63_000,
    "332": 54_000,
    "333": 62_000,
    "334": 41_000,
    "335": 52_000,
    "336": 47_000,
}
FIRST_YEAR, LAST_YEAR = 2016, 2025  # ten academic years, 2016/17 to 2025/26


def _day(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def _members(authority: Any, key: Any) -> list[tuple[Any, Iterator[tuple[Any, ...]]]]:
    """A demo authority's records as the members of its regional return."""
    from exclusion_monitor.regional import return_format as f

    dates = list(authority.census_dates)
    by_urn = {s.urn: s.laestab for s in authority.schools}

    def schools() -> Iterator[tuple[Any, ...]]:
        for s in authority.schools:
            yield (
                s.laestab,
                s.urn,
                s.name,
                s.laestab[:3],
                s.phase,
                s.type_name,
                _day(s.open_date),
                _day(s.close_date),
                s.low_year + 4,
                s.high_year + 5,
            )

    def links() -> Iterator[tuple[Any, ...]]:
        for link in authority.links:
            yield (by_urn[link.urn], by_urn[link.link_urn], link.link_type)

    def coverage() -> Iterator[tuple[Any, ...]]:
        seen = set()
        for reg in authority.registrations:
            for day in dates[
                bisect.bisect_left(dates, reg.entry_date) : len(dates)
                if reg.leaving_date is None
                else bisect.bisect_right(dates, reg.leaving_date)
            ]:
                seen.add((reg.laestab, day))
        for laestab, day in sorted(seen):
            yield (laestab, day.isoformat())

    def children() -> Iterator[tuple[Any, ...]]:
        for p in authority.pupils:
            yield (
                p.pid + 1,
                f.birth_month(p.date_of_birth),
                p.sex,
                p.ethnicity,
                "Y" if p.fsm else "N",
                p.sen,
                "",
                f.postcode_sector(p.postcode),
            )

    def pseudonyms() -> Iterator[tuple[Any, ...]]:
        for p in authority.pupils:
            yield (p.pid + 1, key.pseudonym(p.upn), "current")
            if p.temporary_upn:
                yield (p.pid + 1, key.pseudonym(p.temporary_upn), "former")

    def registrations() -> Iterator[tuple[Any, ...]]:
        for r in authority.registrations:
            reason = f.leaving_phrase(r.leaving_reason) if r.leaving_date else ""
            yield (
                r.pid + 1,
                r.laestab,
                _day(r.entry_date),
                _day(r.leaving_date),
                r.enrol_status,
                reason,
                "",
            )

    def census() -> Iterator[tuple[Any, ...]]:
        pupils = authority.pupils
        for r in authority.registrations:
            p = pupils[r.pid]
            first = bisect.bisect_left(dates, r.entry_date)
            last = (
                len(dates) if r.leaving_date is None else bisect.bisect_right(dates, r.leaving_date)
            )
            for day in dates[first:last]:
                year = (day.year if day.month >= 8 else day.year - 1) - p.reception_year
                code = "R" if year == 0 else str(year)
                yield (
                    r.pid + 1,
                    r.laestab,
                    day.isoformat(),
                    code,
                    "C",
                    r.entry_date.isoformat(),
                    "Y" if p.fsm else "N",
                    p.sen,
                )

    def exclusions() -> Iterator[tuple[Any, ...]]:
        for e in authority.exclusions:
            reasons = [*e.reasons, "", "", ""][:3]
            yield (
                e.pid + 1,
                e.laestab,
                e.category,
                _day(e.start_date),
                _day(e.end_date),
                e.sessions or 0,
                *reasons,
                "",
            )

    return [
        (f.SCHOOLS, schools()),
        (f.SCHOOL_LINKS, links()),
        (f.CENSUS_RETURNS, coverage()),
        (f.CHILDREN, children()),
        (f.PSEUDONYMS, pseudonyms()),
        (f.REGISTRATIONS, registrations()),
        (f.CENSUS, census()),
        (f.EXCLUSIONS, exclusions()),
        (f.FLAGS, iter(())),
    ]


def generate(folder: Path, scale: float) -> dict[str, Any]:
    """Write the seven authorities' returns into `folder`; returns what was written."""
    from exclusion_monitor.regional.keys import create_key_file
    from imports.demo.region import generate_region
    from imports.regional_return import write_return_file

    started = time.perf_counter()
    sizes = [max(300, int(n * scale)) for n in ROLLS.values()]
    authorities = generate_region(7, sizes, 2026, first_year=FIRST_YEAR, last_year=LAST_YEAR)
    key = create_key_file(folder / "region.key", "Benchmark region")
    generated = time.perf_counter() - started
    written = []
    children = 0
    for authority in authorities:
        out = folder / f"LA{authority.la}.zip"
        write_return_file(
            out,
            key,
            as_of=authority.as_of,
            la_code=authority.la,
            la_name=authority.la_name,
            members=_members(authority, key),
        )
        written.append(str(out))
        children += len(authority.pupils)
    return {
        "children_in_returns": children,
        "generate_s": round(generated, 1),
        "write_returns_s": round(time.perf_counter() - started - generated, 1),
        "returns": written,
        "return_mb": round(sum(Path(p).stat().st_size for p in written) / 1e6, 1),
    }


def measure(location: str, returns: list[str]) -> dict[str, Any]:
    from exclusion_monitor.regional.workspace import import_return, refresh_region
    from exclusion_monitor.reports.practice_report import region_figures
    from exclusion_monitor.store import open_database
    from imports.regional_return import open_return

    db = open_database(location)
    figures: dict[str, Any] = {}
    started = time.perf_counter()
    census_rows = 0
    for path in returns:
        with open_return(Path(path)) as source:
            result = import_return(db, source, file_name=Path(path).name, account="bench")
        census_rows += result.census_rows
    figures["import_s"] = round(time.perf_counter() - started, 1)
    figures["census_rows"] = census_rows
    started = time.perf_counter()
    summary = refresh_region(db, account="bench")
    figures["link_and_flag_s"] = round(time.perf_counter() - started, 1)
    figures["people"] = summary.people
    figures["cross_border_people"] = summary.cross_border
    figures["flagged_people"] = summary.flagged
    figures["flags_by_rule"] = summary.by_rule
    started = time.perf_counter()
    practice = region_figures(db)
    figures["funnels_movement_groups_s"] = round(time.perf_counter() - started, 1)
    figures["schools"] = len(practice.schools)
    figures["schools_outside_99_8"] = sum(
        1 for s in practice.schools if s.positions["suspension"].position.endswith("99.8%")
    )
    figures["movement_schools_standing_out"] = sum(1 for m in practice.movement if m.stands_out)
    figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    db.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full size")
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--generate", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        print(json.dumps(generate(Path(args.generate), args.scale)))
        return 0
    if args.measure:
        print(json.dumps(measure(args.measure[0], args.measure[1:])))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        # Each phase in its own process, so the peak memory printed is the region's own.
        made = json.loads(
            subprocess.run(
                [sys.executable, __file__, "--scale", str(args.scale), "--generate", folder],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.splitlines()[-1]
        )
        if not args.json:
            print(
                f"generated {made['children_in_returns']:,} children's returns "
                f"({made['return_mb']} MB) in {made['generate_s'] + made['write_returns_s']} s",
                flush=True,
            )

        def run(location: str) -> dict[str, Any]:
            out = subprocess.run(
                [sys.executable, __file__, "--measure", location, *made["returns"]],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.splitlines()[-1]
            return dict(json.loads(out))

        if args.postgres:
            from tests.support.postgres import throwaway_server

            with throwaway_server() as server:
                figures = run(server.url(server.create_database()))
        else:
            figures = run(str(Path(folder) / "region.db"))
    figures = {"engine": "postgresql" if args.postgres else "sqlite", **made, **figures}
    figures.pop("returns")
    if args.json:
        print(json.dumps(figures))
    else:
        for name, value in figures.items():
            print(f"  {name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
