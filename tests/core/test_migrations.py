"""Schema versions: a new database and every earlier version end at the same schema."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from exclusion_monitor import config
from exclusion_monitor.store import migrations, open_database
from exclusion_monitor.store.database import APPLICATION_ID

SNAPSHOTS = Path(__file__).parent / "schema_snapshots"


def _snapshot_versions() -> list[int]:
    found = (re.fullmatch(r"schema_v(\d+)\.sql", p.name) for p in SNAPSHOTS.iterdir())
    return sorted(int(m.group(1)) for m in found if m)


def _fresh_fingerprint(tmp_path: Path) -> dict[str, object]:
    db = open_database(tmp_path / "fresh.db")
    with db.read() as conn:
        result = migrations.schema_fingerprint(conn)
    db.close()
    return result


def _load_snapshot(version: int, path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript((SNAPSHOTS / f"schema_v{version}.sql").read_text(encoding="utf-8"))
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def test_every_version_has_a_snapshot_and_a_step() -> None:
    assert _snapshot_versions() == list(range(1, migrations.CURRENT_VERSION + 1)), (
        "save a snapshot of each released schema version (see migrations.py)"
    )
    assert sorted(migrations.STEPS) == list(range(2, migrations.CURRENT_VERSION + 1))


def test_current_snapshot_matches_schema_py(tmp_path: Path) -> None:
    """If this fails, schema.py changed without a new version, step and snapshot."""
    path = tmp_path / "snap.db"
    _load_snapshot(migrations.CURRENT_VERSION, path)
    db = open_database(path)
    with db.read() as conn:
        assert migrations.schema_fingerprint(conn) == _fresh_fingerprint(tmp_path)
    db.close()


@pytest.mark.parametrize("version", [v for v in range(1, migrations.CURRENT_VERSION)])
def test_each_earlier_version_migrates_to_the_current_schema(version: int, tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _load_snapshot(version, path)
    db = open_database(path)
    assert db.schema_version() == migrations.CURRENT_VERSION
    with db.read() as conn:
        assert migrations.schema_fingerprint(conn) == _fresh_fingerprint(tmp_path)
    db.close()


def test_empty_database_is_created_at_the_current_version(tmp_path: Path) -> None:
    db = open_database(tmp_path / "new.db")
    assert db.schema_version() == migrations.CURRENT_VERSION
    db.close()
    assert not any(config.backups_dir().iterdir()), "a new database needs no backup"


def test_upgrade_backs_up_first_then_applies_steps_in_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    db = open_database(path)
    with db.write() as conn:
        conn.exec_driver_sql("INSERT INTO schools (laestab, name) VALUES ('3304000', 'Old School')")
    db.close()
    current = migrations.CURRENT_VERSION

    def add_column(conn: sa.Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE schools ADD COLUMN motto TEXT")

    monkeypatch.setattr(migrations, "CURRENT_VERSION", current + 1)
    monkeypatch.setitem(migrations.STEPS, current + 1, add_column)
    db = open_database(path)
    assert db.schema_version() == current + 1
    db.close()
    backups = list(config.backups_dir().glob("*.db"))  # each has its metadata beside it
    assert len(backups) == 1
    conn = sqlite3.connect(backups[0])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == current
    assert conn.execute("SELECT name FROM schools").fetchall() == [("Old School",)]
    conn.close()


def test_failed_step_leaves_the_old_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    open_database(path).close()
    current = migrations.CURRENT_VERSION

    def broken(conn: sa.Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE schools ADD COLUMN motto TEXT")
        raise RuntimeError("step failed half way")

    monkeypatch.setattr(migrations, "CURRENT_VERSION", current + 1)
    monkeypatch.setitem(migrations.STEPS, current + 1, broken)
    with pytest.raises(RuntimeError):
        open_database(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == current
    columns = [row[1] for row in conn.execute("PRAGMA table_info(schools)")]
    assert "motto" not in columns
    conn.close()


def test_version_2_keeps_only_the_other_batches_in_record_sources(tmp_path: Path) -> None:
    """From version 2 a record's own batch_id is its first source: the rows that repeated it go,
    the rows for the other batches that brought it stay, and so does every record."""
    path = tmp_path / "v1.db"
    _load_snapshot(1, path)
    conn = sqlite3.connect(path)
    for batch in (1, 2):
        conn.execute(
            "INSERT INTO import_batches (id, file_name, file_hash, kind, imported_at, rows_read, "
            "rows_imported, rows_rejected, status, mapping, warnings) VALUES "
            f"({batch}, 'f{batch}.csv', 'h{batch}', 'exclusions', '2024-01-0{batch}', 1, 1, 0, "
            "'imported', '{}', '[]')"
        )
    conn.execute(
        "INSERT INTO schools (id, laestab, name, batch_id) VALUES (1, '3304002', 'School', 1)"
    )
    conn.execute(
        "INSERT INTO children (id, surname, forename, created_at, batch_id) "
        "VALUES (1, 'Testerton', 'Pupil', '2024-01-01', 1)"
    )
    conn.execute(
        "INSERT INTO child_identifiers (id, child_id, upn, kind, temporary, batch_id) "
        "VALUES (1, 1, 'A330400215001', 'current', 0, 1)"
    )
    conn.execute(
        "INSERT INTO exclusions (id, child_id, school_id, category, start_date, sessions, "
        "batch_id) VALUES (1, 1, 1, 'SUSP', '2023-10-02', 2, 1), (2, 1, 1, 'SUSP', '2024-01-08', "
        "2, 2)"
    )
    conn.executemany(
        "INSERT INTO record_sources VALUES (?, ?, ?, ?)",
        [
            ("schools", 1, 1, 2), ("children", 1, 1, 2), ("children", 1, 2, 2),
            ("exclusions", 1, 1, 2), ("exclusions", 1, 2, 2), ("exclusions", 2, 2, 3),
        ],
    )  # fmt: skip
    conn.commit()
    conn.close()

    db = open_database(path)
    assert db.schema_version() == migrations.CURRENT_VERSION
    with db.read() as read:
        sources = read.exec_driver_sql(
            "SELECT record_type, record_id, batch_id FROM record_sources ORDER BY 1, 2, 3"
        ).all()
        counts = [
            read.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
            for name in ("schools", "children", "child_identifiers", "exclusions")
        ]
        upn_index = read.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_child_identifiers_upn'"
        ).scalar_one()
        indexes = {row[0] for row in read.exec_driver_sql("SELECT name FROM sqlite_master")}
    db.close()
    assert [tuple(row) for row in sources] == [("children", 1, 2), ("exclusions", 1, 2)]
    assert counts == [1, 1, 1, 2]
    assert upn_index.startswith("CREATE UNIQUE INDEX")
    assert "ix_children_name" not in indexes and "ix_children_identity" not in indexes


def test_version_4_keeps_every_record_and_adds_what_returns_said(tmp_path: Path) -> None:
    """From version 4 exclusions and registrations keep the UPN they were returned under (none
    for those imported before), and what differing returns said has tables of its own."""
    path = tmp_path / "v3.db"
    _load_snapshot(3, path)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO import_batches (id, file_name, file_hash, kind, imported_at, rows_read, "
        "rows_imported, rows_rejected, status, mapping, warnings) VALUES (1, 'spring.csv', 'h', "
        "'exclusions', '2024-01-01', 1, 1, 0, 'imported', '{}', '[]')"
    )
    conn.execute("INSERT INTO schools (id, laestab, name, batch_id) VALUES (1, '3304002', 'S', 1)")
    conn.execute(
        "INSERT INTO children (id, surname, forename, created_at, batch_id) "
        "VALUES (1, 'Testerton', 'Pupil', '2024-01-01', 1)"
    )
    conn.execute(
        "INSERT INTO exclusions (id, child_id, school_id, category, start_date, sessions, "
        "batch_id) VALUES (1, 1, 1, 'SUSP', '2023-10-02', 2, 1)"
    )
    conn.commit()
    conn.close()
    db = open_database(path)
    assert db.schema_version() == migrations.CURRENT_VERSION
    with db.read() as read:
        row = read.exec_driver_sql("SELECT sessions, upn_seen FROM exclusions").one()
        empty = [
            read.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
            for name in ("record_versions", "record_merges")
        ]
        reviews = {c["name"] for c in sa.inspect(read).get_columns("identity_reviews")}
    db.close()
    assert tuple(row) == (2.0, None)
    assert empty == [0, 0]
    assert {"former_upn_reason", "former_upn_batch_id"} <= reviews


def test_version_5_keeps_every_record_and_works_out_statuses_and_families_again(
    tmp_path: Path,
) -> None:
    """From version 5 each child has a status (on roll, missing, ...) and an address key; a
    version 4 database keeps its records, and its flags and children list are worked out again
    on first use, so the statuses and the rules on communal addresses apply at once."""
    from exclusion_monitor.refresh import refresh_derived
    from exclusion_monitor.store.children import list_children

    path = tmp_path / "v4.db"
    _load_snapshot(4, path)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO import_batches (id, file_name, file_hash, kind, imported_at, rows_read, "
        "rows_imported, rows_rejected, status, mapping, warnings) VALUES (1, 'autumn.csv', 'h', "
        "'census', '2024-01-01', 1, 1, 0, 'imported', '{}', '[]')"
    )
    conn.execute(
        "INSERT INTO schools (id, laestab, name, phase, batch_id) "
        "VALUES (1, '3304002', 'Oak High', 'secondary', 1)"
    )
    conn.execute(
        "INSERT INTO children (id, surname, forename, date_of_birth, created_at, batch_id) "
        "VALUES (1, 'Testerton', 'Pupil', '2010-03-01', '2024-01-01', 1)"
    )
    conn.execute(
        "INSERT INTO child_identifiers (id, child_id, upn, kind, temporary, batch_id) "
        "VALUES (1, 1, 'A330400215001', 'current', 0, 1)"
    )
    conn.execute(
        "INSERT INTO census_observations (id, child_id, school_id, census_date, nc_year, "
        "enrol_status, batch_id) VALUES (1, 1, 1, '2023-10-05', '8', 'C', 1)"
    )
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) "
        "VALUES ('flags.state', '\"stale\"', '2024-01-01')"
    )
    conn.commit()
    conn.close()

    db = open_database(path)
    assert db.schema_version() == migrations.CURRENT_VERSION
    with db.read() as read:
        states = read.exec_driver_sql(
            "SELECT count(*) FROM settings WHERE key IN ('flags.state', 'child_summaries.state')"
        ).scalar_one()
        count = read.exec_driver_sql("SELECT count(*) FROM census_observations").scalar_one()
    assert (states, count) == (0, 1)
    refresh_derived(db)
    (row,) = list_children(db)
    db.close()
    assert (row.status, row.school_name) == ("on_roll", "Oak High")


def test_version_6_carries_every_flag_review_and_note_into_the_childs_case(
    tmp_path: Path,
) -> None:
    """Status, officer and notes move from each flag to one case per child: the case takes the
    most advanced status of its flags and the officer last assigned; every note and every
    recorded change is the case's, naming the flag it was on; nothing is lost."""
    from exclusion_monitor.store import cases

    path = tmp_path / "v5.db"
    _load_snapshot(5, path)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO import_batches (id, file_name, file_hash, kind, imported_at, rows_read, "
        "rows_imported, rows_rejected, status, mapping, warnings) VALUES (1, 'autumn.csv', 'h', "
        "'census', '2024-01-01', 1, 1, 0, 'imported', '{}', '[]')"
    )
    for child in (1, 2, 3):
        conn.execute(
            "INSERT INTO children (id, surname, forename, date_of_birth, created_at, batch_id) "
            f"VALUES ({child}, 'Testerton', 'Pupil{child}', '2010-03-01', '2024-01-01', 1)"
        )
    flags = [  # (id, child, rule, status, officer)
        (1, 1, "repeated_suspensions", "under_review", "LA\\o1"),
        (2, 1, "escalating_exclusion", "referred", None),
        (3, 2, "high_mobility", "closed", "LA\\o2"),
        (4, 3, "missing_from_roll", "new", None),
    ]
    for fid, child, rule, status, officer in flags:
        conn.execute(
            "INSERT INTO flags (id, child_id, rule, rule_version, as_of, reason, first_raised, "
            "last_seen, status, assigned_to, updated_at) VALUES (?, ?, ?, 1, '2024-01-01', 'r', "
            "'2024-01-01', '2024-01-01', ?, ?, '2024-01-02 09:00:00')",
            (fid, child, rule, status, officer),
        )
    reviews = [  # (flag, status, officer, by, at)
        (1, "under_review", None, "LA\\o1", "2024-01-03 09:00:00"),
        (1, "under_review", "LA\\o1", "LA\\o1", "2024-01-03 09:05:00"),
        (2, "referred", None, "LA\\m1", "2024-01-04 10:00:00"),
        (3, "closed", "LA\\o2", "LA\\o2", "2024-01-05 11:00:00"),
    ]
    conn.executemany(
        "INSERT INTO flag_reviews (flag_id, status, assigned_to, changed_by, changed_at) "
        "VALUES (?, ?, ?, ?, ?)",
        reviews,
    )
    conn.executemany(
        "INSERT INTO review_notes (flag_id, author, written_at, text) VALUES (?, ?, ?, ?)",
        [
            (1, "LA\\o1", "2024-01-03 09:10:00", "Met the head of year."),
            (2, "LA\\m1", "2024-01-04 10:05:00", "Referred to early help."),
            (3, "LA\\o2", "2024-01-05 11:05:00", "Family moved; closed."),
        ],
    )
    conn.commit()
    conn.close()

    db = open_database(path)
    assert db.schema_version() == migrations.CURRENT_VERSION
    with db.read() as read:
        one, two = cases.get_case(read, 1), cases.get_case(read, 2)
        assert (one.status, one.assigned_to) == ("referred", "LA\\o1")
        assert (two.status, two.assigned_to) == ("closed", "LA\\o2")
        assert cases.get_case(read, 3).id is None  # never reviewed: a new case, not stored
        notes = [(n.flag_rule, n.author, n.text) for n in cases.case_notes(read, 1)]
        assert notes == [
            ("repeated_suspensions", "LA\\o1", "Met the head of year."),
            ("escalating_exclusion", "LA\\m1", "Referred to early help."),
        ]
        history = [
            (e.flag_rule, e.what, e.old_value, e.new_value) for e in cases.case_history(read, 1)
        ]
        assert history == [
            ("repeated_suspensions", "status", "new", "under_review"),
            ("repeated_suspensions", "officer", None, "LA\\o1"),
            ("escalating_exclusion", "status", "new", "referred"),
        ]
        assert one.last_action_at == dt.datetime(2024, 1, 4, 10, 5)
        assert [n.text for n in cases.case_notes(read, 2)] == ["Family moved; closed."]
        tables = set(sa.inspect(read).get_table_names())
    assert not {"flag_reviews", "review_notes"} & tables
    db.close()
