"""`backup`: make a consistent backup now and print its path; `backups`: list them with ages."""

from __future__ import annotations

import argparse
import datetime as dt

from exclusion_monitor.roles import Action
from exclusion_monitor.store import audit
from exclusion_monitor.store.backup import (
    backup_before,
    describe_age,
    ensure_file_database,
    list_backups,
)
from ui.cli.common import authorise, open_db
from ui.cli.output import print_json, print_table


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("backup", help="make a backup of the database now")
    parser.set_defaults(handler=run)
    listing = subparsers.add_parser("backups", help="list the database's backups, newest first")
    listing.add_argument("--format", choices=["table", "json"], default="table")
    listing.set_defaults(handler=run_list)


def run(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        user = authorise(db, Action.BACKUP)
        ensure_file_database(db)
        path = backup_before(db, "manual")
        assert path is not None
        audit.record(db, user.account, "backup", None, {"file": path.name})
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
