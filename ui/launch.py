"""The program's entry point (the `exclusion-monitor` command, `python -m ui`, the Windows
programs): a command runs on the command line (ui/cli), no command opens the desktop app
(ui/app). The one module that knows both front ends, which never import each other."""

from __future__ import annotations

import multiprocessing


def _start_app(db_location: str | None) -> int:
    from ui.app.application import run_app

    return run_app(db_location)


def main(argv: list[str] | None = None) -> int:
    # A frozen program's child processes (the flag workers, the isolated .xls read) are the
    # program started again: they do their work here and end, before the command line and
    # everything it imports are loaded.
    multiprocessing.freeze_support()
    from ui.cli.main import main as run

    return run(argv, start_app=_start_app)
