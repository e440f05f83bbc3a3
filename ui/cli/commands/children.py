"""`children`: every child in the database, with their status (on roll, placement, left, missing,
no current school), the school it is about and its date."""

from __future__ import annotations

import argparse

from exclusion_monitor.places import status_word
from operations.viewing import every_child
from ui.cli.common import current_account, open_db
from ui.cli.output import print_csv, print_json, print_table

HEADERS = [
    "upn",
    "surname",
    "forename",
    "date_of_birth",
    "sex",
    "nc_year",
    "status",
    "school_laestab",
    "school_name",
    "status_date",
    "flags",
]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "children",
        help="list every child (the table on screen is a search; csv or json is an export)",
    )
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Every child in a machine format is a copy of the whole list: an export, with the export
    # role and an export audit row. The table on screen is what a viewer's search shows.
    exporting = args.format in ("csv", "json")
    with open_db(args) as db:
        found = every_child(
            db, current_account(), export_format=args.format if exporting else None
        ).value
    rows = [
        [
            c.upn,
            c.surname,
            c.forename,
            c.date_of_birth,
            c.sex,
            c.nc_year,
            c.status if args.format == "json" else status_word(c.status),
            c.school_laestab,
            c.school_name,
            c.status_date,
            c.flag_count,
        ]
        for c in found
    ]
    if args.format == "json":
        print_json([dict(zip(HEADERS, row, strict=True)) for row in rows])
    elif args.format == "csv":
        print_csv(HEADERS, rows)
    else:
        print_table(HEADERS, rows)
    return 0
