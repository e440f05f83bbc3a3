"""Small facts for the app's status bar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database


@dataclass(frozen=True, slots=True)
class LastImport:
    imported_at: dt.datetime
    file_name: str


def last_import(db: Database) -> LastImport | None:
    """The newest import batch that has not been undone, or None before the first import."""
    b = t.import_batches
    with db.read() as conn:
        row = conn.execute(
            sa.select(b.c.imported_at, b.c.file_name)
            .where(b.c.status != "undone")
            .order_by(b.c.imported_at.desc(), b.c.id.desc())
            .limit(1)
        ).first()
    return None if row is None else LastImport(row.imported_at, row.file_name)
