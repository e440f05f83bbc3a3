"""Import and undo as people run them: the role check, a backup first, each file's audit rows
written in the file's own transaction (the work and its record commit together or not at all),
then the flags and the children list brought up to date. The app, the command line and the demo
all come through here.

Each import and undo notes in its own transaction that this follow-up is owed
(store/owed_work.py), so it is finished at the next start if the process dies first. When the
database itself fails during a file (busy, the server stopped), the result says exactly what
became of the file: after reconnecting, the batches are looked at to tell saved from not saved
(docs/output-and-failures.md, "An import cut short").
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from exclusion_monitor.errors import (
    ConnectionLostError,
    DatabaseBusyError,
    DatabaseError,
    DatabaseUnavailableError,
    InvalidInputError,
)
from exclusion_monitor.refresh import finish_owed_work
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.backup import backup_before
from exclusion_monitor.store.batches import (
    BatchSummary,
    UndoResult,
    batch_saved_since,
    newest_batch_id,
    undo_batch,
)
from imports.pipeline import file_hash, import_files
from imports.results import FileResult
from operations.base import Actor, Outcome, act

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# Audit actions of the merges an import made on a Former UPN, and their undoing.
MERGE_ACTION = "merge_children"
SPLIT_ACTION = "split_children"
Cancel = Callable[[], bool]
# How long to keep trying to reach a server that went away, to find out what was saved.
RECONNECT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ImportRequest:
    """One file to import, with what the person said about it (kind, census date, mapping)."""

    path: Path
    kind: str | None = None
    census_date: dt.date | None = None
    mapping: Mapping[str, str] | None = None


def refuse_if_regional_workspace(db: Database) -> None:
    """Named records never go into a regional workspace (docs/regional.md, "The workspace")."""
    from exclusion_monitor.store.regional_workspace import holds_returns

    with db.read() as conn:
        if holds_returns(conn):
            raise InvalidInputError(
                f"{db.location} is a regional workspace of pseudonymised returns; named "
                "records are imported into an authority's own database, never here."
            )


def run_imports(
    db: Database,
    requests: Sequence[ImportRequest],
    *,
    account: str,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    backup: bool = True,
    refresh: bool = True,
) -> Outcome[list[FileResult]]:
    """Import the files in order, each in its own transaction with its audit rows; then refresh
    what derives from them. `progress(done, total)` covers the whole run; `cancel()` stops
    before the next chunk.

    When the database fails under a file, that file's result says whether it was saved, and
    the files after it are not attempted (each would wait on the same database)."""
    actor = act(db, account, Action.IMPORT_FILE)
    refuse_if_regional_workspace(db)
    if backup:
        backup_before(db, "import")
    total = len(requests) + (1 if refresh else 0)
    results: list[FileResult] = []
    audit_ids: list[int] = []
    audited: set[int] = set()  # id() of the results whose rows were written in their transaction

    def audit_in_transaction(conn: sa.Connection, result: FileResult) -> None:
        audit_ids.extend(_audit_import(conn, actor, result))
        audited.add(id(result))

    stopped: str | None = None
    for index, request in enumerate(requests):
        if stopped is not None:
            results.append(_not_attempted(request, stopped))
            continue

        def file_progress(done: int, whole: int, index: int = index) -> None:
            if progress is not None and whole:
                progress(index * 1000 + int(1000 * done / whole), total * 1000)

        try:
            before = newest_batch_id(db)
        except DatabaseError as exc:
            stopped = str(exc)
            results.append(_not_attempted(request, stopped))
            continue
        try:
            (result,) = import_files(
                db,
                [request.path],
                kind=request.kind,
                census_date=request.census_date,
                mapping=dict(request.mapping) if request.mapping else None,
                account=account,
                progress=file_progress,
                cancel=cancel,
                before_commit=audit_in_transaction,
            )
        except DatabaseError as exc:
            # Saved whole with its audit rows (one transaction), or not at all: nothing to add.
            result, stopped = _after_database_failure(db, request, exc, before)
            results.append(result)
            continue
        results.append(result)
        if id(result) in audited:
            continue
        try:  # a refused file changed nothing: its row has a transaction of its own
            with db.write() as conn:
                audit_ids.extend(_audit_import(conn, actor, result))
        except DatabaseError as exc:
            log.warning("the audit row of an import could not be written: %s", type(exc).__name__)
            result.warnings.append(f"the audit row of this import could not be written: {exc}")
            stopped = str(exc)
    if refresh and stopped is None and any(r.status == "imported" for r in results):
        try:
            finish_owed_work(db)
        except DatabaseError as exc:
            log.warning("the follow-up of an import was left owed: %s", type(exc).__name__)
            results[-1].warnings.append(
                "the flags and the children list could not be brought up to date now "
                f"({exc}); that is done at the next start of any command or the app."
            )
    if progress is not None:
        progress(total * 1000, total * 1000)
    imported = any(r.status == "imported" for r in results)
    return Outcome(
        Action.IMPORT_FILE,
        results,
        tuple(audit_ids),
        children=None if imported else frozenset(),
        changed=frozenset({"imports", "records", "flags"} if imported else {"imports"}),
    )


def _audit_import(conn: sa.Connection, actor: Actor, result: FileResult) -> list[int]:
    """The audit rows of one file: the import, and each merge it made on a Former UPN."""
    entry = audit.record(
        conn,
        actor.account,
        Action.IMPORT_FILE,
        f"batch:{result.batch_id}" if result.batch_id else None,
        {
            "file": result.file,
            "kind": result.kind,
            "status": result.status,
            "rows_imported": result.rows_imported,
            "rows_rejected": result.rows_rejected,
        },
    )
    ids = [entry.id]
    for merge in result.merges:
        ids.append(
            audit.record(
                conn,
                actor.account,
                MERGE_ACTION,
                f"child:{merge['kept_child']}",
                {**merge, "batch": result.batch_id, "evidence": "Former UPN"},
            ).id
        )
    return ids


def _not_attempted(request: ImportRequest, why: str) -> FileResult:
    return FileResult(
        str(request.path),
        request.kind,
        "refused",
        message=f"{request.path.name} was not imported: {why}",
        try_again=True,
    )


def _after_database_failure(
    db: Database, request: ImportRequest, exc: DatabaseError, before: int
) -> tuple[FileResult, str | None]:
    """What became of the file when the database failed under it, and (unless the database is
    usable again) why the files after it are not attempted."""
    name = request.path.name
    log.warning("import interrupted by the database: %s", type(exc).__name__)
    if isinstance(exc, DatabaseBusyError):
        return _refused(request, f"{name} was not imported. {exc}"), str(exc)
    if not isinstance(exc, ConnectionLostError | DatabaseUnavailableError):
        return _refused(request, f"{name} was not imported. {exc}"), str(exc)
    try:
        saved = _find_saved_batch(db, request.path, before)
    except DatabaseError:
        unknown = (
            f"The connection to the database server was lost during the import of {name}, and "
            f"the server could not be reached again within {RECONNECT_SECONDS:.0f} seconds to "
            "see whether it was saved. When the server is back, run `exclusion-monitor "
            f"batches`: if {name} is listed with today's date it was saved (its flags are "
            "brought up to date at the next start); if not, import it again."
        )
        return _refused(request, unknown), "the database server could not be reached."
    if saved is None:
        return (
            _refused(
                request,
                f"{name} was not imported: the connection to the database server was lost "
                "during the import, and after reconnecting nothing from this file is in the "
                "database (an import is saved whole or not at all). Import it again.",
            ),
            None,
        )
    result = FileResult(
        str(request.path),
        saved.kind,
        "imported",
        rows_read=saved.rows_read,
        rows_imported=saved.rows_imported,
        rows_rejected=saved.rows_rejected,
        warnings=[
            *saved.warnings,
            "the connection to the database server was lost as this import finished; after "
            f"reconnecting, it is in the database whole (batch {saved.id}). Its rejected rows "
            "are listed by `batches --rejected`.",
        ],
        batch_id=saved.id,
        sheet=saved.sheet,
    )
    return result, None


def _refused(request: ImportRequest, message: str) -> FileResult:
    return FileResult(str(request.path), request.kind, "refused", message=message, try_again=True)


def _find_saved_batch(db: Database, path: Path, before: int) -> BatchSummary | None:
    """After a lost connection: reconnect (for up to RECONNECT_SECONDS) and look for this
    file's batch among those saved since the import began."""
    content = file_hash(path)
    deadline = time.monotonic() + RECONNECT_SECONDS
    pause = 0.2
    while True:
        db.engine.dispose()  # the pool's connections died with the server
        try:
            return batch_saved_since(db, content, before)
        except (ConnectionLostError, DatabaseUnavailableError):
            if time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 2.0)


def undo_import(db: Database, batch_id: int, *, account: str) -> Outcome[UndoResult]:
    """Undo one batch after a backup, with its audit rows in the undo's transaction, and
    refresh what derives from the records."""
    actor = act(db, account, Action.UNDO_BATCH)
    backup_before(db, "undo")
    audit_ids: list[int] = []

    def audit_in_transaction(conn: sa.Connection, result: UndoResult) -> None:
        audit_ids.append(
            audit.record(
                conn,
                actor.account,
                Action.UNDO_BATCH,
                f"batch:{batch_id}",
                {"removed": dict(result.removed), "kept": dict(result.kept)},
            ).id
        )
        for kept, merged in result.split_children:
            audit_ids.append(
                audit.record(
                    conn,
                    actor.account,
                    SPLIT_ACTION,
                    f"child:{kept}",
                    {"merged_child": merged, "batch": batch_id},
                ).id
            )

    result = undo_batch(db, batch_id, actor.account, audit_in_transaction)
    finish_owed_work(db)
    return Outcome(
        Action.UNDO_BATCH,
        result,
        tuple(audit_ids),
        children=None,
        changed=frozenset({"imports", "records", "flags"}),
    )
