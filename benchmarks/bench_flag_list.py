"""The demo's flag list on paper: how many A4 pages its one-line layout takes (the target: at
most 12, issue 19), beside the detailed layout's, and how long each takes to lay out and write.

    python benchmarks/bench_flag_list.py [--db FILE] [--pupils N] [--seed S] [--json] [--check]

Without --db it builds the demo (`exclusion-monitor demo`, 6,000 pupils on roll by default)
in a temporary folder first (about a minute). --check exits 3 when the one-line list takes more
than 12 pages.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import time
from pathlib import Path

from harness import figure, print_figures

from ui.cli.main import main as cli

MOST_PAGES = 12


def _cli(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli(list(argv))
    if code != 0:
        raise SystemExit(f"exclusion-monitor {' '.join(argv)} failed ({code})")
    return out.getvalue()


def measure(db: Path, folder: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for layout in ("summary", "detailed"):
        target = folder / f"flags-{layout}.pdf"
        start = time.perf_counter()
        printed = _cli("--db", str(db), "report", "flags", "--layout", layout, "--out", str(target))
        found[f"{layout}_s"] = round(time.perf_counter() - start, 2)
        found[f"{layout}_pages"] = int(printed.split()[1])
    flagged = json.loads(_cli("--db", str(db), "flags", "--format", "json"))
    found["flagged_children"] = len(flagged)
    found["within_target"] = int(found["summary_pages"]) <= MOST_PAGES  # type: ignore[call-overload]
    found["figures"] = [
        figure("flagged children", len(flagged), "children"),
        figure(
            "one-line flag list, A4 pages", float(found["summary_pages"]), "pages",  # type: ignore[arg-type]
            max_value=MOST_PAGES,
        ),
        figure("one-line flag list, laid out and written", float(found["summary_s"]), "s"),  # type: ignore[arg-type]
        figure("detailed flag list, A4 pages", float(found["detailed_pages"]), "pages"),  # type: ignore[arg-type]
        figure("detailed flag list, laid out and written", float(found["detailed_s"]), "s"),  # type: ignore[arg-type]
    ]  # fmt: skip
    return found


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing database (the demo's)")
    parser.add_argument("--pupils", type=int, help="pupils on roll for the demo it builds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--check", action="store_true", help="exit 3 over the page target")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-flag-list-") as temporary:
        folder = Path(temporary)
        db = args.db
        if db is None:
            db = folder / "demo.db"
            print("building the demo...", file=sys.stderr)
            extra = ["--pupils", str(args.pupils)] if args.pupils else []
            _cli("--db", str(db), "demo", "--seed", str(args.seed), *extra,
                 "--out", str(folder / "returns"))  # fmt: skip
        result = measure(db, folder)
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"One-line flag list: {result['flagged_children']} flagged children on "
            f"{result['summary_pages']} pages (target: at most {MOST_PAGES})"
        )
        print_figures("The demo's flag list on paper", result["figures"])  # type: ignore[arg-type]
    return 3 if args.check and not result["within_target"] else 0


if __name__ == "__main__":
    sys.exit(run())
