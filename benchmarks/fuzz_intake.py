"""On-demand fuzz run of the intake, far longer than the CI tests: byte-level mutations (as in
tests/intake/test_properties.py) and structure-aware ones (tests/intake/fuzz_mutations.py) of an
xlsx, a CSV, an xls and an ods seed, each imported into a scratch database.

Run: python benchmarks/fuzz_intake.py --iterations 100000 [--seed N] [--out DIR]
Every file must be imported or refused with a sentence naming it. A file that fails otherwise is
kept in DIR (and the run exits 1); the file being imported is always DIR/current.* first, so a
crash of the process itself (an abort in a parser) leaves the culprit behind.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("fuzz-findings"))
    args = parser.parse_args(argv)
    if sys.platform != "win32":
        import resource

        # A parser that tries to allocate gigabytes fails here instead of waking the OOM killer.
        limit = 4 * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    work = Path(tempfile.mkdtemp(prefix="fuzz-intake-"))
    os.environ["EXCLUSION_MONITOR_HOME"] = str(work / "home")
    from exclusion_monitor.store import open_database
    from imports import import_files
    from tests.intake.fuzz_mutations import mutate_workbook
    from tests.intake.test_properties import _mutate, _seeds

    args.out.mkdir(parents=True, exist_ok=True)
    seeds = list(zip(_seeds(work), [".xlsx", ".csv", ".xls", ".ods"], strict=True))
    rng = random.Random(args.seed)
    outcomes: Counter[str] = Counter()
    findings = 0
    started = time.monotonic()
    db = open_database(work / "fuzz.db")
    try:
        for n in range(args.iterations):
            data, suffix = rng.choice(seeds)
            if suffix in (".xlsx", ".ods") and rng.random() < 0.6:
                for _ in range(rng.randint(1, 3)):
                    data = mutate_workbook(data, rng)
            else:
                data = _mutate(data, rng)
            current = args.out / f"current{suffix}"
            current.write_bytes(data)
            (result,) = import_files(db, [current])
            outcomes[result.status] += 1
            clean = (
                result.status != "refused"
                and result.rows_read == result.rows_imported + result.rows_rejected
            ) or (
                result.status == "refused"
                and (result.message or "").startswith(current.name + ":")
                and "unexpected" not in (result.message or "")
            )
            if not clean:
                findings += 1
                kept = args.out / f"finding-{args.seed}-{n}{suffix}"
                shutil.copyfile(current, kept)
                print(f"finding {kept}: {result.status}: {result.message}", flush=True)
            if (n + 1) % 5000 == 0:
                print(f"{n + 1:,} files, {dict(outcomes)}", flush=True)
    finally:
        db.close()
        shutil.rmtree(work, ignore_errors=True)
    for leftover in args.out.glob("current.*"):
        leftover.unlink()
    seconds = time.monotonic() - started
    print(f"{args.iterations:,} files in {seconds:.0f} s: {dict(outcomes)}; findings: {findings}")
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
