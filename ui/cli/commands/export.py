"""`export flags|dashboard --out FILE.xlsx|FILE.csv`: tables for a spreadsheet, formula-safe;
the flag list as one flat sheet for the authority (docs/reports.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from exclusion_monitor import output_files
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.flagging import default_as_of, ensure_flags_current
from exclusion_monitor.reports.dashboard import build_dashboard, dashboard_tables
from exclusion_monitor.reports.flag_export import CONTROLLED_NOTICE, flag_export_tables
from exclusion_monitor.roles import Action
from ui.cli.commands.report import add_flag_filter_arguments, flag_filter
from ui.cli.common import add_force_argument, authorise, open_db, parse_date
from ui.reports.export import export_tables

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
        as_of = args.as_of or default_as_of(db)
        notes: tuple[str, ...] = ()
        counted: int | None = None
        if args.table == "flags":
            filters = flag_filter(args)
            as_of, tables = flag_export_tables(
                db,
                filters,
                initials=args.initials,
                per_school=args.per_school,
                group_by=args.group_by,
            )
            counted = len(tables[0].rows)
            description, title = filters.describe(), "Flag list"
            if suffix == ".csv":
                tables = tables[:1]  # one row per child
            notes = (CONTROLLED_NOTICE,)
            detail: dict[str, object] = {"initials": args.initials, "per_school": args.per_school}
        else:
            tables = dashboard_tables(build_dashboard(db, as_of=as_of))
            description, title = "whole authority", "Exclusions dashboard"
            detail = {}
        exported = export_tables(
            db,
            user.account,
            args.out,
            tables,
            title=title,
            as_of=as_of,
            filter_description=description,
            target=f"export:{args.table}",
            detail=detail,
            overwrite=args.force,
            notes=notes,
            rows=counted,
        )
    print(f"Wrote {exported.rows} rows to {exported.path}")
    print(f"Audit chain head in the file: {exported.audit_head}")
    return 0
