"""Import batches: the history, the rejected rows of a batch, and undoing a batch exactly.

Undo removes the records that the batch alone brought; a record that another live batch also
brought (the same exclusion in two censuses) stays, with the values the remaining returns give.
The merges the batch made are undone with it (docs/rules.md, "One record across returns").
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.errors import InvalidInputError, NotFoundError
from exclusion_monitor.store import merge_undo, sightings
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.dialect import settle_statistics
from exclusion_monitor.store.exclusion_twins import split_twins
from exclusion_monitor.store.flags import data_fingerprint
from exclusion_monitor.store.histories import children_of_batch
from exclusion_monitor.store.owed_work import owe_refresh

# Children last (removing a child removes what hangs off it); schools after what uses them.
UNDO_ORDER = [
    "exclusions",
    "census_observations",
    "enrolments",
    "school_links",
    "child_identifiers",
    "children",
    "schools",
]
_TABLES: dict[str, sa.Table] = {name: t.metadata.tables[name] for name in UNDO_ORDER}


@dataclass(frozen=True, slots=True)
class BatchSummary:
    id: int
    file_name: str
    kind: str
    sheet: str | None
    census_date: dt.date | None
    imported_at: dt.datetime
    imported_by: str | None
    rows_read: int
    rows_imported: int
    rows_rejected: int
    status: str
    undone_at: dt.datetime | None
    undone_by: str | None
    warnings: list[str]


@dataclass(frozen=True, slots=True)
class StoredRejectedRow:
    row_number: int
    upn: str | None
    reason: str
    raw: dict[str, Any]


def _summary(row: sa.Row[Any]) -> BatchSummary:
    m = row._mapping
    return BatchSummary(
        id=int(m["id"]),
        file_name=m["file_name"],
        kind=m["kind"],
        sheet=m["sheet"],
        census_date=m["census_date"],
        imported_at=m["imported_at"],
        imported_by=m["imported_by"],
        rows_read=int(m["rows_read"]),
        rows_imported=int(m["rows_imported"]),
        rows_rejected=int(m["rows_rejected"]),
        status=m["status"],
        undone_at=m["undone_at"],
        undone_by=m["undone_by"],
        warnings=list(json.loads(m["warnings"] or "[]")),
    )


def list_batches(db: Database) -> list[BatchSummary]:
    """Every import batch, newest first."""
    with db.read() as conn:
        rows = conn.execute(sa.select(t.import_batches).order_by(t.import_batches.c.id.desc()))
        return [_summary(r) for r in rows]


def get_batch(db: Database, batch_id: int) -> BatchSummary:
    with db.read() as conn:
        row = conn.execute(
            sa.select(t.import_batches).where(t.import_batches.c.id == batch_id)
        ).first()
    if row is None:
        raise NotFoundError(f"There is no import batch {batch_id}.")
    return _summary(row)


def rejected_rows(db: Database, batch_id: int) -> list[StoredRejectedRow]:
    """The rows a batch rejected, in row order, with the reason and the row as read."""
    get_batch(db, batch_id)
    c = t.rejected_rows.c
    with db.read() as conn:
        rows = conn.execute(
            sa.select(c.row_number, c.upn, c.reason, c.raw)
            .where(c.batch_id == batch_id)
            .order_by(c.row_number, c.id)
        )
        return [
            StoredRejectedRow(int(r[0]), r[1], r[2], dict(json.loads(r[3] or "{}"))) for r in rows
        ]


def newest_batch_id(db: Database) -> int:
    """The highest batch id so far (0 when there is none)."""
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.max(t.import_batches.c.id))).scalar() or 0)


def batch_saved_since(db: Database, file_hash: str, after_id: int) -> BatchSummary | None:
    """The batch that imported a file with this content after batch `after_id`, if one was
    saved: how an import that lost its connection finds out whether its commit went through."""
    with db.read() as conn:
        row = conn.execute(
            sa.select(t.import_batches)
            .where(t.import_batches.c.file_hash == file_hash, t.import_batches.c.id > after_id)
            .order_by(t.import_batches.c.id)
            .limit(1)
        ).first()
    return None if row is None else _summary(row)


@dataclass(frozen=True, slots=True)
class UndoResult:
    batch_id: int
    removed: dict[str, int]  # table -> records removed
    kept: dict[str, int]  # table -> records kept because another batch also brought them
    split_children: list[tuple[int, int]] = field(default_factory=list)  # (kept, merged) ids
    split_exclusions: int = 0  # exclusions one school no longer (the batch's links undone)


def undo_batch(
    db: Database,
    batch_id: int,
    account: str | None,
    before_commit: Callable[[sa.Connection, UndoResult], None] | None = None,
) -> UndoResult:
    """Remove what the batch alone brought, in one transaction, and mark the batch undone.
    `before_commit(conn, result)` writes what must commit with the undo (its audit rows)."""
    batch = get_batch(db, batch_id)
    if batch.status == "undone":
        when = f" on {batch.undone_at:%d/%m/%Y %H:%M}" if batch.undone_at else ""
        raise InvalidInputError(f"Import batch {batch_id} was already undone{when}.")
    rs = t.record_sources
    removed: dict[str, int] = {}
    kept: dict[str, int] = {}
    with db.write() as conn:
        # Deleting a child deletes its rows in a dozen tables through their foreign keys, each
        # planned from the statistics: a table said to be empty can make that a walk per child.
        settle_statistics(conn)
        data_before = data_fingerprint(conn)
        touched = children_of_batch(conn, batch_id)  # before its records go
        split = []
        for merge in merge_undo.live_merges(conn, batch_id, "children"):
            merge_undo.split_children(conn, merge, batch_id)
            split.append((int(merge.kept_id), int(merge.merged_id)))
        for record_type in UNDO_ORDER:
            table = _TABLES[record_type]
            # A record's own batch_id is its first source; record_sources holds the others.
            also_mine = sa.select(rs.c.record_id).where(
                rs.c.record_type == record_type, rs.c.batch_id == batch_id
            )
            others = sa.select(rs.c.record_id).where(
                rs.c.record_type == record_type, rs.c.batch_id != batch_id
            )
            condition = sa.and_(table.c.batch_id == batch_id, table.c.id.not_in(others))
            if record_type == "schools":
                condition = sa.and_(condition, *_school_unused(table))
            removed[record_type] = conn.execute(table.delete().where(condition)).rowcount
            kept[record_type] = int(
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(table)
                    .where(sa.or_(table.c.batch_id == batch_id, table.c.id.in_(also_mine)))
                ).scalar_one()
            )
            _pass_to_next_source(conn, record_type, table, batch_id)
        conn.execute(rs.delete().where(rs.c.batch_id == batch_id))
        for record_type in UNDO_ORDER:  # sources of records removed with a child
            table = _TABLES[record_type]
            conn.execute(
                rs.delete().where(
                    rs.c.record_type == record_type, rs.c.record_id.not_in(sa.select(table.c.id))
                )
            )
        _settle_versions(conn, batch_id)
        split_exclusions = 0
        if removed["school_links"] or merge_undo.live_merges(conn, batch_id, "exclusions"):
            split_exclusions = split_twins(conn, batch_id)
        reviews = t.identity_reviews
        conn.execute(
            reviews.delete().where(reviews.c.batch_id == batch_id, reviews.c.status == "open")
        )
        conn.execute(
            reviews.update()
            .where(reviews.c.former_upn_batch_id == batch_id)
            .values(former_upn_reason=None, former_upn_batch_id=None)
        )
        _restore_current_upns(conn)
        conn.execute(
            t.import_batches.update()
            .where(t.import_batches.c.id == batch_id)
            .values(status="undone", undone_at=dt.datetime.now(), undone_by=account)
        )
        if touched is not None:
            touched.update(child for pair in split for child in pair)
        owe_refresh(
            conn, f"undo of import batch {batch_id}", children=touched, data_before=data_before
        )
        result = UndoResult(batch_id, removed, kept, split, split_exclusions)
        if before_commit is not None:
            before_commit(conn, result)
    return result


def _settle_versions(conn: sa.Connection, batch_id: int) -> None:
    """The records that kept their own values per return lose this batch's: each takes what the
    remaining returns give (and keeps no versions once they all agree)."""
    v = t.record_versions
    affected: dict[str, list[int]] = {}
    for record_type, record_id in conn.execute(
        sa.select(v.c.record_type, v.c.record_id).where(v.c.batch_id == batch_id)
    ):
        affected.setdefault(str(record_type), []).append(int(record_id))
    conn.execute(v.delete().where(v.c.batch_id == batch_id))
    for record_type, table in sightings.TABLES.items():
        conn.execute(
            v.delete().where(
                v.c.record_type == record_type, v.c.record_id.not_in(sa.select(table.c.id))
            )
        )
        ids = affected.get(record_type)
        if ids:
            sightings.settle(
                conn,
                record_type,
                sightings.sightings_of(conn, record_type, ids),
                school_open=sightings.school_open_on(conn),
            )


def _pass_to_next_source(
    conn: sa.Connection, record_type: str, table: sa.Table, batch_id: int
) -> None:
    """A surviving record that this batch brought first now belongs to its next source: that
    batch becomes its own and leaves record_sources."""
    rs = t.record_sources
    next_source = (
        sa.select(sa.func.min(rs.c.batch_id))
        .where(
            rs.c.record_type == record_type,
            rs.c.record_id == table.c.id,
            rs.c.batch_id != batch_id,
        )
        .scalar_subquery()
    )
    moves = conn.execute(
        sa.select(table.c.id, next_source).where(table.c.batch_id == batch_id)
    ).all()
    if not moves:
        return
    conn.execute(
        table.update()
        .where(table.c.id == sa.bindparam("record"))
        .values(batch_id=sa.bindparam("to")),
        [{"record": record_id, "to": to} for record_id, to in moves],
    )
    conn.execute(
        rs.delete().where(
            rs.c.record_type == record_type,
            rs.c.record_id == sa.bindparam("record"),
            rs.c.batch_id == sa.bindparam("to"),
        ),
        [{"record": record_id, "to": to} for record_id, to in moves],
    )


def record_batches(conn: sa.Connection, record_type: str, record_id: int) -> list[int]:
    """Every batch that brought a record: its own batch first, then the others in order."""
    from exclusion_monitor.store.intake import RECORD_TABLES

    table = RECORD_TABLES[record_type]
    own = conn.execute(sa.select(table.c.batch_id).where(table.c.id == record_id)).scalar()
    rs = t.record_sources
    others = conn.execute(
        sa.select(rs.c.batch_id)
        .where(rs.c.record_type == record_type, rs.c.record_id == record_id)
        .order_by(rs.c.batch_id)
    ).scalars()
    return ([] if own is None else [int(own)]) + [int(b) for b in others if b != own]


def _school_unused(schools: sa.Table) -> Sequence[sa.ColumnElement[bool]]:
    """A school still used by a remaining record or link stays."""
    return [
        schools.c.id.not_in(sa.select(table.c.school_id))
        for table in (t.enrolments, t.census_observations, t.exclusions)
    ] + [
        schools.c.id.not_in(sa.select(t.school_links.c.school_id)),
        schools.c.id.not_in(sa.select(t.school_links.c.linked_school_id)),
    ]


def _restore_current_upns(conn: sa.Connection) -> None:
    """A child whose current UPN was removed gets back the best remaining one (permanent first)."""
    ci = t.child_identifiers
    with_current = sa.select(ci.c.child_id).where(ci.c.kind == "current")
    orphans = conn.execute(
        sa.select(ci.c.child_id, ci.c.id, ci.c.temporary)
        .where(ci.c.child_id.not_in(with_current))
        .order_by(ci.c.child_id, ci.c.temporary, ci.c.id)
    ).all()
    chosen: dict[int, int] = {}
    for child_id, identifier_id, _temporary in orphans:
        chosen.setdefault(int(child_id), int(identifier_id))
    for identifier_id in chosen.values():
        conn.execute(ci.update().where(ci.c.id == identifier_id).values(kind="current"))
