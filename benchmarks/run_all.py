"""Run every benchmark, each in its own process (so each peak memory is its own), and print their
tables one after another.

    python benchmarks/run_all.py [--quick] [--postgres]

--quick runs each at a small size (a smoke run, minutes not an hour); --postgres also runs the
import and flag benchmarks against a throwaway PostgreSQL server. Targets are in each table.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name, script, arguments for a full run, arguments for a quick run
BENCHMARKS = [
    ("import", "bench_import.py", [], ["--rows", "20000"]),
    ("flag recomputation", "bench_flags.py", [], ["--scale", "0.05"]),
    ("desktop app", "bench_gui.py", [], ["--children", "20000"]),
    ("regional workspace", "bench_regional.py", [], ["--scale", "0.02"]),
]
SERVER_AWARE = {"bench_import.py", "bench_flags.py", "bench_regional.py"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--postgres", action="store_true", help="also on a PostgreSQL server")
    args = parser.parse_args()
    failed = []
    for name, script, full, quick in BENCHMARKS:
        runs = [[]] + ([["--postgres"]] if args.postgres and script in SERVER_AWARE else [])
        for extra in runs:
            title = f"{name}{' (PostgreSQL)' if extra else ''}"
            print(f"\n=== {title} ===", flush=True)
            started = time.monotonic()
            command = [sys.executable, str(HERE / script), *(quick if args.quick else full), *extra]
            if subprocess.run(command, check=False).returncode != 0:
                failed.append(title)
            print(f"({title}: {time.monotonic() - started:.0f} s in all)", flush=True)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
