"""`backup`: make a consistent backup now and print its path; `backups`: list them with ages."""

from __future__ import annotations

import argparse
import datetime as dt

from exclusion_monitor.roles import Action
from exclusion_monitor.store.backup import (
    describe_age,
    ensure_file_database,
    list_backups,
)
from operations.admin import back_up
from ui.cli.common import authorise, current_account, open_db
from ui.cli.output import print_json, print_table


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("backup", help="make a backup of the database now")
    parser.set_defaults(handler=run)
    listing = subparsers.add_parser("backups", help="list the database's backups, newest first")
    listing.add_argument("--format", choices=["table", "json"], default="table")
    listing.set_defaults(handler=run_list)


def run(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        path = back_up(db, current_account()).value
    print(path)
    return 0


def run_list(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        authorise(db, Action.BACKUP)
        backups = list_backups(ensure_file_database(db))
    now = dt.datetime.now()
    if args.format == "json":
        print_json(
            [
                {
                    "path": str(b.path),
                    "taken_at": b.taken_at,
                    "age_seconds": int((now - b.taken_at).total_seconds()),
                    "reason": b.reason,
                    "size_bytes": b.size_bytes,
                }
                for b in backups
            ]
        )
        return 0
    rows = [
        [
            f"{b.taken_at:%Y-%m-%d %H:%M:%S}",
            describe_age(now - b.taken_at).removeprefix("backed up "),
            b.reason,
            f"{b.size_bytes / 1_000_000:.1f} MB",
            b.path,
        ]
        for b in backups
    ]
    print_table(["taken", "age", "reason", "size", "path"], rows)
    return 0
