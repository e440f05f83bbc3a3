"""Schema versions. A new database is created at CURRENT_VERSION from `schema.py`; an older one is
upgraded by the steps below, after a backup (of a file; a server's administrators keep its
backups), in one transaction: PostgreSQL's DDL is transactional, so a failed step leaves a team
database exactly as it was. Steps use SQLAlchemy's DDL so they run on both engines.

Append only: never edit a released step. To change the schema: edit schema.py, add the step that
turns version N into N+1, raise CURRENT_VERSION, and save a snapshot of version N for the tests
(`python -m exclusion_monitor.store.migrations snapshot`), as tests/core/test_migrations.py asks.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from exclusion_monitor.store.dialect import set_schema_version, take_write_lock

if TYPE_CHECKING:
    from exclusion_monitor.store.database import Database

log = logging.getLogger(__name__)

CURRENT_VERSION = 6

_RECORD_TABLES = [
    "schools", "school_links", "children", "child_identifiers", "enrolments",
    "census_observations", "exclusions",
]  # fmt: skip


def _v2_first_sources_implicit(conn: sa.Connection) -> None:
    """Version 2: a record's own batch_id is its first source, so record_sources keeps only the
    other batches that brought it; the two indexes on children's names, which no query used,
    go (a first census builds them for every pupil); a UPN's uniqueness is a named index."""
    sources = sa.table(
        "record_sources", sa.column("record_type"), sa.column("record_id"), sa.column("batch_id")
    )
    for name in _RECORD_TABLES:
        records = sa.table(name, sa.column("id"), sa.column("batch_id"))
        own_batch = sa.select(records.c.batch_id).where(records.c.id == sources.c.record_id)
        conn.execute(
            sources.delete().where(
                sources.c.record_type == name, sources.c.batch_id == own_batch.scalar_subquery()
            )
        )
    for index in ("ix_children_name", "ix_children_identity"):
        conn.execute(sa.text(f"DROP INDEX IF EXISTS {index}"))
    _v2_upn_unique_index(conn)


def _v2_upn_unique_index(conn: sa.Connection) -> None:
    """child_identifiers.upn: unique through a named index instead of a table constraint (an index
    a load may build after its rows; SQLite cannot drop a constraint, so the table is rebuilt)."""
    if conn.dialect.name != "sqlite":
        conn.execute(
            sa.text("ALTER TABLE child_identifiers DROP CONSTRAINT uq_child_identifiers_upn")
        )
    else:
        conn.execute(
            sa.text(
                "CREATE TABLE child_identifiers_v2 (\n"
                "\tid INTEGER NOT NULL, \n"
                "\tchild_id INTEGER NOT NULL, \n"
                "\tupn VARCHAR(13) NOT NULL, \n"
                "\tkind VARCHAR(10) NOT NULL, \n"
                '\t"temporary" BOOLEAN NOT NULL, \n'
                "\tfirst_seen DATE, \n"
                "\tbatch_id INTEGER, \n"
                "\tCONSTRAINT pk_child_identifiers PRIMARY KEY (id), \n"
                "\tCONSTRAINT fk_child_identifiers_child_id_children FOREIGN KEY(child_id) "
                "REFERENCES children (id) ON DELETE CASCADE, \n"
                "\tCONSTRAINT fk_child_identifiers_batch_id_import_batches FOREIGN KEY(batch_id) "
                "REFERENCES import_batches (id) ON DELETE SET NULL\n"
                ")"
            )
        )
        conn.execute(
            sa.text(
                'INSERT INTO child_identifiers_v2 (id, child_id, upn, kind, "temporary", '
                'first_seen, batch_id) SELECT id, child_id, upn, kind, "temporary", '
                "first_seen, batch_id FROM child_identifiers"
            )
        )
        conn.execute(sa.text("DROP TABLE child_identifiers"))
        conn.execute(sa.text("ALTER TABLE child_identifiers_v2 RENAME TO child_identifiers"))
        for column in ("batch_id", "child_id"):
            conn.execute(
                sa.text(
                    f"CREATE INDEX ix_child_identifiers_{column} ON child_identifiers ({column})"
                )
            )
    conn.execute(sa.text("CREATE UNIQUE INDEX ix_child_identifiers_upn ON child_identifiers (upn)"))


