"""Saving several settings at once, as the settings page does: one transaction, one audit row
per changed key (with the old and new value)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import audit
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database

CHANGE_SETTINGS = "change_settings"


def apply_setting_changes(db: Database, changes: Mapping[str, Any], account: str) -> list[str]:
    """Store each value (None forgets the key, so its default applies again); keys whose value
    does not change are skipped. Returns the keys changed."""
    changed: list[str] = []
    now = dt.datetime.now()
    with db.write() as conn:
        stored = dict(
            conn.execute(
                sa.select(t.settings.c.key, t.settings.c.value).where(
                    t.settings.c.key.in_(list(changes))
                )
            ).all()
        )
        for key, value in changes.items():
            old = json.loads(stored[key]) if key in stored else None
            if old == value and (value is not None or key not in stored):
                continue
            if value is None:
                if key not in stored:
                    continue
                conn.execute(t.settings.delete().where(t.settings.c.key == key))
            elif key in stored:
                conn.execute(
                    t.settings.update()
                    .where(t.settings.c.key == key)
                    .values(value=json.dumps(value), updated_at=now, updated_by=account)
                )
            else:
                conn.execute(
                    t.settings.insert().values(
                        key=key, value=json.dumps(value), updated_at=now, updated_by=account
                    )
                )
            audit.record(conn, account, CHANGE_SETTINGS, key, {"from": old, "to": value})
            changed.append(key)
    return changed
