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

from exclusion_monitor.text_safety import has_unsafe
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
from imports.ods_reader import read_ods
from imports.text_cells import CLEANED, clean_rows, rows_note

Cell = object

WORKBOOK_SUFFIXES: dict[str, Format] = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
CTF_SUFFIX = ".xml"  # a Common Transfer File (imports/ctf.py)
SUFFIXES = sorted([*WORKBOOK_SUFFIXES, *TEXT_SUFFIXES, CTF_SUFFIX])
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
    """What a file holds: its format, sheet names, and how its serial dates count.

    `notes` are what reading noticed that the person should know (text in two encodings, unsafe
    characters removed), for the import's warnings.
    """

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
    notes: list[str] = field(default_factory=list)
    # Whether the cells may hold control characters, escapes or bidi controls (the part checks
    # said so, or the format cannot be checked before reading): they are cleaned as read.
    clean_cells: bool = False
    _sheets: dict[str, Sheet] | None = None  # an .ods file's sheets, read with its limits
    _cleaned: dict[str, list[int]] = field(default_factory=dict)  # their rows cleaned, by sheet

    def head(self, sheet_name: str, nrows: int) -> list[list[Cell]]:
        """The first rows of a sheet (for finding the header without reading everything)."""
        if self._csv_rows is not None:
            return self._csv_rows[:nrows]
        return self.read(sheet_name, nrows=nrows).rows

    def read(self, sheet_name: str, nrows: int | None = None) -> Sheet:
        """Every row of a sheet (or the first `nrows`)."""
        if self._csv_rows is not None:
            return Sheet(sheet_name, self._csv_rows if nrows is None else self._csv_rows[:nrows])
        if self._sheets is not None:
            whole = self._sheets[sheet_name]
            if nrows is not None:
                return Sheet(sheet_name, whole.rows[:nrows], whole.merged)
            if sheet_name in self._cleaned:
                self.notes.append(rows_note(CLEANED, self._cleaned.pop(sheet_name)))
            return whole
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
        if self.clean_cells:
            changed = clean_rows(rows)
            if changed and nrows is None:
                self.notes.append(rows_note(CLEANED, changed))
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
    if suffix not in WORKBOOK_SUFFIXES and suffix not in TEXT_SUFFIXES and suffix != CTF_SUFFIX:
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
    if suffix == CTF_SUFFIX:
        if actual not in ("text", "web page or XML"):
            raise FileRefusedError(
                f"{name}: the file is named .xml but is {_describe(actual)}; a Common Transfer "
                "File is XML text."
            )
        return _open_ctf(path)
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
        entries = check_zip_directory(path)
        unsafe = check_workbook_parts(path, entries, wanted)
        if wanted == "ods":
            return _open_ods(path, entries, unsafe)
    elif wanted == "xls":
        check_compound_file(path)
        if not survives_reading(path):
            raise FileRefusedError(
                f"{name}: the workbook is damaged (reading it failed outright); open it in the "
                "spreadsheet program and save it again, as .xlsx if you can."
            )
        unsafe = True  # a binary workbook's text cannot be checked before it is read
    book = _open_workbook(path, wanted)
    book.clean_cells = unsafe
    return book


def _open_ods(path: Path, entries: list[zipfile.ZipInfo], unsafe: bool) -> Book:
    """An .ods file read by the project's own parser, which applies the sheet limits to repeated
    rows and columns as it meets them (imports/ods_reader.py)."""
    book = Book(path, "ods", [], _sheets={})
    assert book._sheets is not None
    for found in read_ods(path, entries):
        if found.name in book._sheets:
            continue  # two sheets of one name: the first, as calamine reads it
        book._sheets[found.name] = Sheet(found.name, found.rows, found.merged)
        book.sheet_names.append(found.name)
        changed = clean_rows(found.rows) if unsafe else []
        if changed:
            book._cleaned[found.name] = changed
    return book


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
    """The text and the encoding: UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1252,
    or each line in its own of UTF-8 and Windows-1252 when a file mixes them."""
    decoded = decode_lines(data)
    return decoded.text, decoded.encoding


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    note: str | None = None  # what the person should know about the encoding, if anything


