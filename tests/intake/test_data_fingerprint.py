"""The data fingerprint the stored flags are checked against (`store.flags.data_fingerprint`,
docs/architecture.md#incremental-flags) changes with every change to what the flags rest on:
an import, an undo that deletes rows (whose ids SQLite hands out again), a child purged past
retention; and it does not change when a profile is only read. Were it to stay the same, stored
flags of older data would be shown as current. A merge's own test is in test_incremental_flags."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from exclusion_monitor import flagging, identity
from exclusion_monitor.store import Database
from exclusion_monitor.store import flags as flag_store
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.retention import purge
from exclusion_monitor.upn import check_letter
from operations.imports import ImportRequest, run_imports, undo_import
from operations.viewing import open_child
from tests.intake.conftest import CENSUS_HEADERS

ACCOUNT = "LA\\admin1"
AUTUMN, SPRING = dt.date(2023, 10, 5), dt.date(2024, 1, 18)
# The newest id of each table whose rows an undo deletes.
NEWEST = sa.select(
    *(
        sa.select(sa.func.max(table.c.id)).scalar_subquery()
        for table in (t.children, t.child_identifiers, t.census_observations)
    )
)


@pytest.fixture(autouse=True)
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "os_account", lambda: ACCOUNT)


def _census(path: Path, pupils: list[tuple[int, str]], born: str = "01/03/2013") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CENSUS_HEADERS)
        for number, laestab in pupils:
            body = f"330400216{number:03d}"
            writer.writerow([check_letter(body) + body, "Tester", f"Kid{number}", born, "M", "4",
                             laestab])  # fmt: skip
    return path


def _imported(db: Database, path: Path, day: dt.date) -> int:
    (result,) = run_imports(db, [ImportRequest(path, "census", day)], account=ACCOUNT).value
    assert result.status == "imported", result.message
    assert result.batch_id is not None
    return result.batch_id


def _now(db: Database) -> tuple[str, tuple[object, ...]]:
    """The data's fingerprint and the newest ids of the tables an undo deletes from."""
    with db.read() as conn:
        return flag_store.data_fingerprint(conn), tuple(conn.execute(NEWEST).one())


def test_every_import_and_undo_changes_it_even_when_the_same_ids_come_back(
    db: Database, db_engine: str, tmp_path: Path
) -> None:
    """An undo deletes the newest rows; on SQLite (no AUTOINCREMENT) the next import is given
    the same ids again, with as many rows: the newest ids and the row counts are then exactly
    as they were before the undo, yet the data is not, and the fingerprint must say so."""
    _imported(db, _census(tmp_path / "autumn.csv", [(1, "3304001"), (2, "3304002")]), AUTUMN)
    seen = [_now(db)]
    spring = _imported(db, _census(tmp_path / "spring.csv", [(3, "3304001")]), SPRING)
    seen.append(_now(db))
    undo_import(db, spring, account=ACCOUNT)
    seen.append(_now(db))
    assert seen[2][1] == seen[0][1]  # the undo took the newest rows away
    # Another child, in a file of the same shape, on the same date.
    _imported(db, _census(tmp_path / "spring2.csv", [(4, "3304001")]), SPRING)
    seen.append(_now(db))
    if db_engine == "sqlite":
        assert seen[3][1] == seen[1][1]  # the ids of the undone rows were handed out again
    fingerprints = [fingerprint for fingerprint, _ in seen]
    assert len(set(fingerprints)) == len(fingerprints), fingerprints
    assert flagging.flags_are_current(db)  # each import and undo was followed up


def test_undoing_an_earlier_import_changes_it(db: Database, tmp_path: Path) -> None:
    """An undo of a batch that is not the newest: no newest id moves."""
    autumn = _imported(db, _census(tmp_path / "autumn.csv", [(1, "3304001")]), AUTUMN)
    _imported(db, _census(tmp_path / "spring.csv", [(2, "3304002")]), SPRING)
    before = _now(db)
    undo_import(db, autumn, account=ACCOUNT)
    after = _now(db)
    assert after[1] == before[1] and after[0] != before[0]


def test_a_child_purged_past_retention_changes_it(db: Database, tmp_path: Path) -> None:
    """The retention purge deletes a child who is neither the newest nor in the newest batch:
    the newest ids stay where they were, the data does not."""
    _imported(
        db, _census(tmp_path / "old.csv", [(1, "3304001")], born="01/03/1994"), dt.date(2009, 1, 15)
    )
    _imported(db, _census(tmp_path / "young.csv", [(2, "3304001")]), AUTUMN)
    before = _now(db)
    purged = purge(db, ACCOUNT, today=dt.date(2024, 9, 1))
    assert [(d.record_type, d.count) for d in purged] == [("pupil_records", 1)]
    after = _now(db)
    assert after[1] == before[1]
    assert after[0] != before[0]
    assert not flagging.flags_are_current(db)


def test_reading_a_profile_leaves_it_as_it_was(db: Database, tmp_path: Path) -> None:
    """Opening a profile writes its audit row and nothing the flags rest on: the flags stay
    current, or every profile would make the next one recompute them."""
    _imported(db, _census(tmp_path / "autumn.csv", [(1, "3304001"), (2, "3304002")]), AUTUMN)
    with db.read() as conn:
        child = conn.execute(sa.select(sa.func.min(t.children.c.id))).scalar_one()
    before = _now(db)
    open_child(db, ACCOUNT, child)
    assert _now(db) == before
    assert flagging.flags_are_current(db)
