"""`migrate --to postgresql://...`: copy this database (batches, reviews, notes, users and the
audit trail) into a new, empty team database, and verify the copy there."""

from __future__ import annotations

import argparse

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.roles import Action
from exclusion_monitor.store import audit, open_database
from exclusion_monitor.store.database import is_server_location
from exclusion_monitor.store.transfer import copy_database
from ui.cli.common import authorise, open_db
from ui.cli.output import print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "migrate", help="copy this database into a new, empty team database on PostgreSQL"
    )
    parser.add_argument(
        "--to", required=True, metavar="URL", help="the team database: postgresql://user@host/db"
    )
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not is_server_location(args.to):
        raise InvalidInputError(
            f"--to takes a team database address (postgresql://user@host/dbname), not '{args.to}'."
        )
    with open_db(args) as source:
        user = authorise(source, Action.MIGRATE)
        with open_database(args.to) as target:
            result = copy_database(source, target, account=user.account)
            detail = {"rows": sum(result.rows.values()), "audit_head": result.audit_head}
            audit.record(source, user.account, "migrate_out", target.location, detail)
            where = target.location
        origin = source.location
    if args.format == "json":
        print_json(
            {
                "from": origin,
                "to": where,
                "rows": result.rows,
                "audit_rows": result.audit_rows,
                "audit_head": result.audit_head,
                "audit_verified": True,
                "resumed": result.resumed,
            }
        )
        return 0
    tables = sum(1 for n in result.rows.values() if n)
    if result.resumed:
        print(
            f"{where} already held a whole copy of {origin}, made by an earlier run that was "
            "stopped before it finished; it verifies, and the source now records the copy."
        )
    print(f"Copied {sum(result.rows.values())} rows in {tables} tables from {origin} to {where}.")
    print(
        f"The audit trail ({result.audit_rows} rows) verifies on the team database and reaches "
        f"the same head: {result.audit_head}"
    )
    print(f"From now on, start the app with --db {where} (or set EXCLUSION_MONITOR_DB).")
    return 0
