"""`restore FILE`: check a backup, keep the current database as a backup, then put FILE in place."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from exclusion_monitor.errors import DamagedDatabaseError, InvalidInputError
from exclusion_monitor.roles import Action
from exclusion_monitor.store import audit, open_database
from exclusion_monitor.store.restore import restore_database
from exclusion_monitor.store.users import file_permits
from exclusion_monitor.text_safety import one_line
from ui.cli.common import authorise, current_account, database_file, open_db

MAX_REASON = 500


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
    reason = one_line(args.reason or "")[:MAX_REASON]
    if args.accept_broken_audit and not reason:
        raise InvalidInputError(
            '--accept-broken-audit needs --reason "why": the reason is kept in the audit trail.'
        )
    target = database_file(args)
    account = current_account()
    permitted: Callable[[Path], bool] | None = None
    if target.exists() and target.stat().st_size > 0:
        try:
            with open_db(args) as db:
                authorise(db, Action.RESTORE)
        except DamagedDatabaseError:
            # The damaged database cannot say who its admins are: ask the backup instead.
            permitted = lambda staged: file_permits(staged, account, Action.RESTORE)  # noqa: E731
    else:
        permitted = lambda staged: file_permits(staged, account, Action.RESTORE)  # noqa: E731
    result = restore_database(
        target, args.file, permitted=permitted, accept_broken_audit=args.accept_broken_audit
    )
    detail: dict[str, object] = {
        "kept": str(result.kept_copy) if result.kept_copy else None,
        "schema_version": result.schema_version,
    }
    if result.audit_problem is not None:
        detail.update(broken_audit=result.audit_problem, accepted_because=reason)
    with open_database(target) as db:
        audit.record(db, account, "restore", str(result.restored_from), detail)
    print(f"Restored {target} from {result.restored_from}.")
    if result.audit_problem is not None:
        print(
            f"Its audit trail does not verify ({result.audit_problem}); restored as you "
            "accepted, and your reason is recorded in the audit trail."
        )
    if result.kept_copy:
        print(f"The database it replaced is kept as {result.kept_copy}.")
    return 0
