"""Running the real command line under a thin observer, for the timed kill and server-stop
trials: two SQLAlchemy event listeners write marks to a file when the import transaction
inserts its batch row (or, given `begins_at`, the Nth statement starting so) and when it
commits (os.write is unbuffered, so a mark survives a kill). No change to the program."""

from __future__ import annotations

import sys
from pathlib import Path

OBSERVER = r"""
import os, runpy, sys, time
import sqlalchemy as sa
from sqlalchemy import event
marks = os.open(os.environ["CRASH_TEST_MARKS"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
pattern = os.environ.get("CRASH_TEST_BEGINS_AT", "INSERT INTO IMPORT_BATCHES")
nth = int(os.environ.get("CRASH_TEST_NTH", "1"))
seen = []
began = []
@event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _begin(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith(pattern):
        seen.append(True)
        if len(seen) == nth:
            began.append(True)
            os.write(marks, b"begin %f\n" % time.monotonic())
@event.listens_for(sa.engine.Engine, "commit")
def _commit(conn):
    if began:
        os.write(marks, b"commit %f\n" % time.monotonic())
        began.clear()
sys.argv = ["exclusion-monitor", *sys.argv[1:]]
runpy.run_module("ui", run_name="__main__", alter_sys=True)
"""


def observed_command(*argv: str) -> list[str]:
    """`python -c OBSERVER ARGV...`: the program's own entry point, observed."""
    return [sys.executable, "-c", OBSERVER, *argv]


def read_marks(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


# Kills its own process (SIGKILL) when a statement starting CRASH_TEST_KILL_AT, with
# CRASH_TEST_KILL_HOLDING among its parameters, is about to run ("before"), or at the first
# statement after that statement's transaction committed ("after_commit"). No change to the
# program: how a test places a crash exactly between a piece of work and its audit row.
KILLER = r"""
import os, runpy, signal, sys
import sqlalchemy as sa
from sqlalchemy import event
starting = os.environ["CRASH_TEST_KILL_AT"].upper()
holding = os.environ.get("CRASH_TEST_KILL_HOLDING", "")
when = os.environ.get("CRASH_TEST_KILL_WHEN", "before")
state = []
@event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _statement(conn, cursor, statement, parameters, context, executemany):
    if "committed" in state:
        os.kill(os.getpid(), signal.SIGKILL)
    if statement.lstrip().upper().startswith(starting) and holding in repr(parameters):
        if when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        state.append("seen")
@event.listens_for(sa.engine.Engine, "commit")
def _commit(conn):
    if "seen" in state:
        state.append("committed")
sys.argv = ["exclusion-monitor", *sys.argv[1:]]
runpy.run_module("ui", run_name="__main__", alter_sys=True)
"""


def killed_command(*argv: str) -> list[str]:
    """`python -c KILLER ARGV...`: the program's own entry point, killed where the test says."""
    return [sys.executable, "-c", KILLER, *argv]
