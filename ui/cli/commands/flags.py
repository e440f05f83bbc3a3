"""`flags`: every child with at least one flag as of a date (default: the latest in the data)."""

from __future__ import annotations

import argparse

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.rules import RULES
from operations.viewing import flagged_children
from ui.cli.common import current_account, open_db, parse_date
from ui.cli.output import print_csv, print_json, print_table

HEADERS = ["upn", "surname", "forename", "school_laestab", "family_id", "rules", "reasons"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("flags", help="list flagged children")
    parser.add_argument(
        "--as-of", type=parse_date, help="evaluate as of this date (15/01/2026 or 2026-01-15)"
    )
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    parser.add_argument("--rule", action="append", help="only this rule (may be repeated)")
    parser.add_argument("--school", metavar="LAESTAB", help="only children now at this school")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    unknown = [r for r in args.rule or [] if r not in RULES]
    if unknown:
        raise InvalidInputError(
            f"There is no rule called '{unknown[0]}'; the rules are {', '.join(RULES)}."
        )
    with open_db(args) as db:
        found = flagged_children(
            db, current_account(), as_of=args.as_of, rules=args.rule, school=args.school
        ).value
    if args.format == "json":
        print_json(
            [
                {
                    "upn": c.upn,
                    "surname": c.surname,
                    "forename": c.forename,
                    "school_laestab": c.school_laestab,
                    "family_id": c.family_id,
                    "rules": c.rules,
                    "reasons": c.reasons,
                    "flags": [
                        {
                            "flag_id": f.flag_id,
                            "rule": f.rule,
                            "reason": f.reason,
                            "evidence": f.evidence,
                            "status": f.status,
                            "assigned_to": f.assigned_to,
                            "first_raised": f.first_raised,
                        }
                        for f in c.flags
                    ],
                }
                for c in found
            ]
        )
        return 0
    rows = [
        [
            c.upn,
            c.surname,
            c.forename,
            c.school_laestab,
            c.family_id,
            ", ".join(c.rules),
            " | ".join(c.reasons),
        ]
        for c in found
    ]
    if args.format == "csv":
        print_csv(HEADERS, rows)
    else:
        print_table(HEADERS[:-1], [r[:-1] for r in rows])
    return 0
