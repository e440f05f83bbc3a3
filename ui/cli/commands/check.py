"""`check`: integrity, identity and schema checks, and any follow-up work an interrupted import
left owed (finished here and reported); exit 1 when any check fails, a damaged file included."""

from __future__ import annotations

import argparse
import csv

from exclusion_monitor import config
from exclusion_monitor.codelists import codelist, shipped_names
from exclusion_monitor.errors import DamagedDatabaseError, DatabaseError
from exclusion_monitor.refresh import finish_owed_work
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database
from exclusion_monitor.store.checks import CheckResult, run_checks
from exclusion_monitor.store.identity import OpenReviews, open_reviews
from exclusion_monitor.store.owed_work import owed
from ui.cli.common import EXIT_CHECK_FAILED, EXIT_OK, authorise, database_location, open_db
from ui.cli.output import print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("check", help="integrity, identity and schema checks")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        db = open_db(args, finish_owed=False)
    except DamagedDatabaseError as exc:
        # A damaged file is what a check exists to find: a failed check, not a refusal.
        return _report(args, database_location(args), None, [_damaged(exc)], None)
    with db:
        authorise(db, Action.RUN_CHECKS)
        reviews: OpenReviews | None = None
        try:
            results = [owed_work_result(db), *run_checks(db), codelists_result()]
            version: int | None = db.schema_version()
            with db.read() as conn:
                reviews = open_reviews(conn)
        except DamagedDatabaseError as exc:
            results, version = [_damaged(exc)], None
        location = db.location
    return _report(args, location, version, results, reviews)


def _damaged(exc: DamagedDatabaseError) -> CheckResult:
    return CheckResult("integrity", False, str(exc))


def _report(
    args: argparse.Namespace,
    location: str,
    version: int | None,
    results: list[CheckResult],
    reviews: OpenReviews | None,
) -> int:
    ok = all(r.ok for r in results)
    if args.format == "json":
        print_json(
            {
                "database": location,
                "schema_version": version,
                "ok": ok,
                "checks": [{"name": r.name, "ok": r.ok, "detail": r.detail} for r in results],
                # None when the database could not be read far enough to count them.
                "identity_reviews": None
                if reviews is None
                else {
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
    return EXIT_OK if ok else EXIT_CHECK_FAILED


def owed_work_result(db: Database) -> CheckResult:
    """Follow-up work (flags, children list) an interrupted import or undo left: finished here
    and said so, or a failure when it cannot be finished (a read-only database)."""
    pending = owed(db)
    if not pending:
        return CheckResult("follow-up work", True, "none owed: every import's flags are current")
    what = ", ".join(f"{p.after} (since {p.since:%d/%m/%Y %H:%M})" for p in pending)
    if db.read_only:
        return CheckResult(
            "follow-up work",
            False,
            f"the flags and children list are owed after {what}; the database is read-only, "
            "so they cannot be brought up to date here",
        )
    try:
        finish_owed_work(db)
    except DatabaseError as exc:
        return CheckResult("follow-up work", False, f"owed after {what}, and failed now: {exc}")
    return CheckResult(
        "follow-up work",
        True,
        f"the flags and children list were owed after {what} (it was interrupted before it "
        "could); brought up to date now",
    )


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
