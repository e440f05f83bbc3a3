"""The one writer of every output file: formula safety, links, overwrites, databases, the
temporary file and rename, and the check afterwards (docs/output-and-failures.md)."""

from __future__ import annotations

import csv
import os
import stat
import sys
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from exclusion_monitor import output_files
from exclusion_monitor.errors import OutputExistsError, OutputFileError
from exclusion_monitor.output_files import (
    FORMULA_STARTS,
    check_destination,
    formula_safe,
    replacing,
    write_csv,
)
from exclusion_monitor.store import open_database
from tests.support.formula import DANGEROUS, PAYLOADS, dangerous_start, xlsx_unescape

HARMLESS = [
    "Smith", "O'Neill", "'=already inert", "1-2", "", "B801200005001", "a=b", '"Ali" Khan',
    "\u201cBeechwood\u201d School", "  ",
]  # fmt: skip


def test_the_folded_forms_really_fold_onto_formula_characters() -> None:
    for char in DANGEROUS[7:]:
        assert unicodedata.normalize("NFKC", char) in FORMULA_STARTS, hex(ord(char))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_dangerous_start_is_made_inert(payload: str) -> None:
    assert formula_safe(payload) == "'" + payload
    assert not dangerous_start(formula_safe(payload))


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_text_is_left_as_it_is(text: str) -> None:
    assert formula_safe(text) == text


def test_csv_file_round_trip_keeps_numbers_and_neutralises_text(tmp_path: Path) -> None:
    rows: list[list[Any]] = [["name", "count"], *[[p, -2] for p in PAYLOADS], [None, 2.0]]
    path = write_csv(tmp_path / "out.csv", rows)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        back = list(csv.reader(handle))
    assert [r[0] for r in back[1:-1]] == ["'" + p for p in PAYLOADS]
    assert {r[1] for r in back[1:-1]} == {"-2"}  # a number is a number, not text to disarm
    assert back[-1] == ["", "2"]
    assert not any(dangerous_start(cell) for row in back for cell in row if cell != "-2")


