"""Freeing an import's working data while the database finishes the load.

A first census leaves millions of small Python objects behind (rows as read, records, identity
indexes); freeing them takes a noticeable part of a second. Handed to a helper thread once the
rows are in, the freeing runs while SQLite builds the indexes and commits, work that runs without
the interpreter lock, instead of after it. The caller joins the thread before it reports the
import done, so nothing is left running behind the result.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

SLICE = 20_000  # entries freed at a time, so the main thread gets its turns in between


def release_in_background(containers: Iterable[list[Any] | dict[Any, Any]]) -> threading.Thread:
    """Empty these lists and dictionaries on a helper thread (started at once). Each must hold the
    last references to what it holds, and the caller must not use it again."""
    held = list(containers)

    def empty() -> None:
        for container in held:
            if isinstance(container, list):
                while container:
                    del container[-SLICE:]
            else:
                container.clear()
        held.clear()

    thread = threading.Thread(target=empty, name="release-import-data", daemon=True)
    thread.start()
    return thread
