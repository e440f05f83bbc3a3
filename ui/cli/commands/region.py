"""`region ...`: the regional workspace (docs/regional.md). Import authorities' returns, list
the region's children by pseudonym with their regional flags, follow one child's journey, and
compare schools' exclusion practice."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from exclusion_monitor.regional.journeys import child_journey, regional_children
from exclusion_monitor.regional.workspace import ensure_region_current, import_return
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store import regional_workspace as ws
from imports.regional_return import open_return
from ui.cli.common import add_force_argument, authorise, open_db
from ui.cli.output import print_csv, print_json, print_table


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("region", help="the regional workspace (pseudonymised)")
    sub = parser.add_subparsers(dest="region_command", metavar="COMMAND", required=True)
    imp = sub.add_parser("import", help="import authorities' regional returns")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imp.add_argument("--format", choices=["text", "json"], default="text")
    imp.set_defaults(handler=run_import)
    children = sub.add_parser("children", help="the region's children, by pseudonym")
    children.add_argument("--flagged", action="store_true", help="only those with a regional flag")
    children.add_argument(
        "--cross-border", action="store_true", help="only those seen in more than one authority"
    )
    children.add_argument("--authority", metavar="NNN", help="only those seen in this authority")
    children.add_argument("--format", choices=["table", "csv", "json"], default="table")
    children.set_defaults(handler=run_children)
    child = sub.add_parser("child", help="one child's journey across the region")
    child.add_argument("pseudonym", metavar="PSEUDONYM")
    child.add_argument("--format", choices=["text", "json"], default="text")
    child.set_defaults(handler=run_child)
    returns = sub.add_parser("returns", help="the returns the region holds")
    returns.add_argument("--format", choices=["table", "json"], default="table")
    returns.set_defaults(handler=run_returns)
    report = sub.add_parser("report", help="the printed regional report, as PDF")
    report.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    add_force_argument(report)
    report.set_defaults(handler=run_report)
    from ui.cli.commands import region_practice

    region_practice.register(sub)


def refreshed(db: Database, account: str) -> None:
    """Bring the links and regional flags up to date before anything is shown."""
    ensure_region_current(db, account)


def run_import(args: argparse.Namespace) -> int:
    results: list[dict[str, Any]] = []
    with open_db(args, create=True) as db:  # an import: the one command that makes a workspace
        user = authorise(db, Action.IMPORT_FILE)
        from exclusion_monitor.store.backup import backup_before

        backup_before(db, "regional-import")  # a later return replaces an earlier one
        for path in args.files:
            with open_return(path) as source:
                result = import_return(db, source, file_name=path.name, account=user.account)
            results.append(result.to_json())
            if args.format == "text":
                verb = "imported" if result.status == "imported" else "already imported"
                print(
                    f"{path.name}: {verb}: {result.la_name or result.la_code} as of "
                    f"{result.as_of:%d/%m/%Y}, {result.children:,} children"
                    + (", replacing the earlier return" if result.replaced else "")
                )
        summary = ensure_region_current(db, user.account)
        with db.read() as conn:
            people = len(ws.people_rows(conn))
    if args.format == "json":
        print_json({"files": results, "people": people, "linked_and_flagged": summary})
    else:
        print(f"The region now holds {people:,} children, linked across its authorities.")
    return 0


def run_children(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        user = authorise(db, Action.SEARCH)
        refreshed(db, user.account)
        rows = regional_children(
            db,
            flagged_only=args.flagged,
            cross_border_only=args.cross_border,
            authority=args.authority,
        )
        audit.record(
            db, user.account, "regional_children", None,
            {"flagged": args.flagged, "cross_border": args.cross_border,
             "authority": args.authority, "rows": len(rows)},
        )  # fmt: skip
    if args.format == "json":
        print_json([r.to_json() for r in rows])
        return 0
    headers = ["Pseudonym", "Authorities", "Schools", "Regional flags", "Only regionally"]
    table = [
        [r.pseudonym, " ".join(r.authorities), len(r.schools), " ".join(r.regional_flags),
         " ".join(r.seen_only_regionally)]
        for r in rows
    ]  # fmt: skip
    (print_csv if args.format == "csv" else print_table)(headers, table)
    return 0


def run_child(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        user = authorise(db, Action.VIEW_CHILD)
        refreshed(db, user.account)
        journey = child_journey(db, args.pseudonym)
        audit.record(
            db, user.account, Action.VIEW_CHILD, f"pseudonym:{journey['pseudonym']}",
            {"regional": True},
        )  # fmt: skip
    if args.format == "json":
        print_json(journey)
        return 0
    print(f"Child {journey['pseudonym']}, seen in {', '.join(journey['authorities'])} "
          f"(as of {journey['as_of']})")  # fmt: skip
    for record in journey["records"]:
        print(
            f"  {record['authority_name'] or record['authority']}: born {record['birth_month']}, "
            f"sex {record['sex'] or '?'}, postcode sector {record['postcode_sector'] or '?'}"
        )
    print("Schools:")
    for spell in journey["enrolments"]:
        print(
            f"  {spell['start']} to {spell['end'] or 'now'}  {spell['school_name']} "
            f"({spell['school_laestab']}, LA {spell['authority']})"
        )
    for move in journey["moves"]:
        border = " across a border" if move["crosses_border"] else ""
        print(f"  move {move['date']}: {move['from_laestab']} -> {move['to_laestab']} "
              f"({move['kind']}{border})")  # fmt: skip
    if journey["exclusions"]:
        print("Exclusions:")
        for e in journey["exclusions"]:
            print(f"  {e['start_date']} {e['category']} {e['sessions']:g} sessions at "
                  f"{e['school_name']} ({e['school_laestab']})")  # fmt: skip
    print("Regional flags:" if journey["flags"] else "No regional flags.")
    for flag in journey["flags"]:
        print(f"  {flag['label']}: {flag['reason']}")
    return 0


def run_returns(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        authorise(db, Action.SEARCH)
        with db.read() as conn:
            held = ws.current_returns(conn)
    rows = [
        {
            "authority": r.la_code,
            "authority_name": r.la_name,
            "as_of": r.as_of,
            "made_at": r.made_at,
            "file": r.file_name,
            "children": r.children,
            "key_fingerprint": r.key_fingerprint,
            "imported_at": r.imported_at,
            "imported_by": r.imported_by,
        }
        for r in held
    ]
    if args.format == "json":
        print_json(rows)
    else:
        print_table(
            ["LA", "Authority", "As of", "Made", "Children", "File"],
            [[r["authority"], r["authority_name"], r["as_of"], r["made_at"], r["children"],
              r["file"]] for r in rows],
        )  # fmt: skip
    return 0


def run_report(args: argparse.Namespace) -> int:
    import datetime as dt

    from exclusion_monitor import output_files
    from exclusion_monitor.errors import InvalidInputError
    from exclusion_monitor.regional.journeys import region_summary
    from exclusion_monitor.reports.practice_report import region_figures
    from exclusion_monitor.reports.regional_report import regional_document
    from exclusion_monitor.reports.tables import ReportContext
    from operations.output import print_to_pdf
    from ui.reports.pdf import render
    from ui.reports.rendering import ensure_gui_application

    if args.out.suffix.lower() != ".pdf":
        raise InvalidInputError(f"{args.out} should end in .pdf: reports are written as PDF.")
    output_files.check_destination(args.out, overwrite=args.force)
    ensure_gui_application()
    with open_db(args) as db:
        user = authorise(db, Action.PRINT_REPORT)
        with db.read() as conn:
            if not ws.holds_returns(conn):
                raise InvalidInputError(f"{db.location} holds no regional returns to report on.")
        refreshed(db, user.account)
        figures = region_figures(db)
        people, cross, flags, only = region_summary(db)
        from exclusion_monitor.reports.national import comparison

        national = comparison(
            db, figures.year, "The region", [s["authority"] for s in figures.sources]
        )
        document = regional_document(figures, people, cross, flags, only, national)
        context = ReportContext(
            title=document.title,
            authority="Regional workspace (pseudonymised returns)",
            as_of=figures.as_of,
            filter_description=f"{len(figures.sources)} authorities' returns",
            produced_by=user.account,
            produced_at=dt.datetime.now().replace(microsecond=0),
        )
        printed = print_to_pdf(
            db,
            user.account,
            args.out,
            document,
            render=render,
            filter_description=context.filter_description,
            as_of=figures.as_of,
            target="report:regional",
            detail={},
            overwrite=args.force,
            context=context,
        ).value
    print(f"Wrote {printed.pages} pages to {printed.path}")
    print(f"Audit chain head printed on every page: {printed.audit_head}")
    return 0
