"""`batches`: the import history; `--rejected BATCH --out FILE.xlsx` saves rejected rows."""

from __future__ import annotations

import argparse
from pathlib import Path

from exclusion_monitor import output_files
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.roles import Action
from exclusion_monitor.store.batches import list_batches
from imports.rejected_export import save_rejected_rows
from ui.cli.common import add_force_argument, authorise, open_db
from ui.cli.output import print_csv, print_json, print_table

HEADERS = [
    "id", "file", "kind", "imported_at", "imported_by", "rows_read", "rows_imported",
    "rows_rejected", "status",
]  # fmt: skip


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("batches", help="list import batches; save rejected rows")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    parser.add_argument("--rejected", metavar="BATCH", type=int, help="a batch's rejected rows")
    parser.add_argument("--out", metavar="FILE", help="where to save them (.xlsx or .csv)")
    add_force_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.rejected is not None:
        if not args.out:
            raise InvalidInputError("Say where to save the rejected rows with --out FILE.xlsx.")
        out = Path(args.out)
        if out.suffix.lower() not in (".xlsx", ".csv"):
            raise InvalidInputError(f"{out} should end in .xlsx or .csv.")
        output_files.check_destination(out, overwrite=args.force)
        with open_db(args) as db:
            user = authorise(db, Action.EXPORT_REJECTED_ROWS)
            count = save_rejected_rows(
                db, args.rejected, out, account=user.account, overwrite=args.force
            )
        print(f"Saved {count} rejected rows of batch {args.rejected} to {out.absolute()}.")
        return 0
    with open_db(args) as db:
        authorise(db, Action.SEARCH)
        batches = list_batches(db)
    if args.format == "json":
        print_json(
            [
                {
                    "id": b.id,
                    "file": b.file_name,
                    "kind": b.kind,
                    "sheet": b.sheet,
                    "census_date": b.census_date,
                    "imported_at": b.imported_at,
                    "imported_by": b.imported_by,
                    "rows_read": b.rows_read,
                    "rows_imported": b.rows_imported,
                    "rows_rejected": b.rows_rejected,
                    "status": b.status,
                    "undone_at": b.undone_at,
                    "undone_by": b.undone_by,
                    "warnings": b.warnings,
                }
                for b in batches
            ]
        )
        return 0
    rows = [
        [
            b.id, b.file_name, b.kind, b.imported_at.strftime("%Y-%m-%d %H:%M"), b.imported_by,
            b.rows_read, b.rows_imported, b.rows_rejected, b.status,
        ]
        for b in batches
    ]  # fmt: skip
    if args.format == "csv":
        print_csv(HEADERS, rows)
    else:
        print_table(HEADERS, rows)
    return 0
