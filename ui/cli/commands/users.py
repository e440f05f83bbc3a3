"""`users`: who may use the database and with which role (admin only)."""

from __future__ import annotations

import argparse

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.roles import Action, Role, parse_role
from exclusion_monitor.store import users as store
from operations import admin
from ui.cli.common import authorise, current_account, open_db
from ui.cli.output import print_json, print_table


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("users", help="list users; add, change role or name, deactivate")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(handler=run, users_command=None)
    sub = parser.add_subparsers(dest="users_command", metavar="USERS_COMMAND")
    add = sub.add_parser("add", help="give an account access with a role")
    add.add_argument("account", help="the Windows account, for example LA\\jsmith")
    add.add_argument("--role", required=True, help=_ROLES_HELP)
    add.add_argument("--name", help="the person's name, for the users list")
    set_role = sub.add_parser("set-role", help="change an account's role")
    set_role.add_argument("account")
    set_role.add_argument("role", help=_ROLES_HELP)
    set_name = sub.add_parser("set-name", help="change the name cases and printouts show")
    set_name.add_argument("account")
    set_name.add_argument("name", help='the person\'s name; "" for none')
    deactivate = sub.add_parser("deactivate", help="stop an account using the database")
    deactivate.add_argument("account")


_ROLES_HELP = "viewer, officer, liaison, manager or admin"


def _role(text: str) -> Role:
    try:
        return parse_role(text)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        account = current_account()
        if args.users_command == "add":
            user = admin.add_user(db, account, args.account, _role(args.role), args.name).value
            print(f"{user.account} can now use the database as {user.role.value}.")
            return 0
        if args.users_command == "set-role":
            user = admin.set_role(db, account, args.account, _role(args.role)).value
            print(f"{user.account} is now {user.role.value}.")
            return 0
        if args.users_command == "set-name":
            user = admin.set_display_name(db, account, args.account, args.name).value
            shown = f"shown as {user.display_name}" if user.display_name else "shown by account"
            print(f"{user.account} is now {shown}.")
            return 0
        if args.users_command == "deactivate":
            user = admin.deactivate(db, account, args.account).value
            print(f"{user.account} can no longer use the database.")
            return 0
        authorise(db, Action.MANAGE_USERS)
        found = store.list_users(db)
    if args.format == "json":
        print_json(
            [
                {
                    "account": u.account,
                    "name": u.display_name,
                    "role": u.role.value,
                    "active": u.active,
                    "created_at": u.created_at,
                }
                for u in found
            ]
        )
    else:
        rows = [
            [u.account, u.display_name, u.role.value, "yes" if u.active else "no", u.created_at]
            for u in found
        ]
        print_table(["account", "name", "role", "active", "since"], rows)
    return 0
