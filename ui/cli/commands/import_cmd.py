"""`import FILE...`: import returns; exit 0 when every file was imported, 2 when any was refused,
3 when the database failed under one (each result then says whether it was saved)."""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import sys
from pathlib import Path

from exclusion_monitor.errors import InvalidInputError
from imports import FileResult, Kind
from imports.kinds import SPECS
from imports.pipeline import proposal_warnings
from operations import ImportRequest, run_imports
from ui.cli.common import EXIT_DATABASE, EXIT_REFUSED, current_account, open_db, option_date
from ui.cli.output import print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import", help="import census, exclusions, enrolments, schools or school links files"
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--kind", choices=[k.value for k in Kind], help="override detection")
    parser.add_argument(
        "--census-date",
        metavar="DATE",
        help="for census files without one (15/01/2026 or 2026-01-15)",
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=field",
        help="read the column HEADER as field (repeatable; HEADER= alone ignores the column); "
        "over any mapping saved in the app for files of that shape",
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(handler=run)


def parse_maps(values: list[str]) -> dict[str, str] | None:
    """--map "HEADER=field" options as a mapping (header -> field, '' to ignore the column).
    The field is checked against the file's kind when the file is read."""
    if not values:
        return None
    mapping: dict[str, str] = {}
    known = {name for spec in SPECS.values() for name in spec.weights}
    for value in values:
        header, sep, target = value.rpartition("=")
        header, target = header.strip(), target.strip()
        if not sep or not header:
            raise InvalidInputError(
                f'--map {value!r} is not HEADER=field; write it as --map "Adm Dt=entry_date" '
                '(or --map "Tutor group=" to leave a column out).'
            )
        if target and target not in known:
            close = difflib.get_close_matches(target, sorted(known), n=1)
            hint = f" Did you mean {close[0]}?" if close else ""
            raise InvalidInputError(
                f"--map {value!r}: {target} is not a field the intake knows.{hint} The fields: "
                f"{', '.join(sorted(known))}."
            )
        if header in mapping and mapping[header] != target:
            raise InvalidInputError(f"--map names the column '{header}' twice.")
        mapping[header] = target
    return mapping


def _census_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return option_date(value, future=False)  # a census is never in the future
    except ValueError as exc:
        raise InvalidInputError(f"--census-date {value}: {exc}") from None


def _print_text(result: FileResult) -> None:
    if result.status == "refused":
        # The message names the file itself ("x.csv: ..."): said once, after the path.
        message = (result.message or "").removeprefix(f"{Path(result.file).name}: ")
        print(f"{result.file}: {'' if result.try_again else 'refused: '}{message}")
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
    proposals = {p["header"]: p["field"] for p in result.proposed}
    said = set(proposal_warnings(proposals))
    for warning in result.warnings:
        if warning not in said:
            print(f"  warning: {warning}")
    for proposal in result.proposed:
        print(
            f"  warning: the column '{proposal['header']}' may be the {proposal['label']} column "
            f"but was not used, as its header is not certain; if it is, undo {result.batch_id} "
            f'and import again with --map "{proposal["header"]}={proposal["field"]}"'
        )
    if result.not_used:
        print(f"  not used: {', '.join(result.not_used)}")


def run(args: argparse.Namespace) -> int:
    census_date = _census_date(args.census_date)
    parse_maps(args.map)  # a mistyped --map is refused before the database is opened
    with open_db(args, create=True) as db:
        mapping = parse_maps(args.map)
        requests = [ImportRequest(Path(f), args.kind, census_date, mapping) for f in args.files]
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
