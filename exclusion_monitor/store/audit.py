"""The audit trail: one row per view, search, import, undo, review change, print, export, settings
or role change, chained by hashes so that an edited, inserted or deleted row is found.

Each row's hash is sha256 over the previous row's hash and the row's canonical content (id, when,
who, what, target, detail). Deleting the newest rows leaves a valid shorter chain: that is found
only against a head recorded elsewhere (printed on printouts and exports, written to the log
file), which `verify(db, expected_head=...)` checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
AUDIT_RECORD_TYPE = "audit_log"  # the purge_log record type that carries the chain anchor


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: dt.datetime
    account: str
    action: str
    target: str | None
    detail: dict[str, Any] | None
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The newest row of the chain: print `label` on documents so truncation can be found."""

    last_id: int
    hash: str

    @property
    def label(self) -> str:
        return f"{self.last_id}:{self.hash}"


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    rows_checked: int
    problem: str | None
    first_bad_id: int | None
    head: ChainHead


def canonical_detail(detail: dict[str, Any] | None) -> str | None:
    if detail is None:
        return None
    return json.dumps(
        detail, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def row_hash(
    prev_hash: str,
    row_id: int,
    at: dt.datetime,
    account: str,
    action: str,
    target: str | None,
    detail_text: str | None,
) -> str:
    """sha256 over the previous hash and this row's canonical content."""
    content = json.dumps(
        [row_id, at.isoformat(timespec="microseconds"), account, action, target, detail_text],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def record(
    db_or_conn: Database | sa.Connection,
    account: str,
    action: str,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit row: who (`account`), what (`action`), on what (`target`, e.g. a UPN or
    batch id) and how (`detail`: the filter, counts; never a child's name).

    Given a Database, the row is written in its own transaction. Given a connection, it joins
    that transaction (so an import and its audit row commit or vanish together); use one from
    `Database.write()`, whose BEGIN IMMEDIATE takes the write lock before the previous hash is
    read, so two processes cannot both chain onto the same row.
    """
    if isinstance(db_or_conn, Database):
        with db_or_conn.write() as conn:
            return _append(conn, account, str(action), target, detail)
    return _append(db_or_conn, account, str(action), target, detail)


def _append(
    conn: sa.Connection,
    account: str,
    action: str,
    target: str | None,
    detail: dict[str, Any] | None,
) -> AuditEntry:
    last = conn.execute(
        sa.select(t.audit_log.c.id, t.audit_log.c.hash).order_by(t.audit_log.c.id.desc()).limit(1)
    ).first()
    if last is None:
        anchor_id, prev_hash = chain_anchor(conn)
        new_id = anchor_id + 1
    else:
        new_id, prev_hash = int(last.id) + 1, str(last.hash)
    at = dt.datetime.now()
    detail_text = canonical_detail(detail)
    digest = row_hash(prev_hash, new_id, at, account, action, target, detail_text)
    conn.execute(
        t.audit_log.insert().values(
            id=new_id,
            at=at,
            account=account,
            action=action,
            target=target,
            detail=detail_text,
            prev_hash=prev_hash,
            hash=digest,
        )
    )
    # The log file is a second, separate witness of the chain head.
    log.info("audit row %d (%s) chain head %s", new_id, action, digest)
    return AuditEntry(new_id, at, account, action, target, detail, prev_hash, digest)


def chain_anchor(conn: sa.Connection) -> tuple[int, str]:
    """(last purged id, its hash) after a retention purge of old audit rows, else (0, genesis)."""
    raw = conn.execute(
        sa.select(t.purge_log.c.detail)
        .where(t.purge_log.c.record_type == AUDIT_RECORD_TYPE)
        .order_by(t.purge_log.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if raw:
        detail = json.loads(raw)
        if "anchor_id" in detail:
            return int(detail["anchor_id"]), str(detail["anchor_hash"])
    return 0, GENESIS_HASH


def chain_head(db_or_conn: Database | sa.Connection) -> ChainHead:
    """The latest chain hash, for printouts and exports (`head.label` is 'id:hash')."""
    if isinstance(db_or_conn, Database):
        with db_or_conn.read() as conn:
            return _head(conn)
    return _head(db_or_conn)


def _head(conn: sa.Connection) -> ChainHead:
    last = conn.execute(
        sa.select(t.audit_log.c.id, t.audit_log.c.hash).order_by(t.audit_log.c.id.desc()).limit(1)
    ).first()
    if last is None:
        anchor_id, anchor_hash = chain_anchor(conn)
        return ChainHead(anchor_id, anchor_hash)
    return ChainHead(int(last.id), str(last.hash))


HEAD_PREFIX_DIGITS = 12  # the fewest hex digits of a printed head that verify accepts


def parse_head(text: str) -> ChainHead:
    """A head written as 'id:hash' (as printed: the hash whole, or its first 12 or more hex
    digits, as page footers print it); ValueError for anything else."""
    row_id, _, digest = text.strip().partition(":")
    digest = digest.lower()
    hex_digits = set("0123456789abcdef")
    if (
        not row_id.isdigit()
        or not HEAD_PREFIX_DIGITS <= len(digest) <= 64
        or not set(digest) <= hex_digits
    ):
        raise ValueError(
            f"{text!r} is not an audit chain head (it looks like 123:<12 to 64 hex digits>)"
        )
    return ChainHead(int(row_id), digest)


def verify(db: Database, expected_head: ChainHead | None = None) -> VerifyResult:
    """Walk the chain; report the first row that was edited, inserted or deleted, and, given a
    head recorded earlier, whether the log still reaches it unchanged (cut-back detection)."""
    problem: str | None = None
    bad_id: int | None = None
    checked = 0
    found_hash: str | None = None
    with db.read() as conn:
        anchor_id, running = chain_anchor(conn)
        expected_id = anchor_id + 1
        for row in conn.execute(sa.select(t.audit_log).order_by(t.audit_log.c.id)):
            problem = _row_problem(row, expected_id, running)
            if problem is not None:
                bad_id = int(row.id)
                break
            checked += 1
            running, expected_id = str(row.hash), int(row.id) + 1
            if expected_head is not None and row.id == expected_head.last_id:
                found_hash = running
        head = _head(conn)
    if problem is None and expected_head is not None:
        problem = _head_problem(expected_head, found_hash, anchor_id)
    return VerifyResult(problem is None, checked, problem, bad_id, head)


def _row_problem(row: Any, expected_id: int, running: str) -> str | None:
    if row.prev_hash != running:
        if row.id > expected_id:
            missing = (
                f"row {expected_id}"
                if row.id == expected_id + 1
                else f"rows {expected_id} to {row.id - 1}"
            )
            return f"Audit {missing} before row {row.id} has been deleted."
        return (
            f"Audit row {row.id} does not follow the row before it: a row was inserted, "
            "deleted or changed there."
        )
    recomputed = row_hash(
        str(row.prev_hash),
        int(row.id),
        row.at,
        str(row.account),
        str(row.action),
        row.target,
        row.detail,
    )
    if recomputed != row.hash:
        return f"Audit row {row.id} has been edited or forged: its contents do not match its hash."
    if row.id != expected_id:
        return f"Audit row {row.id} is out of place: row {expected_id} was expected next."
    return None


def _head_problem(expected: ChainHead, found: str | None, anchor_id: int) -> str | None:
    if expected.last_id <= anchor_id:
        return None  # that part of the log was purged under retention (see the purge log)
    if found is None:
        return (
            f"Audit row {expected.last_id}, the newest when that head was recorded, is no "
            "longer in the log: the log has been cut back."
        )
    if not found.startswith(expected.hash):
        return (
            f"Audit row {expected.last_id} no longer has the hash recorded in that head: the "
            "log has been rewritten."
        )
    return None


def list_entries(
    db: Database,
    *,
    action: str | None = None,
    account: str | None = None,
    since: dt.date | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit rows, oldest first, filtered by action, account and first day."""
    query = sa.select(t.audit_log).order_by(t.audit_log.c.id)
    if action:
        query = query.where(t.audit_log.c.action == action)
    if account:
        query = query.where(sa.func.lower(t.audit_log.c.account) == account.lower())
    if since:
        query = query.where(t.audit_log.c.at >= dt.datetime.combine(since, dt.time()))
    if limit is not None:
        query = query.limit(limit)
    with db.read() as conn:
        return list(_entries(conn.execute(query)))


def _entries(rows: Iterable[Any]) -> Iterable[AuditEntry]:
    for row in rows:
        yield AuditEntry(
            id=int(row.id),
            at=row.at,
            account=str(row.account),
            action=str(row.action),
            target=row.target,
            detail=json.loads(row.detail) if row.detail else None,
            prev_hash=str(row.prev_hash),
            hash=str(row.hash),
        )