def _v4_one_record_across_returns(conn: sa.Connection) -> None:
    """Version 4: what each return said of a record seen with different values
    (record_versions), merges of two records into one with what undoing them needs
    (record_merges), the UPN each exclusion and registration was returned under, and the Former
    UPN that joined a pair of children the intake would not merge."""
    from exclusion_monitor.store import schema as t

    added: list[tuple[str, str, sa.types.TypeEngine[Any]]] = [
        ("exclusions", "upn_seen", sa.String(13)),
        ("enrolments", "upn_seen", sa.String(13)),
        ("identity_reviews", "former_upn_reason", sa.Text()),
        ("identity_reviews", "former_upn_batch_id", sa.Integer()),
    ]
    for table, name, kind in added:
        ddl = kind.compile(dialect=conn.dialect)  # as the tables' own DDL writes it
        conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))
    t.record_versions.create(conn)
    t.record_merges.create(conn)


def _v3_regional_workspace(conn: sa.Connection) -> None:
    """Version 3: the regional workspace's tables (docs/regional.md), empty in an authority's
    database. (Created from their definitions: a later change to them needs its own step.)"""
    from exclusion_monitor.store.regional_schema import TABLES

    for table in TABLES:
        table.create(conn)


def _add_column(conn: sa.Connection, table: str, name: str, kind: sa.types.TypeEngine[Any]) -> None:
    """A nullable column, its type written as the schema writes it on this engine."""
    written = kind.compile(dialect=conn.dialect)
    conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {name} {written}"))


def _v5_census_returns_status_and_addresses(conn: sa.Connection) -> None:
    """Version 5: census rows indexed by (school, census date), so the collections each school
    returned are read by index seeks; each child's address key kept beside their family key
    (communal addresses); each child's status (on roll, left, missing, ...) for the children
    list, worked out with the flags."""
    conn.execute(sa.text("DROP INDEX IF EXISTS ix_census_observations_school_id"))
    conn.execute(
        sa.text(
            "CREATE INDEX ix_census_observations_school_id_census_date "
            "ON census_observations (school_id, census_date)"
        )
    )
    _add_column(conn, "child_family_keys", "address_key", sa.String(300))
    conn.execute(
        sa.text("CREATE INDEX ix_child_family_keys_address_key ON child_family_keys (address_key)")
    )
    _add_column(conn, "child_summaries", "status", sa.String(20))
    _add_column(conn, "child_summaries", "status_date", sa.Date())
    conn.execute(
        sa.text(
            "CREATE INDEX ix_child_summaries_status "
            "ON child_summaries (status, surname_key, forename_key, child_id)"
        )
    )
    from exclusion_monitor.store import schema as t

    t.child_status.create(conn)
    # The flags, families and children list are worked out again on first use: families from
    # the new rules on communal addresses, and each child's status.
    conn.execute(
        sa.text("DELETE FROM settings WHERE key IN ('flags.state', 'child_summaries.state')")
    )


# How far along a review status is: the status a migrated case takes is the most advanced its
# flags had (a child referred for one flag and new on another is a referred case).
_STATUS_ORDER = ("new", "under_review", "referred", "no_further_action", "closed")


