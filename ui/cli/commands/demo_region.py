"""`demo --region`: a synthetic region (no real child). Each authority's returns are written and
imported into its own database through the real intake; each authority then makes its regional
return with the region's key, and the regional workspace imports them all."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from exclusion_monitor import config
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.flagging import default_as_of
from exclusion_monitor.regional.keys import create_key_file, load_key_file
from exclusion_monitor.regional.lookup import KEY_SETTING
from exclusion_monitor.regional.workspace import ensure_region_current, import_return
from exclusion_monitor.store import audit, open_database
from exclusion_monitor.store import regional_workspace as ws
from exclusion_monitor.store.children import count_children
from exclusion_monitor.store.settings import set_setting
from imports.demo import write_returns
from imports.demo.region import generate_region
from imports.regional_return import open_return, write_return
from operations import ImportRequest, run_imports
from ui.cli.common import current_account
from ui.cli.output import print_json

REGION_NAME = "West Midlands (synthetic demo)"


def run_region(args: argparse.Namespace) -> int:
    text = args.format == "text"
    out: Path = args.out or config.data_dir() / "demo-region" / f"seed-{args.seed}"
    out.mkdir(parents=True, exist_ok=True)
    region_location = args.db or str(out / "region.db")
    account = current_account()
    started = time.monotonic()
    authorities = generate_region(args.authorities, args.pupils, args.seed)
    key_path = out / "region.key"
    key = load_key_file(key_path) if key_path.exists() else create_key_file(key_path, REGION_NAME)
    return_paths: list[Path] = []
    summaries: list[dict[str, Any]] = []
    for authority in authorities:
        la = authority.la
        db_path = out / f"LA{la}.db"
        return_path = out / f"LA{la}-regional-return.zip"
        for stale in (db_path, return_path):
            if stale.exists():
                raise InvalidInputError(
                    f"{stale} already exists: build the regional demo into a new folder (--out)."
                )
        manifest = write_returns(authority, out / f"LA{la}-returns", args.pupils)
        with open_database(db_path) as db:
            set_setting(db, "authority.name", f"{authority.la_name} (synthetic demo)")
            set_setting(db, "authority.la_code", la)
            requests = [ImportRequest(f.path, f.kind, f.census_date) for f in manifest.files]
            run_imports(db, requests, account=account, backup=False)
            as_of = default_as_of(db)
            assert as_of is not None
            summary = write_return(
                db, return_path, key, as_of=as_of, la_code=la, la_name=authority.la_name
            )
            set_setting(db, KEY_SETTING, key.fingerprint, account=account)
            audit.record(
                db, account, "regional_return", f"file:{return_path.name}",
                {"as_of": as_of.isoformat(), "authority": la, "children": summary.children},
            )  # fmt: skip
            children = count_children(db)
        return_paths.append(return_path)
        summaries.append(
            {
                "authority": la,
                "name": authority.la_name,
                "database": str(db_path),
                "return": str(return_path),
                "children": children,
                "crossed_out": len(authority.crossings),
            }
        )
        if text:
            print(
                f"{authority.la_name} ({la}): {children:,} children in {db_path.name}, "
                f"{len(authority.crossings)} moved to another authority of the region; "
                f"return {return_path.name}",
                flush=True,
            )
    with open_database(region_location) as region:
        for path in return_paths:
            with open_return(path) as source:
                import_return(region, source, file_name=path.name, account=account)
        ensure_region_current(region, account)
        with region.read() as conn:
            people = ws.people_rows(conn)
    cross = sum(1 for _p, _s, las in people if "," in las)
    if text:
        print(
            f"Regional workspace {region_location}: {len(people):,} children, {cross:,} seen in "
            f"more than one authority; key {key_path} (fingerprint {key.fingerprint}); "
            f"{time.monotonic() - started:.0f} s in all."
        )
    else:
        print_json(
            {
                "out": str(out),
                "region_database": region_location,
                "key_file": str(key_path),
                "key_fingerprint": key.fingerprint,
                "authorities": summaries,
                "children": len(people),
                "cross_border_children": cross,
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    return 0
