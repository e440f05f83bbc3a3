"""The operations layer: one function per thing a person does (import, undo, ...), called alike
by the desktop app and the command line. Each checks the role, does the work, writes its audit
row in the same transaction, and returns an Outcome saying what changed (docs/architecture.md,
"Operations")."""

from operations.base import Actor, Outcome, act, audited
from operations.imports import ImportRequest, run_imports, undo_import

__all__ = [
    "Actor",
    "ImportRequest",
    "Outcome",
    "act",
    "audited",
    "run_imports",
    "undo_import",
]
