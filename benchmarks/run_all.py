"""Run every benchmark in this folder and print one table.

A benchmark is a module `bench_*.py` with `run() -> list[dict]` (keys: benchmark, measure,
seconds, peak_mb, rows, target; optional unit). Run: python benchmarks/run_all.py [--quick]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    for path in sorted(HERE.glob("bench_*.py")):
        module = _load(path)
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        if args.quick and path.stem == "bench_import":
            results += module.run(20_000)
        else:
            results += module.run()
    print(f"{'benchmark':14} {'measure':58} {'value':>10} {'peak MB':>8} {'rows':>8}  target")
    for r in results:
        value = f"{r['seconds']:.2f} {r.get('unit', 's')}"
        print(
            f"{r['benchmark']:14} {r['measure']:58} {value:>10} {r.get('peak_mb', 0):8.0f} "
            f"{r.get('rows', 0):8}  {r.get('target', '')}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
