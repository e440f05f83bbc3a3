"""Register and transfer speed: the whole GIAS extract as downloaded (every establishment in
England, 139 columns, Windows-1252) and a large Common Transfer File, each imported against its
floor in the same run.

    python benchmarks/bench_register.py [--schools N] [--pupils N] [--json]

The extract's floor is the csv module reading the file and one executemany of its rows, as text,
into one table; the CTF's floor is defusedxml parsing the file (with the same iterparse events the
intake uses) and one executemany of one row per school stay. Each measurement runs in its own
process so its peak memory is its own. Targets (docs/benchmarks.md): the extract in under 20 s and
at most 4x its floor; the CTF at most 4x its floor; peak memory under 1.5 GB.
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

TYPES = [
    ("Community school", "Primary"), ("Academy converter", "Secondary"),
    ("Voluntary aided school", "Primary"), ("Academy sponsor led", "Secondary"),
    ("Foundation special school", "Not applicable"), ("Pupil referral unit", "Not applicable"),
    ("Other independent school", "Not applicable"), ("Children's centre", "Not applicable"),
]  # fmt: skip


def make_extract(schools: int, folder: Path) -> Path:
    """An invented register shaped as the real one: every LA, schools open and closed (some
    closed ones giving their number to an academy), children's centres with no number."""
    from tests.support.gias import write_gias

    path = folder / f"edubasealldata_{schools}.csv"
    if path.exists():
        return path
    rng = random.Random(7)
    rows = []
    for i in range(schools):
        kind, phase = TYPES[i % len(TYPES)]
        la = str(201 + i % 150)
        closed = i % 4 == 0
        rows.append(
            {
                "URN": str(100000 + i), "LA (code)": la, "LA (name)": f"Authority {la}",
                "EstablishmentNumber": "" if kind == "Children's centre" else str(1000 + i // 150),
                "EstablishmentName": f"Invented School {i}", "TypeOfEstablishment (name)": kind,
                "EstablishmentStatus (name)": "Closed" if closed else "Open",
                "ReasonEstablishmentClosed (name)": "Academy Converter" if closed else "",
                "OpenDate": f"01-09-{rng.randrange(1950, 2020)}",
                "CloseDate": "31-08-2015" if closed else "",
                "PhaseOfEducation (name)": phase, "StatutoryLowAge": "4",
                "StatutoryHighAge": "11", "Postcode": f"AB{i % 99} {i % 9}CD",
                "Town": "Invented Town", "TelephoneNum": "01234 567890",
            }
        )  # fmt: skip
    return write_gias(path, rows)


def make_ctf(pupils: int, folder: Path) -> Path:
    """One CTF of `pupils` pupils, each with three schools in as many authorities."""
    from exclusion_monitor.upn import check_letter
    from imports.demo.names import BOYS, GIRLS, SURNAMES
    from tests.support.ctf import CtfFile, CtfPupil, CtfSchool, write_ctf

    path = folder / f"ctf_{pupils}.xml"
    if path.exists():
        return path
    rng = random.Random(5)
    ctf = CtfFile(("330", "4002", "Invented Academy"), ("886", "4101"))
    for i in range(pupils):
        body = f"3304002{20 + i // 1000:02d}{i % 1000:03d}"
        d = dt.date
        ctf.pupils.append(
            CtfPupil(
                check_letter(body) + body, rng.choice(SURNAMES).upper(),
                rng.choice(GIRLS if i % 2 else BOYS).upper(),
                d(2012, 9, 1) + dt.timedelta(days=rng.randrange(365)), "MF"[i % 2],
                (
                    CtfSchool(str(201 + i % 150), f"{2000 + i % 500}", f"Infants {i % 500}",
                              d(2016, 9, 5), d(2019, 7, 19), "Moved"),
                    CtfSchool(str(800 + i % 90), f"{2100 + i % 700}", f"Primary {i % 700}",
                              d(2019, 9, 4), d(2023, 7, 21), "Transfer"),
                    CtfSchool("330", "4002", "Invented Academy", d(2023, 9, 5), None, last=True),
                ),
            )
        )  # fmt: skip
    return write_ctf(path, ctf)


def _measure_import(path: str, db_path: str) -> dict[str, Any]:
    from exclusion_monitor.store import open_database
    from imports import import_files

    db = open_database(Path(db_path))
    start, cpu = time.perf_counter(), time.process_time()
    (result,) = import_files(db, [path])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.close()
    return {"seconds": seconds, "cpu": cpu, "rows": result.rows_imported, "status": result.status}


def _floor_table(db_path: str, columns: int) -> Any:
    from exclusion_monitor.store import open_database

    db = open_database(Path(db_path))
    with db.write() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE floor (" + ", ".join(f"c{i} TEXT" for i in range(columns)) + ")"
        )
    return db


