"""What every command shares: opening the database named by --db."""

from __future__ import annotations

import argparse

from exclusion_monitor import config
from exclusion_monitor.store import Database, open_database


def database_location(args: argparse.Namespace) -> str:
    return str(args.db) if args.db else config.default_database()


def open_db(args: argparse.Namespace) -> Database:
    return open_database(database_location(args))
