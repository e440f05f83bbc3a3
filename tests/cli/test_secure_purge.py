"""A purge leaves nothing to read (issue 20, item 14): after `retention --purge --yes` the purged
pupils' UPNs and names are in no byte of the database file or its WAL (SQLite: secure_delete,
VACUUM, a TRUNCATE checkpoint), nor of any table file of a team database (VACUUM FULL)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from exclusion_monitor import identity
from exclusion_monitor.store import Database
from tests.support.hostile_sheets import census_row, csv_text, upn
from ui.cli.main import main

PURGED = [(upn(1), "Quillfeatherstone"), (upn(2), "Oldenbarnevelt")]
KEPT = [(upn(3), "Youngblood")]


@pytest.fixture(autouse=True)
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "os_account", lambda: "LA\\dpo.admin")


def _import_pupils(where: str, folder: Path) -> None:
    """Two pupils born in 1999 (past their 25th birthday now), one born in 2005."""
    rows = []
    for (the_upn, surname), born in zip([*PURGED, *KEPT], ["1999", "1999", "2005"], strict=True):
        row = census_row(int(the_upn[-3:]), surname)
        row[3], row[5], row[7] = f"01/02/{born}", "11", "06/10/2016"
        rows.append(row)
    census = folder / "census-2016.csv"
    census.write_text(csv_text(rows), encoding="utf-8")
    assert main(["--db", where, "import", str(census), "--census-date", "2016-10-06"]) == 0


def _needles() -> list[bytes]:
    return [text.encode() for pupil in PURGED for text in pupil]


def _sqlite_files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal")) if p.exists()]


def _server_files(pg_server: Any, location: str) -> list[Path]:
    """Every table, index and TOAST file of the database, after a checkpoint wrote them out."""
    with psycopg.connect(location) as conn:
        conn.execute("CHECKPOINT")
        rows = conn.execute(
            "SELECT pg_relation_filepath(c.oid) FROM pg_class c JOIN pg_namespace n ON "
            "n.oid = c.relnamespace WHERE c.relkind IN ('r', 'i', 't') AND c.relfilenode <> 0 "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    files: list[Path] = []
    for (relative,) in rows:
        first = Path(pg_server.data) / str(relative)
        files += [p for p in first.parent.glob(f"{first.name}*") if p.is_file()]
    return files


def _holding(files: list[Path], needles: list[bytes]) -> list[str]:
    found = []
    for path in files:
        data = path.read_bytes()
        found += [f"{needle.decode()} in {path.name}" for needle in needles if needle in data]
    return found


def test_purged_pupils_cannot_be_read_from_the_files(
    db: Database,
    db_location: str,
    db_engine: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _import_pupils(db_location, tmp_path)
    if db_engine == "sqlite":
        assert db.path is not None
        db.checkpoint()

        def files() -> list[Path]:
            return _sqlite_files(Path(str(db.path)))
    else:
        server = request.getfixturevalue("pg_server")

        def files() -> list[Path]:
            return _server_files(server, db_location)

    assert _holding(files(), _needles()), "the test must see the pupils before the purge"
    code = main(["--db", db_location, "retention", "--purge", "--yes", "--format", "json"])
    assert code == 0
    capsys.readouterr()
    assert _holding(files(), _needles()) == []
    kept = [text.encode() for pupil in KEPT for text in pupil]
    found = {hit.split(" in ")[0] for hit in _holding(files(), kept)}
    assert found == {text for pupil in KEPT for text in pupil}, "the pupil kept is still there"
    if db_engine == "sqlite":
        wal = Path(f"{db.path}-wal")
        assert not wal.exists() or wal.stat().st_size == 0, "the WAL was emptied"
