"""The one writer of every file the product hands to a person: exports, rejected rows, printouts.

Its rules (docs/output-and-failures.md, "The writer's rules"): a cell that a spreadsheet could
run as a formula is made inert; the file is never written through a link, never replaces a
database, replaces an existing file only when asked; it is written to a temporary file in the
same folder, flushed, renamed into place and checked there, so a file either is complete or
is not there.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import os
import stat
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exclusion_monitor.errors import OutputExistsError, OutputFileError

if TYPE_CHECKING:
    import sqlalchemy as sa
    import xlsxwriter
    import xlsxwriter.format
    import xlsxwriter.worksheet

    from exclusion_monitor.store.audit import AuditEntry
    from exclusion_monitor.store.database import Database

log = logging.getLogger(__name__)

# A spreadsheet starts a formula (or a DDE command) at these; tab, CR and LF because Excel and
# LibreOffice drop them on reading and then meet the character after them.
FORMULA_STARTS = frozenset("=+-@\t\r\n")
# What some programs strip from the front of a cell before deciding: spaces (plain, no-break,
# ideographic) and double quotation marks (plain, curly, fullwidth).
_LOOKED_THROUGH = ' \u00a0\u3000"\u201c\u201d\u201e\uff02'
SQLITE_HEADER = b"SQLite format 3\x00"
TEMPORARY_PREFIX = "~exclusion-monitor-"
TEMPORARY_SUFFIX = ".partial"
STALE_TEMPORARY_SECONDS = 3600
Check = Callable[[Path], str | None]


# --- formula safety --------------------------------------------------------------------------


def formula_safe(text: str) -> str:
    """The text, with an apostrophe in front when a spreadsheet could read it as a formula.

    Leading spaces and quotation marks are looked through (some programs trim them before
    deciding), and the fullwidth and small forms of = + - @ count as the characters themselves.
    The apostrophe is not looked through: a text that starts with one is already shown as text,
    so the rule can be applied twice.
    """
    first = text.lstrip(_LOOKED_THROUGH)[:1]
    if not first:
        return text
    # Compatibility forms fold onto the characters themselves (fullwidth ＝＋－＠, small ﹦﹢﹣﹫,
    # super- and subscript ⁺₊⁼₌): Excel in East Asian settings turns a typed ＝ into a formula.
    if first in FORMULA_STARTS or (
        not first.isascii() and unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS
    ):
        return "'" + text
    return text


def spreadsheet_text(value: Any) -> str:
    """Any value as the text of one cell: None is empty, numbers as written, dates in ISO form,
    every other text formula-safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return formula_safe(str(value))


def write_csv_rows(handle: Any, rows: Iterable[Sequence[Any]], *, line_end: str = "\r\n") -> None:
    """Rows to an open text handle (a file, or standard output with `line_end` "\\n"), every
    cell formula-safe."""
    writer = csv.writer(handle, lineterminator=line_end)
    for row in rows:
        writer.writerow([spreadsheet_text(value) for value in row])


def new_workbook(path: Path) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook that stores text as text: never a formula, a number or a link."""
    import xlsxwriter

    return xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )


def write_text(
    sheet: xlsxwriter.worksheet.Worksheet,
    row: int,
    col: int,
    value: Any,
    style: xlsxwriter.format.Format | None = None,
) -> str:
    """One text cell of a workbook, as `spreadsheet_text` gives it (formula-safe, stored as
    text); returns the text written, for the caller's column widths."""
    text = spreadsheet_text(value)
    sheet.write_string(row, col, text, style)
    return text


# --- where a file may be written -------------------------------------------------------------


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def is_link(path: Path) -> bool:
    """A symbolic link, or on Windows any reparse point (a junction, a mount point)."""
    found = _lstat(path)
    if found is None:
        return False
    if stat.S_ISLNK(found.st_mode):
        return True
    attributes = getattr(found, "st_file_attributes", 0) or 0
    return bool(attributes & stat.FILE_ATTRIBUTE_REPARSE_POINT)