_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
# Text encoded twice: UTF-8 bytes read as Windows-1252 and saved again ("JosÃ©" for "José").
_TWICE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d"
    "\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022"
    "\u2026\u2030\u2039\u203a\u20ac\u2122]+"
)
MIXED = "mixed (UTF-8 and Windows-1252)"


def decode_lines(data: bytes) -> Decoded:
    """Decode a text file, deciding per line when it mixes encodings.

    A file saved from Excel as CSV is Windows-1252; one that passed through another system may
    carry some lines (a pupil added by hand, a merged extract) in UTF-8. Read whole as either,
    the other's names come out as "JosÃ©". Each line is read as UTF-8 when it is valid UTF-8 and
    as Windows-1252 otherwise (Windows-1252 text is almost never valid UTF-8 by accident), and the
    note says which lines were which; text that was encoded twice is read as the letters meant.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(data.decode("utf-16", "replace"), "utf-16")
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return _undo_double_encoding(text, "utf-8-sig" if bom else "utf-8")
    if not bom and _UTF8_SEQUENCE.search(body) is None:
        try:
            return Decoded(body.decode("cp1252"), "cp1252")
        except UnicodeDecodeError:
            from charset_normalizer import from_bytes

            best = from_bytes(body[:200_000]).best()
            encoding = best.encoding if best is not None else "latin-1"
            return Decoded(body.decode(encoding, "replace"), encoding)
    return _decode_each_line(body)


def _decode_each_line(body: bytes) -> Decoded:
    parts: list[str] = []
    utf8_lines: list[int] = []
    other_lines: list[int] = []
    for number, line in enumerate(body.splitlines(keepends=True), start=1):
        if line.isascii():
            parts.append(line.decode("ascii"))
            continue
        try:
            parts.append(line.decode("utf-8"))
            utf8_lines.append(number)
        except UnicodeDecodeError:
            parts.append(line.decode("cp1252", "replace"))
            other_lines.append(number)
    text = "".join(parts)
    if not utf8_lines or not other_lines:
        encoding = "utf-8" if utf8_lines else "cp1252"
        return Decoded(text, encoding)
    if len(utf8_lines) <= len(other_lines):
        few, few_name, rest_name = utf8_lines, "UTF-8", "Windows-1252"
    else:
        few, few_name, rest_name = other_lines, "Windows-1252", "UTF-8"
    note = (
        f"the file mixes two text encodings: {_lines(few)} {'is' if len(few) == 1 else 'are'} "
        f"written in {few_name} and the rest in {rest_name}; each line was read in its own "
        "encoding, so check the accented names on those lines, and ask the sender to save the "
        "file again in one encoding (CSV UTF-8)"
    )
    return Decoded(text, MIXED, note)


def _undo_double_encoding(text: str, encoding: str) -> Decoded:
    """Text whose accented letters were encoded twice ("JosÃ©") read as the letters meant, with a
    note naming the lines; anything that does not decode back exactly is left as it is."""
    if text.isascii() or ("Ã" not in text and "Â" not in text and "â" not in text):
        return Decoded(text, encoding)
    repaired_at: list[int] = []

    def repair(match: re.Match[str]) -> str:
        found = match.group(0)
        try:
            meant = found.encode("cp1252").decode("utf-8")
        except UnicodeError:
            return found
        repaired_at.append(match.start())
        return meant

    fixed = _TWICE.sub(repair, text)
    if not repaired_at:
        return Decoded(text, encoding)
    numbers = sorted({text.count("\n", 0, at) + 1 for at in repaired_at})
    note = (
        f"{_lines(numbers)} held letters encoded twice (such as 'Ã©' for 'é'), as happens when "
        "a UTF-8 file is opened as Windows-1252 and saved again; they were read as the letters "
        "meant, so check the accented names on those lines"
    )
    return Decoded(fixed, encoding, note)


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    more = f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{more}"


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


def _open_ctf(path: Path) -> Book:
    """A Common Transfer File as one sheet of an enrolments return (imports/ctf.py)."""
    from imports.ctf import SHEET, read_ctf

    content = read_ctf(path)
    # XML allows bidi overrides and other invisible controls in text: cleaned as in any file.
    changed = clean_rows(content.rows)
    if changed:
        content.notes.append(rows_note(CLEANED, changed))
    return Book(path, "ctf", [SHEET], False, "utf-8", None, content.rows, notes=content.notes)


def _open_csv(path: Path) -> Book:
    check_text_file(path)
    data = path.read_bytes()
    decoded = decode_lines(data)
    text = decoded.text
    del data
    if not text.strip():
        raise FileRefusedError(f"{path.name}: the file holds no data, only blank space.")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text)
    try:
        rows = _plain_rows(text, delimiter)
        if rows is None:
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            rows = cast(list[list[Cell]], list(reader))  # the reader's own lists, not copies
            _refuse_runaway_quote(path.name, text, rows, delimiter)
    except csv.Error as exc:
        raise FileRefusedError(
            f"{path.name}: the text could not be read as comma-separated values ({exc})."
        ) from exc
    notes = [decoded.note] if decoded.note else []
    if _may_hold_unsafe(text):
        changed = clean_rows(rows)
        if changed:
            notes.append(rows_note(CLEANED, changed))
    return Book(path, "csv", [path.stem], False, decoded.encoding, None, rows, notes=notes)


# Every byte of an ASCII text that is a control character other than tab and line breaks.
_CONTROL_BYTES = bytes(b for b in range(0x80) if (b < 0x20 and b not in (9, 10, 13)) or b == 0x7F)


def _may_hold_unsafe(text: str) -> bool:
    """Whether text may hold a control character, an escape or a bidi control: for ASCII text one
    pass over its bytes (a few milliseconds for a census), else the exact search."""
    if text.isascii():
        data = text.encode("ascii")
        return len(data.translate(None, _CONTROL_BYTES)) != len(data)
    return has_unsafe(text)


def _refuse_runaway_quote(name: str, text: str, rows: list[list[Cell]], delimiter: str) -> None:
    """Refuse a file where a quote mark that is never closed has swallowed the rows after it into
    one cell (the csv module reads on to the next quote mark, or to the end of the file).

    A cell may hold a line break legitimately (an address over two lines), so a quoted cell
    spanning lines is refused only when a line inside it splits into as many fields as the
    table's rows do: that line is a row of its own, not part of an address.
    """
    lines = text.count("\n") or text.count("\r")
    if len(rows) >= lines:
        return  # every row is one line: no cell runs over a line break
    widths = [len(row) for row in rows[:1000] if row]
    width = max(set(widths), key=widths.count) if widths else 0
    if width < 3:
        return
    line = 1
    for row in rows:
        breaks = 0
        for cell in row:
            if not isinstance(cell, str) or ("\n" not in cell and "\r" not in cell):
                continue
            inner = str(cell).replace("\r\n", "\n").replace("\r", "\n").split("\n")
            breaks += len(inner) - 1
            swallowed = [part for part in inner[1:] if part.count(delimiter) >= width - 1]
            if swallowed:
                raise FileRefusedError(
                    f"{name}: a quote mark on line {line:,} opens a cell that runs on over "
                    f"{len(inner) - 1:,} more lines, and {len(swallowed):,} of them look like "
                    "rows of their own: the quote mark is probably never closed, so those "
                    "pupils would be lost inside one cell. Nothing was imported; correct the "
                    f"quote marks on line {line:,} (or save the file again from the spreadsheet "
                    "program) and import it again."
                )
        line += 1 + breaks
