"""SQL for the intake: batches, bulk inserts through the driver's fast route, look-ups for loading.

The intake calls these inside one write transaction per file (`Database.write()`), with a bigger
page cache for the load and, when a load is bigger than what a table holds, its plain indexes
built once after the rows are in. A record's own `batch_id` is the batch that first brought it;
every other batch that brings it again has a `record_sources` row (undo and merges rely on both).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import bulk_insert
from exclusion_monitor.store.bulk import indexes_built_after as bulk_indexes_built_after
from exclusion_monitor.store.dialect import is_sqlite

LOAD_CACHE_KIB = 256 * 1024  # SQLite page cache while one file loads (the usual is 64 MiB)

RECORD_TABLES: dict[str, sa.Table] = {
    "schools": t.schools,
    "school_links": t.school_links,
    "children": t.children,
    "child_identifiers": t.child_identifiers,
    "enrolments": t.enrolments,
    "census_observations": t.census_observations,
    "exclusions": t.exclusions,
}


def next_id(conn: sa.Connection, table: sa.Table) -> int:
    """The next free id of a table (the caller holds the write lock for the transaction)."""
    return (
        int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()) + 1
    )


@contextmanager
def bulk_load_cache(conn: sa.Connection) -> Iterator[None]:
    """A bigger SQLite page cache while one file's rows go in, so a 250,000-row census does not
    spill index pages to the WAL file mid-transaction; the usual size after (other databases:
    nothing to do)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    usual = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    conn.exec_driver_sql(f"PRAGMA cache_size = -{LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        # After a failed load, that failure is the error to report, not this one.
        with suppress(sa.exc.SQLAlchemyError):
            conn.exec_driver_sql(f"PRAGMA cache_size = {usual}")


@contextmanager
def indexes_built_after(
    conn: sa.Connection, tables: Sequence[sa.Table], new_rows: int
) -> Iterator[None]:
    """Around a load: the indexes of the tables holding fewer rows than it is about to add are
    built once after it (`bulk.indexes_built_after`: SQLite only), as after a first bulk load,
    where one sort beats a quarter of a million scattered index inserts."""
    if not is_sqlite(conn):  # a server keeps its indexes: nothing to count
        yield
        return
    with ExitStack() as stack:
        for table in tables:
            some = sa.select(sa.literal(1)).select_from(table).limit(new_rows).subquery()
            if conn.execute(sa.select(sa.func.count()).select_from(some)).scalar_one() < new_rows:
                # (counting stops at new_rows: a big table is not read to the end)
                stack.enter_context(bulk_indexes_built_after(conn, table))
        yield


# -- batches -----------------------------------------------------------------------------------
def imported_batch_with_hash(conn: sa.Connection, file_hash: str, kind: str) -> int | None:
    """The live batch that already imported a file with this content as this kind, if any."""
    found = conn.execute(
        sa.select(t.import_batches.c.id)
        .where(
            t.import_batches.c.file_hash == file_hash,
            t.import_batches.c.kind == kind,
            t.import_batches.c.status == "imported",
        )
        .order_by(t.import_batches.c.id)
        .limit(1)
    ).scalar_one_or_none()
    return None if found is None else int(found)


def create_batch(
    conn: sa.Connection,
    *,
    file_name: str,
    file_hash: str,
    kind: str,
    sheet: str | None,
    census_date: dt.date | None,
    account: str | None,
    mapping: dict[str, str],
) -> int:
    result = conn.execute(
        t.import_batches.insert().values(
            file_name=file_name,
            file_hash=file_hash,
            kind=kind,
            sheet=sheet,
            census_date=census_date,
            imported_at=dt.datetime.now(),
            imported_by=account,
            rows_read=0,
            rows_imported=0,
            rows_rejected=0,
            status="imported",
            mapping=json.dumps(mapping),
            warnings="[]",
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def finish_batch(
    conn: sa.Connection,
    batch_id: int,
    *,
    rows_read: int,
    rows_imported: int,
    rows_rejected: int,
    warnings: list[str],
) -> None:
    conn.execute(
        t.import_batches.update()
        .where(t.import_batches.c.id == batch_id)
        .values(
            rows_read=rows_read,
            rows_imported=rows_imported,
            rows_rejected=rows_rejected,
            warnings=json.dumps(warnings),
        )
    )


def add_rejected_rows(
    conn: sa.Connection, batch_id: int, rows: Iterable[tuple[int, str | None, str, dict[str, Any]]]
) -> None:
    """(row number, UPN, reason, the row as read) for each rejected row."""
    bulk_insert(
        conn,
        t.rejected_rows,
        ["batch_id", "row_number", "upn", "reason", "raw"],
        [
            (batch_id, row, upn, reason, json.dumps(raw, default=str, ensure_ascii=False))
            for row, upn, reason, raw in rows
        ],
    )


def add_sources(
    conn: sa.Connection,
    record_type: str,
    batch_id: int,
    rows: Iterable[tuple[int, int | None]],
) -> None:
    """(record id, row number) pairs: this batch brought these records too (a record's own batch,
    the first to bring it, needs no row here)."""
    pairs = rows if isinstance(rows, list) else list(rows)
    if is_sqlite(conn) and len(pairs) > 1 and _consecutive_ids(pairs):
        # Records an earlier load added together, met again in the same order (the next census
        # of the same pupils): consecutive ids, so one INSERT ... SELECT over a JSON array of
        # their row numbers instead of a Python tuple and a bound row each.
        conn.exec_driver_sql(
            "INSERT INTO record_sources (record_type, record_id, batch_id, row_number) "
            "SELECT ?, ? + key, ?, value FROM json_each(?) WHERE true "
            "ON CONFLICT DO NOTHING",
            (record_type, pairs[0][0], batch_id, json.dumps([row for _, row in pairs])),
        )
        return
    bulk_insert(
        conn,
        t.record_sources,
        ["record_type", "record_id", "batch_id", "row_number"],
        [(record_type, record_id, batch_id, row) for record_id, row in pairs],
        ignore_conflicts=True,
    )


def _consecutive_ids(pairs: Sequence[tuple[int, int | None]]) -> bool:
    first = pairs[0][0]
    return pairs[-1][0] - first == len(pairs) - 1 and all(
        record_id == first + i for i, (record_id, _) in enumerate(pairs)
    )


# -- look-ups for loading -------------------------------------------------------------------------
@dataclass(slots=True)
class SchoolRow:
    id: int
    laestab: str
    urn: str | None
    name: str


def load_schools(conn: sa.Connection) -> list[SchoolRow]:
    rows = conn.execute(
        sa.select(t.schools.c.id, t.schools.c.laestab, t.schools.c.urn, t.schools.c.name)
    )
    return [SchoolRow(int(r.id), r.laestab, r.urn, r.name) for r in rows]


def update_school(conn: sa.Connection, school_id: int, values: dict[str, Any]) -> None:
    conn.execute(t.schools.update().where(t.schools.c.id == school_id).values(**values))


@dataclass(slots=True)
class IdentifierRow:
    child_id: int
    upn: str
    kind: str
    temporary: bool
    id: int


def load_identifiers(conn: sa.Connection) -> list[IdentifierRow]:
    c = t.child_identifiers.c
    rows = conn.execute(sa.select(c.child_id, c.upn, c.kind, c.temporary, c.id))
    return [IdentifierRow(int(r[0]), r[1], r[2], bool(r[3]), int(r[4])) for r in rows]


def load_child_keys(conn: sa.Connection) -> list[tuple[int, str, str, dt.date | None, str | None]]:
    """(id, surname, forename, date of birth, sex) of every child, for identity matching."""
    c = t.children.c
    rows = conn.execute(sa.select(c.id, c.surname, c.forename, c.date_of_birth, c.sex))
    return [(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows]


def set_identifier_kind(conn: sa.Connection, identifier_id: int, kind: str) -> None:
    conn.execute(
        t.child_identifiers.update()
        .where(t.child_identifiers.c.id == identifier_id)
        .values(kind=kind)
    )


def existing_keys(
    conn: sa.Connection, table: sa.Table, key_columns: Sequence[str], where: Any = None
) -> dict[tuple[Any, ...], int]:
    """Key tuple -> id for the rows of a table (optionally filtered), for de-duplication; dates
    as bulk rows hand them over (`bulk.stored_dates`: ISO text on SQLite)."""
    columns: list[Any] = [table.c[name] for name in key_columns]
    if is_sqlite(conn):
        columns = [
            sa.type_coerce(c, sa.String) if isinstance(c.type, sa.Date) else c for c in columns
        ]
    query = sa.select(table.c.id, *columns)
    if where is not None:
        query = query.where(where)
    return {tuple(row[1:]): int(row[0]) for row in conn.execute(query)}


def census_keys(conn: sa.Connection, dates: Iterable[dt.date]) -> dict[tuple[Any, ...], int]:
    c = t.census_observations.c
    return existing_keys(
        conn,
        t.census_observations,
        ["child_id", "school_id", "census_date"],
        c.census_date.in_(sorted(set(dates))),
    )


def exclusion_keys(conn: sa.Connection) -> dict[tuple[Any, ...], int]:
    return existing_keys(conn, t.exclusions, ["child_id", "school_id", "category", "start_date"])


def enrolment_keys(conn: sa.Connection) -> dict[tuple[Any, ...], int]:
    return existing_keys(
        conn, t.enrolments, ["child_id", "school_id", "entry_date", "enrol_status"]
    )


def link_keys(conn: sa.Connection) -> dict[tuple[Any, ...], int]:
    return existing_keys(conn, t.school_links, ["school_id", "linked_school_id", "link_type"])


def add_identity_reviews(
    conn: sa.Connection, batch_id: int, reviews: Iterable[tuple[int, int, str]]
) -> None:
    """(child, candidate, reason) near matches for an officer to decide; repeats are skipped."""
    bulk_insert(
        conn,
        t.identity_reviews,
        ["child_id", "candidate_id", "reason", "status", "batch_id"],
        [(child, candidate, reason, "open", batch_id) for child, candidate, reason in reviews],
        ignore_conflicts=True,
    )


def record_values(
    conn: sa.Connection, table: sa.Table, record_ids: Sequence[int], names: Sequence[str]
) -> dict[int, tuple[Any, ...]]:
    """Record id -> the named columns' values, as bulk rows hand them over (dates as
    `bulk.stored_dates` gives them), to compare with a row brought again."""
    columns: list[Any] = [table.c[name] for name in names]
    if is_sqlite(conn):
        columns = [
            sa.type_coerce(c, sa.String) if isinstance(c.type, sa.Date) else c for c in columns
        ]
    found: dict[int, tuple[Any, ...]] = {}
    ids = sorted(set(record_ids))
    if not ids:
        return found
    if ids[-1] - ids[0] < 2 * len(ids):
        # Records a load added together, met again (a census sent twice): one range scan.
        wanted = set(ids)
        query = sa.select(table.c.id, *columns).where(table.c.id.between(ids[0], ids[-1]))
        for row in conn.execute(query):
            if row[0] in wanted:
                found[int(row[0])] = tuple(row[1:])
        return found
    for start in range(0, len(ids), 900):
        query = sa.select(table.c.id, *columns).where(table.c.id.in_(ids[start : start + 900]))
        found.update({int(row[0]): tuple(row[1:]) for row in conn.execute(query)})
    return found


def batch_files(conn: sa.Connection, batch_ids: Iterable[int]) -> dict[int, str]:
    """Batch id -> the name of the file it imported."""
    b = t.import_batches.c
    ids = sorted(set(batch_ids))
    return {
        int(i): str(name)
        for i, name in conn.execute(sa.select(b.id, b.file_name).where(b.id.in_(ids)))
    }


def laestabs(conn: sa.Connection) -> dict[int, str]:
    return {int(i): str(s) for i, s in conn.execute(sa.select(t.schools.c.id, t.schools.c.laestab))}


def queue_former_upn_review(conn: sa.Connection, batch_id: int, a: int, b: int, reason: str) -> str:
    """Put a pair a Former UPN joins, but that disagree, before an officer: a new review, or the
    Former UPN's reason added to the pair's open review. Returns 'queued', 'added' or, when an
    officer already decided the pair, that decision ('kept_apart', 'merged')."""
    r = t.identity_reviews.c
    found = conn.execute(
        sa.select(r.id, r.status, r.former_upn_reason).where(
            sa.or_(
                sa.and_(r.child_id == a, r.candidate_id == b),
                sa.and_(r.child_id == b, r.candidate_id == a),
            )
        )
    ).first()
    if found is None:
        conn.execute(
            t.identity_reviews.insert().values(
                child_id=max(a, b),
                candidate_id=min(a, b),
                reason=reason,
                status="open",
                batch_id=batch_id,
                former_upn_reason=reason,
                former_upn_batch_id=batch_id,
            )
        )
        return "queued"
    if found.status != "open":
        return str(found.status)
    if found.former_upn_reason is None:
        conn.execute(
            t.identity_reviews.update()
            .where(r.id == found.id)
            .values(former_upn_reason=reason, former_upn_batch_id=batch_id)
        )
    return "added"


def pair_decision(conn: sa.Connection, a: int, b: int) -> str | None:
    """What an officer decided about two children ('kept_apart', ...), if anything."""
    r = t.identity_reviews.c
    return conn.execute(
        sa.select(r.status).where(
            sa.or_(
                sa.and_(r.child_id == a, r.candidate_id == b),
                sa.and_(r.child_id == b, r.candidate_id == a),
            ),
            r.status != "open",
        )
    ).scalar()
