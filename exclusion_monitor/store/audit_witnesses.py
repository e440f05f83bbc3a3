"""Witnesses of the audit chain outside the database (docs/data-protection.md, "The audit
trail"): the log file records every row's hash as it is written and every cut a purge makes,
and every backup's metadata records the chain's start and head when it was taken. Someone who
can edit the database but not those finds that the verifier reads them too.

A restore puts an older chain back on purpose, so only what was witnessed after the latest
restore is held against the database.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from exclusion_monitor import config
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.audit import Cut, chain_id, database_key
from exclusion_monitor.store.backup import list_backups, metadata_path
from exclusion_monitor.store.database import Database

LOG_FILE_NAME = "exclusion-monitor.log"
RESTORE_ACTION = "restore"
_ROW_LINE = re.compile(
    r"exclusion_monitor\.store\.audit: audit row (\d+) \([^)]*\) of chain ([0-9a-f]{16}) "
    r"in ([0-9a-f]{8}) at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d) head ([0-9a-f]{64})"
)
_CHUNK = 5_000


@dataclass(frozen=True, slots=True)
class Witnessed:
    """One row's hash as recorded outside the database, and when and where it was recorded."""

    row_id: int
    hash: str
    when: dt.datetime
    where: str  # "the log file", "the backup taken at 09:14 on 3 March 2025"


def witness_problems(db: Database, cut: Cut | None) -> list[str]:
    """What the log file and the backups say that the database's trail contradicts."""
    with db.read() as conn:
        chain = chain_id(conn)
        if chain is None:
            return []
        since = _latest_restore(conn)
        key = database_key(db.engine)
        found = [w for w in _log_rows(chain[:16], key) if since is None or w.when > since]
        backups = list(_backup_records(db, chain, since))
        found += [record.head for record in backups if record.head is not None]
        out = _row_problems(conn, found, cut)
    out += _backup_cut_problems(backups, cut)
    return out


def _latest_restore(conn: sa.Connection) -> dt.datetime | None:
    at = conn.execute(
        sa.select(sa.func.max(t.audit_log.c.at)).where(t.audit_log.c.action == RESTORE_ACTION)
    ).scalar_one_or_none()
    return at if isinstance(at, dt.datetime) else None


def _log_files() -> list[Path]:
    folder = config.log_dir()
    return [folder / LOG_FILE_NAME, *sorted(folder.glob(f"{LOG_FILE_NAME}.*"))]


