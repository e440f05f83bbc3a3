"""Returns shaped the way a hostile tester (or a broken export) shapes them: .ods files with repeat
counts, CSV text with stray quotes and mixed encodings. Invented pupils only."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path

from exclusion_monitor.upn import check_letter

CENSUS_HEADERS = [
    "UPN", "Surname", "Forename", "Date of birth", "Sex", "NC year", "LAESTAB", "Census date",
    "Address line 1",
]  # fmt: skip
_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
    'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def upn(serial: int) -> str:
    """A valid permanent UPN (invented) for LA 330, establishment 4002."""
    body = f"3304002{15 + serial // 1000:02d}{serial % 1000:03d}"
    return check_letter(body) + body


def census_row(serial: int, surname: str = "Testerton", forename: str | None = None) -> list[str]:
    return [
        upn(serial),
        surname,
        forename or f"Pupil{serial}",
        "05/10/2012",
        "F",
        "7",
        "3304002",
        "05/10/2023",
        f"{serial} Test Street",
    ]


def csv_text(rows: Sequence[Sequence[str]], headers: Sequence[str] = CENSUS_HEADERS) -> str:
    """Rows joined as a spreadsheet program writes CSV (CRLF), no quoting: callers add their own."""
    return "".join(",".join(row) + "\r\n" for row in [headers, *rows])


def ods_cell(value: str, repeat: int = 1) -> str:
    attr = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return (
        f'<table:table-cell office:value-type="string"{attr}><text:p>{value}</text:p>'
        "</table:table-cell>"
    )


def ods_row(values: Sequence[str], repeat: int = 1) -> str:
    attr = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attr}>{''.join(ods_cell(v) for v in values)}</table:table-row>"


def empty_ods_rows(repeat: int, width: int = 16384) -> str:
    """A run of empty rows, as LibreOffice writes the unused part of a sheet."""
    return (
        f'<table:table-row table:number-rows-repeated="{repeat}">'
        f'<table:table-cell table:number-columns-repeated="{width}"/></table:table-row>'
    )


def write_ods(path: Path, body: str, sheet: str = "Census") -> Path:
    """A minimal OpenDocument spreadsheet whose one sheet holds `body` (table rows as XML)."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NAMESPACES} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="{sheet}">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
    return path
