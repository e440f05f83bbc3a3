"""Hostile returns through the real command line, on both engines (issue 20, items 1 to 5): a
quote that swallows rows, .ods repeat counts, mixed encodings, control and bidi characters,
over-long text, look-alike UPNs, and stored text that must never reach a terminal raw."""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from pathlib import Path

import pytest
import sqlalchemy as sa

from exclusion_monitor import identity
from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from imports.reading import open_book
from tests.cli.databases import new_database
from tests.support.hostile_sheets import (
    CENSUS_HEADERS,
    census_row,
    csv_text,
    empty_ods_rows,
    ods_cell,
    ods_row,
    upn,
    write_ods,
)
from ui.cli.main import main

ADMIN = "LA\\liaison.admin"
UNSAFE = ("\x1b", "\x07", "\x00", "\u202e", "\u2066", "\x9b")


@pytest.fixture(autouse=True)
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "os_account", lambda: ADMIN)


def cli(capsys: pytest.CaptureFixture[str], where: str, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", where, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def import_json(
    capsys: pytest.CaptureFixture[str], where: str, path: Path
) -> tuple[int, dict[str, object], str]:
    code, out, err = cli(
        capsys, where, "import", str(path), "--census-date", "2023-10-05", "--format", "json"
    )
    (result,) = json.loads(out)
    return code, result, err