def test_workbooks_store_text_as_text(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with replacing(path) as temporary:
        book = output_files.new_workbook(temporary)
        sheet = book.add_worksheet()
        sheet.write(0, 0, "=1+1")  # xlsxwriter's generic write: still never a formula
        sheet.write(1, 0, "http://example.invalid")
        sheet.write(2, 0, "0012")
        book.close()
    cells = [c for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
    assert [c.data_type for c in cells] == ["s", "s", "s"]
    assert cells[2].value == "0012" and cells[1].hyperlink is None


def test_workbook_text_cells_are_formula_safe(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with replacing(path) as temporary:
        book = output_files.new_workbook(temporary)
        sheet = book.add_worksheet()
        written = [output_files.write_text(sheet, r, 0, p) for r, p in enumerate(PAYLOADS)]
        book.close()
    assert written == ["'" + p for p in PAYLOADS]
    cells = [c for row in openpyxl.load_workbook(path).active.iter_rows() for c in row]
    assert {c.data_type for c in cells} == {"s"}
    assert [xlsx_unescape(c.value) for c in cells] == written


def test_a_missing_folder_is_refused_with_its_name(tmp_path: Path) -> None:
    with pytest.raises(OutputFileError) as refused:
        check_destination(tmp_path / "missing" / "f.pdf")
    assert str(refused.value) == (
        f"Nothing was written: the folder {tmp_path / 'missing'} does not exist."
    )


def test_an_existing_file_is_replaced_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("kept\n")
    with pytest.raises(OutputExistsError):
        write_csv(path, [["new"]])
    assert path.read_text() == "kept\n"
    write_csv(path, [["new"]], overwrite=True)
    assert path.read_bytes() == b"\xef\xbb\xbfnew\r\n"


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_never_through_a_link_even_when_asked(tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("precious\n")
    link = tmp_path / "export.csv"
    link.symlink_to(precious)
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    for target in (link, dangling):
        with pytest.raises(OutputFileError, match="is a link to another file"):
            write_csv(target, [["x"]], overwrite=True)
    assert precious.read_text() == "precious\n"
    assert not (tmp_path / "nowhere.csv").exists()


def test_a_windows_reparse_point_counts_as_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A junction or mount point shows as FILE_ATTRIBUTE_REPARSE_POINT in os.lstat on Windows;
    the platform's answer is mocked here."""
    target = tmp_path / "junction.xlsx"
    target.write_bytes(b"x")
    real = os.lstat(target)

    class ReparseStat:
        st_mode = stat.S_IFREG | 0o600
        st_file_attributes = stat.FILE_ATTRIBUTE_REPARSE_POINT
        st_size = real.st_size

    monkeypatch.setattr(
        output_files.os,
        "lstat",
        lambda p, *a, **k: ReparseStat() if Path(p) == target else Path(p).lstat(),
    )
    assert output_files.is_link(target)
    with pytest.raises(OutputFileError, match="is a link"):
        check_destination(target, overwrite=True)


def test_a_database_is_never_replaced_whatever_is_asked(tmp_path: Path) -> None:
    database = tmp_path / "exclusion-monitor.db"
    open_database(database).close()
    disguised = tmp_path / "flags.csv"
    disguised.write_bytes(database.read_bytes())
    (tmp_path / "exclusion-monitor.db-wal").write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 28)
    before = database.read_bytes()
    for target in (database, disguised, tmp_path / "exclusion-monitor.db-wal"):
        with pytest.raises(OutputFileError, match="is a database file"):
            write_csv(target, [["x"]], overwrite=True)
    assert database.read_bytes() == before


def test_a_failed_write_leaves_neither_file_nor_temporary(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    with pytest.raises(RuntimeError), replacing(path) as temporary:
        temporary.write_bytes(b"%PDF-1.4 half a file")
        raise RuntimeError("the printer driver fell over")
    assert list(tmp_path.iterdir()) == []


def test_an_incomplete_file_is_not_put_in_place(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    with pytest.raises(OutputFileError, match="cut short"), replacing(path) as temporary:
        temporary.write_bytes(b"%PDF-1.4\n1 0 obj\n")  # no trailer: a cut-short PDF
    xlsx = tmp_path / "book.xlsx"
    with pytest.raises(OutputFileError, match="not a readable workbook"), replacing(xlsx) as t:
        t.write_bytes(b"PK\x03\x04 truncated")
    assert list(tmp_path.iterdir()) == []


def test_the_file_is_checked_again_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If what lands at the name is not what was written (a full disk, a meddling sync tool),
    the file is removed and the write fails."""
    path = tmp_path / "out.csv"

    def truncating_publish(temporary: Path, target: Path, overwrite: bool) -> None:
        temporary.replace(target)
        with target.open("r+b") as handle:
            handle.truncate(3)

    monkeypatch.setattr(output_files, "_publish", truncating_publish)
    with pytest.raises(OutputFileError, match="was not written completely"):
        write_csv(path, [["a", "b"], ["c", "d"]])
    assert not path.exists()


def test_a_file_that_appears_meanwhile_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.csv"
    with pytest.raises(OutputExistsError), replacing(path) as temporary:
        temporary.write_text("mine")
        path.write_text("someone else's")  # written by another program while this one worked
    assert path.read_text() == "someone else's"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_written_files_are_for_the_owner_only(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "out.csv", [["x"]])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_stale_temporaries_of_a_killed_write_are_removed(tmp_path: Path) -> None:
    stale = tmp_path / f"{output_files.TEMPORARY_PREFIX}abc{output_files.TEMPORARY_SUFFIX}"
    stale.write_text("names of a killed export")
    os.utime(stale, (1_000_000, 1_000_000))
    fresh = tmp_path / f"{output_files.TEMPORARY_PREFIX}def{output_files.TEMPORARY_SUFFIX}"
    fresh.write_text("another export still being written")
    write_csv(tmp_path / "out.csv", [["x"]])
    assert not stale.exists() and fresh.exists()


def test_an_audited_file_commits_its_row_before_it_appears(db: Any, tmp_path: Path) -> None:
    """The order that keeps every existing file audited: the row commits, then the rename. A
    file that cannot be put in place leaves its row and a second row saying so."""
    from exclusion_monitor.store.audit import list_entries

    path = tmp_path / "export.csv"
    with output_files.audited_file(db, path) as output:
        output.record("LA\\manager1", "export", None, {"rows": 1})
        output.temporary.write_text("a,b\r\n")
        with db.read() as conn:  # not yet visible to anyone else, nor the file
            assert conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar() == 0
        assert not path.exists()
    assert path.read_text() == "a,b\n" and [e.action for e in list_entries(db)] == ["export"]

    with pytest.raises(OutputExistsError), output_files.audited_file(db, tmp_path / "b.csv") as out:
        out.record("LA\\manager1", "export", None, {"rows": 1})
        out.temporary.write_text("mine\r\n")
        (tmp_path / "b.csv").write_text("someone else's")
    entries = list_entries(db)
    assert [e.action for e in entries] == ["export", "export", output_files.NOT_WRITTEN]
    assert entries[-1].detail == {"file": str(tmp_path / "b.csv"), "reason": "OutputExistsError"}
    assert (tmp_path / "b.csv").read_text() == "someone else's"