def _measure_extract_floor(path: str, db_path: str) -> dict[str, Any]:
    import csv

    with Path(path).open(encoding="cp1252", newline="") as handle:
        width = len(next(csv.reader(handle)))
    db = _floor_table(db_path, width)
    start, cpu = time.perf_counter(), time.process_time()
    with db.write() as conn:
        with Path(path).open(encoding="cp1252", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            rows = list(reader)
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        marks = ", ".join("?" * width)
        cursor.executemany(f"INSERT INTO floor VALUES ({marks})", rows)  # noqa: S608
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.close()
    return {"seconds": seconds, "cpu": cpu, "rows": len(rows), "status": "floor"}


def _measure_ctf_floor(path: str, db_path: str) -> dict[str, Any]:
    from defusedxml.ElementTree import iterparse

    db = _floor_table(db_path, 6)
    start, cpu = time.perf_counter(), time.process_time()
    rows: list[tuple[str | None, ...]] = []
    upn = None
    for event, element in iterparse(path, events=("start", "end"), forbid_dtd=True):
        if event == "end" and element.tag == "UPN":
            upn = element.text
        elif event == "end" and element.tag == "School":
            found = {child.tag: child.text for child in element}
            rows.append(
                (upn, found.get("LEA"), found.get("Estab"), found.get("SchoolName"),
                 found.get("EntryDate"), found.get("LeavingDate"))
            )  # fmt: skip
    with db.write() as conn:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.executemany("INSERT INTO floor VALUES (?, ?, ?, ?, ?, ?)", rows)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    db.close()
    return {"seconds": seconds, "cpu": cpu, "rows": len(rows), "status": "floor"}


MEASURES = {
    "import": _measure_import,
    "extract_floor": _measure_extract_floor,
    "ctf_floor": _measure_ctf_floor,
}


def _child(name: str, path: Path, folder: Path) -> dict[str, Any]:
    db_path = folder / f"{name}-{time.time_ns()}.db"
    load = load_average()
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, str(path), str(db_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        print(f"{name} of {path.name} failed:\n{out.stderr.strip()[-2000:]}", file=sys.stderr)
        return {"seconds": None, "rows": 0, "status": "failed", "peak_mb": None, "load": load}
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "load": load}


def run(schools: int, pupils: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        extract, ctf = make_extract(schools, folder), make_ctf(pupils, folder)
        got = {
            "extract": _child("import", extract, folder),
            "extract_floor": _child("extract_floor", extract, folder),
            "ctf": _child("import", ctf, folder),
            "ctf_floor": _child("ctf_floor", ctf, folder),
        }
        sizes = {"extract_mb": extract.stat().st_size / 1e6, "ctf_mb": ctf.stat().st_size / 1e6}
    e, c = got["extract"], got["ctf"]
    figures = [
        figure(
            f"GIAS extract, {schools:,} establishments x 139 columns",
            e["seconds"], floor=got["extract_floor"]["seconds"],
            floor_name="csv module read + one executemany into one table",
            max_ratio=4, max_value=20,
            note=f"{e['rows']:,} schools imported ({e['status']}), {sizes['extract_mb']:.0f} MB",
        ),
        figure(
            f"CTF, {pupils:,} pupils x 3 schools", c["seconds"],
            floor=got["ctf_floor"]["seconds"],
            floor_name="defusedxml iterparse + one executemany of the school stays",
            max_ratio=4,
            note=f"{c['rows']:,} registrations imported ({c['status']}), "
            f"{sizes['ctf_mb']:.1f} MB",
        ),
        figure("peak memory of the extract import", e["peak_mb"], "MB", max_value=1500),
        figure("peak memory of the CTF import", c["peak_mb"], "MB", max_value=1500),
    ]  # fmt: skip
    return {"engine": "sqlite", "figures": figures, "raw": got}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=52_000)
    parser.add_argument("--pupils", type=int, default=2_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--child", nargs=3, metavar=("MEASURE", "FILE", "DB"))
    args = parser.parse_args()
    if args.child:
        name, path, db_path = args.child
        got = MEASURES[name](path, db_path)
        got["peak_mb"] = peak_mb()
        print(json.dumps(got))
        return
    result = run(args.schools, args.pupils)
    result["machine"] = machine()
    if args.json:
        print(json.dumps(result))
    else:
        print_figures("Register and transfer files (sqlite)", result["figures"])


if __name__ == "__main__":
    main()
