"""Hostile files are refused before any parser sees them, with one plain sentence naming the file
and the problem, and with bounded memory: zip bombs, entity bombs, huge and lying sheets,
encrypted workbooks, wrong extensions, truncated zips, empty files, NUL bytes, endless lines."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from imports import file_checks, import_files
from imports.errors import FileRefusedError
from imports.reading import open_book

from . import hostile_builders as hostile
from .conftest import CENSUS_HEADERS, FIXTURES, census_row, write_csv

HOSTILE = FIXTURES / "hostile"
MEMORY_BOUND_MB = 300


def _refusal(path: Path) -> str:
    with pytest.raises(FileRefusedError) as caught:
        open_book(path).close()
    message = str(caught.value)
    assert message.startswith(f"{path.name}: "), message
    assert "Traceback" not in message and "\n" not in message
    return message


@pytest.fixture
def honest(tmp_path: Path) -> Path:
    return hostile.honest_xlsx(tmp_path / "honest.xlsx")


def test_the_honest_workbook_behind_every_hostile_one_is_read(honest: Path) -> None:
    book = open_book(honest)
    assert len(book.read(book.sheet_names[0]).rows) == 4
    book.close()


def test_zip_bomb_is_refused_from_its_directory(honest: Path, tmp_path: Path) -> None:
    bomb = hostile.zip_bomb(honest, tmp_path / "bomb.xlsx", gigabytes=2.0)
    assert bomb.stat().st_size < 4 * 1024 * 1024
    message = _refusal(bomb)
    assert "xl/sharedStrings.xml" in message and "2,048 MB" in message
    assert "over the limit of 512 MB" in message


def test_packed_too_tightly_is_refused(honest: Path, tmp_path: Path) -> None:
    bomb = hostile.zip_bomb(honest, tmp_path / "tight.xlsx", gigabytes=0.1)
    message = _refusal(bomb)
    assert "packed" in message and "to 1" in message and "zip bomb" in message


def test_bomb_that_lies_about_its_size_is_stopped_at_the_declared_size(
    honest: Path, tmp_path: Path
) -> None:
    bomb = hostile.zip_bomb(honest, tmp_path / "liar.xlsx", gigabytes=2.0, lie=True)
    message = _refusal(bomb)
    assert "unpacks to more than the file's directory says" in message


@pytest.mark.parametrize("part", [hostile.SHARED, hostile.SHEET, "xl/workbook.xml"])
def test_entity_bomb_is_refused(honest: Path, tmp_path: Path, part: str) -> None:
    bomb = hostile.billion_laughs(honest, tmp_path / "laughs.xlsx", part)
    message = _refusal(bomb)
    assert part in message and "billion laughs" in message


def test_committed_entity_bomb_fixture(tmp_path: Path) -> None:
    assert "billion laughs" in _refusal(HOSTILE / "billion_laughs.xlsx")


def test_openpyxl_uses_defusedxml() -> None:
    """openpyxl is not on the intake's path, but where it is used it must refuse entities too."""
    import defusedxml
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
    with pytest.raises(ValueError) as caught:  # openpyxl wraps defusedxml's refusal
        openpyxl.load_workbook(HOSTILE / "billion_laughs.xlsx")
    assert isinstance(caught.value.__cause__, defusedxml.DefusedXmlException)


def test_declared_dimension_beyond_the_limit_is_refused(honest: Path, tmp_path: Path) -> None:
    message = _refusal(HOSTILE / "declared_huge.xlsx")
    assert "says it spans 1,048,576 rows by 16,384 columns" in message
    small = hostile.declared_dimension(honest, tmp_path / "ok.xlsx", "A1:I4")
    open_book(small).close()


def test_one_far_cell_is_refused_before_the_reader_builds_the_rectangle(tmp_path: Path) -> None:
    # calamine allocates every cell from A1 to the last one: 512 GB for this file, then aborts.
    message = _refusal(HOSTILE / "far_cell.xlsx")
    assert "reaches row 1,048,576 and column 16,384" in message


