"""The intake's front door: `import_files` loads files, one transaction each; `inspect_file`
shows what the intake would make of a file."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.bulk_work import without_cycle_collector
from exclusion_monitor.errors import DatabaseError
from exclusion_monitor.store import intake as store
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.flags import data_fingerprint
from exclusion_monitor.store.histories import batch_census_coverage, children_of_batch
from exclusion_monitor.store.owed_work import owe_refresh
from imports.analysis import Analysis, analyse
from imports.errors import FileRefusedError, ImportCancelledError
from imports.kinds import SPECS, Kind, field_label, missing_required
from imports.loading import indexes_built_after, load
from imports.normalise import text
from imports.reading import Book, Sheet, open_book
from imports.release import release_in_background
from imports.results import FieldChoice, FilePreview, FileResult, RejectedRow
from imports.rows.checker import RowChecker
from imports.rows.common import Record, RowContext, Warnings, iter_data_rows
from imports.rows.terms import suggested_census_date

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
# Called in a file's transaction with its result, before the commit (operations/imports.py).
BeforeCommit = Callable[[sa.Connection, FileResult], None]
CHUNK_ROWS = 5000
STEPS_PER_FILE = 1000
PREVIEW_ROWS = 20


def _kind(value: Kind | str | None) -> Kind | None:
    if value is None or value == "":
        return None
    try:
        return Kind(str(value).replace(" ", "_").lower())
    except ValueError:
        names = ", ".join(k.value for k in Kind)
        raise FileRefusedError(f"'{value}' is not a kind of file; the kinds are {names}.") from None


def import_files(
    db: Database,
    paths: Sequence[str | Path],
    *,
    kind: Kind | str | None = None,
    census_date: dt.date | None = None,
    mapping: dict[str, str] | None = None,
    account: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    before_commit: BeforeCommit | None = None,
) -> list[FileResult]:
    """Import each file in its own transaction and say what happened to each.

    `before_commit(conn, result)` is called inside a file's transaction once its result is
    known (imported, or found already imported), so that what it writes (the audit rows)
    commits with the file or not at all.

    A file that cannot be imported at all comes back with status 'refused' and a message naming
    the file and the problem; bad rows of an imported file are listed in `rejected`. `progress`
    is called with (done, total) steps; `cancel` is polled between chunks of rows and a cancelled
    file is rolled back whole and reported as refused.
    """
    total = max(1, len(paths)) * STEPS_PER_FILE
    results: list[FileResult] = []
    for index, raw_path in enumerate(paths):
        path = Path(raw_path)

        def step(fraction: float, index: int = index) -> None:
            if progress is not None:
                progress(index * STEPS_PER_FILE + int(fraction * STEPS_PER_FILE), total)

        try:
            result = _import_one(
                db, path, _kind(kind), census_date, mapping, account, step, cancel, before_commit
            )
        except ImportCancelledError:
            result = FileResult(
                str(path),
                None if kind is None else str(kind),
                "refused",
                message=f"{path.name}: the import was cancelled; nothing from this file was kept.",
            )
        except FileRefusedError as exc:
            result = FileResult(
                str(path), None if kind is None else str(kind), "refused", message=str(exc)
            )
        except DatabaseError:
            # The database, not the file: busy, server gone, disk full. The caller says what
            # became of the file (operations/imports.py checks after reconnecting).
            raise
        except Exception:
            log.exception("unexpected failure importing a file (%s)", path.suffix)
            result = FileResult(
                str(path),
                None if kind is None else str(kind),
                "refused",
                message=f"{path.name}: the file could not be imported because of an unexpected "
                "problem; nothing from it was kept and the details are in the log.",
            )
        log.info(
            "import %s: %s kind=%s read=%d imported=%d rejected=%d batch=%s",
            path.suffix,
            result.status,
            result.kind,
            result.rows_read,
            result.rows_imported,
            result.rows_rejected,
            result.batch_id,
        )
        results.append(result)
        step(1.0)
    return results


def file_hash(path: Path) -> str:
    """sha256 of the file's bytes: the same file imported twice adds nothing."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def proposal_warnings(proposals: dict[str, str]) -> list[str]:
    """A column that looks like a field but was not confidently taken for it is never dropped in
    silence."""
    return [
        f"the column '{header}' may be the {field_label(name)} column but was not used, as its "
        "header is not certain; if it is, map it to that field and import again"
        for header, name in proposals.items()
    ]


def _merged_warnings(sheet: Sheet, header_index: int) -> list[str]:
    ranges = [
        (start, end)
        for start, end in sheet.merged
        if end[0] > header_index and start[0] >= header_index
    ]
    ranges = [(s, e) for s, e in ranges if s[0] > header_index or e[0] > s[0]]
    if not ranges:
        return []
    shown = ", ".join(f"{_cell_name(s)}:{_cell_name(e)}" for s, e in ranges[:5])
    more = f" and {len(ranges) - 5} more" if len(ranges) > 5 else ""
    return [
        f"merged cells in the data area ({shown}{more}): only the first cell of each holds a "
        "value, the others were read as blank"
    ]


