"""`report flags|school|dashboard --out FILE.pdf`: the printed reports, as PDF files."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from dataclasses import replace
from pathlib import Path

from exclusion_monitor import output_files
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.flagging import FlagFilter, default_as_of, ensure_flags_current
from exclusion_monitor.reports.dashboard import build_dashboard, dashboard_document
from exclusion_monitor.reports.flag_report import (
    LAYOUTS,
    flag_list_document,
)
from exclusion_monitor.reports.html import PrintableDocument
from exclusion_monitor.reports.school_report import school_report_document
from exclusion_monitor.roles import Action
from exclusion_monitor.rules import RULES
from exclusion_monitor.store import Database
from ui.cli.common import add_force_argument, authorise, open_db, parse_date

log = logging.getLogger(__name__)
STATUSES = ["new", "under_review", "referred", "no_further_action", "closed"]


def add_flag_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The Flags page's filters, for `report flags` and `export flags`."""
    parser.add_argument(
        "--as-of", type=parse_date, help="flags as of this date (15/01/2026 or 2026-01-15)"
    )
    parser.add_argument("--rule", action="append", choices=list(RULES), help="only this rule")
    parser.add_argument("--school", metavar="LAESTAB", help="only children now at this school")
    parser.add_argument("--status", action="append", choices=STATUSES, help="only this status")
    parser.add_argument("--officer", help="only flags assigned to this officer")
    parser.add_argument("--family-only", action="store_true", help="whole-family cases only")
    parser.add_argument(
        "--group-by",
        choices=["school", "family"],
        default="school",
        help="one table per school, or per family with every sibling",
    )
    parser.add_argument("--initials", action="store_true", help="initials instead of names")


def flag_filter(args: argparse.Namespace) -> FlagFilter:
    return FlagFilter(
        as_of=args.as_of,
        rules=args.rule,
        school_laestab=args.school,
        statuses=args.status,
        officer=args.officer,
        family_only=args.family_only,
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("report", help="print a report to a PDF file")
    kinds = parser.add_subparsers(dest="report", metavar="REPORT", required=True)
    flags = kinds.add_parser("flags", help="the flag list")
    add_flag_filter_arguments(flags)
    flags.add_argument(
        "--layout",
        choices=list(LAYOUTS),
        default="summary",
        help="one line per child (summary, the default) or every reason (detailed)",
    )
    flags.add_argument(
        "--portrait", action="store_true", help="A4 portrait pages (the flag list is landscape)"
    )
    school = kinds.add_parser("school", help="one school's report for a liaison meeting")
    school.add_argument("laestab", metavar="LAESTAB")
    school.add_argument("--as-of", type=parse_date)
    school.add_argument("--initials", action="store_true", help="initials instead of names")
    dashboard = kinds.add_parser("dashboard", help="the dashboard's figures and charts")
    dashboard.add_argument("--as-of", type=parse_date)
    for sub in (flags, school, dashboard):
        sub.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
        sub.add_argument(
            "--landscape",
            action="store_true",
            help="A4 landscape pages (the flag list and the dashboard are landscape anyway)",
        )
        add_force_argument(sub)
        sub.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() != ".pdf":
        raise InvalidInputError(f"{args.out} should end in .pdf: reports are written as PDF.")
    # Before any work: a folder that does not exist, a link, a database or a file that would be
    # replaced without --force is refused here, and nothing is printed or audited.
    output_files.check_destination(args.out, overwrite=args.force)
    from operations.output import print_to_pdf
    from ui.reports.pdf import render
    from ui.reports.rendering import ensure_gui_application

    ensure_gui_application()
    with open_db(args) as db:
        user = authorise(
            db, Action.VIEW_DASHBOARD if args.report == "dashboard" else Action.PRINT_REPORT
        )
        if args.report == "dashboard":
            authorise(db, Action.PRINT_REPORT)
        ensure_flags_current(db)
        printable, description, as_of = _document(db, args)
        if args.landscape or getattr(args, "portrait", False):
            landscape = not getattr(args, "portrait", False)
            printable = replace(printable, landscape=landscape)
        printed = print_to_pdf(
            db,
            user.account,
            args.out,
            printable,
            render=render,
            filter_description=description,
            as_of=as_of,
            target=f"report:{args.report}",
            detail={
                "initials": getattr(args, "initials", False),
                **({"layout": args.layout} if args.report == "flags" else {}),
            },
            overwrite=args.force,
        ).value
    print(f"Wrote {printed.pages} pages to {printed.path}")
    print(f"Audit chain head printed on every page: {printed.audit_head}")
    return 0


def _document(
    db: Database, args: argparse.Namespace
) -> tuple[PrintableDocument, str, dt.date | None]:
    as_of = args.as_of or default_as_of(db)
    if args.report == "flags":
        filters = flag_filter(args)
        document = flag_list_document(
            db, filters, group_by=args.group_by, initials=args.initials, layout=args.layout
        )
        return document, filters.describe(), as_of
    if args.report == "school":
        document = school_report_document(db, args.laestab, as_of=as_of, initials=args.initials)
        return document, f"school: {args.laestab}", as_of
    board = build_dashboard(db, as_of=as_of)
    return dashboard_document(board), "whole authority", board.as_of