def surnames(db: Database) -> dict[str, str]:
    """Each child's surname by current UPN."""
    query = (
        sa.select(t.child_identifiers.c.upn, t.children.c.surname)
        .join(t.children, t.children.c.id == t.child_identifiers.c.child_id)
        .where(t.child_identifiers.c.kind == "current")
    )
    with db.read() as conn:
        return {str(row.upn): str(row.surname) for row in conn.execute(query)}


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# -- item 1: a quote that is never closed -------------------------------------------------------
def test_a_quote_that_swallows_rows_is_refused_naming_its_line(
    db: Database, db_location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [census_row(i) for i in range(1, 6)]
    rows[1][1] = '"Testerton'  # the quote on line 3 is never closed
    path = write_bytes(tmp_path / "census.csv", csv_text(rows).encode())
    code, result, err = import_json(capsys, db_location, path)
    assert code == 2 and result["status"] == "refused"
    assert "a quote mark on line 3 opens a cell" in str(result["message"])
    assert "3 of them look like rows of their own" in str(result["message"])
    assert "line 3" in err and surnames(db) == {}, "nothing may be imported from such a file"


def test_an_address_over_two_lines_in_quotes_still_imports(
    db: Database, db_location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [census_row(i) for i in range(1, 6)]
    rows[2][8] = '"Flat 2, 3 Test Street\r\nLeeds, LS1 1AA"'  # Excel quotes a cell with breaks
    path = write_bytes(tmp_path / "census.csv", csv_text(rows).encode())
    code, result, _ = import_json(capsys, db_location, path)
    assert code == 0 and result["rows_imported"] == 5 and result["rows_rejected"] == 0
    with db.read() as conn:
        addresses = set(conn.execute(sa.select(t.census_observations.c.address_line1)).scalars())
    assert "Flat 2, 3 Test Street Leeds, LS1 1AA" in addresses


# -- item 2: .ods repeat counts -------------------------------------------------------------
def test_ods_repeats_are_held_to_the_sheet_limits_while_parsing(
    db: Database, db_location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header = ods_row(CENSUS_HEADERS)
    million = write_ods(tmp_path / "million.ods", header + ods_row(census_row(1), 1_000_000))
    wide = write_ods(
        tmp_path / "wide.ods",
        header + f"<table:table-row>{ods_cell('x', 100_000_000)}</table:table-row>",
    )
    beyond = write_ods(
        tmp_path / "beyond.ods", header + empty_ods_rows(3_000_000) + ods_row(census_row(2))
    )
    cells = write_ods(  # 20,000 rows by 700 columns: within each limit, over the cells'
        tmp_path / "cells.ods", header + ods_row([f"v{i}" for i in range(700)], 20_000)
    )
    assert max(p.stat().st_size for p in (million, wide, beyond)) < 2_000, "a kilobyte each"
    code, result, _ = import_json(capsys, db_location, cells)
    assert code == 2 and "over the limit of 12,000,000 cells" in str(result["message"])
    code, result, _ = import_json(capsys, db_location, million)
    assert code == 2 and "reaches row 1,000,001 and column 9" in str(result["message"])
    code, result, _ = import_json(capsys, db_location, wide)
    assert code == 2 and "reaches row 2 and column 100,000,000" in str(result["message"])
    code, result, _ = import_json(capsys, db_location, beyond)  # never "0 rows read" and exit 0
    assert code == 2 and "reaches row 3,000,002 and column 9" in str(result["message"])
    assert surnames(db) == {}
    if db.path is not None:
        assert db.path.stat().st_size < 5_000_000, "nothing of the repeats reached the database"


def test_the_real_row_after_a_long_run_of_empty_rows_is_read_in_little_memory(
    db: Database, db_location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = ods_row(CENSUS_HEADERS) + empty_ods_rows(500_000) + ods_row(census_row(7, "Farrow"))
    path = write_ods(tmp_path / "gap.ods", body)
    tracemalloc.start()
    try:
        book = open_book(path)
        sheet = book.read(book.sheet_names[0])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(sheet.rows) == 500_002 and sheet.rows[-1][1] == "Farrow"
    assert peak < 40_000_000, f"{peak / 1e6:.0f} MB: the empty rows were materialised"
    code, result, _ = import_json(capsys, db_location, path)
    assert code == 0 and result["rows_read"] == 1 and result["rows_imported"] == 1
    assert surnames(db) == {upn(7): "Farrow"}


# -- item 3: mixed encodings --------------------------------------------------------------
@pytest.mark.parametrize(
    ("first", "second", "few"),
    [
        ("cp1252", "utf-8", "line 4 is written in UTF-8"),
        ("utf-8", "cp1252", "line 4 is written in Windows-1252"),
    ],
)
def test_a_file_mixing_encodings_is_read_line_by_line_and_says_so(
    db: Database,
    db_location: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    first: str,
    second: str,
    few: str,
) -> None:
    rows = [census_row(1, "Muñoz"), census_row(2, "Zoë"), census_row(3, "José"), census_row(4)]
    text = csv_text(rows).splitlines(keepends=True)
    data = "".join(text[:3]).encode(first) + text[3].encode(second) + text[4].encode(first)
    code, result, _ = import_json(capsys, db_location, write_bytes(tmp_path / "m.csv", data))
    assert code == 0 and result["rows_imported"] == 4
    assert surnames(db) == {upn(1): "Muñoz", upn(2): "Zoë", upn(3): "José", upn(4): "Testerton"}
    (note,) = [w for w in result["warnings"] if "mixes two text encodings" in w]  # type: ignore[attr-defined]
    assert few in note


def test_letters_encoded_twice_are_read_as_meant_with_a_warning(
    db: Database, db_location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twice = "José".encode().decode("cp1252")  # 'JosÃ©', as a second save leaves it
    rows = [census_row(1, twice), census_row(2, "Brontë")]
    path = write_bytes(tmp_path / "twice.csv", csv_text(rows).encode("utf-8"))
    code, result, _ = import_json(capsys, db_location, path)
    assert code == 0 and surnames(db) == {upn(1): "José", upn(2): "Brontë"}
    assert any("line 2 held letters encoded twice" in w for w in result["warnings"])  # type: ignore[attr-defined]


# -- item 4: control characters, bidi overrides, escapes, over-long text --------------------
def test_names_are_cleaned_on_the_way_in_and_over_long_text_is_rejected(
    db: Database, db_location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [census_row(i) for i in range(1, 6)]
    rows[0][1] = "Smith\x1b]0;owned\x07"  # sets a terminal's title
    rows[2][2] = "Ev\u202eil\u2066x"  # right-to-left override, isolate
    rows[3][1] = "S" * 100_000
    rows[4][0] = "A" * 5_000  # a reason that quoted the cell would be as long
    path = write_bytes(tmp_path / "dirty.csv", csv_text(rows).encode("utf-8"))
    code, result, _ = import_json(capsys, db_location, path)
    assert code == 0 and result["rows_imported"] == 3
    assert [(r["row"], r["reason"]) for r in result["rejected"]] == [  # type: ignore[attr-defined]
        (5, "the surname is 100,000 characters long, over its limit of 200"),
        (6, "the UPN is 5,000 characters long, over its limit of 200"),
    ]
    (warning,) = [w for w in result["warnings"] if "control characters" in w]  # type: ignore[attr-defined]
    assert warning.endswith("(rows 2, 4)")
    assert surnames(db)[upn(1)] == "Smith"
    with db.read() as conn:
        forenames = set(conn.execute(sa.select(t.children.c.forename)).scalars())
        raws = conn.execute(sa.select(t.rejected_rows.c.raw)).scalars().all()
        reasons = conn.execute(sa.select(t.rejected_rows.c.reason)).scalars().all()
    assert "Evilx" in forenames
    assert all(len(raw) < 1_000 for raw in raws) and len(max(reasons, key=len)) < 100
    assert any("(100,000 characters)" in raw for raw in raws), "never stored at 100,000"


def test_control_characters_in_a_workbook_are_cleaned_too(
    db: Database, db_location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.intake.conftest import write_xlsx

    rows = [census_row(i) for i in range(1, 4)]
    rows[1][1] = "Jones\x00\x1b[2J"  # a NUL and a clear-screen escape (Excel writes _x0000_)
    path = write_xlsx(tmp_path / "dirty.xlsx", CENSUS_HEADERS, rows)
    code, result, _ = import_json(capsys, db_location, path)
    assert code == 0 and result["rows_imported"] == 3
    assert any(w.endswith("(row 3)") for w in result["warnings"])  # type: ignore[attr-defined]
    assert surnames(db)[upn(2)] == "Jones"


def test_stored_text_never_reaches_the_terminal_raw(
    db: Database, db_location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An older database can hold what the intake now cleans: every command's output (table,
    text, JSON, CSV, the error stream) shows it escaped."""
    path = write_bytes(tmp_path / "c.csv", csv_text([census_row(1)]).encode())
    assert import_json(capsys, db_location, path)[0] == 0
    dirty = "Smith\x1b]0;owned\x07\u202eX\x9b2J"
    with db.write() as conn:
        conn.execute(t.children.update().values(surname=dirty))
        conn.execute(t.child_summaries.update().values(surname=dirty))
    outputs = [
        cli(capsys, db_location, "children"),
        cli(capsys, db_location, "children", "--format", "csv"),
        cli(capsys, db_location, "child", upn(1)),
        cli(capsys, db_location, "child", "X\x1b[2J"),  # typed input echoed in an error
    ]
    for _code, out, err in outputs:
        for char in UNSAFE:
            assert char not in out and char not in err, (repr(char), out, err)
    assert "Smith\\u001b]0;owned\\u0007\\u202eX\\u009b2J" in outputs[0][1]
    code, out, _ = cli(capsys, db_location, "children", "--format", "json")
    assert code == 0 and not any(char in out for char in UNSAFE)
    assert json.loads(out)[0]["surname"] == dirty, "JSON escapes read back as the stored text"


# -- item 5: look-alike UPNs ---------------------------------------------------------------
def test_lookalike_upns_fold_or_are_rejected_and_check_reports_stored_ones(
    db: Database, db_location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = upn(1)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in plain)  # 'Ｊ３３０…'
    cyrillic = "\u0410" + upn(2)[1:]  # a Cyrillic capital A where a Latin one belongs
    rows = [census_row(1), census_row(1), census_row(2), census_row(3)]
    rows[1][0], rows[1][7] = fullwidth, "18/01/2024"  # the same pupil on the spring census
    rows[2][0] = cyrillic
    path = write_bytes(tmp_path / "u.csv", csv_text(rows).encode("utf-8"))
    code, result, _ = import_json(capsys, db_location, path)
    assert code == 0 and result["rows_imported"] == 3
    assert set(surnames(db)) == {plain, upn(3)}, "the full-width UPN is the same child"
    (rejected,) = result["rejected"]  # type: ignore[misc]
    assert rejected["row"] == 4 and "not plain letters and digits" in rejected["reason"]
    assert cli(capsys, db_location, "check")[0] == 0
    assert cli(capsys, db_location, "child", fullwidth)[0] == 0, "typed full-width, found"
    with db.write() as conn:  # a look-alike put in behind the app's back
        child = conn.execute(sa.select(t.children.c.id).limit(1)).scalar_one()
        conn.execute(
            t.child_identifiers.insert().values(
                child_id=child, upn="\u0410" + plain[1:], kind="former", temporary=False
            )
        )
    code, out, _ = cli(capsys, db_location, "check")
    assert code == 1
    assert "[FAIL] stored UPNs: 1 stored UPN that is not 13 plain ASCII letters" in out


# -- item 4: a pilot's dirty rows copied to a team database -------------------------------
@pytest.mark.postgres
def test_migrate_cleans_dirty_names_on_the_way(
    tmp_path: Path,
    pg_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pilot = str(tmp_path / "pilot.db")
    path = write_bytes(tmp_path / "c.csv", csv_text([census_row(1), census_row(2)]).encode())
    assert import_json(capsys, pilot, path)[0] == 0
    conn = sqlite3.connect(pilot)  # as an older version could have stored them
    conn.execute("UPDATE children SET surname = 'Null' || char(0) || 'son\u202e' WHERE id = 1")
    conn.execute("UPDATE children SET forename = 'Esc' || char(27) || '[2Jape' WHERE id = 2")
    conn.commit()
    conn.close()
    code, _, err = cli(capsys, pilot, "migrate", "--to", pg_url)
    assert code == 0, err
    team = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    with team.connect() as pg:
        names = set(pg.execute(sa.text("SELECT surname || ' ' || forename FROM children")))
    team.dispose()
    assert {n[0] for n in names} == {"Nullson Pupil1", "Testerton Escape"}


@pytest.mark.postgres
def test_migrate_refuses_a_nul_in_the_audit_trail_and_leaves_the_target_empty(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pilot = str(new_database(tmp_path / "pilot.db"))
    assert cli(capsys, pilot, "check")[0] == 0
    conn = sqlite3.connect(pilot)
    conn.execute("UPDATE audit_log SET target = 'x' || char(0) WHERE id = 1")
    conn.commit()
    conn.close()
    code, _, err = cli(capsys, pilot, "migrate", "--to", pg_url)
    assert code == 2 and "holds a NUL character" in err and "still empty" in err
    team = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    with team.connect() as pg:
        assert pg.execute(sa.text("SELECT count(*) FROM audit_log")).scalar() == 0
    team.dispose()