def _cell_name(cell: tuple[int, int]) -> str:
    row, col = cell
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _raw_row(headers: list[str], row: list[object]) -> dict[str, Any]:
    return {
        (h or f"column {i + 1}"): text(row[i]) if i < len(row) else None
        for i, h in enumerate(headers)
    }


def _import_one(
    db: Database,
    path: Path,
    kind: Kind | None,
    census_date: dt.date | None,
    mapping: dict[str, str] | None,
    account: str | None,
    step: Callable[[float], None],
    cancel: Cancel | None,
    before_commit: BeforeCommit | None,
) -> FileResult:
    with without_cycle_collector():
        book = open_book(path)
        try:
            analysis = analyse(
                book, kind=kind, mapping=mapping, db=db, census_date=census_date, strict=True
            )
            step(0.05)
            sheet = book.read(analysis.sheet)
            step(0.2)
            return _load_sheet(
                db, path, book, sheet, analysis, census_date, account, step, cancel, before_commit
            )
        finally:
            book.close()


def _load_sheet(
    db: Database,
    path: Path,
    book: Book,
    sheet: Sheet,
    analysis: Analysis,
    census_date: dt.date | None,
    account: str | None,
    step: Callable[[float], None],
    cancel: Cancel | None,
    before_commit: BeforeCommit | None,
) -> FileResult:
    kind = analysis.kind
    result = FileResult(str(path), kind.value, "imported", sheet=analysis.sheet)
    result.not_used = analysis.unmapped()
    result.proposed = [
        {"header": h, "field": f, "label": field_label(f)} for h, f in analysis.proposals().items()
    ]
    warnings = Warnings()
    for message in [
        *book.notes,
        *_merged_warnings(sheet, analysis.header_index),
        *proposal_warnings(analysis.proposals()),
    ]:
        warnings.add(message)
    content_hash = file_hash(path)
    context = RowContext(
        kind,
        analysis.columns,
        book.date1904,
        census_date,
        dt.date.today(),
        text_only=book.file_format == "csv",
    )
    checker = RowChecker(context, warnings)
    releasing: threading.Thread | None = None
    with db.write() as conn, store.bulk_load_cache(conn):
        earlier = store.imported_batch_with_hash(conn, content_hash, kind.value)
        if earlier is not None:
            result.status = "already_imported"
            result.batch_id = earlier
            result.message = (
                f"{path.name}: this file was already imported (batch {earlier}); nothing was added."
            )
            if before_commit is not None:
                before_commit(conn, result)
            return result
        data_before = data_fingerprint(conn)  # the flags' follow-up checks nothing came between
        batch_id = store.create_batch(
            conn,
            file_name=path.name,
            file_hash=content_hash,
            kind=kind.value,
            sheet=analysis.sheet,
            census_date=census_date,
            account=account,
            mapping=analysis.mapping(),
        )
        records: list[tuple[int, Record]] = []
        rejected: list[tuple[int, str]] = []
        upn_col = analysis.columns.get("upn")
        data = list(iter_data_rows(sheet.rows, analysis.header_index + 1, upn_col, warnings))
        for start in range(0, len(data), CHUNK_ROWS):
            if start:
                if cancel is not None and cancel():
                    raise ImportCancelledError(f"{path.name}: cancelled")
                step(0.2 + 0.5 * start / len(data))
            good, bad = checker.check_rows(data[start : start + CHUNK_ROWS])
            records += good
            rejected += bad
        del data
        result.rows_read = len(records) + len(rejected)
        if cancel is not None and cancel():
            raise ImportCancelledError(f"{path.name}: cancelled")
        step(0.75)
        with indexes_built_after(conn, kind, len(records)):
            outcome = load(conn, kind, batch_id, records, warnings)
            rejected.extend(outcome.rejected)
            rejected.sort()
            if cancel is not None and cancel():
                raise ImportCancelledError(f"{path.name}: cancelled")
            upn_of = _upn_reader(upn_col, sheet.rows)
            result.rejected = [RejectedRow(line, reason, upn_of(line)) for line, reason in rejected]
            store.add_rejected_rows(
                conn,
                batch_id,
                [
                    (r.row, r.upn, r.reason, _raw_row(analysis.headers, sheet.rows[r.row - 1]))
                    for r in result.rejected
                ],
            )
            # Spent: freed on a helper thread while the indexes are built and the load commits.
            releasing = release_in_background([records, sheet.rows, *outcome.spent])
        result.rows_imported = outcome.imported
        result.merges = outcome.merges
        result.rows_rejected = len(rejected)
        if kind is Kind.CENSUS:
            # A census from some schools only: the others' children are not missing yet.
            for found in batch_census_coverage(conn, batch_id):
                result.census_coverage.append(found.to_json())
                if found.warning():
                    warnings.add(str(found.warning()))
        result.warnings = warnings.render()
        result.batch_id = batch_id
        store.finish_batch(
            conn,
            batch_id,
            rows_read=result.rows_read,
            rows_imported=result.rows_imported,
            rows_rejected=result.rows_rejected,
            warnings=result.warnings,
        )
        # The flags and the children list are owed until the follow-up clears this note.
        owe_refresh(
            conn,
            f"import batch {batch_id}",
            children=children_of_batch(conn, batch_id),
            data_before=data_before,
        )
        if before_commit is not None:
            before_commit(conn, result)
    if releasing is not None:
        releasing.join()
    return result


