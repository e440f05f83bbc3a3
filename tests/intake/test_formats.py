"""Every format and encoding the intake reads, and the refusals for files it cannot read."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from imports import import_files, inspect_file

from .conftest import CENSUS_HEADERS, FIXTURES, census_row, upn, write_csv, write_xlsx


def _census_children(db: Any) -> list[tuple[str, str, dt.date]]:
    with db.read() as conn:
        rows = conn.execute(
            sa.select(
                t.children.c.surname, t.children.c.forename, t.children.c.date_of_birth
            ).order_by(t.children.c.surname)
        ).all()
    return [tuple(r) for r in rows]


@pytest.mark.parametrize("name", ["census_lo.xls", "census_lo.ods"])
def test_libreoffice_workbooks_import_with_title_row_and_messy_values(
    db: Any, import_one: Any, name: str
) -> None:
    result = import_one(FIXTURES / name)
    assert result.status == "imported", result.message
    assert result.kind == "census"
    assert (result.rows_read, result.rows_imported, result.rows_rejected) == (4, 3, 1)
    assert result.rejected[0].row == 6
    assert "check letter" in result.rejected[0].reason
    assert _census_children(db) == [
        ("Ashworth", "Lily", dt.date(2012, 10, 5)),
        ("Brennan", "Tom", dt.date(2013, 9, 3)),
        ("Cole", "Ava", dt.date(2012, 4, 1)),
    ]
    with db.read() as conn:
        years = sorted(conn.execute(sa.select(t.census_observations.c.nc_year)).scalars())
        laestabs = conn.execute(sa.select(t.schools.c.laestab)).scalars().all()
    assert years == ["7", "7", "R"]
    assert laestabs == ["3304002"]


def test_xlsm_is_read_like_xlsx(tmp_path: Path, import_one: Any) -> None:
    path = write_xlsx(tmp_path / "return.xlsm", CENSUS_HEADERS, [census_row(1), census_row(2)])
    assert import_one(path).rows_imported == 2


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ","), ("cp1252", ";"), ("utf-8", "\t"), ("cp1252", ",")],
)
def test_csv_encodings_and_delimiters(
    db: Any, tmp_path: Path, import_one: Any, encoding: str, delimiter: str
) -> None:
    rows = [census_row(1, surname="Zoë-Brontë", forename="Renée", dob="05/10/2012"), census_row(2)]
    path = write_csv(
        tmp_path / "c.csv", CENSUS_HEADERS, rows, encoding=encoding, delimiter=delimiter
    )
    result = import_one(path)
    assert result.rows_imported == 2, result
    assert ("Zoë-Brontë", "Renée", dt.date(2012, 10, 5)) in _census_children(db)


def test_csv_keeps_leading_zeros_and_reads_every_row(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    rows = [census_row(i, laestab="330/0012") for i in range(1, 301)]
    result = import_one(write_csv(tmp_path / "c.csv", CENSUS_HEADERS, rows))
    assert result.rows_imported == 300
    with db.read() as conn:
        assert conn.execute(sa.select(t.schools.c.laestab)).scalars().all() == ["3300012"]


def test_xlsx_with_a_wrong_declared_size_is_read_to_the_last_row(
    tmp_path: Path, import_one: Any
) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", CENSUS_HEADERS, [census_row(i) for i in range(1, 51)])
    patched = tmp_path / "dim.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:I51"/>', b'<dimension ref="A1:A1"/>')
                assert b'<dimension ref="A1:A1"/>' in data
            dst.writestr(item, data)
    assert import_one(patched).rows_imported == 50


def test_nc_year_that_turns_to_letters_deep_in_the_column_is_kept(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    rows = [census_row(i, year=7) for i in range(1, 1501)] + [census_row(1501, year="R")]
    assert import_one(write_xlsx(tmp_path / "c.xlsx", CENSUS_HEADERS, rows)).rows_imported == 1501
    with db.read() as conn:
        years = conn.execute(sa.select(t.census_observations.c.nc_year)).scalars().all()
    assert years.count("R") == 1 and years.count("7") == 1500


def test_merged_cells_in_the_data_area_are_reported(tmp_path: Path, import_one: Any) -> None:
    import xlsxwriter

    path = tmp_path / "merged.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, CENSUS_HEADERS)
    for r in range(1, 4):
        ws.write_row(r, 0, census_row(r, laestab=None))
    ws.merge_range(1, 6, 3, 6, "3304002")
    wb.close()
    result = import_one(path)
    assert any("merged cells in the data area (G2:G4)" in w for w in result.warnings)
    assert result.rows_rejected == 2  # the blanked school cells are reported, not guessed
    assert all(r.reason == "the school is missing" for r in result.rejected)


def _refusal(db: Any, path: Path) -> str:
    (result,) = import_files(db, [path])
    assert result.status == "refused"
    assert result.rows_imported == 0
    assert result.message.startswith(path.name + ":")
    return str(result.message)


def test_refuses_empty_file(db: Any, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    assert "the file is empty" in _refusal(db, tmp_path / "empty.csv")


def test_refuses_blank_text_file(db: Any, tmp_path: Path) -> None:
    (tmp_path / "blank.csv").write_text("\n \n\t\n")
    assert "no data" in _refusal(db, tmp_path / "blank.csv")


def test_refuses_a_csv_named_xlsx(db: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "named.xlsx", CENSUS_HEADERS, [census_row(1)])
    assert "named .xlsx but is a text (CSV) file" in _refusal(db, path)


def test_refuses_a_workbook_named_csv(db: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.csv", CENSUS_HEADERS, [census_row(1)])
    assert (
        "named .csv but is an Excel workbook (.xlsx); a .csv file must be plain text"
        in _refusal(db, path)
    )


def test_refuses_pdf_named_xls(db: Any, tmp_path: Path) -> None:
    (tmp_path / "return.xls").write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    assert "a PDF document" in _refusal(db, tmp_path / "return.xls")


def test_refuses_encrypted_workbook(db: Any, tmp_path: Path) -> None:
    # An encrypted .xlsx is an OLE2 container holding EncryptionInfo and EncryptedPackage streams.
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    body += "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le")
    (tmp_path / "locked.xlsx").write_bytes(body + b"\x00" * 2000)
    assert "password-protected" in _refusal(db, tmp_path / "locked.xlsx")


def test_refuses_truncated_workbook(db: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", CENSUS_HEADERS, [census_row(i) for i in range(99)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    message = _refusal(db, path)
    assert "damaged" in message


def test_refuses_word_document_named_xlsx(db: Any, tmp_path: Path) -> None:
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert "a Word document" in _refusal(db, path)


def test_refuses_unknown_file_type(db: Any, tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_text("hello")
    assert "reads .csv, .ods" in _refusal(db, tmp_path / "notes.docx")


def test_refuses_file_over_the_size_limit(
    db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imports import reading

    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1024)
    path = write_csv(tmp_path / "big.csv", CENSUS_HEADERS, [census_row(i) for i in range(60)])
    assert "over the limit" in _refusal(db, path)


def test_refuses_missing_file(db: Any, tmp_path: Path) -> None:
    assert "no such file" in _refusal(db, tmp_path / "gone.csv")


def test_inspect_reports_a_refusal_as_a_message(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(b"")
    preview = inspect_file(tmp_path / "e.csv")
    assert preview.message == "e.csv: the file is empty."
    assert not preview.ready


def test_upn_helper_makes_valid_upns() -> None:
    from exclusion_monitor.upn import is_valid_upn

    assert all(is_valid_upn(upn(i)) for i in range(50))
