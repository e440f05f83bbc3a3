"""Old-style .xls workbooks are read once in a child process before the app reads them: a damaged
one can make the reader (a compiled library) abort, or ask for a terabyte of memory, and that must
cost the child, not the app and the person's unsaved work. The format caps sheets at 65,536 rows,
so reading twice is cheap."""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

MEMORY_LIMIT = 2 * 1024 * 1024 * 1024
TIMEOUT_SECONDS = 120
# The child's exit codes: it read every sheet, or Python raised (the app's own read then gives
# the person the reader's message).
READ_ALL, RAISED = 0, 3


def _limit_memory() -> None:
    if sys.platform.startswith("linux") or sys.platform == "darwin":
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def read_every_sheet(path: str) -> None:
    """The child's work: open the workbook and read every sheet, exiting with a code above."""
    try:
        # The reader's own complaints (a Rust backtrace) are not for the person at the screen.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        _limit_memory()
        import python_calamine

        workbook = python_calamine.CalamineWorkbook.from_path(path)
        for name in workbook.sheet_names:
            workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except BaseException:  # a Rust panic surfaces as BaseException
        os._exit(RAISED)
    os._exit(READ_ALL)


def _context() -> multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext:
    """A fork server where there is one (a child in milliseconds, after the first), else spawn;
    never a plain fork of the app, whose Qt and database threads must not be copied."""
    frozen = bool(getattr(sys, "frozen", False))
    if not frozen and "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["python_calamine", __name__])
        return context
    return multiprocessing.get_context("spawn")


def survives_reading(path: Path) -> bool:
    """Whether a child process can read the whole workbook without dying (a Python error in the
    reader counts as surviving: the app reports it itself)."""
    child = _context().Process(target=read_every_sheet, args=(str(path),), daemon=True)
    child.start()
    child.join(TIMEOUT_SECONDS)
    if child.is_alive():
        child.kill()
        child.join()
        return False
    return child.exitcode in (READ_ALL, RAISED)
