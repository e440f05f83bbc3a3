"""`export flags|dashboard --out FILE.xlsx|FILE.csv`: tables for a spreadsheet, formula-safe;
the flag list as one flat sheet for the authority (docs/reports.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from exclusion_monitor import output_files
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.flagging import default_as_of, ensure_flags_current
from exclusion_monitor.reports.dashboard import build_dashboard
from exclusion_monitor.roles import Action
from operations.output import export_dashboard, export_flag_list
from ui.cli.commands.report import add_flag_filter_arguments, flag_filter
from ui.cli.common import add_force_argument, authorise, open_db, parse_date

SUFFIXES = (".xlsx", ".csv")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("export", help="export a table to Excel or CSV")
    kinds = parser.add_subparsers(dest="table", metavar="TABLE", required=True)
    flags = kinds.add_parser("flags", help="the flag list")
    add_flag_filter_arguments(flags)
    flags.add_argument(
        "--per-school",
        action="store_true",
        help="a sheet per school as well as the authority's sheet (.xlsx only)",
    )
    dashboard = kinds.add_parser("dashboard", help="every figure of the dashboard")
    dashboard.add_argument("--as-of", type=parse_date)
    for sub in (flags, dashboard):
        sub.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
        add_force_argument(sub)
        sub.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInputError(f"{args.out} should end in .xlsx or .csv.")
    if args.table == "flags" and args.per_school and suffix == ".csv":
        raise InvalidInputError("A CSV file holds one table: export the sheet per school as .xlsx.")
    if args.table == "dashboard" and suffix == ".csv":
        raise InvalidInputError(
            "The dashboard has several tables: export it as .xlsx (one sheet each)."
        )
    output_files.check_destination(args.out, overwrite=args.force)
    with open_db(args) as db:
        user = authorise(db, Action.EXPORT)
        ensure_flags_current(db)
        if args.table == "flags":
            exported = export_flag_list(
                db,
                user.account,
                flag_filter(args),
                args.out,
                group_by=args.group_by,
                initials=args.initials,
                per_school=args.per_school,
                overwrite=args.force,
            ).value
        else:
            board = build_dashboard(db, as_of=args.as_of or default_as_of(db))
            exported = export_dashboard(
                db, user.account, board, args.out, overwrite=args.force
            ).value
    print(f"Wrote {exported.rows} rows to {exported.path}")
    print(f"Audit chain head in the file: {exported.audit_head}")
    return 0
