"""Why a whole file is refused: one plain sentence naming the file and the problem."""

from __future__ import annotations

from exclusion_monitor.errors import ExclusionMonitorError


class FileRefusedError(ExclusionMonitorError):
    """The file cannot be imported at all (unreadable, wrong type, no header, missing column)."""


class ImportCancelledError(ExclusionMonitorError):
    """The person asked to stop; the file's transaction was rolled back."""