def _v6_a_case_per_child(conn: sa.Connection) -> None:
    """Version 6: status, officer, notes and their history move from each flag to one case per
    child (docs/rules.md#cases). Nothing is lost: every note and every recorded change becomes the
    case's, naming the flag it was on; the case's status is the most advanced of its flags'
    (closed last), its officer that of the flag whose review moved last; flags gain a reviewed
    mark."""
    from exclusion_monitor.store import schema as t

    for table in (t.cases, t.case_notes, t.case_events):
        table.create(conn)
    _add_column(conn, "flags", "reviewed_by", sa.String(200))
    _add_column(conn, "flags", "reviewed_at", sa.DateTime())
    moment, day = sa.DateTime(), sa.Date()
    flags = sa.table(
        "flags", sa.column("id"), sa.column("child_id"), sa.column("rule"),
        sa.column("status"), sa.column("assigned_to"), sa.column("updated_at", moment),
        sa.column("first_raised", day),
    )  # fmt: skip
    reviews = sa.table(
        "flag_reviews", sa.column("id"), sa.column("flag_id"), sa.column("status"),
        sa.column("assigned_to"), sa.column("changed_by"), sa.column("changed_at", moment),
    )  # fmt: skip
    notes = sa.table(
        "review_notes", sa.column("id"), sa.column("flag_id"), sa.column("author"),
        sa.column("written_at", moment), sa.column("text"),
    )  # fmt: skip
    by_flag = {
        row.id: row
        for row in conn.execute(
            sa.select(flags.c.id, flags.c.child_id, flags.c.rule, flags.c.status,
                      flags.c.assigned_to, flags.c.updated_at, flags.c.first_raised)
        )
    }  # fmt: skip
    history = conn.execute(sa.select(reviews).order_by(reviews.c.changed_at, reviews.c.id)).all()
    written = conn.execute(sa.select(notes).order_by(notes.c.written_at, notes.c.id)).all()
    touched = {by_flag[r.flag_id].child_id for r in history if r.flag_id in by_flag}
    touched |= {by_flag[n.flag_id].child_id for n in written if n.flag_id in by_flag}
    touched |= {
        f.child_id for f in by_flag.values() if f.status != "new" or f.assigned_to is not None
    }
    # Each child's flags, and each flag's recorded moments (changes and notes, oldest first),
    # gathered once: a large authority has thousands of reviewed children.
    flags_of: dict[int, list[Any]] = {}
    for f in by_flag.values():
        flags_of.setdefault(f.child_id, []).append(f)
    moments_of: dict[int, list[tuple[dt.datetime, str]]] = {}
    for r in history:
        moments_of.setdefault(r.flag_id, []).append((r.changed_at, r.changed_by))
    for n in written:
        moments_of.setdefault(n.flag_id, []).append((n.written_at, n.author))
    case_of: dict[int, int] = {}
    for child_id in sorted(touched):
        own = flags_of[child_id]
        status = max(
            (f.status for f in own),
            key=lambda s: _STATUS_ORDER.index(s) if s in _STATUS_ORDER else 0,
            default="new",
        )
        moments = sorted(m for f in own for m in moments_of.get(f.id, []))
        stamps = [when for when, _ in moments] + [f.updated_at for f in own if f.updated_at]
        # The officer: of the flags that still had one, the one whose review moved last.
        held = [f for f in own if f.assigned_to]
        latest = max(
            held,
            key=lambda f: max((w for w, _ in moments_of.get(f.id, [])), default=dt.datetime.min),
            default=None,
        )
        officer = latest.assigned_to if latest is not None else None
        first = dt.datetime.combine(min(f.first_raised for f in own), dt.time())
        last = max(stamps) if stamps else first
        result = conn.execute(
            t.cases.insert().values(
                child_id=child_id, status=status, assigned_to=officer,
                opened_at=min(stamps) if stamps else first, last_action_at=last,
                last_action_by=moments[-1][1] if moments else "migration",
            )
        )  # fmt: skip
        key = result.inserted_primary_key
        assert key is not None
        case_of[child_id] = int(key[0])
    previous: dict[int, tuple[str, str | None]] = {}
    events: list[tuple[Any, Any, str, str | None, str | None]] = []
    for r in history:
        flag = by_flag.get(r.flag_id)
        if flag is None:
            continue
        before = previous.get(r.flag_id, ("new", None))
        if r.status != before[0]:
            events.append((flag, r, "status", before[0], r.status))
        if r.assigned_to != before[1]:
            events.append((flag, r, "officer", before[1], r.assigned_to))
        previous[r.flag_id] = (r.status, r.assigned_to)
    if events:
        conn.execute(
            t.case_events.insert(),
            [
                {
                    "case_id": case_of[flag.child_id], "account": r.changed_by,
                    "at": r.changed_at, "what": what, "old_value": old, "new_value": new,
                    "flag_rule": flag.rule,
                }
                for flag, r, what, old, new in events
            ],
        )  # fmt: skip
    kept = [n for n in written if n.flag_id in by_flag]
    if kept:
        conn.execute(
            t.case_notes.insert(),
            [
                {
                    "case_id": case_of[by_flag[n.flag_id].child_id], "author": n.author,
                    "written_at": n.written_at, "text": n.text,
                    "flag_rule": by_flag[n.flag_id].rule,
                }
                for n in kept
            ],
        )  # fmt: skip
    conn.execute(sa.text("DROP TABLE review_notes"))
    conn.execute(sa.text("DROP TABLE flag_reviews"))
    conn.execute(sa.text("ALTER TABLE flags DROP COLUMN status"))
    conn.execute(sa.text("ALTER TABLE flags DROP COLUMN assigned_to"))


