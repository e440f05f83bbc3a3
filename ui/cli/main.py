"""Entry point of `exclusion-monitor`: with no command it opens the desktop app."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from exclusion_monitor import __version__, config
from exclusion_monitor.errors import (
    ExclusionMonitorError,
    OutputExistsError,
    user_message,
    worth_retrying,
)
from exclusion_monitor.logging_setup import LOG_FILE_NAME, setup_logging
from ui.cli.commands import COMMANDS
from ui.cli.common import (
    EXIT_CODES_HELP,
    EXIT_DATABASE,
    EXIT_INTERRUPTED,
    EXIT_REFUSED,
    EXIT_UNEXPECTED,
)
from ui.cli.output import safe_output_streams

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exclusion-monitor",
        description="School exclusion and mobility monitoring. With no command, opens the app.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"exclusion-monitor {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="the database file (default: the one in your local app-data folder)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def ensure_output_streams() -> None:
    """Give print() and logging somewhere to write when there is no console.

    The windowed Windows program starts with sys.stdout and sys.stderr set to None; anything that
    writes to them would fail. The log file has the details; this output is discarded.
    """
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, Path(os.devnull).open("w", encoding="utf-8"))  # noqa: SIM115


def main(
    argv: list[str] | None = None, *, start_app: Callable[[str | None], int] | None = None
) -> int:
    """Run one command, or with none the desktop app through `start_app` (ui/launch.py gives it:
    the command line never imports the app); whatever it prints goes through the terminal
    guard."""
    ensure_output_streams()
    with safe_output_streams():
        return _main(argv, start_app)


def _main(argv: list[str] | None, start_app: Callable[[str | None], int] | None) -> int:
    ensure_output_streams()
    args = build_parser().parse_args(argv)
    setup_logging()
    log.info(
        "exclusion-monitor %s starting: %s%s",
        __version__,
        args.command or "desktop app",
        " (frozen build)" if getattr(sys, "frozen", False) else "",
    )
    if args.command is None:
        if start_app is None:
            build_parser().print_usage(sys.stderr)
            print("exclusion-monitor: name a command (see --help).", file=sys.stderr)
            return EXIT_REFUSED
        return start_app(args.db)
    try:
        return int(args.handler(args))
    except ExclusionMonitorError as exc:
        log.warning("command %s refused: %s", args.command, type(exc).__name__)
        message = str(exc)
        if isinstance(exc, OutputExistsError):
            offer = " Add --force to replace it, or" if hasattr(args, "force") else ""
            message += f"{offer} choose another name." if offer else " Choose another name."
        print(f"exclusion-monitor: {message}", file=sys.stderr)
        if worth_retrying(exc):
            return EXIT_DATABASE
        return EXIT_REFUSED
    except BrokenPipeError:
        # The reader went away (`... | head`): nothing went wrong. Point stdout at devnull so
        # Python's final flush does not fail again (the Python documentation's advice).
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("exclusion-monitor: stopped.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        log.exception("unexpected error in command %s", args.command)
        text = user_message(exc, program="the program", log_file=config.log_dir() / LOG_FILE_NAME)
        print(f"exclusion-monitor: {text}", file=sys.stderr)
        return EXIT_UNEXPECTED


if __name__ == "__main__":
    sys.exit(main())  # commands only: `python -m ui` (ui/launch.py) also opens the app
