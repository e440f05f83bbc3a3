"""Run every benchmark, each in its own processes (so each peak memory is its own), and print each
figure with its floor, ratio and target (docs/benchmarks.md).

    python benchmarks/run_all.py [--quick] [--postgres] [--only NAME ...] [--json [FILE]] [--check]

--quick runs each at a small size (a smoke run, minutes not an hour); --postgres also runs the
benchmarks that can against a throwaway PostgreSQL server. --json writes every result as one JSON
object (to FILE, or to stdout with the tables going to stderr); --check exits 3 when a target was
missed. A benchmark is a script that takes --json and prints one JSON object: its `figures`
(harness.figure) if it has floors and targets, else plain numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from harness import flat_figures, machine, print_figures, run_child

HERE = Path(__file__).resolve().parent

# name, script, arguments for a full run, arguments for a quick run, also on PostgreSQL
BENCHMARKS = [
    ("import", "bench_import.py", [], ["--rows", "20000"], True),
    ("flags", "bench_flags.py", [], ["--scale", "0.05"], True),
    ("gui", "bench_gui.py", [], ["--children", "20000"], True),
    ("regional", "bench_regional.py", [], ["--scale", "0.02"], True),
    ("flag_list", "bench_flag_list.py", [], ["--pupils", "1500"], False),
    ("register", "bench_register.py", [], ["--schools", "20000", "--pupils", "2000"], False),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--postgres", action="store_true", help="also on a PostgreSQL server")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these benchmarks")
    parser.add_argument("--json", nargs="?", const="-", metavar="FILE", help="one JSON object")
    parser.add_argument("--check", action="store_true", help="exit 3 when a target was missed")
    args = parser.parse_args(argv)
    names = [b[0] for b in BENCHMARKS]
    unknown = sorted(set(args.only or ()) - set(names))
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)} (there are {', '.join(names)})")
    tables = sys.stderr if args.json == "-" else sys.stdout
    combined: dict[str, Any] = {"machine": machine(), "quick": args.quick, "benchmarks": {}}
    failed, missed = [], []
    for name, script, full, quick, on_server in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        for engine in ["sqlite", *(["postgresql"] if args.postgres and on_server else [])]:
            title = name if engine == "sqlite" else f"{name}_postgresql"
            print(f"\n=== {title} ===", file=tables, flush=True)
            started = time.monotonic()
            command = [str(HERE / script), *(quick if args.quick else full), "--json"]
            command += ["--postgres"] if engine == "postgresql" else []
            try:
                result = run_child(command)
            except RuntimeError as exc:
                print(exc, file=sys.stderr)
                failed.append(title)
                continue
            result["seconds_in_all"] = round(time.monotonic() - started)
            combined["benchmarks"][title] = result
            figures = flat_figures(result)
            missed += [f"{title}: {f['name']}" for f in figures if f.get("met") is False]
            print_figures(f"{title} ({result['seconds_in_all']} s in all)", figures, tables)
    combined.update(failed=failed, missed=missed, all_met=not missed and not failed)
    if args.json == "-":
        print(json.dumps(combined))
    elif args.json:
        Path(args.json).write_text(json.dumps(combined, indent=1) + "\n", encoding="utf-8")
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    if missed:
        print(f"\nTargets missed: {len(missed)}", file=tables)
        return 3 if args.check else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