def _upn_reader(upn_col: int | None, rows: list[list[object]]) -> Callable[[int], str | None]:
    """The UPN as written on a sheet row (row numbers count from 1), tidied for the report."""

    def upn(line: int) -> str | None:
        row = rows[line - 1]
        if upn_col is None or upn_col >= len(row):
            return None
        value = text(row[upn_col])
        return None if value is None else value.replace(" ", "").upper()

    return upn


def inspect_file(
    path: str | Path, *, kind: Kind | str | None = None, db: Database | None = None
) -> FilePreview:
    """What the intake would make of a file: sheet, header row, kind, mapping, the first rows.

    With `db`, a saved mapping profile for files of this shape is applied. A file that cannot be
    imported at all comes back with `message` saying why (no exception).
    """
    file_path = Path(path)
    preview = FilePreview(str(file_path), "", [], None, None, [], None, {}, [], [], [], [], None)
    try:
        book = open_book(file_path)
    except FileRefusedError as exc:
        preview.message = str(exc)
        return preview
    try:
        preview.file_format = book.file_format
        preview.sheets = list(book.sheet_names)
        analysis = analyse(
            book, kind=_kind(kind), mapping=None, db=db, census_date=None, strict=False
        )
        sheet = book.read(analysis.sheet, nrows=analysis.header_index + 1 + PREVIEW_ROWS * 3)
    except FileRefusedError as exc:
        preview.message = str(exc)
        return preview
    finally:
        book.close()
    spec = SPECS[analysis.kind]
    preview.sheet = analysis.sheet
    preview.header_row = analysis.header_index + 1
    preview.headers = analysis.headers
    preview.kind = analysis.kind.value
    preview.mapping = analysis.mapping()
    preview.unmapped = analysis.unmapped()
    preview.proposed = analysis.proposals()
    titles = [str(c) for r in sheet.rows[: analysis.header_index] for c in r if isinstance(c, str)]
    saved = dt.date.fromtimestamp(file_path.stat().st_mtime)
    preview.suggested_census_date = suggested_census_date(
        [file_path.stem, analysis.sheet, *titles], saved
    )
    preview.missing = missing_required(analysis.kind, set(analysis.columns))
    preview.header_signature = analysis.signature
    preview.profile_name = analysis.profile_name
    preview.warnings = [*book.notes, *_merged_warnings(sheet, analysis.header_index)]
    required = set(spec.required)
    for group in spec.required_any:
        required.update(group)
    preview.fields = [
        FieldChoice(name, field_label(name), name in required) for name in spec.fields
    ]
    rows = []
    for _, row in iter_data_rows(sheet.rows, analysis.header_index + 1, None, Warnings()):
        rows.append([text(c) or "" for c in row[: len(analysis.headers)]])
        if len(rows) >= PREVIEW_ROWS:
            break
    preview.rows = rows
    return preview


def save_mapping_profile(
    db: Database,
    headers: Sequence[str],
    kind: Kind | str,
    mapping: dict[str, str],
    *,
    name: str | None = None,
    account: str | None = None,
) -> Any:
    """Remember a mapping (column header -> field) for every later file with these headers."""
    from exclusion_monitor.store.mapping_profiles import put_mapping_profile
    from imports.headers import header_signature

    chosen = _kind(kind)
    assert chosen is not None
    allowed = SPECS[chosen].weights
    unknown = sorted({f for f in mapping.values() if f and f not in allowed})
    if unknown:
        raise FileRefusedError(
            f"{', '.join(unknown)} is not a field of a {chosen.value} file; choose from "
            f"{', '.join(allowed)}."
        )
    return put_mapping_profile(
        db,
        name=name or f"{SPECS[chosen].label} ({len(headers)} columns)",
        kind=chosen.value,
        header_signature=header_signature(list(headers)),
        mapping=dict(mapping),
        account=account,
    )
