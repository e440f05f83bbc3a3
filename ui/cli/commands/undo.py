"""`undo BATCH`: remove exactly what one import batch brought (and nothing another also brought)."""

from __future__ import annotations

import argparse

from exclusion_monitor.identity import os_account
from exclusion_monitor.store.batches import undo_batch
from ui.cli.common import open_db


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("undo", help="undo an import batch")
    parser.add_argument("batch", type=int, metavar="BATCH_ID")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        result = undo_batch(db, args.batch, os_account())
    removed = sum(result.removed.values())
    kept = sum(result.kept.values())
    detail = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in result.removed.items() if n)
    print(f"Undid batch {result.batch_id}: removed {removed} records ({detail or 'none'}).")
    if kept:
        print(f"Kept {kept} records that other imports also brought.")
    return 0
