"""`mappings`: the column mappings saved in the app (used by `import` for files of the same
shape); `--show ID` prints one, `--delete ID` deletes one (audited)."""

from __future__ import annotations

import argparse

from exclusion_monitor.errors import NotFoundError
from exclusion_monitor.roles import Action
from exclusion_monitor.store import audit
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.mapping_profiles import MappingProfile, list_mapping_profiles
from imports.kinds import field_label
from ui.cli.common import authorise, open_db
from ui.cli.output import print_csv, print_json, print_table

HEADERS = ["id", "name", "kind", "columns", "ignored", "saved_by", "saved_at"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "mappings", help="list, show or delete the column mappings saved in the app"
    )
    parser.add_argument("--show", metavar="ID", type=int, help="one mapping, column by column")
    parser.add_argument("--delete", metavar="ID", type=int, help="delete a mapping")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    parser.set_defaults(handler=run)


def _json(profile: MappingProfile) -> dict[str, object]:
    return {
        "id": profile.id,
        "name": profile.name,
        "kind": profile.kind,
        "mapping": dict(profile.mapping),
        "saved_by": profile.created_by,
        "saved_at": profile.created_at,
    }


def _find(profiles: list[MappingProfile], wanted: int) -> MappingProfile:
    for profile in profiles:
        if profile.id == wanted:
            return profile
    raise NotFoundError(f"There is no saved mapping {wanted}; `mappings` lists them.")


def run(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        if args.delete is not None:
            user = authorise(db, Action.IMPORT_FILE)
            profile = _find(list_mapping_profiles(db), args.delete)
            with db.write() as conn:
                table = t.mapping_profiles
                conn.execute(table.delete().where(table.c.id == profile.id))
                audit.record(
                    conn,
                    user.account,
                    "delete_mapping_profile",
                    f"mapping:{profile.id}",
                    {"name": profile.name, "kind": profile.kind, "mapping": profile.mapping},
                )
            print(f"Deleted the saved mapping {profile.id} ('{profile.name}').")
            return 0
        authorise(db, Action.IMPORT_FILE)
        profiles = list_mapping_profiles(db)
    if args.show is not None:
        profile = _find(profiles, args.show)
        if args.format == "json":
            print_json(_json(profile))
            return 0
        lines = [[h, field_label(f) if f else "(ignored)", f] for h, f in profile.mapping.items()]
        print(f"{profile.name} ({profile.kind}), saved by {profile.created_by or 'unknown'}:")
        (print_csv if args.format == "csv" else print_table)(["header", "read as", "field"], lines)
        return 0
    if args.format == "json":
        print_json([_json(p) for p in profiles])
        return 0
    rows = [
        [
            p.id, p.name, p.kind, sum(1 for f in p.mapping.values() if f),
            sum(1 for f in p.mapping.values() if not f), p.created_by or "",
            p.created_at.strftime("%Y-%m-%d %H:%M"),
        ]
        for p in profiles
    ]  # fmt: skip
    if args.format == "csv":
        print_csv(HEADERS, rows)
    elif rows:
        print_table(HEADERS, rows)
    else:
        print("No mappings are saved. Save one on the app's Imports page (Save mapping).")
    return 0