def _log_rows(chain: str, key: str) -> Iterator[Witnessed]:
    """Every row of this chain in this database that the log files (the current one and the
    rotated ones) recorded as it was written."""
    for path in _log_files():
        try:
            with path.open(encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if "audit row" not in line:
                        continue
                    match = _ROW_LINE.search(line)
                    if match is None or match.group(2) != chain or match.group(3) != key:
                        continue
                    when = dt.datetime.fromisoformat(match.group(4))
                    yield Witnessed(int(match.group(1)), match.group(5), when, "the log file")
        except OSError:
            continue


def _row_problems(conn: sa.Connection, found: list[Witnessed], cut: Cut | None) -> list[str]:
    """Each witnessed row that the trail no longer holds as it was, and each that a purge cut
    before it was past retention."""
    out: list[str] = []
    last = conn.execute(sa.select(sa.func.max(t.audit_log.c.id))).scalar_one_or_none() or 0
    cut_at = cut.last_id if cut is not None else 0
    held: dict[int, str] = {}
    wanted = sorted({w.row_id for w in found if w.row_id > cut_at})
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        rows = conn.execute(
            sa.select(t.audit_log.c.id, t.audit_log.c.hash).where(t.audit_log.c.id.in_(part))
        )
        held.update((int(row.id), str(row.hash)) for row in rows)
    reported: set[int] = set()
    for witness in sorted(found, key=lambda w: (w.row_id, w.when)):
        if witness.row_id in reported:
            continue
        problem = _problem(witness, held, last, cut)
        if problem is not None:
            out.append(problem)
            reported.add(witness.row_id)
        if len(out) >= 5:
            break
    return out


def _problem(witness: Witnessed, held: dict[int, str], last: int, cut: Cut | None) -> str | None:
    day = f"{witness.when:%d %B %Y}"
    if cut is not None and witness.row_id <= cut.last_id:
        if witness.when.date() >= cut.cutoff:
            return (
                f"Audit row {witness.row_id}, written on {day} ({witness.where} recorded it), "
                f"is gone, but the purge at row {cut.purge_id} removes only rows from before "
                f"{cut.cutoff:%d %B %Y}: rows were deleted and the purge row is forged."
            )
        return None
    if witness.row_id not in held:
        where = "cut back" if witness.row_id > last else "cut"
        return (
            f"Audit row {witness.row_id}, which {witness.where} recorded on {day}, is no longer "
            f"in the audit trail: the trail has been {where}."
        )
    if held[witness.row_id] != witness.hash:
        return (
            f"Audit row {witness.row_id} no longer has the hash {witness.where} recorded on "
            f"{day}: the trail has been rewritten."
        )
    return None


@dataclass(frozen=True, slots=True)
class _BackupRecord:
    path: Path
    taken_at: dt.datetime
    first_id: int
    head: Witnessed | None


def _backup_records(db: Database, chain: str, since: dt.datetime | None) -> Iterator[_BackupRecord]:
    """The metadata of this database's backups taken since the latest restore, of this chain."""
    if db.path is None:
        return
    for backup in list_backups(db.path):
        if since is not None and backup.taken_at <= since:
            continue
        try:
            meta = json.loads(metadata_path(backup.path).read_text(encoding="utf-8"))
            audit_meta = meta["audit"]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a backup from before backups carried metadata
        if not isinstance(audit_meta, dict) or audit_meta.get("chain") != chain:
            continue
        where = f"the backup taken at {backup.taken_at:%H:%M on %d %B %Y}"
        head = None
        if audit_meta.get("head_id"):
            head = Witnessed(
                int(audit_meta["head_id"]), str(audit_meta["head_hash"]), backup.taken_at, where
            )
        yield _BackupRecord(
            backup.path, backup.taken_at, int(audit_meta.get("first_id") or 1), head
        )


def _backup_cut_problems(backups: list[_BackupRecord], cut: Cut | None) -> list[str]:
    """A cut made since a backup must be dated after it, and every row it removed must, by the
    backup's own copy of them, be older than the purge's cutoff."""
    if cut is None:
        return []
    out: list[str] = []
    for record in backups:
        if record.first_id - 1 >= cut.last_id:
            continue  # the backup was taken after this cut: nothing to compare
        when = f"{record.taken_at:%H:%M on %d %B %Y}"
        if cut.purged_at <= record.taken_at:
            out.append(
                f"The backup taken at {when} still held audit rows up to row {cut.last_id}, "
                f"yet the purge at row {cut.purge_id} that cut them is dated before it: the "
                "purge row is forged."
            )
            continue
        newest, hash_at_cut = _backup_rows(record.path, cut.last_id)
        if newest is not None and newest.date() >= cut.cutoff:
            out.append(
                f"The backup taken at {when} shows audit rows up to row {cut.last_id} written "
                f"as late as {newest:%d %B %Y}, but the purge at row {cut.purge_id} removes only "
                f"rows from before {cut.cutoff:%d %B %Y}: rows were deleted and the purge row "
                "is forged."
            )
        elif hash_at_cut is not None and hash_at_cut != cut.hash:
            out.append(
                f"The backup taken at {when} has a different audit row {cut.last_id} from the "
                f"one the purge at row {cut.purge_id} says it cut at: the trail was rewritten."
            )
    return out


def _backup_rows(path: Path, up_to: int) -> tuple[dt.datetime | None, str | None]:
    """(the latest time among the backup's audit rows up to `up_to`, the hash of row `up_to`)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None, None
    try:
        newest = conn.execute("SELECT max(at) FROM audit_log WHERE id <= ?", (up_to,)).fetchone()
        at_cut = conn.execute("SELECT hash FROM audit_log WHERE id = ?", (up_to,)).fetchone()
    except sqlite3.Error:
        return None, None
    finally:
        conn.close()
    when = dt.datetime.fromisoformat(newest[0]) if newest and newest[0] else None
    return when, (str(at_cut[0]) if at_cut else None)
