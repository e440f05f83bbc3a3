"""Test set-up for commands that only read: a command never creates a database (only `import`,
`demo` and the app's first start do), so a test makes its empty database first."""

from __future__ import annotations

from pathlib import Path

from exclusion_monitor.store import open_database


def new_database(path: Path) -> Path:
    """An empty database of this app at `path` (no users yet: the first account to use it
    becomes its admin)."""
    open_database(path, create=True).close()
    return path
