"""`restore FILE`: check a backup, keep the current database as a backup, then put FILE in place."""

from __future__ import annotations

import argparse
from pathlib import Path

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.text_safety import one_line
from operations.admin import restore_backup
from ui.cli.common import current_account, database_file, database_location


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "restore", help="replace the database with a backup (the current one is kept)"
    )
    parser.add_argument("file", type=Path, help="the backup file to restore")
    parser.add_argument(
        "--accept-broken-audit",
        action="store_true",
        help="restore it even though its audit trail does not verify (needs --reason)",
    )
    parser.add_argument("--reason", help="why a backup with a broken audit trail is restored")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    reason = one_line(args.reason or "")
    if args.accept_broken_audit and not reason:
        raise InvalidInputError(
            '--accept-broken-audit needs --reason "why": the reason is kept in the audit trail.'
        )
    result = restore_backup(
        database_location(args),
        database_file(args),
        args.file,
        account=current_account(),
        accept_broken_audit=args.accept_broken_audit,
        reason=reason,
    ).value
    target = database_file(args)
    print(f"Restored {target} from {result.restored_from}.")
    if result.audit_problem is not None:
        print(
            f"Its audit trail does not verify ({result.audit_problem}); restored as you "
            "accepted, and your reason is recorded in the audit trail."
        )
    if result.kept_copy:
        print(f"The database it replaced is kept as {result.kept_copy}.")
    return 0
