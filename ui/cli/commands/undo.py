"""`undo BATCH`: remove exactly what one import batch brought (and nothing another also brought)."""

from __future__ import annotations

import argparse

from operations import undo_import
from ui.cli.common import current_account, open_db


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("undo", help="undo an import batch")
    parser.add_argument("batch", type=int, metavar="BATCH_ID")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        result = undo_import(db, args.batch, account=current_account()).value
    removed = sum(result.removed.values())
    kept = sum(result.kept.values())
    detail = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in result.removed.items() if n)
    print(f"Undid batch {result.batch_id}: removed {removed} records ({detail or 'none'}).")
    if kept:
        print(f"Kept {kept} records that other imports also brought.")
    return 0