def test_far_cell_within_the_row_limit_is_refused_by_the_cell_limit(
    honest: Path, tmp_path: Path
) -> None:
    path = hostile.far_cell(honest, tmp_path / "far.xlsx", "ALL599999")
    message = _refusal(path)
    assert "599,999 rows by 1,000 columns" in message and "12,000,000 cells" in message


def test_real_many_column_sheet_is_refused(tmp_path: Path) -> None:
    wide = hostile.wide_sheet(tmp_path / "wide.xlsx", columns=1_200)
    assert "2 rows by 1,200 columns" in _refusal(wide)
    # The same sheet with its declared dimension shrunk: the cells themselves are measured.
    undeclared = hostile.declared_dimension(wide, tmp_path / "undeclared.xlsx", "A1:B2")
    message = _refusal(undeclared)
    assert "column 1,200" in message and "1,000 columns" in message


def test_wide_sheet_within_the_limit_is_read(tmp_path: Path) -> None:
    book = open_book(hostile.wide_sheet(tmp_path / "wide.xlsx", columns=300))
    assert len(book.read(book.sheet_names[0]).rows[0]) == 300


def test_cells_without_references_are_placed_and_counted(honest: Path, tmp_path: Path) -> None:
    row = b"<row>" + b"<c><v>1</v></c>" * 1_100 + b"</row>"
    path = hostile.rewrite(
        honest,
        tmp_path / "norefs.xlsx",
        lambda n, d: d.replace(b"</sheetData>", row + b"</sheetData>") if n == hostile.SHEET else d,
    )
    assert "column 1,100" in _refusal(path)


def test_too_many_parts_is_refused(tmp_path: Path) -> None:
    message = _refusal(hostile.many_entries(tmp_path / "parts.xlsx", 12_000))
    assert "12,001 parts" in message


