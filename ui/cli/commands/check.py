"""`check`: integrity, identity and schema checks; exit 1 when any fails."""

from __future__ import annotations

import argparse
import csv

from exclusion_monitor import config
from exclusion_monitor.codelists import codelist, shipped_names
from exclusion_monitor.roles import Action
from exclusion_monitor.store.checks import CheckResult, run_checks
from exclusion_monitor.store.identity import open_reviews
from ui.cli.common import authorise, open_db
from ui.cli.output import print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("check", help="integrity, identity and schema checks")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        authorise(db, Action.RUN_CHECKS)
        results = [*run_checks(db), codelists_result()]
        location = db.location
        version = db.schema_version()
        with db.read() as conn:
            reviews = open_reviews(conn)
    ok = all(r.ok for r in results)
    if args.format == "json":
        print_json(
            {
                "database": location,
                "schema_version": version,
                "ok": ok,
                "checks": [{"name": r.name, "ok": r.ok, "detail": r.detail} for r in results],
                "identity_reviews": {
                    "open": reviews.count,
                    "oldest": None
                    if reviews.oldest_id is None
                    else {
                        "review_id": reviews.oldest_id,
                        "batch_id": reviews.oldest_batch_id,
                        "since": reviews.oldest_since,
                        "former_upn": reviews.oldest_former_upn,
                    },
                },
            }
        )
    else:
        print(f"Database: {location}")
        for r in results:
            print(f"  [{'ok' if r.ok else 'FAIL'}] {r.name}: {r.detail}")
        print("All checks passed." if ok else "Some checks failed.")
    return 0 if ok else 1


def codelists_result() -> CheckResult:
    """The program's own code lists load: a damaged or incomplete installation fails here."""
    try:
        names = shipped_names()
        sizes = {name: len(codelist(name)) for name in names}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        detail = (
            f"the code lists could not be read ({type(exc).__name__}): check any files added in "
            f"{config.user_codelists_dir()}, else reinstall the program"
        )
        return CheckResult("code lists", False, detail)
    empty = sorted(name for name, size in sizes.items() if size == 0)
    if not names or empty:
        missing = ", ".join(empty) or "all of them"
        return CheckResult(
            "code lists", False, f"code lists missing or empty: {missing}; reinstall"
        )
    return CheckResult(
        "code lists", True, f"{len(names)} code lists loaded ({sum(sizes.values())} codes)"
    )
