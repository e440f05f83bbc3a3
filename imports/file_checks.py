"""Checks that run before any parser sees a file: what would exhaust memory or mislead a parser
(zip bombs, XML entity declarations, sheets too large to hold, compound files whose directory
lies, NUL bytes, endless lines) is refused with a sentence naming the file and the problem."""

from __future__ import annotations

import codecs
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from imports.errors import FileRefusedError

Format = Literal["xlsx", "xls", "ods", "csv", "ctf"]

MB = 1024 * 1024
MAX_FILE_BYTES = 200 * MB
# What a workbook may unpack to. A 250,000-pupil census with inline strings unpacks to 180 MB at
# about 10:1; a zip bomb packs gigabytes at up to 1,000:1.
MAX_PART_BYTES = 512 * MB
MAX_UNPACKED_BYTES = 1024 * MB
MAX_RATIO = 200
RATIO_FROM_BYTES = 1 * MB  # small parts (styles, themes) may be packed tighter than that
MAX_ZIP_ENTRIES = 10_000
# What a sheet may hold: calamine builds the whole rectangle from A1 to the last cell in memory.
MAX_SHEET_ROWS = 600_000
MAX_SHEET_COLUMNS = 1_000
MAX_SHEET_CELLS = 12_000_000
MAX_LINE_BYTES = 1 * MB  # a CSV line (a row of a few dozen fields is a few kilobytes)


ZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError,
               struct.error, OverflowError, KeyError, zlib.error)  # fmt: skip
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CHUNK = 1 * MB
_DTD = (b"<!DOCTYPE", b"<!ENTITY")
_WORKSHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]{1,3})(\d{1,9})(?::([A-Z]{1,3})(\d{1,9}))?"')
# Every "<row" (a row, or the rare tag that starts the same way), with its number when it has one.
_ROW_TAG = re.compile(rb'<row(?:\s+r="(\d{1,9})")?')
# A cell beyond column Z or below row 599,999 (rare in real returns, so only those are collected).
_ODD_CELL = re.compile(rb'<c\s+r="(?:([A-Z]{2,3})0*(\d+)|[A-Z]0*([6-9]\d{5}|[1-9]\d{6,}))"')
_FEW_UNREFERENCED = 64
_TAG = re.compile(rb"<(row|c)(?=[\s>/])([^>]*)>|</row>")
# The parts that hold cells' text, and the bytes that may begin an unsafe character there: a raw
# control byte, '&' (a character reference), '_' (Excel's _x001B_), and the first byte of the
# UTF-8 forms of C1 controls (0xC2), the Arabic letter mark (0xD8) and the bidi controls (0xE2).
_CELL_TEXT_PARTS = {"xl/sharedstrings.xml", "content.xml"}
_GATE_TABLE = bytes(
    0 if (byte < 0x20 and byte not in (0x09, 0x0A, 0x0D)) or byte in b"\x7f&_\xc2\xd8\xe2" else 1
    for byte in range(256)
)
_UNSAFE_XML = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|&#|_x[0-9a-fA-F]{4}_|\xc2[\x80-\x9f]|\xd8\x9c"
    rb"|\xe2\x80[\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]"
)
_REF_ATTR = re.compile(rb'\sr="([A-Z]*)(\d*)"')


def _column_number(letters: bytes | str) -> int:
    number = 0
    for letter in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        number = number * 26 + ord(letter) - 64
    return number


def _mb(size: int) -> str:
    return f"{size / MB:,.0f} MB" if size >= MB else f"{max(1, size // 1024):,} KB"


def _zip_entry_count(path: Path) -> int | None:
    """How many entries the zip's end record declares (None when there is no end record)."""
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        start = max(0, size - (65_535 + 22))
        handle.seek(start)
        tail = handle.read()
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            return None
        entries = struct.unpack_from("<H", tail, at + 10)[0]
        if entries != 0xFFFF or at < 20 or tail[at - 20 : at - 16] != _ZIP64_LOCATOR:
            return int(entries)
        (zip64_offset,) = struct.unpack_from("<Q", tail, at - 12)
        handle.seek(zip64_offset)
        record = handle.read(56)
        if len(record) < 40 or record[:4] != b"PK\x06\x06":
            return None
        return int(struct.unpack_from("<Q", record, 32)[0])


