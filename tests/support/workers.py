"""How a machine can keep the flags' worker processes from working, for the tests that hold a
recompute (an authority's or a region's) to the same result in one process: it refuses to start
a process, or an endpoint tool ends each copy of the program as it starts."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any


class _Refused(multiprocessing.context.SpawnProcess):
    def start(self) -> None:
        raise PermissionError(13, "starting a program is not allowed here")


class _RefusingContext(multiprocessing.context.SpawnContext):
    Process = _Refused


# What to patch in exclusion_monitor.flag_evaluation for each way.
NO_WORKERS: dict[str, tuple[str, Any]] = {
    "refused to start": ("_context", _RefusingContext),
    "ended at once": ("_start_worker", os._exit),
}
