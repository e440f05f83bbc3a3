"""Import speed: a 250,000-row census workbook (16 columns) imported, against its floor (a bare
fastexcel parse of the same file) and a naive baseline (pandas with openpyxl, one INSERT per row);
the same census as CSV against its floor (the csv module reading the file plus one executemany of
its rows into one table) and pandas' CSV reader with row-by-row inserts; python-calamine's read.

    python benchmarks/bench_import.py [--rows N] [--no-baseline] [--postgres] [--json]

Each measurement runs in its own process so its peak memory is its own. --postgres imports (and
runs the CSV floor) into a throwaway PostgreSQL server. Targets (docs/benchmarks.md): workbook
under 15 s, at least 5x its pandas+openpyxl baseline, at most 3x fastexcel; CSV under 5 s and at
most 2x its floor; peak memory under 1.5 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import figure, load_average, machine, peak_mb, print_figures

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

    start, cpu = time.perf_counter(), time.process_time()
    sheet = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    rows = sheet.to_python(skip_empty_area=False)
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "rows": len(rows) - 1,
        "status": "read",
    }


def _measure_fastexcel(path: str, _db: str) -> dict[str, Any]:
    import fastexcel

    start, cpu = time.perf_counter(), time.process_time()
    # Parsed in Rust into Arrow; turning that into Python values needs pyarrow or polars, which the
    # app does not ship, so this measures the parse alone (a lower bound for fastexcel).
    sheet = fastexcel.read_excel(path).load_sheet(0, dtypes="string")
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "rows": sheet.height,
        "status": "read",
    }


def _measure_csv_floor(path: str, db_path: str) -> dict[str, Any]:
    """The CSV import's floor: the csv module reads the file and one executemany puts its rows,
    as text, into one table of the same kind of database (created before the clock starts)."""
    import csv

    from exclusion_monitor.store import open_database

    db = open_database(db_path if "://" in db_path else Path(db_path))
    columns = ", ".join(f"c{i} TEXT" for i in range(len(HEADERS)))
    with db.write() as conn:
        conn.exec_driver_sql(f"CREATE TABLE csv_floor ({columns})")
    marks = ", ".join(["%s" if db.path is None else "?"] * len(HEADERS))
    start, cpu = time.perf_counter(), time.process_time()
    with db.write() as conn:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            rows = list(reader)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.executemany(f"INSERT INTO csv_floor VALUES ({marks})", rows)  # noqa: S608
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.close()
    return {"seconds": seconds, "cpu": cpu, "rows": len(rows), "status": "floor"}


MEASURES = {
    "import": _measure_import,
    "csv_floor": _measure_csv_floor,
    "baseline": _measure_baseline,
    "calamine": _measure_calamine,
    "fastexcel": _measure_fastexcel,
}


def _child(name: str, path: Path, folder: Path, server: Any = None) -> dict[str, Any]:
    """One measurement in a fresh process, into a new SQLite file (or, for the import and the CSV
    floor, a new database on the throwaway PostgreSQL server `server`)."""
    db_path: Path | str = folder / f"{name}-{time.time_ns()}.db"
    if server is not None and name in ("import", "csv_floor"):
        db_path = server.url(server.create_database())
    load = load_average()
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, str(path), str(db_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        say(f"{name} of {path.name} failed:\n{out.stderr.strip()[-2000:]}")
        return {"seconds": None, "rows": 0, "status": "failed", "peak_mb": None, "load": load}
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "load": load}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(rows: int = 250_000, *, baseline: bool = True, server: Any = None) -> dict[str, Any]:
    """Every measurement, as one object: each measurement's seconds, CPU seconds, peak memory and
    rows under its name, and the figures with their floors and targets."""
    folder = Path(tempfile.gettempdir()) / "exclusion-monitor-bench"
    folder.mkdir(exist_ok=True)
    xlsx, csv_path = make_files(rows, folder)
    got: dict[str, dict[str, Any]] = {}
    for name, measure, path in (
        ("calamine", "calamine", xlsx),
        ("fastexcel", "fastexcel", xlsx),
        ("xlsx_import", "import", xlsx),
        ("csv_floor", "csv_floor", csv_path),
        ("csv_import", "import", csv_path),
        *([("xlsx_baseline", "baseline", xlsx), ("csv_baseline", "baseline", csv_path)] * baseline),
    ):
        say(f"  measuring: {name}")
        got[name] = _child(measure, path, folder, server)
    for path in folder.glob("*.db*"):
        path.unlink()
    return {
        "rows": rows,
        "engine": "postgresql" if server is not None else "sqlite",
        **{f"{name}_s": _round(g["seconds"]) for name, g in got.items()},
        **{f"{name}_cpu_s": _round(g.get("cpu")) for name, g in got.items() if "cpu" in g},
        **{f"{name}_peak_mb": g["peak_mb"] for name, g in got.items()},
        "measured": got,
        "figures": figures(rows, got, server is not None),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _complete(got: dict[str, Any], rows: int) -> float | None:
    """An import's seconds, or None when it did not import every row (a fast failure is not a
    fast import)."""
    return got["seconds"] if got.get("rows") == rows else None


def figures(rows: int, got: dict[str, dict[str, Any]], server: bool) -> list[dict[str, Any]]:
    into = " into PostgreSQL" if server else ""
    xlsx, csv_run = got["xlsx_import"], got["csv_import"]
    found = [
        figure(
            f"import the {rows:,}-row census workbook{into}",
            _complete(xlsx, rows),
            floor=got["fastexcel"]["seconds"],
            floor_name="fastexcel's bare parse of the same file",
            max_ratio=3,
            max_value=15,
        ),
        figure(
            f"import the same census as CSV{into}",
            _complete(csv_run, rows),
            floor=got["csv_floor"]["seconds"],
            floor_name="csv module reading it plus one executemany into one table",
            max_ratio=2,
            max_value=5,
        ),
        figure(
            "the workbook import, CPU seconds of the process",
            xlsx.get("cpu") if _complete(xlsx, rows) else None,
            floor=got["fastexcel"].get("cpu"),
            note="steadier than wall time on a shared machine",
        ),
        figure(
            "the CSV import, CPU seconds of the process",
            csv_run.get("cpu") if _complete(csv_run, rows) else None,
            floor=got["csv_floor"].get("cpu"),
        ),
        figure("peak memory of the workbook import", xlsx["peak_mb"], "MB", max_value=1500),
        figure("peak memory of the CSV import", csv_run["peak_mb"], "MB", max_value=1500),
        figure("read the workbook: python-calamine", got["calamine"]["seconds"]),
    ]
    if "xlsx_baseline" in got:
        for label, base, mine, target in (
            ("workbook", got["xlsx_baseline"], xlsx, 5.0),
            ("CSV", got["csv_baseline"], csv_run, None),
        ):
            reader = "openpyxl" if label == "workbook" else "read_csv"
            found.append(figure(f"baseline: pandas {reader}, one INSERT per row", base["seconds"]))
            mine_s = _complete(mine, rows)
            speedup = base["seconds"] / mine_s if mine_s and base["seconds"] else None
            found.append(
                figure(
                    f"speed-up of the {label} import over that baseline",
                    None if speedup is None else round(speedup, 2),
                    "x",
                    min_value=target,
                )
            )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", nargs=3, metavar=("MEASURE", "FILE", "DB"))
    parser.add_argument(
        "--postgres", action="store_true", help="import into a throwaway PostgreSQL server"
    )
    args = parser.parse_args()
    if args.child:
        name, path, db_path = args.child
        got = MEASURES[name](path, db_path)
        got["peak_mb"] = peak_mb()
        print(json.dumps(got))
        return
    if args.postgres:
        from tests.support.postgres import throwaway_server

        with throwaway_server() as server:
            result = run(args.rows, baseline=not args.no_baseline, server=server)
    else:
        result = run(args.rows, baseline=not args.no_baseline)
    result["machine"] = machine()
    result["xlsx_ratio"] = result["figures"][0]["ratio"]
    result["csv_ratio"] = result["figures"][1]["ratio"]
    if args.json:
        print(json.dumps(result))
    else:
        print_figures(f"Import ({result['engine']})", result["figures"])


if __name__ == "__main__":
    main()
