"""`export flags|dashboard --out FILE.xlsx|FILE.csv`: tables for a spreadsheet, formula-safe."""

from __future__ import annotations

import argparse
from pathlib import Path

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.flagging import default_as_of, ensure_flags_current
from exclusion_monitor.reports.dashboard import build_dashboard, dashboard_tables
from exclusion_monitor.reports.flag_report import flag_list_tables, report_context
from exclusion_monitor.reports.tables import Column, ReportTable
from exclusion_monitor.roles import Action
from exclusion_monitor.store import audit
from ui.cli.commands.report import add_flag_filter_arguments, flag_filter
from ui.cli.common import authorise, open_db, parse_date
from ui.reports.export import write_csv, write_xlsx

SUFFIXES = (".xlsx", ".csv")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("export", help="export a table to Excel or CSV")
    kinds = parser.add_subparsers(dest="table", metavar="TABLE", required=True)
    flags = kinds.add_parser("flags", help="the flag list")
    add_flag_filter_arguments(flags)
    dashboard = kinds.add_parser("dashboard", help="every figure of the dashboard")
    dashboard.add_argument("--as-of", type=parse_date)
    for sub in (flags, dashboard):
        sub.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
        sub.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInputError(f"{args.out} should end in .xlsx or .csv.")
    with open_db(args) as db:
        user = authorise(db, Action.EXPORT)
        ensure_flags_current(db)
        as_of = args.as_of or default_as_of(db)
        if args.table == "flags":
            filters = flag_filter(args)
            tables = flag_list_tables(db, filters, group_by=args.group_by, initials=args.initials)
            description, title = filters.describe(), "Flag list"
            if suffix == ".csv":
                tables = [_merged(tables)]
        else:
            tables = dashboard_tables(build_dashboard(db, as_of=as_of))
            description, title = "whole authority", "Exclusions dashboard"
            if suffix == ".csv":
                raise InvalidInputError(
                    "The dashboard has several tables: export it as .xlsx (one sheet each)."
                )
        context = report_context(db, title, description, as_of, user.account)
        if suffix == ".csv":
            write_csv(args.out, tables[0], context)
        else:
            write_xlsx(args.out, tables, context)
        rows = sum(len(t.rows) for t in tables)
        audit.record(
            db,
            user.account,
            Action.EXPORT,
            f"export:{args.table}",
            {
                "filter": description,
                "as_of": as_of.isoformat() if as_of else None,
                "rows": rows,
                "file": args.out.name,
            },
        )
    print(f"Wrote {rows} rows to {args.out}")
    return 0


def _merged(tables: list[ReportTable]) -> ReportTable:
    """One table for a CSV: the group (school or family) becomes the first column."""
    if not tables:
        return ReportTable("Flag list", [], [])
    columns = [Column("Group"), *tables[0].columns]
    rows = [[t.title, *row] for t in tables for row in t.rows]
    return ReportTable("Flag list", columns, rows)
