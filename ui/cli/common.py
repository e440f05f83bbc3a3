"""What every command shares: opening the database named by --db, and the role check.

Every command that touches the database checks the role first:
    user = authorise(db, Action.EXPORT)     # PermissionDeniedError -> one sentence, exit 2
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from exclusion_monitor import config, identity
from exclusion_monitor.access import require
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, open_database
from exclusion_monitor.store.database import database_path
from exclusion_monitor.store.users import User


def database_location(args: argparse.Namespace) -> str:
    return str(args.db) if args.db else config.default_database()


def database_file(args: argparse.Namespace) -> Path:
    """The database file named by --db (or the default one), without opening it."""
    return database_path(database_location(args))


def open_db(args: argparse.Namespace) -> Database:
    return open_database(database_location(args))


def current_account() -> str:
    """The operating-system account running the command (never an environment variable)."""
    return identity.os_account()


def authorise(db: Database, action: Action) -> User:
    """The current user, when their role allows `action`; PermissionDeniedError otherwise."""
    return require(db, current_account(), action)


def parse_date(text: str) -> dt.date:
    """An ISO date from the command line, or argparse's own plain error."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date written as YYYY-MM-DD") from None
