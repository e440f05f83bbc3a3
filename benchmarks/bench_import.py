"""Import speed: a 250,000-row census workbook read and loaded, against a naive baseline (pandas
with openpyxl, row-by-row inserts) in the same run; the same census as CSV against pandas' CSV
reader with row-by-row inserts; calamine vs fastexcel. Each import prints its speed-up over its
baseline and its peak memory.

Run: python benchmarks/bench_import.py [--rows N]   (or benchmarks/run_all.py for every benchmark)
     python benchmarks/bench_import.py --postgres   (imports into a throwaway PostgreSQL server)
Each measurement runs in its own process so its peak memory is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HEADERS = [
    "UPN", "Former UPN", "Surname", "Forename", "Date of birth", "Sex", "NC year", "LAESTAB",
    "Census date", "Enrol status", "Entry date", "Ethnicity", "FSM eligible", "SEN provision",
    "Postcode", "Address line 1",
]  # fmt: skip
YEARS = ["N2", "R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]


def _rows(count: int) -> list[list[Any]]:
    """Invented census rows. Names are drawn evenly from the demo generator's lists (103 common
    surnames, 50 forenames for each sex), so each name is about 1 or 2 pupils in 100, the share of
    the commonest names in a real census (whose long tail of rarer names only makes same-birthday
    groups smaller). An earlier version gave everyone one of 11 forenames and numbered surnames
    ('Ashdown17', 'Ashdown171'), which made over 40,000 false near matches in 250,000 rows and
    measured that pathology rather than an import."""
    from exclusion_monitor.upn import check_letter
    from imports.demo.names import BOYS, GIRLS, SURNAMES

    rng = random.Random(3)
    rows = []
    for i in range(count):
        body = f"330{4000 + i // 1000 % 1000:04d}{10 + i // 1_000_000:02d}{i % 1000:03d}"
        upn = check_letter(body) + body
        year = YEARS[i % len(YEARS)]
        dob = dt.date(2008, 9, 1) + dt.timedelta(days=rng.randrange(0, 14 * 365))
        rows.append(
            [
                upn, "", rng.choice(SURNAMES), rng.choice(GIRLS if i % 2 else BOYS),
                dob.strftime("%d/%m/%Y"), "MF"[i % 2], year, f"330{4000 + i % 300:04d}",
                "05/10/2023", "C", "02/09/2023", "WBRI", "N" if i % 5 else "Y", "N",
                f"B{i % 90 + 1} {i % 9}AA", f"{i % 200} High Street",
            ]
        )  # fmt: skip
    return rows


def make_files(rows: int, folder: Path) -> tuple[Path, Path]:
    # "names2": the realistic names; files made by earlier versions are not reused
    xlsx, csv_path = folder / f"census_names2_{rows}.xlsx", folder / f"census_names2_{rows}.csv"
    if xlsx.exists() and csv_path.exists():
        return xlsx, csv_path
    import csv

    import xlsxwriter

    data = _rows(rows)
    workbook = xlsxwriter.Workbook(str(xlsx), {"constant_memory": True})
    sheet = workbook.add_worksheet("Census")
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(data, start=1):
        for c, value in enumerate(row):
            if c == 6 and value.isdigit():
                sheet.write_number(r, c, int(value))  # NC year: numbers, then letters
            else:
                sheet.write_string(r, c, value)
    workbook.close()
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(data)
    return xlsx, csv_path


# -- measurements, each in a child process ------------------------------------------------------
def _measure_import(path: str, db_path: str) -> dict[str, Any]:
    from exclusion_monitor.store import open_database
    from imports import import_files

    db = open_database(db_path if "://" in db_path else Path(db_path))
    start, cpu = time.perf_counter(), time.process_time()
    (result,) = import_files(db, [path])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.close()
    return {"seconds": seconds, "cpu": cpu, "rows": result.rows_imported, "status": result.status}


def _measure_baseline(path: str, db_path: str) -> dict[str, Any]:
    """What a first attempt looks like: pandas (openpyxl for a workbook), one INSERT per row."""
    import sqlite3

    import pandas as pd

    start, cpu = time.perf_counter(), time.process_time()
    if path.endswith(".csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    else:
        frame = pd.read_excel(path, engine="openpyxl", dtype=str)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE census (" + ", ".join(f'"{h}" TEXT' for h in HEADERS) + ")")
    placeholders = ", ".join("?" for _ in HEADERS)
    for row in frame.itertuples(index=False):
        conn.execute(f"INSERT INTO census VALUES ({placeholders})", tuple(row))  # noqa: S608
    conn.commit()
    conn.close()
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "rows": len(frame),
        "status": "baseline",
    }


def _measure_calamine(path: str, _db: str) -> dict[str, Any]:
    import python_calamine

    start = time.perf_counter()
    sheet = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=False)
    return {"seconds": time.perf_counter() - start, "rows": len(rows) - 1, "status": "read"}


def _measure_fastexcel(path: str, _db: str) -> dict[str, Any]:
    import fastexcel

    start = time.perf_counter()
    # Parsed in Rust into Arrow; turning that into Python values needs pyarrow or polars, which the
    # app does not ship, so this measures the parse alone (a lower bound for fastexcel).
    sheet = fastexcel.read_excel(path).load_sheet(0, dtypes="string")
    return {"seconds": time.perf_counter() - start, "rows": sheet.height, "status": "read"}


MEASURES = {
    "import": _measure_import,
    "baseline": _measure_baseline,
    "calamine": _measure_calamine,
    "fastexcel": _measure_fastexcel,
}


def _child(name: str, path: Path, folder: Path, server: Any = None) -> dict[str, Any]:
    """One measurement in a fresh process, into a new SQLite file (or a new database on the
    throwaway PostgreSQL server `server`)."""
    db_path: Path | str = folder / f"{name}-{time.time_ns()}.db"
    if server is not None and name == "import":
        db_path = server.url(server.create_database())
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, str(path), str(db_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return {
            "seconds": float("nan"),
            "rows": 0,
            "status": out.stderr.strip()[-200:],
            "peak_mb": 0,
        }
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run(rows: int = 250_000, *, baseline: bool = True, server: Any = None) -> list[dict[str, Any]]:
    """Every measurement as a row of (benchmark, measure, value, unit, note); the imports go into
    a PostgreSQL database on `server` when one is given (a tests.support.postgres server)."""
    folder = Path(tempfile.gettempdir()) / "exclusion-monitor-bench"
    folder.mkdir(exist_ok=True)
    xlsx, csv_path = make_files(rows, folder)
    results: list[dict[str, Any]] = []

    def add(measure: str, got: dict[str, Any], target: str) -> None:
        results.append(
            {
                "benchmark": "import",
                "measure": measure,
                "seconds": got["seconds"],
                "cpu_seconds": got.get("cpu"),
                "peak_mb": got.get("peak_mb", 0),
                "rows": got["rows"],
                "target": target,
            }
        )

    read_c = _child("calamine", xlsx, folder)
    add(f"read {rows:,}-row xlsx: python-calamine", read_c, "")
    read_f = _child("fastexcel", xlsx, folder)
    add(f"read {rows:,}-row xlsx: fastexcel (parse only)", read_f, "")
    engine = " into PostgreSQL" if server is not None else ""
    full = _child("import", xlsx, folder, server)
    add(f"import {rows:,}-row census xlsx{engine}", full, "< 15 s, < 1500 MB")
    csv_run = _child("import", csv_path, folder, server)
    add(f"import {rows:,}-row census csv{engine}", csv_run, "< 5 s")
    if baseline:
        for label, path, got in (("xlsx", xlsx, full), ("csv", csv_path, csv_run)):
            reader = "openpyxl" if label == "xlsx" else "read_csv"
            base = _child("baseline", path, folder)
            add(f"baseline {label}: pandas {reader}, row inserts", base, "")
            for clock, key in (("", "seconds"), (" (CPU seconds)", "cpu")):
                mine, theirs = got.get(key), base.get(key)
                results.append(
                    {
                        "benchmark": "import",
                        "measure": f"speed-up of the {label} import over its baseline{clock}",
                        "seconds": theirs / mine if mine and theirs else float("nan"),
                        "peak_mb": 0,
                        "rows": rows,
                        "target": ">= 5x" if label == "xlsx" and not clock else "",
                        "unit": "x",
                    }
                )
    for path in folder.glob("*.db*"):
        path.unlink()
    return results


def print_table(results: list[dict[str, Any]]) -> None:
    """Wall-clock value, the process's CPU seconds (steadier on a shared machine), peak memory."""
    print(f"{'measure':58} {'value':>10} {'cpu s':>7} {'peak MB':>8} {'rows':>8}  target")
    for r in results:
        unit = r.get("unit", "s")
        value = f"{r['seconds']:.2f} {unit}"
        cpu = "" if r.get("cpu_seconds") is None else f"{r['cpu_seconds']:.2f}"
        print(
            f"{r['measure']:58} {value:>10} {cpu:>7} {r['peak_mb']:8.0f} {r['rows']:8}  "
            f"{r['target']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--child", nargs=3, metavar=("MEASURE", "FILE", "DB"))
    parser.add_argument(
        "--postgres", action="store_true", help="import into a throwaway PostgreSQL server"
    )
    args = parser.parse_args()
    if args.child:
        name, path, db_path = args.child
        got = MEASURES[name](path, db_path)
        got["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(got))
        return
    if args.postgres:
        from tests.support.postgres import throwaway_server

        with throwaway_server() as server:
            print_table(run(args.rows, baseline=not args.no_baseline, server=server))
        return
    print_table(run(args.rows, baseline=not args.no_baseline))


if __name__ == "__main__":
    main()
