"""Logging to a rotating file in the user's log folder. Log record ids, never a child's name."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from exclusion_monitor import config

LOG_FILE_NAME = "exclusion-monitor.log"


class OwnerOnlyFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created for their owner only (config.create_owner_only)."""

    def _open(self):  # type: ignore[no-untyped-def]
        config.create_owner_only(Path(self.baseFilename))
        return super()._open()


_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(level: int = logging.INFO) -> None:
    """Attach one rotating file handler to the root logger (idempotent)."""
    root = logging.getLogger()
    path = config.log_dir() / LOG_FILE_NAME
    for handler in root.handlers:
        if getattr(handler, "baseFilename", None) == str(path):
            return
    handler = OwnerOnlyFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
