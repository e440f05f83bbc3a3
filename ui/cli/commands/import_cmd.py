"""`import FILE...`: import returns; exit 0 when every file was imported, 2 when any was refused,
3 when the database failed under one (each result then says whether it was saved)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from exclusion_monitor.errors import InvalidInputError
from imports import FileResult, Kind
from operations import ImportRequest, run_imports
from ui.cli.common import EXIT_DATABASE, EXIT_REFUSED, current_account, open_db
from ui.cli.output import print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import", help="import census, exclusions, enrolments, schools or school links files"
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--kind", choices=[k.value for k in Kind], help="override detection")
    parser.add_argument("--census-date", metavar="YYYY-MM-DD", help="for census files without one")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(handler=run)


def _census_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInputError(
            f"--census-date {value} is not a date; write it as YYYY-MM-DD."
        ) from None


def _print_text(result: FileResult) -> None:
    if result.status == "refused":
        print(f"{result.file}: {'' if result.try_again else 'refused. '}{result.message}")
        return
    if result.status == "already_imported":
        print(f"{result.file}: already imported (batch {result.batch_id}); nothing added.")
        return
    print(
        f"{result.file}: {result.kind}, batch {result.batch_id}: {result.rows_read} rows read, "
        f"{result.rows_imported} imported, {result.rows_rejected} rejected."
    )
    for row in result.rejected[:50]:
        upn = f" ({row.upn})" if row.upn else ""
        print(f"  row {row.row}{upn}: {row.reason}")
    if len(result.rejected) > 50:
        print(f"  ... and {len(result.rejected) - 50} more (see `batches --rejected`)")
    for warning in result.warnings:
        print(f"  warning: {warning}")


def run(args: argparse.Namespace) -> int:
    census_date = _census_date(args.census_date)
    with open_db(args, create=True) as db:
        requests = [ImportRequest(Path(f), args.kind, census_date) for f in args.files]
        results = run_imports(db, requests, account=current_account()).value
    if args.format == "json":
        print_json([r.to_json() for r in results])
    else:
        for result in results:
            _print_text(result)
    refused = [r for r in results if r.status == "refused"]
    for result in refused:
        print(f"exclusion-monitor: {result.message}", file=sys.stderr)
    if any(r.try_again for r in refused):
        return EXIT_DATABASE
    return EXIT_REFUSED if refused else 0
