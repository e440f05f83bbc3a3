"""`national import FILE...`: the DfE's published suspensions and permanent exclusions CSV
files, to set England's, the region's and each authority's rates beside ours."""

from __future__ import annotations

import argparse
from pathlib import Path

from exclusion_monitor.roles import Action
from exclusion_monitor.store import audit
from imports.national_figures import import_national
from ui.cli.common import authorise, open_db
from ui.cli.output import print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("national", help="the DfE's published exclusion figures")
    sub = parser.add_subparsers(dest="national_command", metavar="COMMAND", required=True)
    imp = sub.add_parser("import", help="import DfE 'Suspensions and permanent exclusions' CSVs")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE.csv")
    imp.add_argument("--format", choices=["text", "json"], default="text")
    imp.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    results = []
    with open_db(args) as db:
        user = authorise(db, Action.IMPORT_FILE)
        for path in args.files:
            found = import_national(db, path)
            audit.record(
                db, user.account, "national_import", f"file:{path.name}",
                {"rows": found.rows, "periods": list(found.periods)},
            )  # fmt: skip
            results.append(found)
            if args.format == "text":
                print(
                    f"{path.name}: {found.rows:,} published rows for "
                    f"{', '.join(p[:4] + '/' + p[4:] for p in found.periods)}"
                    + (f" ({found.skipped:,} other rows left out)" if found.skipped else "")
                )
    if args.format == "json":
        print_json([{"file": r.file, "rows": r.rows, "skipped": r.skipped,
                     "periods": list(r.periods)} for r in results])  # fmt: skip
    return 0
