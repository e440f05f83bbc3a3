"""`audit`: list and filter the audit trail, or `--verify` its hash chain (admin only)."""

from __future__ import annotations

import argparse
import json

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database
from exclusion_monitor.store import audit as store
from operations.audit_trail import AuditFilter, check_audit, list_audit
from ui.cli.common import authorise, open_db, parse_date
from ui.cli.output import print_csv, print_json, print_table

HEADERS = ["id", "at", "account", "action", "target", "detail"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("audit", help="the audit trail: who did what, and when")
    parser.add_argument("--action", help="only this action (view_child, search, export, ...)")
    parser.add_argument("--account", help="only this account")
    parser.add_argument(
        "--since", type=parse_date, help="only from this day (15/01/2026 or 2026-01-15)"
    )
    parser.add_argument("--until", type=parse_date, help="only up to this day, included")
    parser.add_argument("--upn", help="only the rows naming this child")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    parser.add_argument(
        "--verify", action="store_true", help="check the hash chain; exit 1 if it was tampered"
    )
    parser.add_argument(
        "--head",
        help="with --verify: a chain head printed earlier (ID:HASH), to find a cut-back log",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        user = authorise(db, Action.AUDIT_VIEW)
        if args.verify:
            return _verify(db, user.account, args.head)
        wanted = AuditFilter(args.action, args.account, args.since, args.until, args.upn)
        listing = list_audit(db, user.account, wanted).value
        entries, head = listing.entries, listing.head
    if args.format == "json":
        print_json(
            {
                "chain_head": head.label,
                "entries": [
                    {
                        "id": e.id,
                        "at": e.at,
                        "account": e.account,
                        "action": e.action,
                        "target": e.target,
                        "detail": e.detail,
                    }
                    for e in entries
                ],
            }
        )
        return 0
    rows = [
        [
            e.id,
            e.at.isoformat(sep=" ", timespec="seconds"),
            e.account,
            e.action,
            e.target,
            json.dumps(e.detail, ensure_ascii=False) if e.detail is not None else None,
        ]
        for e in entries
    ]
    if args.format == "csv":
        print_csv(HEADERS, rows)
    else:
        print_table(HEADERS, rows)
        print(f"Audit chain head: {head.label}")
    return 0


def _verify(db: Database, account: str, head_text: str | None) -> int:
    expected = None
    if head_text:
        try:
            expected = store.parse_head(head_text)
        except ValueError as exc:
            raise InvalidInputError(str(exc)) from None
    check = check_audit(db, account, expected).value
    ok = check.ok
    if ok:
        print(f"The audit trail is intact: {check.rows_checked} rows checked.")
        print("Every user's role is the one the audit trail gives them.")
        print(f"Audit chain head: {check.head.label}")
        return 0
    problems = list(check.problems)
    if not check.chain_intact:
        print(f"The audit trail has been tampered with: {problems[0]}")
    else:
        print(f"The users table has been changed outside the app: {problems[0]}")
    for problem in problems[1:]:
        print(f"  also: {problem}")
    return 1
