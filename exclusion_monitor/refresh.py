"""Derived data brought up to date after records change (an import, an undo, a merge): the flags
first, then the children list, whose rows carry each child's flag count.

An import or undo records in its own transaction that this follow-up is owed
(store/owed_work.py); `finish_owed_work` does it and clears the note, right after the change or,
when the process died or the server went away in between, at the next start of any command or
the app (docs/output-and-failures.md, "Work left owed").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from exclusion_monitor.flagging import ensure_flags_current
from exclusion_monitor.store import Database
from exclusion_monitor.store.children import ensure_child_summaries
from exclusion_monitor.store.owed_work import OwedWork, owed, settle

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def refresh_derived(
    db: Database, progress: Progress | None = None, changes: Sequence[OwedWork] = ()
) -> bool:
    """Recompute the flags and rebuild the children list if the records changed since last time
    (the flags of the `changes`' children only, when they account for everything that changed:
    `flagging.changed_children`); True if the children list was rebuilt."""
    ensure_flags_current(db, progress, changes)
    return ensure_child_summaries(db)


def finish_owed_work(db: Database, progress: Progress | None = None) -> list[OwedWork]:
    """Do the follow-up that earlier changes left owed, and clear their notes; returns what was
    owed (empty when nothing was). A read-only database is left as it is."""
    if db.read_only:
        return []
    pending = owed(db)
    if not pending:
        return []
    log.info("finishing owed follow-up work: %s", ", ".join(p.after for p in pending))
    refresh_derived(db, progress, pending)
    settle(db, pending)
    return pending
