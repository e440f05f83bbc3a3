"""Builders for hostile files: zip bombs, entity bombs, huge and lying sheets, all made from a
small honest workbook (invented pupils, no real personal data). Also used by
benchmarks/fuzz_intake.py and to write the committed fixtures in fixtures/hostile/."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from .conftest import CENSUS_HEADERS, census_row, write_xlsx

SHEET = "xl/worksheets/sheet1.xml"
SHARED = "xl/sharedStrings.xml"


def honest_xlsx(path: Path, rows: int = 3) -> Path:
    return write_xlsx(path, CENSUS_HEADERS, [census_row(i) for i in range(1, rows + 1)])


def rewrite(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """Copy a workbook, passing every part's bytes through `change(name, data)`."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, change(item.filename, src.read(item.filename)))
    return target


def billion_laughs(source: Path, target: Path, part: str = SHARED) -> Path:
    """The classic entity bomb: ten levels of ten references, a billion 'lol's when expanded."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        head, _, body = data.partition(b"?>")
        root = body.lstrip()[1:].split(b" ", 1)[0].split(b">", 1)[0].decode()
        doctype = f"<!DOCTYPE {root} [{entities}]>".encode()
        return head + b"?>\n" + doctype + body.replace(b"<t>UPN</t>", b"<t>&lol9;</t>", 1)

    return rewrite(source, target, change)


def declared_dimension(source: Path, target: Path, ref: str = "A1:XFD1048576") -> Path:
    def change(name: str, data: bytes) -> bytes:
        if name != SHEET:
            return data
        start = data.index(b"<dimension ref=")
        end = data.index(b"/>", start) + 2
        return data[:start] + f'<dimension ref="{ref}"/>'.encode() + data[end:]

    return rewrite(source, target, change)


def far_cell(source: Path, target: Path, ref: str = "XFD1048576") -> Path:
    """One real value far from the others: a reader builds the whole rectangle up to it."""
    row = "".join(ch for ch in ref if ch.isdigit())
    cell = f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'.encode()
    return rewrite(
        source,
        target,
        lambda n, d: d.replace(b"</sheetData>", cell + b"</sheetData>") if n == SHEET else d,
    )


def wide_sheet(path: Path, columns: int, rows: int = 2) -> Path:
    """A real sheet with many columns (every cell holds a value)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    for r in range(rows):
        for c in range(columns):
            sheet.write_number(r, c, c)
    book.close()
    return path


def _zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip from (name, deflated bytes, uncompressed size, crc, method) with honest headers
    except where the caller chose otherwise (zip64 is not needed below 4 GB)."""
    out = bytearray()
    directory = bytearray()
    for name, data, size, crc, method in entries:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data),
                           size, len(encoded), 0)  # fmt: skip
        out += encoded + data
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc,
                                 len(data), size, len(encoded), 0, 0, 0, 0, 0, offset)  # fmt: skip
        directory += encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                      len(directory), len(out), 0)  # fmt: skip
    return bytes(out + directory + end)


def _deflated_repeats(
    unit: bytes, repeats: int, prefix: bytes, suffix: bytes
) -> tuple[bytes, int, int]:
    """Deflate prefix + unit * repeats + suffix without building it: after a full flush the
    compressor's output for the same input repeats, so one block is compressed and copied."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = squeeze.compress(prefix) + squeeze.flush(zlib.Z_FULL_FLUSH)
    block = squeeze.compress(unit) + squeeze.flush(zlib.Z_FULL_FLUSH)
    again = squeeze.compress(unit) + squeeze.flush(zlib.Z_FULL_FLUSH)
    assert block == again
    tail = squeeze.compress(suffix) + squeeze.flush()
    crc = zlib.crc32(prefix)
    unit_crc_state = crc
    for _ in range(repeats):
        unit_crc_state = zlib.crc32(unit, unit_crc_state)
    crc = zlib.crc32(suffix, unit_crc_state)
    return head + block * repeats + tail, len(prefix) + len(unit) * repeats + len(suffix), crc


def zip_bomb(source: Path, target: Path, gigabytes: float = 2.0, *, lie: bool = False) -> Path:
    """An honest workbook whose shared strings unpack to `gigabytes` of text (about 2 MB on disk).
    With `lie`, the directory declares 10 KB for that part, as a bomb hiding from size checks
    would."""
    unit = b"<si><t>" + b"A" * (1 << 20) + b"</t></si>"
    repeats = int(gigabytes * 1024)
    prefix = b'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    entries = []
    with zipfile.ZipFile(source) as src:
        for item in src.infolist():
            if item.filename == SHARED:
                data, size, crc = _deflated_repeats(unit, repeats, prefix, b"</sst>")
                if lie:
                    size = 10_240
            else:
                raw = src.read(item.filename)
                squeeze = zlib.compressobj(6, zlib.DEFLATED, -15)
                data = squeeze.compress(raw) + squeeze.flush()
                size, crc = len(raw), zlib.crc32(raw)
            entries.append((item.filename, data, size, crc, zipfile.ZIP_DEFLATED))
    target.write_bytes(_zip(entries))
    return target


def many_entries(target: Path, count: int) -> Path:
    entries = [
        (f"xl/media/p{n}.xml", b"\x03\x00", 0, 0, zipfile.ZIP_DEFLATED) for n in range(count)
    ]
    target.write_bytes(
        _zip([("xl/workbook.xml", b"\x03\x00", 0, 0, zipfile.ZIP_DEFLATED), *entries])
    )
    return target