def test_encrypted_workbook_made_by_msoffcrypto_is_refused(honest: Path, tmp_path: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    locked = tmp_path / "locked.xlsx"
    with honest.open("rb") as plain, locked.open("wb") as out:
        OOXMLFile(plain).encrypt("invented-password", out)
    assert msoffcrypto.OfficeFile(io.BytesIO(locked.read_bytes())).is_encrypted()
    assert "password-protected" in _refusal(locked)
    renamed = locked.rename(tmp_path / "locked.xls")
    assert "password-protected" in _refusal(renamed)


def test_wrong_extension_truncated_and_empty(honest: Path, tmp_path: Path) -> None:
    as_csv = tmp_path / "workbook.csv"
    as_csv.write_bytes(honest.read_bytes())
    assert "must be plain text" in _refusal(as_csv)
    as_ods = tmp_path / "workbook.ods"
    as_ods.write_bytes(honest.read_bytes())
    assert "named .ods but is an Excel workbook" in _refusal(as_ods)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(honest.read_bytes()[:-300])
    assert "damaged" in _refusal(cut)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert "the file is empty" in _refusal(empty)


def test_corrupt_part_is_refused_as_damaged(honest: Path, tmp_path: Path) -> None:
    data = bytearray(honest.read_bytes())
    with zipfile.ZipFile(honest) as archive:
        entry = archive.getinfo(hostile.SHEET)
    start = entry.header_offset + 30 + len(entry.filename) + 20
    data[start : start + 40] = bytes(40)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(bytes(data))
    assert "damaged" in _refusal(broken)


def test_csv_with_a_nul_byte_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", CENSUS_HEADERS, [census_row(i) for i in range(1, 3000)])
    data = path.read_bytes()
    path.write_bytes(data[:-50] + b"\x00" + data[-50:])
    message = _refusal(path)
    assert "NUL byte" in message and "line 3,000" in message


def test_csv_with_an_endless_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "line.csv"
    with path.open("wb") as handle:
        handle.write(b"UPN,Surname\r\n")
        block = b"A," * (1 << 19)
        for _ in range(100):  # 100 MB with no line break
            handle.write(block)
    message = _refusal(path)
    assert "line 2 is longer than 1 MB" in message


def test_utf16_csv_is_still_read(tmp_path: Path) -> None:
    rows = [census_row(i) for i in range(1, 4)]
    path = write_csv(tmp_path / "u16.csv", CENSUS_HEADERS, rows, encoding="utf-16")
    book = open_book(path)
    assert len(book.read(book.sheet_names[0]).rows) == 4


def test_refusals_come_back_through_the_intake_as_messages(db: Any, tmp_path: Path) -> None:
    (result,) = import_files(db, [HOSTILE / "far_cell.xlsx"])
    assert result.status == "refused"
    assert result.message.startswith("far_cell.xlsx: the sheet 'Sheet1' reaches row")


_MEASURE = r"""
import json, sys
from pathlib import Path
from imports.errors import FileRefusedError
from imports.reading import open_book
def peak():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) // 1024
open_book  # modules loaded before the baseline
base = peak()
out = {}
for name in sys.argv[1:]:
    try:
        book = open_book(Path(name))
        book.read(book.sheet_names[0])
        outcome = "read"
    except FileRefusedError as exc:
        outcome = str(exc)
    out[Path(name).name] = outcome
out["growth_mb"] = peak() - base
print(json.dumps(out))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for peak memory")
def test_bombs_are_refused_with_bounded_memory(
    honest: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [
        hostile.zip_bomb(honest, tmp_path / "bomb.xlsx", gigabytes=2.0),
        hostile.zip_bomb(honest, tmp_path / "liar.xlsx", gigabytes=2.0, lie=True),
        hostile.billion_laughs(honest, tmp_path / "laughs.xlsx"),
        HOSTILE / "far_cell.xlsx",
        HOSTILE / "declared_huge.xlsx",
        hostile.far_cell(honest, tmp_path / "far.xlsx", "ALL599999"),
    ]
    line = tmp_path / "line.csv"
    with line.open("wb") as handle:
        for _ in range(100):
            handle.write(b"x" * (1 << 20))
    files.append(line)
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *map(str, files)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    growth = outcome.pop("growth_mb")
    assert all(message != "read" for message in outcome.values()), outcome
    with capsys.disabled():
        print(f"\nhostile files: {len(outcome)} refused, peak memory growth {growth} MB")
    assert growth < MEMORY_BOUND_MB, (growth, outcome)


def test_limits_are_the_documented_ones() -> None:
    assert (file_checks.MAX_SHEET_ROWS, file_checks.MAX_SHEET_COLUMNS) == (600_000, 1_000)
    assert file_checks.MAX_SHEET_CELLS == 12_000_000 and file_checks.MAX_RATIO == 200


def test_xls_whose_header_claims_more_sectors_than_the_file_holds_is_refused() -> None:
    message = _refusal(HOSTILE / "bad_sector_count.xls")
    assert "internal directory does not match the file" in message
    open_book(FIXTURES / "census_lo.xls").close()


def test_an_xls_that_makes_the_reader_abort_is_refused_and_the_app_lives_on() -> None:
    """Found by fuzzing: two flipped bytes make the .xls reader ask for a terabyte and abort the
    process. The workbook is read first in a child process, so only the child dies."""
    message = _refusal(HOSTILE / "xls_huge_allocation.xls")
    assert "the workbook is damaged (reading it failed outright)" in message


@pytest.mark.parametrize("spawn", [False, True], ids=["fork server", "spawn (Windows)"])
def test_the_child_read_tells_a_sound_workbook_from_one_that_kills_its_reader(
    spawn: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    from imports.isolated_read import survives_reading

    if spawn:  # as on Windows, which has no fork server
        monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert survives_reading(FIXTURES / "census_lo.xls")
    assert not survives_reading(HOSTILE / "xls_huge_allocation.xls")