def _is_database(path: Path) -> bool:
    """A SQLite database, or the journal of one (`x.db-wal`, `-shm`, `-journal`)."""
    for suffix in ("-wal", "-shm", "-journal"):
        if path.name.endswith(suffix):
            return _is_database(path.with_name(path.name.removesuffix(suffix)))
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def check_destination(path: Path | str, *, overwrite: bool = False) -> Path:
    """The absolute path to write, or OutputFileError saying in a sentence why not.

    Refused: a folder that does not exist, a target that is a link or a folder, a database
    (whatever `overwrite` says), and an existing file unless `overwrite`.
    """
    # absolute() and not resolve(): resolving would follow the very link to be refused.
    target = Path(path).expanduser().absolute()
    folder = target.parent
    if not folder.exists():
        raise OutputFileError(f"Nothing was written: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise OutputFileError(f"Nothing was written: {folder} is a file, not a folder.")
    if is_link(target):
        raise OutputFileError(
            f"Nothing was written: {target} is a link to another file, and the app never writes "
            "through a link. Choose another name."
        )
    if target.is_dir():
        raise OutputFileError(f"Nothing was written: {target} is a folder. Name a file in it.")
    if _is_database(target):
        raise OutputFileError(
            f"Nothing was written: {target} is a database file, which an export or printout "
            "never replaces. Choose another name."
        )
    if target.exists() and not overwrite:
        raise OutputExistsError(f"Nothing was written: {target} already exists.")
    return target


# --- checks that a written file is complete ----------------------------------------------------


def pdf_problem(path: Path, pages: int | None = None) -> str | None:
    """Why the file is not a complete PDF (of `pages` pages), or None."""
    data = path.read_bytes()
    if not data.startswith(b"%PDF-"):
        return "it does not start as a PDF file"
    if b"%%EOF" not in data[-1024:]:
        return "it does not end as a PDF file (it was cut short)"
    if pages is not None:
        found = (
            data.count(b"/Type /Page\n")
            + data.count(b"/Type /Page\r")
            + data.count(b"/Type /Page/")
        )
        if found and found != pages:
            return f"it holds {found} pages where {pages} were written"
    return None


def xlsx_problem(path: Path) -> str | None:
    """Why the file is not a complete workbook, or None."""
    try:
        with zipfile.ZipFile(path) as book:
            names = set(book.namelist())
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                return "it is not a complete workbook"
            broken = book.testzip()
            if broken is not None:
                return f"its part {broken} is damaged"
    except (zipfile.BadZipFile, OSError):
        return "it is not a readable workbook (it was cut short)"
    return None


def size_problem(expected: int) -> Check:
    """A check that the file holds exactly `expected` bytes."""

    def check(path: Path) -> str | None:
        size = path.stat().st_size
        return None if size == expected else f"it holds {size} bytes where {expected} were written"

    return check


CHECKS_BY_SUFFIX: dict[str, Check] = {".pdf": pdf_problem, ".xlsx": xlsx_problem}


# --- writing by temporary file and rename ----------------------------------------------------


def _flush_to_disk(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def _flush_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handle to flush."""
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _remove_stale_temporaries(folder: Path) -> None:
    """Temporary files an earlier write left when it was killed (they may hold names)."""
    cutoff = time.time() - STALE_TEMPORARY_SECONDS
    with contextlib.suppress(OSError):
        for leftover in folder.glob(f"{TEMPORARY_PREFIX}*{TEMPORARY_SUFFIX}"):
            with contextlib.suppress(OSError):
                if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                    leftover.unlink()


def _publish(temporary: Path, target: Path, overwrite: bool) -> None:
    """Put the temporary file in the target's place; without `overwrite`, never replace a file
    that appeared meanwhile (a hard link fails if the name is taken; Windows' rename does)."""
    if overwrite:
        if is_link(target) or _is_database(target):
            check_destination(target, overwrite=True)  # raises the sentence
        temporary.replace(target)
        return
    if sys.platform != "win32":
        try:
            os.link(temporary, target)
        except FileExistsError:
            raise OutputExistsError(f"Nothing was written: {target} already exists.") from None
        except OSError:
            pass  # a file system without hard links: fall back on a checked rename
        else:
            temporary.unlink()
            return
    if target.exists() or is_link(target):
        raise OutputExistsError(f"Nothing was written: {target} already exists.")
    temporary.rename(target)


@dataclass
class StagedFile:
    """A file being written under a temporary name in its target's folder (see `staged`)."""

    target: Path
    temporary: Path
    overwrite: bool
    check: Check | None
    size: int = 0

    def verify(self) -> None:
        """The temporary file is complete (`check`, else by suffix) and flushed to disk."""
        problem = _problem(self.temporary, self.check)
        if problem is not None:
            raise OutputFileError(f"Nothing was written to {self.target}: {problem}.")
        try:
            _flush_to_disk(self.temporary)
        except OSError as exc:
            raise _os_failure(self.target, exc) from exc
        self.size = self.temporary.stat().st_size

    def publish(self) -> None:
        """Rename it into place and check it there; a file that is not what was written is
        removed again."""
        try:
            _publish(self.temporary, self.target, self.overwrite)
            _flush_folder(self.target.parent)
        except OSError as exc:
            raise _os_failure(self.target, exc) from exc
        problem = _final_problem(self.target, self.size, self.check)
        if problem is not None:
            with contextlib.suppress(OSError):
                if not is_link(self.target):
                    self.target.unlink()
            raise OutputFileError(f"{self.target} was not written completely: {problem}.")
        log.info("wrote %s (%d bytes)", self.target.suffix or "file", self.size)


def _os_failure(target: Path, exc: OSError) -> OutputFileError:
    return OutputFileError(
        f"{target} could not be written ({exc.strerror or type(exc).__name__}); nothing was kept."
    )


@contextmanager
def staged(
    path: Path | str, *, overwrite: bool = False, check: Check | None = None
) -> Iterator[StagedFile]:
    """A temporary file in the target's folder to write to; the caller verifies and publishes
    it. Whatever happens, the temporary file is gone when the block ends."""
    target = check_destination(path, overwrite=overwrite)
    _remove_stale_temporaries(target.parent)
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX, dir=target.parent
        )
    except OSError as exc:
        raise OutputFileError(
            f"Nothing was written: the folder {target.parent} cannot be written to "
            f"({exc.strerror or type(exc).__name__})."
        ) from exc
    os.close(descriptor)
    stage = StagedFile(
        target, Path(name), overwrite, check or CHECKS_BY_SUFFIX.get(target.suffix.lower())
    )
    try:
        yield stage
    except OSError as exc:
        raise _os_failure(target, exc) from exc
    finally:
        with contextlib.suppress(OSError):
            stage.temporary.unlink(missing_ok=True)


@contextmanager
def replacing(
    path: Path | str, *, overwrite: bool = False, check: Check | None = None
) -> Iterator[Path]:
    """Yield a temporary path in the target's folder to write the file to; when the block ends,
    check it (`check`, else by suffix), flush it, rename it into place and check it there.

    On any failure the temporary file is removed and the target is as it was.
    """
    with staged(path, overwrite=overwrite, check=check) as stage:
        yield stage.temporary
        stage.verify()
        stage.publish()


def _problem(path: Path, check: Check | None) -> str | None:
    if not path.exists() or path.stat().st_size == 0:
        return "nothing was produced"
    return check(path) if check is not None else None


def _final_problem(target: Path, size: int, check: Check | None) -> str | None:
    """Afterwards, in place: the file is there, is a plain file, and is the one written."""
    found = _lstat(target)
    if found is None:
        return "it is not there after writing"
    if not stat.S_ISREG(found.st_mode):
        return "it is not a plain file after writing"
    if found.st_size != size:
        return f"it holds {found.st_size} bytes where {size} were written"
    return check(target) if check is not None else None


def write_csv(path: Path | str, rows: Iterable[Sequence[Any]], *, overwrite: bool = False) -> Path:
    """A CSV file (UTF-8 with a BOM, so Excel on Windows reads accents), every cell formula-safe."""
    buffer = io.StringIO()
    write_csv_rows(buffer, rows)
    data = buffer.getvalue().encode("utf-8-sig")
    target = check_destination(path, overwrite=overwrite)
    with replacing(target, overwrite=overwrite, check=size_problem(len(data))) as temporary:
        temporary.write_bytes(data)
    return target


# --- a file and its audit row together -------------------------------------------------------


NOT_WRITTEN = "output_not_written"  # the audit action when an audited file failed in place


@dataclass
class AuditedOutput:
    """A file being written inside the write transaction that records it (see `audited_file`)."""

    conn: sa.Connection
    path: Path
    temporary: Path
    entry: AuditEntry | None = None

    def record(
        self, account: str, action: str, target: str | None, detail: dict[str, Any]
    ) -> AuditEntry:
        """The audit row of this file (its full path added to `detail`), in the same
        transaction: its head is what the file prints, and it commits only when the file is
        written whole."""
        from exclusion_monitor.store import audit

        self.entry = audit.record(
            self.conn, account, action, target, {**detail, "file": str(self.path)}
        )
        return self.entry


@contextmanager
def audited_file(
    db: Database, path: Path | str, *, overwrite: bool = False, check: Check | None = None
) -> Iterator[AuditedOutput]:
    """Write a file and its audit row as one. The block writes to `output.temporary` and calls
    `output.record(...)` once.

    Order, so that a file never exists without its audit row: the file is written under a
    temporary name and checked; the audit row commits; then the file is renamed into place and
    checked there. A kill between the commit and the rename leaves the row and no file (the
    temporary file is removed at a later write); a file that fails in place is removed and a
    second row says it was not written.
    """
    from exclusion_monitor.store import audit

    with staged(path, overwrite=overwrite, check=check) as stage:
        with db.write() as conn:
            output = AuditedOutput(conn, stage.target, stage.temporary)
            yield output
            if output.entry is None:
                raise RuntimeError("a file written through audited_file must be audited")
            stage.verify()
        try:
            stage.publish()
        except OutputFileError as exc:
            entry = output.entry
            with contextlib.suppress(Exception):
                audit.record(
                    db,
                    entry.account,
                    NOT_WRITTEN,
                    f"audit:{entry.id}",
                    {"file": str(stage.target), "reason": type(exc).__name__},
                )
            raise


def printed_head(entry: AuditEntry) -> str:
    """The audit chain head as printed on a document: 'id:' and 16 hex digits of the hash, which
    `audit --verify --head` accepts (it takes 12 or more)."""
    return f"{entry.id}:{entry.hash[:16]}"
