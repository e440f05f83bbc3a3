"""Work over millions of small objects: an import's rows, a full recompute's histories."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_resting = 0  # how many callers are inside `without_cycle_collector`
_was_enabled = True


@contextmanager
def without_cycle_collector() -> Iterator[None]:
    """Rest Python's cycle collector while the work runs. Rows, cells, records and histories
    hold no reference cycles, so the collector's full passes over the millions of them free
    nothing and cost a tenth to a quarter of the work; reference counting still frees each one
    when it is done with. Calls may overlap (an import and a recompute on different threads):
    the collector comes back when the last of them ends, as it was before the first began."""
    global _resting, _was_enabled
    with _lock:
        if _resting == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _resting += 1
    try:
        yield
    finally:
        with _lock:
            _resting -= 1
            if _resting == 0 and _was_enabled:
                gc.enable()


# Past this share of an authority, work on the named children (a recompute, a regroup of their
# families) costs more than doing everyone in one ordered pass: each batch of names is looked up
# by id and followed, where the whole pass reads every table once in order. Measured at 250,000
# children: the named way about three times the cost a child. Under the floor both take moments,
# and the named way is kept (it is the one the incremental tests exercise on small data).
WHOLE_SHARE = 1 / 3
WHOLE_FLOOR = 5_000


def whole_is_quicker(part: int, whole: int) -> bool:
    """Whether doing all `whole` is quicker than doing `part` of them by name."""
    return part > WHOLE_FLOOR and part > whole * WHOLE_SHARE
