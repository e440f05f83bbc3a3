"""Reading spreadsheets and CSV files into rows of cell values, after checking what the file is.

Workbooks (.xlsx, .xlsm, .xls, .ods) go through python-calamine, which returns each cell as it is
stored (text, number, date, boolean) with no column-wide type guessing and reads every row whatever
size the sheet declares. CSV goes through the standard library with encoding and delimiter sniffing.
Before any parser sees a file, the checks below refuse what would exhaust memory or mislead a
parser: zip bombs, XML entity declarations, sheets too large to hold, NUL bytes, endless lines.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from imports.errors import FileRefusedError
from imports.file_checks import (
    MAX_FILE_BYTES,
    ZIP_ERRORS,
    Format,
    check_compound_file,
    check_text_file,
    check_workbook_parts,
    check_zip_directory,
)
from imports.isolated_read import survives_reading

Cell = object

WORKBOOK_SUFFIXES: dict[str, Format] = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
SUFFIXES = sorted([*WORKBOOK_SUFFIXES, *TEXT_SUFFIXES])
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_DATE1904 = re.compile(rb"date1904\s*=\s*\"(?:1|true)\"")
_DELIMITERS = [",", ";", "\t", "|"]
SNIFF_CHARS = 1 << 20  # where the delimiter is looked for: 30 lines of any real table


@dataclass(slots=True)
class Sheet:
    """One sheet's cells, row by row (row 0 is the sheet's first row)."""

    name: str
    rows: list[list[Cell]]
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


@dataclass(slots=True)
class Book:
    """What a file holds: its format, sheet names, and how its serial dates count."""

    path: Path
    file_format: Format
    sheet_names: list[str]
    date1904: bool = False
    encoding: str | None = None
    _workbook: object = None
    _csv_rows: list[list[Cell]] | None = None
    # Parsed sheets by name: calamine parses a whole sheet even for its first rows, so the header
    # search and the full read share one parse (dropped once the whole sheet has been read).
    _parsed: dict[str, object] = field(default_factory=dict)

    def head(self, sheet_name: str, nrows: int) -> list[list[Cell]]:
        """The first rows of a sheet (for finding the header without reading everything)."""
        if self._csv_rows is not None:
            return self._csv_rows[:nrows]
        return self.read(sheet_name, nrows=nrows).rows

    def read(self, sheet_name: str, nrows: int | None = None) -> Sheet:
        """Every row of a sheet (or the first `nrows`)."""
        if self._csv_rows is not None:
            return Sheet(sheet_name, self._csv_rows if nrows is None else self._csv_rows[:nrows])
        import python_calamine

        assert isinstance(self._workbook, python_calamine.CalamineWorkbook)
        try:
            sheet = self._parsed.get(sheet_name)
            if sheet is None:
                sheet = self._parsed[sheet_name] = self._workbook.get_sheet_by_name(sheet_name)
            assert isinstance(sheet, python_calamine.CalamineSheet)
            rows = cast(list[list[Cell]], sheet.to_python(skip_empty_area=False, nrows=nrows))
            merged = list(sheet.merged_cell_ranges or [])
            if nrows is None:
                self._parsed.clear()  # the rows are Python values now; free the parsed cells
        except BaseException as exc:  # calamine panics (BaseException) on some damaged files
            _reraise_interrupts(exc)
            raise FileRefusedError(
                f"{self.path.name}: the sheet '{sheet_name}' could not be read; the file may be "
                f"damaged ({_short(exc)})."
            ) from exc
        return Sheet(sheet_name, rows, merged)

    def close(self) -> None:
        self._parsed.clear()
        close = getattr(self._workbook, "close", None)
        if close is not None:
            close()


def _reraise_interrupts(exc: BaseException) -> None:
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:150]


def open_book(path: Path, *, max_bytes: int | None = None) -> Book:
    """Check the file is a spreadsheet of the type its name says, and open it.

    Raises FileRefusedError with a sentence naming the file and the problem otherwise.
    """
    name = path.name
    if not path.exists():
        raise FileRefusedError(f"{name}: there is no such file.")
    if path.is_dir():
        raise FileRefusedError(f"{name}: this is a folder, not a file.")
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES and suffix not in TEXT_SUFFIXES:
        raise FileRefusedError(
            f"{name}: the intake reads {', '.join(SUFFIXES)} files, not '{suffix or 'no type'}'."
        )
    size = path.stat().st_size
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    if size == 0:
        raise FileRefusedError(f"{name}: the file is empty.")
    if size > max_bytes:
        raise FileRefusedError(
            f"{name}: the file is {size / 1_048_576:.0f} MB, over the limit of "
            f"{max_bytes / 1_048_576:.0f} MB; split it into smaller files."
        )
    with path.open("rb") as handle:
        start = handle.read(8)
    actual = _sniff(path, start)
    if suffix in TEXT_SUFFIXES:
        if actual != "text":
            raise FileRefusedError(
                f"{name}: the file is named {suffix} but is {_describe(actual)}; a {suffix} file "
                "must be plain text."
            )
        return _open_csv(path)
    wanted = WORKBOOK_SUFFIXES[suffix]
    if actual == "encrypted":
        raise FileRefusedError(
            f"{name}: the workbook is password-protected (encrypted); save a copy without a "
            "password and import that."
        )
    if actual != wanted:
        raise FileRefusedError(
            f"{name}: the file is named {suffix} but is {_describe(actual)}; open it in a "
            "spreadsheet program and save it again in the right format."
        )
    if wanted in ("xlsx", "ods"):
        check_workbook_parts(path, check_zip_directory(path), wanted)
    elif wanted == "xls":
        check_compound_file(path)
        if not survives_reading(path):
            raise FileRefusedError(
                f"{name}: the workbook is damaged (reading it failed outright); open it in the "
                "spreadsheet program and save it again, as .xlsx if you can."
            )
    return _open_workbook(path, wanted)


def _sniff(path: Path, start: bytes) -> str:
    if start.startswith(_ZIP_MAGIC):
        return _zip_kind(path)
    if start.startswith(_OLE_MAGIC):
        with path.open("rb") as handle:
            data = handle.read(4 * 1024 * 1024)
        if "EncryptionInfo".encode("utf-16-le") in data:
            return "encrypted"
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            return "xls"
        return "other office file"
    if start.startswith(b"%PDF"):
        return "pdf"
    if start.startswith((b"PK", b"\x1f\x8b", b"7z", b"Rar!")):
        return "archive"
    with path.open("rb") as handle:
        sample = handle.read(64 * 1024)
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary"
    if sample.lstrip().lower().startswith((b"<html", b"<!doctype html", b"<?xml", b"<table")):
        return "web page or XML"
    return "text"


def _zip_kind(path: Path) -> str:
    entries = check_zip_directory(path)
    try:
        with zipfile.ZipFile(path) as archive:
            names = {entry.filename for entry in entries}
            if "mimetype" in names:
                with archive.open("mimetype") as part:
                    mime = part.read(200).decode("ascii", "replace").strip()
                if mime == "application/vnd.oasis.opendocument.spreadsheet":
                    return "ods"
                return "OpenDocument file of another kind"
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "word/document.xml" in names:
                return "Word document"
            if "ppt/presentation.xml" in names:
                return "PowerPoint presentation"
    except ZIP_ERRORS:
        return "damaged"
    return "archive"


_DESCRIPTIONS = {
    "xlsx": "an Excel workbook (.xlsx)",
    "xls": "an old-style Excel workbook (.xls)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "text": "a text (CSV) file",
    "pdf": "a PDF document",
    "binary": "not a spreadsheet or text file",
    "damaged": "damaged (an incomplete or corrupt workbook)",
}


def _describe(actual: str) -> str:
    return _DESCRIPTIONS.get(actual, f"a {actual}" if not actual.startswith("a") else actual)


def _open_workbook(path: Path, file_format: Format) -> Book:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        names = [
            meta.name
            for meta in workbook.sheets_metadata
            if str(meta.typ).endswith("WorkSheet") or "Work" in str(meta.typ)
        ] or list(workbook.sheet_names)
    except python_calamine.PasswordError as exc:
        raise FileRefusedError(
            f"{path.name}: the workbook is password-protected; save a copy without a password "
            "and import that."
        ) from exc
    except BaseException as exc:  # calamine's errors are untyped; a Rust panic is a BaseException
        _reraise_interrupts(exc)
        raise FileRefusedError(
            f"{path.name}: the workbook could not be read; it may be damaged or incomplete "
            f"({_short(exc)})."
        ) from exc
    if not names:
        raise FileRefusedError(f"{path.name}: the workbook has no sheets.")
    return Book(path, file_format, names, _is_1904(path, file_format), None, workbook)


def _is_1904(path: Path, file_format: Format) -> bool:
    """Whether the workbook counts serial dates from 1904 (old Mac Excel)."""
    if file_format != "xlsx":
        return False
    try:
        with zipfile.ZipFile(path) as archive, archive.open("xl/workbook.xml") as part:
            return bool(_DATE1904.search(part.read(20_000)))
    except ZIP_ERRORS:
        return False


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and the encoding: UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        encoding = best.encoding if best is not None else "latin-1"
        return data.decode(encoding, "replace"), encoding


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most consistently into more than one column."""
    head = text[:SNIFF_CHARS].splitlines()  # the first lines, not the whole file's
    if len(text) > SNIFF_CHARS and len(head) > 1:
        head.pop()  # perhaps cut short
    lines = [line for line in head[:30] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in _DELIMITERS:
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts or max(counts) < 2:
            continue
        common = max(set(counts), key=counts.count)
        score = counts.count(common) * common
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _plain_rows(text: str, delimiter: str) -> list[list[Cell]] | None:
    """The rows of a CSV text with no quote marks at all, split directly (what the csv module
    gives for such text, at two thirds of its cost); None when the csv module must read it."""
    if '"' in text:
        return None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    if lines and max(map(len, lines)) > csv.field_size_limit():
        return None  # the csv module refuses such a field, with its own message
    return cast(list[list[Cell]], [line.split(delimiter) if line else [] for line in lines])


def _open_csv(path: Path) -> Book:
    check_text_file(path)
    data = path.read_bytes()
    text, encoding = decode_text(data)
    if not text.strip():
        raise FileRefusedError(f"{path.name}: the file holds no data, only blank space.")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text)
    try:
        rows = _plain_rows(text, delimiter)
        if rows is None:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            rows = cast(list[list[Cell]], list(reader))  # the reader's own lists, not copies
    except csv.Error as exc:
        raise FileRefusedError(
            f"{path.name}: the text could not be read as comma-separated values ({exc})."
        ) from exc
    return Book(path, "csv", [path.stem], False, encoding, None, rows)
