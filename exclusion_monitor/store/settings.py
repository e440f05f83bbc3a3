"""Domain settings kept in the database (rule thresholds, term dates, retention): JSON values."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database


def get_setting(db: Database, key: str, default: Any = None) -> Any:
    """The stored value for `key`, or `default` when it has never been set."""
    with db.read() as conn:
        raw = conn.execute(
            sa.select(t.settings.c.value).where(t.settings.c.key == key)
        ).scalar_one_or_none()
    return default if raw is None else json.loads(raw)


def get_settings(db: Database, prefix: str) -> dict[str, Any]:
    """Every stored setting whose key starts with `prefix`, keyed by the rest of the key."""
    with db.read() as conn:
        return settings_in(conn, prefix)


def settings_in(conn: sa.Connection, prefix: str) -> dict[str, Any]:
    """`get_settings` on a connection already open (read in its transaction)."""
    rows = conn.execute(
        sa.select(t.settings.c.key, t.settings.c.value).where(
            t.settings.c.key.startswith(prefix, autoescape=True)
        )
    ).all()
    return {key[len(prefix) :]: json.loads(value) for key, value in rows}


def set_setting(db: Database, key: str, value: Any, *, account: str | None = None) -> None:
    """Store `value` (anything JSON can hold) under `key`, replacing any earlier value."""
    text = json.dumps(value)
    now = dt.datetime.now()
    with db.write() as conn:
        updated = conn.execute(
            t.settings.update()
            .where(t.settings.c.key == key)
            .values(value=text, updated_at=now, updated_by=account)
        ).rowcount
        if not updated:
            conn.execute(
                t.settings.insert().values(key=key, value=text, updated_at=now, updated_by=account)
            )


def delete_setting(db: Database, key: str) -> None:
    """Forget `key`, so its default applies again."""
    with db.write() as conn:
        conn.execute(t.settings.delete().where(t.settings.c.key == key))
