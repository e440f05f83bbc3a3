"""Derived data brought up to date after records change (an import, an undo, a merge): the flags
first, then the children list, whose rows carry each child's flag count."""

from __future__ import annotations

from collections.abc import Callable

from exclusion_monitor.flagging import ensure_flags_current
from exclusion_monitor.store import Database
from exclusion_monitor.store.children import ensure_child_summaries

Progress = Callable[[int, int], None]


def refresh_derived(db: Database, progress: Progress | None = None) -> bool:
    """Recompute the flags and rebuild the children list if the records changed since last time;
    True if the children list was rebuilt."""
    ensure_flags_current(db, progress)
    return ensure_child_summaries(db)
