"""Saved column mappings, keyed by a header signature, applied to the next file of that shape."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database


@dataclass(frozen=True, slots=True)
class MappingProfile:
    id: int
    name: str
    kind: str
    header_signature: str
    mapping: dict[str, str]  # column header -> field ('' to ignore the column)
    created_by: str | None
    created_at: dt.datetime


def _profile(row: sa.Row[tuple[object, ...]]) -> MappingProfile:
    m = row._mapping
    return MappingProfile(
        id=int(m["id"]),
        name=str(m["name"]),
        kind=str(m["kind"]),
        header_signature=str(m["header_signature"]),
        mapping=dict(json.loads(str(m["mapping"]))),
        created_by=m["created_by"],
        created_at=m["created_at"],
    )


def mapping_profile_for(db: Database, header_signature: str) -> MappingProfile | None:
    """The profile saved for files whose headers have this signature, if any."""
    with db.read() as conn:
        row = conn.execute(
            sa.select(t.mapping_profiles).where(
                t.mapping_profiles.c.header_signature == header_signature
            )
        ).first()
    return None if row is None else _profile(row)


def list_mapping_profiles(db: Database) -> list[MappingProfile]:
    with db.read() as conn:
        rows = conn.execute(sa.select(t.mapping_profiles).order_by(t.mapping_profiles.c.name))
        return [_profile(row) for row in rows]


def put_mapping_profile(
    db: Database,
    *,
    name: str,
    kind: str,
    header_signature: str,
    mapping: dict[str, str],
    account: str | None,
) -> MappingProfile:
    """Save (or replace) the profile for a header signature."""
    values = {
        "name": name,
        "kind": kind,
        "mapping": json.dumps(mapping, ensure_ascii=False),
        "created_by": account,
        "created_at": dt.datetime.now(),
    }
    table = t.mapping_profiles
    with db.write() as conn:
        updated = conn.execute(
            table.update().where(table.c.header_signature == header_signature).values(**values)
        ).rowcount
        if not updated:
            conn.execute(table.insert().values(header_signature=header_signature, **values))
    found = mapping_profile_for(db, header_signature)
    assert found is not None
    return found


def delete_mapping_profile(db: Database, profile_id: int) -> None:
    with db.write() as conn:
        conn.execute(t.mapping_profiles.delete().where(t.mapping_profiles.c.id == profile_id))
