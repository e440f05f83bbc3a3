"""Imports and undo as people run them: the role check, a backup first, an audit row per file,
then the flags and the children list brought up to date. The app, the command line and the demo
all come through here."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from exclusion_monitor.access import require
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.refresh import refresh_derived
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.backup import backup_before
from exclusion_monitor.store.batches import UndoResult, undo_batch
from imports.pipeline import import_files
from imports.results import FileResult

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


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
) -> list[FileResult]:
    """Import the files in order, each in its own transaction; then refresh what derives from
    them. `progress(done, total)` covers the whole run; `cancel()` stops before the next chunk."""
    require(db, account, Action.IMPORT_FILE)
    refuse_if_regional_workspace(db)
    if backup:
        backup_before(db, "import")
    total = len(requests) + (1 if refresh else 0)
    results: list[FileResult] = []
    for index, request in enumerate(requests):

        def file_progress(done: int, whole: int, index: int = index) -> None:
            if progress is not None and whole:
                progress(index * 1000 + int(1000 * done / whole), total * 1000)

        results.extend(
            import_files(
                db,
                [request.path],
                kind=request.kind,
                census_date=request.census_date,
                mapping=dict(request.mapping) if request.mapping else None,
                account=account,
                progress=file_progress,
                cancel=cancel,
            )
        )
        result = results[-1]
        audit.record(
            db,
            account,
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
    if refresh and any(r.status == "imported" for r in results):
        refresh_derived(db)
    if progress is not None:
        progress(total * 1000, total * 1000)
    return results


def undo_import(db: Database, batch_id: int, *, account: str) -> UndoResult:
    """Undo one batch after a backup, audit it, and refresh what derives from the records."""
    require(db, account, Action.UNDO_BATCH)
    backup_before(db, "undo")
    result = undo_batch(db, batch_id, account)
    audit.record(
        db,
        account,
        Action.UNDO_BATCH,
        f"batch:{batch_id}",
        {"removed": dict(result.removed), "kept": dict(result.kept)},
    )
    refresh_derived(db)
    return result
