"""`db set-password URL` / `db forget-password URL`: keep a team database's password in this
computer's credential store (Windows Credential Manager), never in a settings file."""

from __future__ import annotations

import argparse
import getpass

from exclusion_monitor.errors import DatabaseError, InvalidInputError
from exclusion_monitor.store.credentials import credential_key, forget_password, store_password
from exclusion_monitor.store.database import (
    check_login,
    display_location,
    is_server_location,
    server_url,
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("db", help="team database connection settings")
    commands = parser.add_subparsers(dest="db_command", metavar="SUBCOMMAND", required=True)
    keep = commands.add_parser(
        "set-password",
        help="keep the password of a postgresql:// database in this computer's credential store",
    )
    keep.add_argument("url", metavar="URL", help="postgresql://user@host/dbname")
    keep.set_defaults(handler=run_set_password)
    drop = commands.add_parser(
        "forget-password", help="remove a kept password from this computer's credential store"
    )
    drop.add_argument("url", metavar="URL", help="postgresql://user@host/dbname")
    drop.set_defaults(handler=run_forget_password)


def _server(text: str) -> str:
    if not is_server_location(text):
        raise InvalidInputError(
            f"'{text}' is not a team database address; write it as postgresql://user@host/dbname."
        )
    if server_url(text).password is not None:
        raise InvalidInputError(
            "Write the address without the password; you will be asked for it, and it is kept "
            "in the credential store, not on the command line."
        )
    return text


def run_set_password(args: argparse.Namespace) -> int:
    text = _server(args.url)
    url = server_url(text)
    password = getpass.getpass(f"Password for {credential_key(url)}: ")
    if not password:
        raise InvalidInputError("No password was given, so nothing was kept.")
    key = store_password(url, password)
    print(f"Kept the password for {key} in this computer's credential store.")
    try:
        check_login(text)
    except DatabaseError as exc:
        print(f"The server could not confirm it yet: {exc}")
        return 1
    print(f"The server accepted the login to {display_location(url)}.")
    return 0


def run_forget_password(args: argparse.Namespace) -> int:
    url = server_url(_server(args.url))
    if forget_password(url):
        print(f"Removed the password for {credential_key(url)} from the credential store.")
    else:
        print(f"No password was kept for {credential_key(url)}.")
    return 0
