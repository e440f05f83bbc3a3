"""`demo`: build a synthetic local authority (no real child), write the spreadsheets its schools
and census team would send, and import them through the real intake."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from exclusion_monitor import config
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.flagging import flag_list
from exclusion_monitor.store.children import count_children
from exclusion_monitor.store.settings import get_setting, set_setting
from imports.demo import DEFAULT_PUPILS, DEFAULT_SEED, build_demo_returns
from imports.demo.returns_writer import check_out_dir
from operations import ImportRequest, run_imports
from ui.cli.common import current_account, open_db
from ui.cli.output import print_json

AUTHORITY_NAME = "Demo Authority (synthetic data)"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="build a synthetic authority's returns and import them (no real data)"
    )
    parser.add_argument("--pupils", type=int, metavar="N", help="pupils on roll (per authority)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S")
    parser.add_argument("--out", type=Path, metavar="DIR", help="where to write the returns")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument(
        "--region", action="store_true", help="several authorities and their regional workspace"
    )
    parser.add_argument("--authorities", type=int, default=7, metavar="N", help="with --region")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.region:
        from imports.demo.region import DEFAULT_REGION_PUPILS, WEST_MIDLANDS
        from ui.cli.commands.demo_region import run_region

        args.pupils = args.pupils or DEFAULT_REGION_PUPILS
        if not 2 <= args.authorities <= len(WEST_MIDLANDS):
            raise InvalidInputError(f"--authorities must be between 2 and {len(WEST_MIDLANDS)}.")
        if not 50 <= args.pupils <= 300_000:
            raise InvalidInputError("--pupils must be between 50 and 300,000.")
        return run_region(args)
    args.pupils = args.pupils or DEFAULT_PUPILS
    if not 50 <= args.pupils <= 300_000:
        raise InvalidInputError("--pupils must be between 50 and 300,000.")
    out = args.out or config.data_dir() / "demo-returns" / f"seed-{args.seed}-{args.pupils}"
    check_out_dir(out)
    out.mkdir(parents=True, exist_ok=True)
    text = args.format == "text"
    with open_db(args, create=True) as db:
        if count_children(db):
            raise InvalidInputError(
                f"{db.location} already holds children; build the demo into a new database "
                "(--db a new file) so synthetic and real records never mix."
            )
        started = time.monotonic()
        manifest = build_demo_returns(out, pupils=args.pupils, seed=args.seed)
        written = time.monotonic()
        if text:
            print(f"Wrote {len(manifest.files)} returns to {out} in {written - started:.0f} s.")
        if get_setting(db, "authority.name") is None:
            set_setting(db, "authority.name", AUTHORITY_NAME)
        # The app's start page lists the planted stories with a link to each child.
        set_setting(
            db,
            "demo.stories",
            [{"upn": s.upn, "description": s.description} for s in manifest.stories],
        )
        requests = [ImportRequest(f.path, f.kind, f.census_date) for f in manifest.files]
        last_shown = [-1]

        def progress(done: int, total: int) -> None:
            percent = 100 * done // max(total, 1)
            if text and percent // 10 > last_shown[0]:
                last_shown[0] = percent // 10
                print(f"  importing ... {percent}%", flush=True)

        results = run_imports(
            db, requests, account=current_account(), progress=progress, backup=False
        ).value
        flagged = flag_list(db)
        children = count_children(db)
    imported = sum(r.status == "imported" for r in results)
    rejected = sum(r.rows_rejected for r in results)
    if not text:
        print_json(
            {
                "out": str(out),
                "files": [r.to_json() for r in results],
                "children": children,
                "flagged_children": len(flagged),
                "stories": [
                    {
                        "key": s.key,
                        "upn": s.upn,
                        "description": s.description,
                        "expected": sorted({r for e in s.expected for r in e.rules}),
                    }
                    for s in manifest.stories
                ],
                "seconds": round(time.monotonic() - started, 1),
            }
        )
        return 0
    print(
        f"Imported {imported} of {len(results)} files: {children:,} children, "
        f"{rejected} rows rejected on purpose (bad check letters, impossible dates), "
        f"{len(flagged):,} children flagged; {time.monotonic() - started:.0f} s in all."
    )
    print("Planted stories to look at:")
    for story in manifest.stories:
        print(f"  {story.upn}  {story.description}")
    return 0
