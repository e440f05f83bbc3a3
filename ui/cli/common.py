"""What every command shares: opening the database named by --db, and the role check.

Every command that touches the database checks the role first:
    user = authorise(db, Action.EXPORT)     # PermissionDeniedError -> one sentence, exit 2

Only `import` and `demo` may create a database (`open_db(args, create=True)`); every other
command refuses a path where there is none, so a mistyped --db never becomes a new, empty
database. Opening also finishes any follow-up work an interrupted import or undo left owed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from exclusion_monitor import config, identity
from exclusion_monitor.access import require
from exclusion_monitor.refresh import finish_owed_work
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, open_database
from exclusion_monitor.store.database import database_path
from exclusion_monitor.store.users import User
from ui.dates import typed_date

# Exit codes (docs/output-and-failures.md, "Exit codes"; also in `--help`).
EXIT_OK = 0
EXIT_CHECK_FAILED = 1  # check or audit --verify found a problem (a damaged database too)
EXIT_REFUSED = 2  # refused: input, role, file, output, no database there
EXIT_DATABASE = 3  # the database could not be used now: busy, server gone, disk full; try again
EXIT_UNEXPECTED = 70  # a fault in the program: the details are in the log
EXIT_INTERRUPTED = 130  # stopped with Ctrl+C

EXIT_CODES_HELP = """exit codes:
  0   done
  1   check or audit --verify found a problem (a damaged database included)
  2   refused: a wrong value, a role that does not allow it, a file that cannot be imported,
      an output file that cannot be written there, no database at --db
  3   the database could not be used now: busy with another import, server stopped or
      unreachable, disk full; nothing was changed unless the message says so; try again
  70  something the program did not expect; the details are in the log file
  130 stopped with Ctrl+C
details: docs/output-and-failures.md"""


def database_location(args: argparse.Namespace) -> str:
    return str(args.db) if args.db else config.default_database()


def database_file(args: argparse.Namespace) -> Path:
    """The database file named by --db (or the default one), without opening it."""
    return database_path(database_location(args))


def notice(text: str) -> None:
    """A line for the person on standard error, apart from the command's own output (which
    may be JSON for a program to read)."""
    print(f"exclusion-monitor: {text}", file=sys.stderr)


def open_db(
    args: argparse.Namespace, *, create: bool = False, finish_owed: bool = True
) -> Database:
    """The database named by --db; with `create`, a new one where there is none (said so)."""
    db = open_database(database_location(args), create=create)
    if db.created:
        notice(f"created a new database at {db.location}.")
    if finish_owed:
        try:
            done = finish_owed_work(db)
        except BaseException:
            db.close()
            raise
        if done:
            after = ", ".join(item.after for item in done)
            notice(
                f"brought the flags and the children list up to date, as {after} had left "
                "them (it was interrupted before it could)."
            )
    return db


def add_force_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace the --out file if it exists (never a database, never through a link)",
    )


def current_account() -> str:
    """The operating-system account running the command (never an environment variable)."""
    return identity.os_account()


def authorise(db: Database, action: Action) -> User:
    """The current user, when their role allows `action`; PermissionDeniedError otherwise."""
    return require(db, current_account(), action)


def option_date(text: str, *, future: bool = True) -> dt.date:
    """A date typed on the command line: YYYY-MM-DD, or day first as a UK user types it
    (15/01/2026, 15.1.26); ValueError with a plain sentence (ending with the ISO way) if not."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return typed_date(text, future=future)
    except ValueError as exc:
        said = str(exc).replace("\u201c", "'").replace("\u201d", "'")
        raise ValueError(f"{said} (or write it as YYYY-MM-DD)") from None


def parse_date(text: str) -> dt.date:
    """An option's date (`option_date`), or argparse's own plain error."""
    try:
        return option_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
