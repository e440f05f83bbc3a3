"""`retention`: records past their retention period (counts only); `--purge --yes` deletes them."""

from __future__ import annotations

import argparse

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.roles import Action
from exclusion_monitor.store.retention import records_past_retention, retention_periods
from operations.admin import purge_past_retention
from ui.cli.common import authorise, current_account, open_db
from ui.cli.output import print_json, print_table


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "retention", help="records past their retention period; --purge --yes deletes them"
    )
    parser.add_argument("--purge", action="store_true", help="delete them (needs --yes)")
    parser.add_argument("--yes", action="store_true", help="confirm the purge")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.purge and not args.yes:
        raise InvalidInputError(
            "A purge cannot be undone: run retention first to see what would go, then "
            "retention --purge --yes."
        )
    with open_db(args) as db:
        authorise(db, Action.RETENTION_PURGE)
        periods = retention_periods(db)
        if args.purge:
            found = purge_past_retention(db, current_account()).value
        else:
            found = records_past_retention(db)
    if args.format == "json":
        print_json(
            {
                "purged": bool(args.purge),
                "periods": periods,
                "records": [
                    {"record_type": d.record_type, "count": d.count, "cutoff": d.cutoff}
                    for d in found
                ],
            }
        )
        return 0
    rows = [[d.record_type, d.count, d.cutoff, d.description] for d in found]
    print_table(["records", "count", "older than", "what"], rows)
    if args.purge:
        total = sum(d.count for d in found)
        print(f"Purged {total} records; the purge log keeps their counts and ids.")
    return 0