# STEPS[n] upgrades a database at version n - 1 to version n.
STEPS: dict[int, Callable[[sa.Connection], None]] = {
    2: _v2_first_sources_implicit,
    3: _v3_regional_workspace,
    4: _v4_one_record_across_returns,
    5: _v5_census_returns_status_and_addresses,
    6: _v6_a_case_per_child,
}


def upgrade(db: Database, from_version: int) -> None:
    """Back up, then apply every step after `from_version` in one transaction."""
    from exclusion_monitor.store.backup import backup_before

    backup_before(db, f"before-schema-{CURRENT_VERSION}")
    with db.engine.begin() as conn:
        take_write_lock(conn)
        for version in range(from_version + 1, CURRENT_VERSION + 1):
            log.info("migrating schema to version %d", version)
            STEPS[version](conn)
        set_schema_version(conn, CURRENT_VERSION)


def schema_fingerprint(conn: sa.Connection) -> dict[str, object]:
    """What matters of a schema, independent of column order and DDL text, for comparisons.
    (A server database's `app_meta` marker table is left out: a file keeps that in its header.)"""
    inspector = sa.inspect(conn)
    result: dict[str, object] = {}
    for table in sorted(set(inspector.get_table_names()) - {"app_meta"}):
        columns = sorted(
            (c["name"], str(c["type"]), bool(c["nullable"]), bool(c.get("primary_key")))
            for c in inspector.get_columns(table)
        )
        indexes = sorted(
            (tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
            for i in inspector.get_indexes(table)
        )
        uniques = sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table))
        fks = sorted(
            (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
            for f in inspector.get_foreign_keys(table)
        )
        result[table] = {"columns": columns, "indexes": indexes, "uniques": uniques, "fks": fks}
    return result


def snapshot_sql(conn: sa.Connection) -> str:
    """The DDL of the current database, as a script that recreates the schema."""
    rows = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
        "ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, name"
    ).all()
    return "".join(f"{row[0]};\n" for row in rows)


def _write_snapshot(folder: Path) -> Path:
    import tempfile

    from exclusion_monitor.store.database import open_database

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "snapshot.db")
        with db.read() as conn:
            text = snapshot_sql(conn)
        db.close()
    target = folder / f"schema_v{CURRENT_VERSION}.sql"
    target.write_text(text, encoding="utf-8")
    return target


if __name__ == "__main__":  # pragma: no cover - developer tool
    if sys.argv[1:] == ["snapshot"]:
        out = Path(__file__).resolve().parents[2] / "tests" / "core" / "schema_snapshots"
        out.mkdir(parents=True, exist_ok=True)
        print(_write_snapshot(out))
    else:
        print("usage: python -m exclusion_monitor.store.migrations snapshot")
