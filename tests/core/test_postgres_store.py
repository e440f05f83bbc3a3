"""The store on a PostgreSQL server: a new database is marked and has the same schema as a file;
another program's database or a newer schema is refused with the file's sentences; migrations run
in one transaction; explicit ids keep the server's numbering in step; overlong text imports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from exclusion_monitor import config
from exclusion_monitor.errors import DatabaseError, NewerSchemaError, NotOurDatabaseError
from exclusion_monitor.store import migrations, open_database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import bulk_insert
from exclusion_monitor.store.database import is_server_location

pytestmark = pytest.mark.postgres


def _tables(url: str) -> list[str]:
    db = open_database(url)
    try:
        with db.read() as conn:
            return sorted(sa.inspect(conn).get_table_names())
    finally:
        db.close()


def _portable(conn: sa.Connection) -> dict[str, Any]:
    """What both engines must agree on, whatever each calls its types and however its inspector
    reports a unique constraint (a constraint on SQLite, a unique index on PostgreSQL)."""
    inspector = sa.inspect(conn)
    shape: dict[str, Any] = {}
    for table, found in migrations.schema_fingerprint(conn).items():
        unique_indexes = {cols for cols, unique in found["indexes"] if unique}
        shape[table] = {
            "columns": sorted((name, nullable) for name, _type, nullable, _pk in found["columns"]),
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": [cols for cols, unique in found["indexes"] if not unique],
            "unique": sorted(unique_indexes | {tuple(u) for u in found["uniques"]}),
            "fks": found["fks"],
        }
    return shape


def test_a_new_team_database_is_marked_and_has_the_files_schema(
    pg_url: str, tmp_path: Path
) -> None:
    db = open_database(pg_url)
    assert db.is_server and db.path is None
    assert "postgresql://postgres@/" in db.location
    assert db.schema_version() == migrations.CURRENT_VERSION
    with db.read() as conn:
        marker = conn.exec_driver_sql("SELECT application, schema_version FROM app_meta").all()
        server = _portable(conn)
    db.close()
    assert marker == [("Exclusion Monitor", migrations.CURRENT_VERSION)]
    embedded = open_database(tmp_path / "file.db")
    with embedded.read() as conn:
        local = _portable(conn)
    embedded.close()
    assert server == local


def test_another_programs_database_is_refused_and_left_alone(pg_server: Any) -> None:
    name = pg_server.create_database()
    with psycopg.connect(pg_server.url(name)) as raw:
        raw.execute("CREATE TABLE invoices (id integer PRIMARY KEY, total numeric)")
    with pytest.raises(NotOurDatabaseError) as refused:
        open_database(pg_server.url(name))
    assert str(refused.value).endswith(
        "is not an Exclusion Monitor database: it belongs to another program."
    )
    with psycopg.connect(pg_server.url(name)) as raw:
        tables = [
            r[0] for r in raw.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
    assert tables == ["invoices"]
    pg_server.drop_database(name)


def test_a_newer_schema_is_refused(pg_url: str) -> None:
    open_database(pg_url).close()
    with psycopg.connect(pg_url) as raw:
        raw.execute("UPDATE app_meta SET schema_version = schema_version + 1")
    with pytest.raises(NewerSchemaError, match="was written by a newer version of Exclusion"):
        open_database(pg_url)


def test_an_upgrade_runs_in_one_transaction_and_a_failed_step_changes_nothing(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_database(pg_url).close()
    current = migrations.CURRENT_VERSION

    def broken(conn: sa.Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE schools ADD COLUMN motto TEXT")
        raise RuntimeError("step failed half way")

    monkeypatch.setattr(migrations, "CURRENT_VERSION", current + 1)
    monkeypatch.setitem(migrations.STEPS, current + 1, broken)
    with pytest.raises(RuntimeError):
        open_database(pg_url)
    with psycopg.connect(pg_url) as raw:
        version = raw.execute("SELECT schema_version FROM app_meta").fetchone()
        columns = [
            r[0]
            for r in raw.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'schools'"
            )
        ]
    assert version == (current,) and "motto" not in columns

    def add_column(conn: sa.Connection) -> None:
        conn.exec_driver_sql("ALTER TABLE schools ADD COLUMN motto TEXT")

    monkeypatch.setitem(migrations.STEPS, current + 1, add_column)
    db = open_database(pg_url)
    assert db.schema_version() == current + 1
    db.close()
    assert not any(config.backups_dir().iterdir()), "the server's backups are IT's job"


def test_explicit_ids_keep_the_servers_own_numbering_in_step(pg_url: str) -> None:
    db = open_database(pg_url)
    now = dt.datetime(2024, 1, 5, 9, 0)
    with db.write() as conn:
        bulk_insert(
            conn,
            t.children,
            ["id", "surname", "forename", "created_at"],
            [(n, "Testerton", f"Pupil{n}", now) for n in (1, 2, 3, 40)],
        )
        key = conn.execute(
            t.children.insert().values(surname="Example", forename="Later", created_at=now)
        ).inserted_primary_key
    assert key is not None and key[0] == 41
    db.close()


def test_repeated_sources_are_skipped_and_long_text_is_kept(pg_url: str) -> None:
    db = open_database(pg_url)
    with db.write() as conn:
        batch = conn.execute(
            t.import_batches.insert().values(
                file_name="autumn.csv", file_hash="ab" * 32, kind="census",
                imported_at=dt.datetime(2024, 1, 5), status="imported",
            )
        ).inserted_primary_key[0]  # fmt: skip
        rows = [("children", n, batch, n + 1) for n in range(1, 6)]
        bulk_insert(
            conn, t.record_sources, ["record_type", "record_id", "batch_id", "row_number"], rows
        )
        bulk_insert(
            conn,
            t.record_sources,
            ["record_type", "record_id", "batch_id", "row_number"],
            [*rows, ("children", 6, batch, 7), ("children", 6, batch, 7)],
            ignore_conflicts=True,
        )
        long_upn = "X" * 45  # a school's overlong cell, rejected with its row
        bulk_insert(
            conn,
            t.rejected_rows,
            ["batch_id", "row_number", "upn", "reason"],
            [(batch, 9, long_upn, "the UPN is not 13 characters")],
        )
    with db.read() as conn:
        sources = conn.execute(sa.select(sa.func.count()).select_from(t.record_sources)).scalar()
        kept = conn.execute(sa.select(t.rejected_rows.c.upn)).scalar()
    db.close()
    assert sources == 6 and kept == long_upn


def test_an_unreachable_server_or_missing_database_is_a_sentence(
    pg_server: Any, tmp_path: Path
) -> None:
    missing = pg_server.url("no_such_database")
    with pytest.raises(DatabaseError, match="There is no database 'no_such_database'"):
        open_database(missing)
    nowhere = f"postgresql://postgres@/em?host={tmp_path}&port=5999"
    with pytest.raises(DatabaseError, match="could not be reached"):
        open_database(nowhere)
    assert is_server_location(nowhere) and not is_server_location(tmp_path / "a.db")


def test_a_version_1_team_database_upgrades_to_the_current_schema(pg_url: str) -> None:
    """Version 1's differences put back on a new database (the UPN unique as a constraint, the two
    name indexes on children, a record's own batch repeated in record_sources), version 3's
    (the regional tables), version 4's (no record versions or merges) and version 5's (census
    rows indexed by school alone, no address keys, no child status) and version 6's (reviews on
    each flag, no cases): the upgrade ends at the schema a new database has, and keeps the data,
    the flag's review carried into the child's case."""
    db = open_database(pg_url)
    with db.read() as conn:
        fresh = migrations.schema_fingerprint(conn)
    db.close()
    with psycopg.connect(pg_url) as raw:
        # Version 6's differences: reviews on each flag, no cases.
        raw.execute("DROP TABLE case_notes")
        raw.execute("DROP TABLE case_events")
        raw.execute("DROP TABLE cases")
        raw.execute("ALTER TABLE flags DROP COLUMN reviewed_by, DROP COLUMN reviewed_at")
        raw.execute(
            "ALTER TABLE flags ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'new', "
            "ADD COLUMN assigned_to VARCHAR(200)"
        )
        raw.execute(
            "CREATE TABLE flag_reviews (id SERIAL PRIMARY KEY, flag_id INTEGER NOT NULL "
            "REFERENCES flags (id) ON DELETE CASCADE, status VARCHAR(20) NOT NULL, "
            "assigned_to VARCHAR(200), changed_by VARCHAR(200) NOT NULL, "
            "changed_at TIMESTAMP WITHOUT TIME ZONE NOT NULL)"
        )
        raw.execute(
            "CREATE TABLE review_notes (id SERIAL PRIMARY KEY, flag_id INTEGER NOT NULL "
            "REFERENCES flags (id) ON DELETE CASCADE, author VARCHAR(200) NOT NULL, "
            "written_at TIMESTAMP WITHOUT TIME ZONE NOT NULL, text TEXT NOT NULL)"
        )
        # Version 5's differences.
        raw.execute("DROP INDEX ix_census_observations_school_id_census_date")
        raw.execute(
            "CREATE INDEX ix_census_observations_school_id ON census_observations (school_id)"
        )
        raw.execute("ALTER TABLE child_family_keys DROP COLUMN address_key")
        raw.execute("DROP INDEX ix_child_summaries_status")
        raw.execute("ALTER TABLE child_summaries DROP COLUMN status, DROP COLUMN status_date")
        raw.execute("DROP TABLE child_status")
        raw.execute("DROP INDEX ix_child_identifiers_upn")
        raw.execute(
            "ALTER TABLE child_identifiers ADD CONSTRAINT uq_child_identifiers_upn UNIQUE (upn)"
        )
        raw.execute("CREATE INDEX ix_children_name ON children (surname, forename)")
        raw.execute("CREATE INDEX ix_children_identity ON children (date_of_birth, surname)")
        raw.execute(
            "INSERT INTO import_batches (id, file_name, file_hash, kind, imported_at, rows_read, "
            "rows_imported, rows_rejected, status, mapping, warnings) VALUES (1, 'f.csv', 'h', "
            "'census', now(), 1, 1, 0, 'imported', '{}', '[]')"
        )
        raw.execute(
            "INSERT INTO children (id, surname, forename, created_at, batch_id) "
            "VALUES (1, 'Testerton', 'Pupil', now(), 1)"
        )
        raw.execute(
            "INSERT INTO child_identifiers (id, child_id, upn, kind, temporary, batch_id) "
            "VALUES (1, 1, 'A330400215001', 'current', false, 1)"
        )
        raw.execute("INSERT INTO record_sources VALUES ('children', 1, 1, 2)")
        raw.execute(
            "INSERT INTO flags (id, child_id, rule, rule_version, as_of, reason, first_raised, "
            "last_seen, status, assigned_to) VALUES (1, 1, 'high_mobility', 1, '2024-01-01', "
            "'moves', '2024-01-01', '2024-01-01', 'referred', 'LA\\o1')"
        )
        raw.execute(
            "INSERT INTO flag_reviews (flag_id, status, assigned_to, changed_by, changed_at) "
            "VALUES (1, 'referred', 'LA\\o1', 'LA\\o1', '2024-02-01 10:00')"
        )
        raw.execute(
            "INSERT INTO review_notes (flag_id, author, written_at, text) "
            "VALUES (1, 'LA\\o1', '2024-02-01 10:00', 'Referred to early help.')"
        )
        from exclusion_monitor.store.regional_schema import TABLES as VERSION_3_TABLES

        for table in VERSION_3_TABLES:  # version 3 added the regional workspace's tables
            raw.execute(f"DROP TABLE {table.name}".encode())
        # Version 4: record versions and merges, the UPN returned, a Former UPN's reason.
        raw.execute("DROP TABLE record_versions")
        raw.execute("DROP TABLE record_merges")
        for table, column in (
            ("exclusions", "upn_seen"), ("enrolments", "upn_seen"),
            ("identity_reviews", "former_upn_reason"), ("identity_reviews", "former_upn_batch_id"),
        ):  # fmt: skip
            raw.execute(f"ALTER TABLE {table} DROP COLUMN {column}".encode())
        raw.execute("UPDATE app_meta SET schema_version = 1")
    db = open_database(pg_url)
    assert db.schema_version() == migrations.CURRENT_VERSION
    with db.read() as conn:
        assert migrations.schema_fingerprint(conn) == fresh
        assert conn.execute(sa.select(t.child_identifiers.c.upn)).scalars().all() == [
            "A330400215001"
        ]
        assert conn.execute(sa.select(sa.func.count()).select_from(t.record_sources)).scalar() == 0
        case = conn.execute(sa.select(t.cases)).one()
        assert (case.child_id, case.status, case.assigned_to) == (1, "referred", "LA\\o1")
        note = conn.execute(sa.select(t.case_notes)).one()
        assert (note.text, note.flag_rule) == ("Referred to early help.", "high_mobility")
        events = conn.execute(sa.select(t.case_events.c.what, t.case_events.c.new_value)).all()
        assert sorted(tuple(e) for e in events) == [("officer", "LA\\o1"), ("status", "referred")]
    db.close()
