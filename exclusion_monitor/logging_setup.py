"""Logging to a rotating file in the user's log folder. Log record ids, never a child's name.

A failure's traceback is logged without the exceptions' messages: a library's message can quote
the value it choked on (a pupil's name from a cell, a key in a database error's detail), so
only where it failed and the error's type and code go to the file.
"""

from __future__ import annotations

import logging
import logging.handlers
import traceback
from pathlib import Path
from types import TracebackType

from exclusion_monitor import config

LOG_FILE_NAME = "exclusion-monitor.log"


class OwnerOnlyFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created for their owner only (config.create_owner_only)."""

    def _open(self):  # type: ignore[no-untyped-def]
        config.create_owner_only(Path(self.baseFilename))
        return super()._open()


_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_CODES = ("sqlite_errorname", "sqlstate", "errno")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def describe_exception(exc: BaseException) -> str:
    """'module.Type' and any error code: what a failure was, without what it said."""
    kind = type(exc)
    text = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    codes = [f"{name}={getattr(exc, name)}" for name in _CODES if getattr(exc, name, None)]
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's error
    if isinstance(orig, BaseException):
        codes += [f"{name}={getattr(orig, name)}" for name in _CODES if getattr(orig, name, None)]
    return f"{text} ({', '.join(codes)})" if codes else text


class ValueFreeFormatter(logging.Formatter):
    """Formats tracebacks frame by frame with each exception's type and code, never its text."""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the full traceback text on the record: ignore it.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        exc = ei[1]
        if exc is None:
            return ""
        parts: list[str] = []
        seen: set[int] = set()
        while exc is not None and id(exc) not in seen:
            seen.add(id(exc))
            frames = "".join(traceback.format_tb(exc.__traceback__))
            parts.append(f"Traceback (most recent call last):\n{frames}{describe_exception(exc)}")
            exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        return "\n\nwhile handling or because of the error above:\n".join(reversed(parts))


def setup_logging(level: int = logging.INFO) -> None:
    """Attach one rotating file handler to the root logger (idempotent)."""
    root = logging.getLogger()
    path = config.log_dir() / LOG_FILE_NAME
    for handler in root.handlers:
        if getattr(handler, "baseFilename", None) == str(path):
            return
    handler = OwnerOnlyFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(ValueFreeFormatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