def check_zip_directory(path: Path) -> list[zipfile.ZipInfo]:
    """Refuse a zip whose directory promises more than a spreadsheet ever holds, before anything
    is unpacked: too many entries, parts too large or packed too tightly (a zip bomb), methods
    Excel never uses, encrypted entries. Returns the directory's entries."""
    name = path.name
    try:
        count = _zip_entry_count(path)
    except ZIP_ERRORS:
        count = None  # zipfile below says what is wrong with it
    if count is not None and count > MAX_ZIP_ENTRIES:
        raise FileRefusedError(
            f"{name}: the file is an archive of {count:,} parts, far more than a spreadsheet "
            f"holds (the limit is {MAX_ZIP_ENTRIES:,}); it was not opened."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except ZIP_ERRORS as exc:
        raise FileRefusedError(
            f"{name}: the file is damaged (an incomplete or corrupt workbook); open it in the "
            "spreadsheet program and save it again."
        ) from exc
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FileRefusedError(
            f"{name}: the file is an archive of {len(entries):,} parts, far more than a "
            f"spreadsheet holds (the limit is {MAX_ZIP_ENTRIES:,}); it was not opened."
        )
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise FileRefusedError(
                f"{name}: parts of the file are encrypted; save a copy without a password and "
                "import that."
            )
        if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileRefusedError(
                f"{name}: the file is packed with a compression method (number "
                f"{entry.compress_type}) that spreadsheet programs do not use; open it in the "
                "spreadsheet program and save it again."
            )
        if entry.file_size > MAX_PART_BYTES:
            raise FileRefusedError(
                f"{name}: one part of the workbook ({entry.filename}) would unpack to "
                f"{_mb(entry.file_size)}, over the limit of {_mb(MAX_PART_BYTES)}; it was not "
                "opened (split the data into smaller files)."
            )
        ratio = entry.file_size / max(1, entry.compress_size)
        if entry.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
            raise FileRefusedError(
                f"{name}: one part of the workbook ({entry.filename}) is packed {ratio:,.0f} to "
                f"1 ({_mb(entry.compress_size)} unpacking to {_mb(entry.file_size)}), far "
                f"tighter than any real spreadsheet (the limit is {MAX_RATIO} to 1); it was not "
                "opened, because this is how a 'zip bomb' is built to exhaust memory."
            )
        total += entry.file_size
    if total > MAX_UNPACKED_BYTES:
        raise FileRefusedError(
            f"{name}: the workbook would unpack to {_mb(total)}, over the limit of "
            f"{_mb(MAX_UNPACKED_BYTES)}; it was not opened (split the data into smaller files)."
        )
    return entries


@dataclass(slots=True)
class _SheetExtent:
    """How far a worksheet's cells reach, from its XML, without building any cells."""

    declared: tuple[int, int] | None = None
    max_row: int = 0
    rows_without_number: int = 0
    max_column: int = 0
    far_row: int = 0
    cells: int = 0
    cells_with_ref: int = 0

    def feed(self, data: bytes) -> None:
        if self.declared is None:
            found = _DIMENSION.search(data)
            if found is not None:
                first_col, first_row, last_col, last_row = found.groups()
                if last_col is None:
                    self.declared = (1, 1)
                else:
                    self.declared = (
                        int(last_row) - int(first_row) + 1,
                        _column_number(last_col) - _column_number(first_col) + 1,
                    )
        tags = _ROW_TAG.findall(data)
        numbers = [number for number in tags if number]
        if numbers:
            self.max_row = max(self.max_row, max(map(int, numbers)))
        self.rows_without_number += len(tags) - len(numbers)
        for letters, row, far_row in _ODD_CELL.findall(data):
            if letters:
                self.max_column = max(self.max_column, _column_number(letters))
                self.far_row = max(self.far_row, int(row))
            else:
                self.far_row = max(self.far_row, int(far_row))
        # Cells without an `r` reference are placed one after another; `<c` also starts a few
        # other tags (cols, cfRule), so the difference is an upper bound on such cells.
        self.cells += data.count(b"<c")
        self.cells_with_ref += data.count(b'<c r="')


def _walk_extent(data_chunks: Iterable[bytes]) -> tuple[int, int]:
    """Rows and columns exactly as a reader places cells without an `r` reference (one after
    another); used only for the unusual files that leave references out."""
    row = col = max_row = max_col = 0
    carry = b""
    for chunk in data_chunks:
        buf = carry + chunk
        cut = _tag_cut(buf)
        for match in _TAG.finditer(buf, 0, cut):
            if match.group(0) == b"</row>":
                continue
            ref = _REF_ATTR.search(match.group(2) or b"")
            if match.group(1) == b"row":
                row = int(ref.group(2)) if ref and ref.group(2) else row + 1
                col = 0
            else:
                if ref and ref.group(1):
                    col = _column_number(ref.group(1))
                    row = int(ref.group(2)) if ref.group(2) else row
                else:
                    col += 1
                max_row, max_col = max(max_row, row), max(max_col, col)
        carry = buf[cut:]
    return max_row, max_col


def _tag_cut(buf: bytes) -> int:
    """Where to split a stream so that no tag is cut in two (tags are short; text may be long)."""
    cut = buf.rfind(b"<")
    return len(buf) if cut < 0 or len(buf) - cut > 4096 else cut


def stream_part(handle: io.BufferedReader, entry: zipfile.ZipInfo, name: str) -> Iterator[bytes]:
    """Unpack one part in chunks, never past the size the directory declares (a part that
    unpacks to more is refused: its directory was written to mislead a reader)."""
    size = handle.seek(0, 2)
    header = b""
    if 0 <= entry.header_offset < size:
        handle.seek(entry.header_offset)
        header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise FileRefusedError(
            f"{name}: the file is damaged (the part {entry.filename} is missing); open it in the "
            "spreadsheet program and save it again."
        )
    name_length, extra_length = _LOCAL_HEADER.unpack(header)[-2:]
    handle.seek(entry.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    left = entry.compress_size
    inflater = zlib.decompressobj(-15) if entry.compress_type == zipfile.ZIP_DEFLATED else None
    produced = 0
    crc = 0
    pending = b""
    while left > 0 or pending:
        if not pending:
            raw = handle.read(min(_CHUNK, left))
            if not raw:
                break
            left -= len(raw)
        else:
            raw = pending
        if inflater is None:
            out, pending = raw, b""
        else:
            try:
                out = inflater.decompress(raw, _CHUNK)
            except zlib.error as exc:
                raise FileRefusedError(
                    f"{name}: the file is damaged (the part {entry.filename} cannot be unpacked); "
                    "open it in the spreadsheet program and save it again."
                ) from exc
            pending = inflater.unconsumed_tail
        produced += len(out)
        if produced > entry.file_size:
            raise FileRefusedError(
                f"{name}: the part {entry.filename} unpacks to more than the file's directory "
                "says; the file is damaged or was built to mislead a reader, and was not opened."
            )
        crc = zlib.crc32(out, crc)
        if out:
            yield out
        if inflater is not None and inflater.eof:
            break
    if produced != entry.file_size or crc != entry.CRC:
        raise FileRefusedError(
            f"{name}: the file is damaged (the part {entry.filename} is incomplete or corrupt); "
            "open it in the spreadsheet program and save it again."
        )


def may_hold_unsafe_text(data: bytes) -> bool:
    """Whether XML bytes may hold a control character, an escape or a bidi control in a cell's
    text: raw, as a character reference, as Excel's `_x001B_` escape, or UTF-8 encoded. One
    table lookup per byte decides; only a piece that has a candidate byte is searched."""
    if b"\x00" not in data.translate(_GATE_TABLE):
        return False
    return _UNSAFE_XML.search(data) is not None


def check_workbook_parts(path: Path, entries: list[zipfile.ZipInfo], file_format: Format) -> bool:
    """Unpack every XML part once, in chunks, and refuse entity declarations (the 'billion laughs'
    attack), parts that unpack to more than declared, and sheets too large to hold in memory.
    Returns whether a part that holds cells' text may hold unsafe characters (for the reader to
    clean, imports/text_cells.py)."""
    name = path.name
    sheet_names = _sheet_names_by_part(path, entries) if file_format == "xlsx" else {}
    unsafe = False
    with path.open("rb") as handle:
        for entry in entries:
            lower = entry.filename.lower()
            if not lower.endswith((".xml", ".rels", ".vml")) or entry.is_dir():
                continue
            worksheet = file_format == "xlsx" and _WORKSHEET_PART.fullmatch(entry.filename)
            extent = _SheetExtent() if worksheet else None
            cell_text = bool(worksheet) or lower in _CELL_TEXT_PARTS
            carry = tail = b""
            for chunk in stream_part(handle, entry, name):
                buf = carry + chunk
                # Every marker holds a "!", which XML rarely does: one byte is found many times
                # faster than "<!" (whose "<" starts every tag).
                for marker in _DTD if b"!" in buf else ():
                    if marker in buf:
                        raise FileRefusedError(
                            f"{name}: the part {entry.filename} declares its own XML entities "
                            "(a document type declaration), which spreadsheet programs never "
                            "write; it was not opened, because this is how an 'entity "
                            "expansion' (billion laughs) attack is built."
                        )
                if cell_text and not unsafe:
                    unsafe = may_hold_unsafe_text(tail + buf)
                    tail = buf[-8:]
                cut = _tag_cut(buf)
                if extent is not None:
                    extent.feed(buf[:cut])
                carry = buf[cut:]
            if extent is not None:
                sheet = sheet_names.get(entry.filename, entry.filename)
                _check_declared(name, sheet, extent)
                rows = max(extent.max_row + extent.rows_without_number, extent.far_row)
                unreferenced = extent.cells - extent.cells_with_ref
                columns = (extent.max_column or 26) + unreferenced
                if unreferenced > _FEW_UNREFERENCED or rows * columns > MAX_SHEET_CELLS:
                    # Cells without references, or a sheet near the limit: place every cell.
                    walked = _walk_extent(stream_part(handle, entry, name))
                    extent.max_row, extent.max_column = walked
                    extent.rows_without_number = 0
                elif extent.cells:
                    extent.max_column = columns
                _check_extent(name, sheet, extent)
    return unsafe


def _check_declared(name: str, sheet: str, extent: _SheetExtent) -> None:
    if extent.declared is None:
        return
    rows, columns = extent.declared
    if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS:
        raise FileRefusedError(
            f"{name}: the sheet '{sheet}' says it spans {rows:,} rows by {columns:,} columns, "
            f"over the limit of {MAX_SHEET_ROWS:,} rows and {MAX_SHEET_COLUMNS:,} columns; "
            "delete the unused rows and columns (or split the sheet) and save it again."
        )


def _check_extent(name: str, sheet: str, extent: _SheetExtent) -> None:
    rows = max(extent.max_row + extent.rows_without_number, extent.far_row)
    columns = extent.max_column
    if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS:
        raise FileRefusedError(
            f"{name}: the sheet '{sheet}' reaches row {rows:,} and column {columns:,}, over the "
            f"limit of {MAX_SHEET_ROWS:,} rows and {MAX_SHEET_COLUMNS:,} columns; delete the "
            "unused rows and columns (or split the sheet) and save it again."
        )
    if rows * columns > MAX_SHEET_CELLS:
        raise FileRefusedError(
            f"{name}: the sheet '{sheet}' spans {rows:,} rows by {columns:,} columns "
            f"({rows * columns:,} cells), over the limit of {MAX_SHEET_CELLS:,} cells; delete "
            "the unused columns or split the sheet into smaller files."
        )


def _sheet_names_by_part(path: Path, entries: list[zipfile.ZipInfo]) -> dict[str, str]:
    """'xl/worksheets/sheet1.xml' -> 'Census', for messages (best effort on small parts only)."""
    sizes = {e.filename: e.file_size for e in entries}
    if (
        sizes.get("xl/workbook.xml", MB + 1) > MB
        or sizes.get("xl/_rels/workbook.xml.rels", MB + 1) > MB
    ):
        return {}
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.read("xl/workbook.xml")
            rels = archive.read("xl/_rels/workbook.xml.rels")
    except ZIP_ERRORS:
        return {}
    if any(marker in workbook or marker in rels for marker in _DTD):
        return {}  # refused when its part is scanned
    targets = {
        m.group(1).decode(): m.group(2).decode()
        for m in re.finditer(rb'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"', rels)
    }
    names: dict[str, str] = {}
    for tag in re.findall(rb"<sheet\b[^>]*>", workbook):
        sheet = re.search(rb'\bname="([^"]*)"', tag)
        rel = re.search(rb'\br:id="([^"]*)"', tag)
        if sheet is None or rel is None or rel.group(1).decode() not in targets:
            continue
        target = targets[rel.group(1).decode()].lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        names[part] = sheet.group(1).decode("utf-8", "replace")
    return names


_CFB_HEADER = struct.Struct("<8s16sHHHHH6sLLLLLLLLL")
_CFB_SPECIAL = 0xFFFFFFFA  # sector numbers from here up mark chain ends, free sectors and so on


def check_compound_file(path: Path) -> None:
    """Refuse an old-style (.xls) compound file whose header or directory promises more sectors
    or larger streams than the file holds: a reader sizes its buffers from these numbers."""
    name = path.name
    size = path.stat().st_size
    with path.open("rb") as handle:
        header = handle.read(512)
        if len(header) < 512:
            raise FileRefusedError(f"{name}: the workbook is damaged (it is cut short).")
        fields = _CFB_HEADER.unpack_from(header)
        sector_shift, mini_shift = fields[5], fields[6]
        directory_sectors, fat_sectors, first_directory = fields[8], fields[9], fields[10]
        first_mini_fat, mini_fat_sectors, first_difat, difat_sectors = fields[13:17]
        sector = 1 << min(sector_shift, 16)
        sectors_in_file = max(0, size - 512) // sector + 1
        sound = (
            sector_shift in (9, 12)
            and mini_shift == 6
            and directory_sectors <= sectors_in_file
            and fat_sectors + mini_fat_sectors + difat_sectors <= sectors_in_file
            and first_directory < sectors_in_file
            and all(n < sectors_in_file or n >= _CFB_SPECIAL for n in (first_mini_fat, first_difat))
        )
        if sound:
            handle.seek((first_directory + 1) * sector)
            directory = handle.read(sector)
            for at in range(0, len(directory) - 127, 128):
                entry_type = directory[at + 66]
                (stream_size,) = struct.unpack_from("<L", directory, at + 120)
                if entry_type in (1, 2, 5) and stream_size > size + sector:
                    sound = False
    if not sound:
        raise FileRefusedError(
            f"{name}: the workbook is damaged (its internal directory does not match the file); "
            "open it in the spreadsheet program and save it again."
        )


def check_text_file(path: Path) -> None:
    """Refuse a text file with a NUL byte (binary data or a damaged file) or a line longer than
    any row of a table, reading it in chunks so a 100 MB line never sits in memory at once."""
    name = path.name
    line = 1
    run = 0  # bytes since the last line break
    offset = 0
    with path.open("rb") as handle:
        first = handle.read(2)
        utf16 = first in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        handle.seek(0)
        while chunk := handle.read(MAX_LINE_BYTES):
            if not utf16 and b"\x00" in chunk:
                at = offset + chunk.index(b"\x00")
                at_line = line + chunk.count(b"\n", 0, at - offset)
                raise FileRefusedError(
                    f"{name}: the file contains a NUL byte (at byte {at:,}, line {at_line:,}), "
                    "so it is not plain text; save it again from the spreadsheet program as CSV."
                )
            breaks = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
            if not breaks:
                run += len(chunk)
            else:
                run += min(breaks)
            if run > MAX_LINE_BYTES:
                raise FileRefusedError(
                    f"{name}: line {line:,} is longer than {_mb(MAX_LINE_BYTES)} with no line "
                    "break; a row of a table is never that long, so the file is not a table of "
                    "rows (or is damaged)."
                )
            if breaks:
                run = len(chunk) - 1 - max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
                line += chunk.count(b"\n") or chunk.count(b"\r")
            offset += len(chunk)
