"""An authority's side of regional monitoring (docs/regional.md): `regional-key` makes the
region's key file once, `regional-return` writes the authority's pseudonymised return, and
`region-lookup` finds which of the authority's own children a regional pseudonym is."""

from __future__ import annotations

import argparse
from pathlib import Path

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.flagging import default_as_of
from exclusion_monitor.regional.extract import authority_code
from exclusion_monitor.regional.keys import create_key_file, load_key_file
from exclusion_monitor.regional.lookup import KEY_SETTING, check_key, find_child
from exclusion_monitor.roles import Action
from exclusion_monitor.store import audit
from exclusion_monitor.store import regional_workspace as ws
from exclusion_monitor.store.settings import set_setting
from imports.regional_return import write_return
from ui.cli.common import authorise, current_account, open_db, parse_date
from ui.cli.output import print_json


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    key = subparsers.add_parser(
        "regional-key", help="make the region's pseudonym key file (once, for the whole region)"
    )
    key.add_argument("--out", type=Path, required=True, metavar="KEY_FILE")
    key.add_argument("--region", required=True, help="the region's name, e.g. 'West Midlands'")
    key.set_defaults(handler=run_key)

    ret = subparsers.add_parser(
        "regional-return", help="write this authority's pseudonymised regional return"
    )
    ret.add_argument("--out", type=Path, required=True, metavar="FILE")
    ret.add_argument("--key-file", type=Path, required=True, metavar="KEY")
    ret.add_argument("--as-of", type=parse_date, help="as of this date (default: latest data)")
    ret.add_argument("--la", metavar="NNN", help="this authority's LA number, if not set")
    ret.add_argument("--format", choices=["text", "json"], default="text")
    ret.set_defaults(handler=run_return)

    look = subparsers.add_parser(
        "region-lookup", help="which of this authority's children a regional pseudonym is"
    )
    look.add_argument("pseudonym", metavar="PSEUDONYM")
    look.add_argument("--key-file", type=Path, required=True, metavar="KEY")
    look.add_argument("--format", choices=["text", "json"], default="text")
    look.set_defaults(handler=run_lookup)
    from ui.cli.commands.region_practice import register_dashboard

    register_dashboard(subparsers)
    from ui.cli.commands import national

    national.register(subparsers)


def run_key(args: argparse.Namespace) -> int:
    key = create_key_file(args.out, args.region)
    print(
        f"Wrote the {key.region} pseudonym key to {args.out} (readable by you only); its "
        f"fingerprint is {key.fingerprint}. Give a copy to each authority's named officer by a "
        "secure route; never to the regional workspace."
    )
    return 0


def run_return(args: argparse.Namespace) -> int:
    key = load_key_file(args.key_file)
    with open_db(args) as db:
        user = authorise(db, Action.EXPORT)
        with db.read() as conn:
            if ws.holds_returns(conn):
                raise InvalidInputError(
                    f"{db.location} is a regional workspace; a regional return is made from an "
                    "authority's own database."
                )
        check_key(db, key)
        la_code, la_name = authority_code(db, args.la)
        as_of = args.as_of or default_as_of(db)
        if as_of is None:
            raise InvalidInputError(f"{db.location} holds no data to make a return from.")
        summary = write_return(db, args.out, key, as_of=as_of, la_code=la_code, la_name=la_name)
        set_setting(db, KEY_SETTING, key.fingerprint, account=user.account)
        audit.record(
            db,
            user.account,
            "regional_return",
            f"file:{args.out.name}",
            {
                "as_of": as_of.isoformat(),
                "authority": la_code,
                "key_fingerprint": key.fingerprint,
                "children": summary.children,
                "census_rows": summary.census_rows,
                "exclusions": summary.exclusions,
                "flags": summary.flags,
            },
        )
    if args.format == "json":
        print_json(
            {
                "file": str(args.out),
                "authority": la_code,
                "authority_name": la_name,
                "as_of": as_of,
                "children": summary.children,
                "pseudonyms": summary.pseudonyms,
                "census_rows": summary.census_rows,
                "exclusions": summary.exclusions,
                "flags": summary.flags,
                "key_fingerprint": summary.key_fingerprint,
            }
        )
    else:
        print(
            f"Wrote the regional return of {la_name} ({la_code}) as of {as_of:%d/%m/%Y} to "
            f"{args.out}: {summary.children:,} children (pseudonymised), "
            f"{summary.census_rows:,} census rows, {summary.exclusions:,} exclusions, "
            f"{summary.flags:,} flags; key fingerprint {summary.key_fingerprint}."
        )
    return 0


def run_lookup(args: argparse.Namespace) -> int:
    key = load_key_file(args.key_file)
    with open_db(args) as db:
        user = authorise(db, Action.VIEW_CHILD)
        try:
            found = find_child(db, key, args.pseudonym)
        except Exception:
            audit.record(
                db, current_account(), "regional_lookup", f"pseudonym:{args.pseudonym[:40]}",
                {"found": False},
            )  # fmt: skip
            raise
        audit.record(
            db,
            user.account,
            Action.VIEW_CHILD,
            f"child:{found.child.id}",
            {"pseudonym": args.pseudonym.upper(), "via": "region-lookup"},
        )
    child = found.child
    if args.format == "json":
        print_json(
            {
                "pseudonym": args.pseudonym.upper(),
                "upn": child.upn,
                "matched_upn": found.matched_upn,
                "former_upns": list(child.former_upns),
                "surname": child.surname,
                "forename": child.forename,
                "date_of_birth": child.date_of_birth,
                "school_laestab": found.school_laestab,
                "school_name": found.school_name,
            }
        )
    else:
        born = f"{child.date_of_birth:%d/%m/%Y}" if child.date_of_birth else "not known"
        school = (
            f", latest school {found.school_name} ({found.school_laestab})"
            if found.school_laestab
            else ""
        )
        print(
            f"{child.forename} {child.surname}, UPN {child.upn}, born {born}{school}. "
            f"See: exclusion-monitor child {child.upn}"
        )
    return 0
