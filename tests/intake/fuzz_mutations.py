"""Structure-aware mutations of workbooks for the fuzz tests (and benchmarks/fuzz_intake.py):
damage the zip's central directory, end record or local headers, or change the XML inside a part
(entity declarations, far or missing cell references, lying dimensions, cut or repeated tags)
and pack it again honestly, so the damage reaches the parser rather than the unzip step."""

from __future__ import annotations

import random
import re
import struct
import zipfile
import zlib
from io import BytesIO

_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_END = b"PK\x05\x06"
# (offset, struct format) of the fields worth lying about in each record.
_CENTRAL_FIELDS = [(10, "<H"), (16, "<L"), (20, "<L"), (24, "<L"), (28, "<H"), (30, "<H"),
                   (34, "<H"), (42, "<L"), (8, "<H")]  # fmt: skip
_LOCAL_FIELDS = [(8, "<H"), (14, "<L"), (18, "<L"), (22, "<L"), (26, "<H"), (28, "<H"), (6, "<H")]
_END_FIELDS = [(8, "<H"), (10, "<H"), (12, "<L"), (16, "<L"), (20, "<H")]
_TAGS = re.compile(rb"<[^>]{1,200}>")
_REFS = re.compile(rb'r="[A-Z]{1,3}\d{1,7}"')


def _interesting(fmt: str, rng: random.Random) -> int:
    top = 0xFFFF if fmt == "<H" else 0xFFFFFFFF
    return rng.choice([0, 1, 8, 99, top, top - 1, top // 2, rng.randrange(top + 1)])


def _poke_record(
    data: bytes, signature: bytes, fields: list[tuple[int, str]], rng: random.Random
) -> bytes:
    starts = [m.start() for m in re.finditer(re.escape(signature), data)]
    if not starts:
        return data
    at = rng.choice(starts)
    offset, fmt = rng.choice(fields)
    if at + offset + struct.calcsize(fmt) > len(data):
        return data
    buf = bytearray(data)
    struct.pack_into(fmt, buf, at + offset, _interesting(fmt, rng))
    return bytes(buf)


def mutate_xml(xml: bytes, rng: random.Random) -> bytes:
    """One structural change to an XML part."""
    choice = rng.randrange(10)
    tags = list(_TAGS.finditer(xml))
    if choice == 0:
        doctype = b'<!DOCTYPE x [<!ENTITY a "' + b"A" * rng.randint(1, 50) + b'">]>'
        head, sep, body = xml.partition(b"?>")
        return head + sep + doctype + body if sep else doctype + xml
    if choice == 1 and tags:
        tag = rng.choice(tags)
        return xml[: tag.start()] + xml[tag.end() :]
    if choice == 2 and tags:
        tag = rng.choice(tags)
        return xml[: tag.end()] + tag.group(0) * rng.randint(2, 200) + xml[tag.end() :]
    if choice == 3:
        refs = list(_REFS.finditer(xml))
        if refs:
            ref = rng.choice(refs)
            letters = "".join(rng.choice("ABCXZ") for _ in range(rng.randint(1, 3)))
            new = f'r="{letters}{rng.choice([1, 2, 9999, 599_999, 600_001, 1_048_576])}"'
            return xml[: ref.start()] + new.encode() + xml[ref.end() :]
    if choice == 4:
        ref = rng.choice([b"A1", b"A1:XFD1048576", b"A1:ZZ599999", b"B2:A1", b"A0:A0", b""])
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref + b'"', xml, count=1)
    if choice == 5:
        cells = b"<c><v>1</v></c>" * rng.randint(1, 2_000)
        return xml.replace(b"</row>", cells + b"</row>", 1)
    if choice == 6:
        return xml[: rng.randrange(len(xml) + 1)]
    if choice == 7 and xml:
        at = rng.randrange(len(xml))
        return xml[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 40))) + xml[at:]
    if choice == 8:
        return xml.replace(b'r="', b'r="' + str(rng.randint(0, 9)).encode(), rng.randint(1, 50))
    return xml.replace(b"<row ", b'<row hidden="1" ' * rng.randint(1, 3), rng.randint(1, 20))


def _repack(data: bytes, rng: random.Random) -> bytes:
    try:
        with zipfile.ZipFile(BytesIO(data)) as src:
            parts = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    except (
        zipfile.BadZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
        RuntimeError,
        zlib.error,
    ):
        return data
    xml_parts = [n for n, _ in parts if n.endswith((".xml", ".rels"))]
    if not xml_parts:
        return data
    target = rng.choice(xml_parts)
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, content in parts:
            if name == target:
                for _ in range(rng.randint(1, 3)):
                    content = mutate_xml(content, rng)
            dst.writestr(name, content)
    return out.getvalue()


def mutate_workbook(data: bytes, rng: random.Random) -> bytes:
    """One structure-aware mutation of a zipped workbook (xlsx or ods)."""
    choice = rng.random()
    if choice < 0.45:
        return _repack(data, rng)
    if choice < 0.7:
        return _poke_record(data, _CENTRAL, _CENTRAL_FIELDS, rng)
    if choice < 0.85:
        return _poke_record(data, _LOCAL, _LOCAL_FIELDS, rng)
    if choice < 0.95:
        return _poke_record(data, _END, _END_FIELDS, rng)
    at = data.rfind(_CENTRAL)
    return data[: at + rng.randrange(1, 60)] if at > 0 else data
