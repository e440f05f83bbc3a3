"""`restore FILE`: check a backup, keep the current database as a backup, then put FILE in place."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from exclusion_monitor.errors import DamagedDatabaseError
from exclusion_monitor.roles import Action
from exclusion_monitor.store import audit, open_database
from exclusion_monitor.store.restore import restore_database
from exclusion_monitor.store.users import file_permits
from ui.cli.common import authorise, current_account, database_file, open_db


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "restore", help="replace the database with a backup (the current one is kept)"
    )
    parser.add_argument("file", type=Path, help="the backup file to restore")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
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
    result = restore_database(target, args.file, permitted=permitted)
    with open_database(target) as db:
        audit.record(
            db,
            account,
            "restore",
            str(result.restored_from),
            {
                "kept": str(result.kept_copy) if result.kept_copy else None,
                "schema_version": result.schema_version,
            },
        )
    print(f"Restored {target} from {result.restored_from}.")
    if result.kept_copy:
        print(f"The database it replaced is kept as {result.kept_copy}.")
    return 0
