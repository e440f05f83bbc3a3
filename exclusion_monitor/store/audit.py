"""The audit trail: one row per view, search, import, undo, review change, print, export, settings
or role change, refused attempt, chained by hashes so that an edited, inserted or deleted row is
found (docs/data-protection.md, "The audit trail").

Each row's hash is sha256 over the previous row's hash and the row's canonical content (id, when,
who, what, target, detail). The chain starts from the genesis hash at row 1; the only way it may
start later is a retention purge, which is itself a chained row carrying the row and hash it cut
at, so rows deleted behind the app's back are found even when a purge log row is forged.
Deleting the newest rows leaves a valid shorter chain: that is found against a head recorded
elsewhere (printed on printouts and exports, written to the log file with every row, kept in
every backup's metadata), which `verify` checks (store/audit_witnesses.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database
from exclusion_monitor.text_safety import one_line

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
AUDIT_RECORD_TYPE = "audit_log"  # the purge_log record type that carries the chain anchor
PURGE_ACTION = "retention_purge"
CUT = "audit_cut"  # the purge row's detail key: {"id": last row cut, "hash": its hash, ...}
MIN_AUDIT_YEARS = 1  # no purge cuts audit rows younger than this, whatever the setting
TARGET_LENGTH = 200  # the schema's length for audit_log.target


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
    problem: str | None  # the first problem, in a sentence
    first_bad_id: int | None
    head: ChainHead
    problems: tuple[str, ...] = ()  # every problem found (the chain's, then the witnesses')


@dataclass(frozen=True, slots=True)
class Cut:
    """Where a retention purge cut the chain: rows up to `last_id` were deleted, and the row
    after it chains on `hash`. `purge_id` is the chained purge row that says so."""

    last_id: int
    hash: str
    purge_id: int
    purged_at: dt.datetime
    cutoff: dt.date
    chain: str | None = None  # the chain's id (the hash of its row 1)


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
        new_id, prev_hash = 1, GENESIS_HASH
    else:
        new_id, prev_hash = int(last.id) + 1, str(last.hash)
    at = dt.datetime.now()
    # A typed target (a UPN that was not found) or a path may hold anything: one clean line.
    account = one_line(account)[:TARGET_LENGTH]
    target = None if target is None else one_line(target)[:TARGET_LENGTH]
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
    # The log file is a second, separate witness of the chain head (audit_witnesses.py).
    chain = digest if new_id == 1 else chain_id(conn)
    log.info(
        "audit row %d (%s) of chain %s in %s at %s head %s",
        new_id,
        action,
        _short(chain),
        database_key(conn.engine),
        at.isoformat(timespec="seconds"),
        digest,
    )
    return AuditEntry(new_id, at, account, action, target, detail, prev_hash, digest)


def chain_anchor(conn: sa.Connection) -> tuple[int, str]:
    """(last purged id, its hash) as the purge log records it after a retention purge of old
    audit rows, else (0, genesis). The purge log is only a second record: the chain itself says
    where it was cut (`Cut`), and `verify` holds the two to each other."""
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
        return ChainHead(0, GENESIS_HASH)
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


def verify(
    db: Database, expected_head: ChainHead | None = None, *, witnesses: bool = False
) -> VerifyResult:
    """Walk the chain; report the first row that was edited, inserted or deleted, a start that
    no chained purge accounts for, and, given a head recorded earlier, whether the log still
    reaches it unchanged (cut-back detection). With `witnesses`, the heads and cuts recorded
    outside the database (the log file, every backup's metadata) are checked too."""
    from exclusion_monitor.store import audit_witnesses

    problem: str | None = None
    bad_id: int | None = None
    checked = 0
    found_hash: str | None = None
    first: Any = None
    cuts: dict[int, Cut] = {}
    with db.read() as conn:
        expected_id: int | None = None
        running = GENESIS_HASH
        for row in conn.execute(sa.select(t.audit_log).order_by(t.audit_log.c.id)):
            if first is None:
                first, expected_id, running = row, int(row.id), str(row.prev_hash)
                if row.id == 1 and row.prev_hash != GENESIS_HASH:
                    problem, bad_id = _FIRST_ROW_CHANGED, 1
                    break
            assert expected_id is not None
            problem = _row_problem(row, expected_id, running)
            if problem is not None:
                bad_id = int(row.id)
                break
            checked += 1
            running, expected_id = str(row.hash), int(row.id) + 1
            if expected_head is not None and row.id == expected_head.last_id:
                found_hash = running
            cut = _cut_of(row)
            if cut is not None:
                cuts[cut.last_id] = cut
        head = _head(conn)
        recorded = chain_anchor(conn)
        used = first is not None or _has_been_used(conn)
    cut = None
    if problem is None and first is None and used:
        problem = _EMPTIED
    if problem is None and first is not None and int(first.id) != 1:
        cut = cuts.get(int(first.id) - 1)
        problem = _cut_problem(int(first.id), str(first.prev_hash), cut)
    if problem is None and recorded[0] and (cut is None or recorded != (cut.last_id, cut.hash)):
        problem = (
            f"The purge log says the audit trail was cut after row {recorded[0]}, but the trail "
            f"itself {'starts at row 1' if cut is None else f'was cut after row {cut.last_id}'}: "
            "the purge log or the trail has been changed."
        )
    if problem is None and expected_head is not None:
        problem = _head_problem(expected_head, found_hash, cut.last_id if cut else 0)
    problems = [problem] if problem is not None else []
    if witnesses and problem is None:
        problems += audit_witnesses.witness_problems(db, cut)
    return VerifyResult(
        not problems, checked, problems[0] if problems else None, bad_id, head, tuple(problems)
    )


_FIRST_ROW_CHANGED = (
    "Audit row 1 does not start from the beginning of the chain: it has been edited or forged."
)
_EMPTIED = (
    "The audit trail is empty, though the database has been used (it has users, whose arrival "
    "the trail always records, or a purge log): its rows have been deleted."
)


def _has_been_used(conn: sa.Connection) -> bool:
    """Whether anything that always writes an audit row has happened in this database."""
    for table in (t.users, t.purge_log):
        if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
            return True
    return False


def _cut_of(row: Any) -> Cut | None:
    """The cut a chained purge row records, if it is one."""
    if row.action != PURGE_ACTION or not row.detail:
        return None
    cut = json.loads(row.detail).get(CUT)
    if not isinstance(cut, dict):
        return None
    try:
        return Cut(
            int(cut["id"]),
            str(cut["hash"]),
            int(row.id),
            row.at,
            dt.date.fromisoformat(str(cut["cutoff"])),
            str(cut["chain"]) if cut.get("chain") else None,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _cut_problem(first_id: int, first_prev: str, cut: Cut | None) -> str | None:
    """Why a chain that starts after row 1 is not accounted for, or None when a chained purge
    cut it exactly there, at rows past the shortest retention."""
    missing = "row 1" if first_id == 2 else f"rows 1 to {first_id - 1}"
    if cut is None:
        return (
            f"Audit {missing} before row {first_id} {'is' if first_id == 2 else 'are'} missing, "
            "and no purge in the audit trail accounts for them: they have been deleted."
        )
    if cut.hash != first_prev:
        return (
            f"Audit row {first_id} does not follow the row the purge at row {cut.purge_id} cut "
            "at: rows have been changed or deleted there."
        )
    latest = _years_before(cut.purged_at.date(), MIN_AUDIT_YEARS)
    if cut.cutoff > latest:
        return (
            f"The purge at row {cut.purge_id} claims to have cut audit rows younger than "
            f"{MIN_AUDIT_YEARS} year, which no purge does: the purge row is forged."
        )
    return None


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def current_cut(conn: sa.Connection) -> Cut | None:
    """Where the chain was last cut by a retention purge (None when it starts at row 1)."""
    first = conn.execute(
        sa.select(t.audit_log.c.id).order_by(t.audit_log.c.id).limit(1)
    ).scalar_one_or_none()
    if first is None or first == 1:
        return None
    purges = conn.execute(
        sa.select(t.audit_log)
        .where(t.audit_log.c.action == PURGE_ACTION)
        .order_by(t.audit_log.c.id.desc())
    )
    for row in purges:
        cut = _cut_of(row)
        if cut is not None and cut.last_id == first - 1:
            return cut
    return None


def chain_id(conn: sa.Connection) -> str | None:
    """The hash of the chain's first row ever: what names this database's audit trail in log
    lines and backups, whatever its file is called (a retention purge carries it forward)."""
    first = conn.execute(
        sa.select(t.audit_log.c.id, t.audit_log.c.hash).order_by(t.audit_log.c.id).limit(1)
    ).first()
    if first is None:
        return None
    if first.id == 1:
        return str(first.hash)
    cut = current_cut(conn)
    return cut.chain if cut is not None else None


def _short(chain: str | None) -> str:
    return (chain or "unknown")[:16]


def database_key(engine: sa.Engine) -> str:
    """A short key for the database an engine opens (a digest of the file's full path, or of
    the server address without a password): a copy of a database elsewhere (a team database
    migrated from a pilot's file) shares its chain's id but goes its own way from the copy on,
    so witnesses are held to the database they were written for."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        where = str(Path(url.database or "").resolve())
        where = where.casefold() if sys.platform == "win32" else where
    else:
        where = url.set(password=None).render_as_string(hide_password=True)
    return hashlib.sha256(where.encode("utf-8")).hexdigest()[:8]


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
    until: dt.date | None = None,
    targets: Collection[str] | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Audit rows, oldest first, filtered by action, account, first and last day (both
    included) and the targets a row may name (a child is named "child:ID" or by UPN)."""
    query = sa.select(t.audit_log).order_by(t.audit_log.c.id)
    if action:
        query = query.where(t.audit_log.c.action == action)
    if account:
        query = query.where(sa.func.lower(t.audit_log.c.account) == account.lower())
    if since:
        query = query.where(t.audit_log.c.at >= dt.datetime.combine(since, dt.time()))
    if until:
        next_day = dt.datetime.combine(until + dt.timedelta(days=1), dt.time())
        query = query.where(t.audit_log.c.at < next_day)
    if targets is not None:
        query = query.where(t.audit_log.c.target.in_(list(targets)))
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
