"""Property and fuzz tests: every row is accounted for, and broken files are only ever refused
cleanly (a sentence naming the file, never an unexpected failure)."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exclusion_monitor.store import open_database
from imports import import_files

from .conftest import CENSUS_HEADERS, FIXTURES, census_row, temp_upn, upn, write_csv, write_xlsx

_cells = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=12),
    st.integers(-5, 99_999),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", " ", "Total", "R", "Y7", "31/02/2012", "=1+1", "330/4002", "SUSP"]),
)


@st.composite
def _census_rows(draw: st.DrawFn) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for serial in range(draw(st.integers(0, 25))):
        row = census_row(serial + 1)
        if draw(st.booleans()):
            row[0] = draw(st.sampled_from([temp_upn(serial + 1), upn(serial + 1).lower(), "X1"]))
        for column in draw(st.lists(st.integers(0, len(row) - 1), max_size=3)):
            row[column] = draw(_cells)
        rows.append(row)
    return rows


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=_census_rows(), as_csv=st.booleans())
def test_every_row_is_imported_or_rejected(rows: list[list[Any]], as_csv: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        db = open_database(base / "p.db")
        try:
            if as_csv:
                text_rows = [["" if c is None else str(c) for c in r] for r in rows]
                path = write_csv(base / "c.csv", CENSUS_HEADERS, text_rows)
            else:
                path = write_xlsx(base / "c.xlsx", CENSUS_HEADERS, rows)
            (result,) = import_files(db, [path])
        finally:
            db.close()
    assert result.status == "imported", result.message
    assert result.rows_read == result.rows_imported + result.rows_rejected
    assert result.rows_rejected == len(result.rejected)
    skipped = sum(1 for w in result.warnings if "totals row" in w)
    assert result.rows_read <= len(rows) and result.rows_read >= len(rows) - skipped - len(
        [r for r in rows if all(c in (None, "", " ") for c in r)]
    )
    assert len({r.row for r in result.rejected}) == len(result.rejected)


def _seeds(folder: Path) -> list[bytes]:
    rows = [census_row(i) for i in range(1, 8)]
    return [
        write_xlsx(folder / "s.xlsx", CENSUS_HEADERS, rows, title_rows=["Census"]).read_bytes(),
        write_csv(folder / "s.csv", CENSUS_HEADERS, rows).read_bytes(),
        (FIXTURES / "census_lo.xls").read_bytes(),
        (FIXTURES / "census_lo.ods").read_bytes(),
    ]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        choice = rng.random()
        position = rng.randrange(len(buf)) if buf else 0
        if choice < 0.4 and buf:
            buf[position] = rng.randrange(256)
        elif choice < 0.6:
            del buf[position : position + rng.randint(1, 64)]
        elif choice < 0.8:
            buf[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        else:
            buf = buf[: rng.randrange(len(buf) + 1)]
    return bytes(buf)


@pytest.mark.slow
def test_fuzzed_files_are_refused_cleanly_or_imported(tmp_path: Path, db: Any) -> None:
    rng = random.Random(20240101)
    seeds = _seeds(tmp_path)
    suffixes = [".xlsx", ".csv", ".xls", ".ods"]
    outcomes: dict[str, int] = {}
    for n in range(2000):
        which = rng.randrange(len(seeds))
        suffix = rng.choice(suffixes) if rng.random() < 0.1 else suffixes[which]
        path = tmp_path / f"m{n}{suffix}"
        path.write_bytes(_mutate(seeds[which], rng))
        (result,) = import_files(db, [path])
        outcomes[result.status] = outcomes.get(result.status, 0) + 1
        if result.status == "refused":
            assert result.message and result.message.startswith(path.name + ":"), result.message
            assert "unexpected" not in result.message, (path, result.message)
        else:
            assert result.rows_read == result.rows_imported + result.rows_rejected
        path.unlink()
    assert outcomes.get("refused", 0) > 100
    assert outcomes.get("imported", 0) + outcomes.get("already_imported", 0) > 100
