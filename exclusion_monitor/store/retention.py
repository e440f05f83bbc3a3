"""Retention: how long each kind of record is kept (settings, with defaults), which records are
past it (counts only), and the purge: secure_delete on, then VACUUM and a WAL checkpoint, so
purged data is gone from the file's bytes and its WAL (a server: VACUUM FULL on the tables).

Defaults: pupil records until the child's 25th birthday and exclusion review records (flag reviews
and notes) 5 years (domain brief section 10); rejected rows 1 year (raw rows with names, kept only
to send back to the school); import batch records and the audit trail 6 years (the limitation
period for a claim; the audit shows who saw a child's record). The purge log keeps counts and ids.
Old audit rows go only as a prefix of the chain, and the chained purge row records where it cut
(store/audit.py), with each account's role there, so the role changes it removed still replay.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

import sqlalchemy as sa

from exclusion_monitor.store import audit, role_replay
from exclusion_monitor.store import regional_schema as r
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.settings import get_settings

log = logging.getLogger(__name__)

SETTING_PREFIX = "retention."
DEFAULTS: dict[str, int] = {
    "pupil_records_until_age": 25,
    "review_records_years": 5,
    "rejected_rows_years": 1,
    "import_batches_years": 6,
    "audit_years": 6,
}
PUPIL_TABLES = ("child_identifiers", "enrolments", "census_observations", "exclusions")
# A regional workspace's child records: the pseudonymised rows an authority's return brought.
REGIONAL_CHILD_TABLES = (
    r.regional_pseudonyms, r.regional_registrations, r.regional_census, r.regional_exclusions,
    r.regional_local_flags,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Due:
    record_type: str
    description: str
    count: int
    cutoff: dt.date


def retention_periods(db: Database) -> dict[str, int]:
    """Each period in years (pupil records: the age), the stored setting or the default; the
    audit trail is kept at least audit.MIN_AUDIT_YEARS, whatever the setting says."""
    stored = get_settings(db, SETTING_PREFIX)
    periods = {key: int(stored.get(key, default)) for key, default in DEFAULTS.items()}
    periods["audit_years"] = max(audit.MIN_AUDIT_YEARS, periods["audit_years"])
    return periods


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _at_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def _selections(
    periods: dict[str, int], today: dt.date
) -> list[tuple[str, str, sa.Table, sa.ColumnElement[bool]]]:
    """(record type, description, table, where clause) for each kind of record with a period."""
    c = {k: _years_before(today, v) for k, v in periods.items()}
    batch_ids_old = sa.select(t.import_batches.c.id).where(
        t.import_batches.c.imported_at < _at_start(c["rejected_rows_years"])
    )
    return [
        (
            "pupil_records",
            f"children who reached their {periods['pupil_records_until_age']}th birthday, "
            "with everything about them",
            t.children,
            t.children.c.date_of_birth <= c["pupil_records_until_age"],
        ),
        (
            "regional_records",
            "a regional workspace's pseudonymised records of children past their "
            f"{periods['pupil_records_until_age']}th birthday",
            r.regional_children,
            # Only the birth month is known: a month is purged once every child born in it is
            # past the age, so no record goes early.
            r.regional_children.c.birth_month < c["pupil_records_until_age"].strftime("%Y-%m"),
        ),
        (
            "case_history",
            "changes to a child's case (status, officer, reviews)",
            t.case_events,
            t.case_events.c.at < _at_start(c["review_records_years"]),
        ),
        (
            "case_notes",
            "case notes",
            t.case_notes,
            t.case_notes.c.written_at < _at_start(c["review_records_years"]),
        ),
        (
            "rejected_rows",
            "rejected rows kept to send back to schools",
            t.rejected_rows,
            t.rejected_rows.c.batch_id.in_(batch_ids_old),
        ),
        (
            "import_batches",
            "import batch records (file name, who, when, counts)",
            t.import_batches,
            t.import_batches.c.imported_at < _at_start(c["import_batches_years"]),
        ),
        (
            "audit_log",
            "audit trail rows",
            t.audit_log,
            t.audit_log.c.at < _at_start(c["audit_years"]),
        ),
    ]


def _cutoffs(periods: dict[str, int], today: dt.date) -> dict[str, dt.date]:
    keys = {
        "pupil_records": "pupil_records_until_age",
        "regional_records": "pupil_records_until_age",
        "case_history": "review_records_years",
        "case_notes": "review_records_years",
        "rejected_rows": "rejected_rows_years",
        "import_batches": "import_batches_years",
        "audit_log": "audit_years",
    }
    return {kind: _years_before(today, periods[key]) for kind, key in keys.items()}


def records_past_retention(db: Database, today: dt.date | None = None) -> list[Due]:
    """How many records of each kind are past their retention period (counts, never names)."""
    today = today or dt.date.today()
    periods = retention_periods(db)
    cutoffs = _cutoffs(periods, today)
    found = []
    with db.read() as conn:
        for kind, description, table, where in _selections(periods, today):
            count = conn.execute(
                sa.select(sa.func.count()).select_from(table).where(where)
            ).scalar_one()
            found.append(Due(kind, description, int(count), cutoffs[kind]))
    return found


def purge(db: Database, account: str, today: dt.date | None = None) -> list[Due]:
    """Delete every record past retention, in one transaction, with SQLite's secure_delete on
    (deleted content is overwritten with zeros), log counts and ids in purge_log, then
    checkpoint the WAL so the old pages leave the -wal file too. Returns what was purged."""
    today = today or dt.date.today()
    periods = retention_periods(db)
    cutoffs = _cutoffs(periods, today)
    now = dt.datetime.now()
    purged: list[Due] = []
    drop_families = False
    cut: dict[str, object] | None = None
    with db.write() as conn:
        if db.is_sqlite:
            # Deleted content is overwritten with zeros. Per connection; this pooled connection
            # keeps it on, which only costs a little speed.
            conn.exec_driver_sql("PRAGMA secure_delete = ON")
        for kind, description, table, where in _selections(periods, today):
            if kind == "audit_log":
                where = _audit_prefix(conn, cutoffs[kind])
            ids = [int(i) for i in conn.execute(sa.select(table.c.id).where(where)).scalars()]
            if not ids:
                continue
            detail: dict[str, object] = {"cutoff": cutoffs[kind].isoformat()}
            if kind == "pupil_records":
                _forget_sources(conn, ids)
                drop_families = True
            if kind == "regional_records":
                _forget_regional_children(conn, ids)
            if kind == "audit_log":
                cut = _audit_cut(conn, max(ids), cutoffs[kind])
                detail.update(anchor_id=cut["id"], anchor_hash=cut["hash"])
            conn.execute(table.delete().where(where))
            conn.execute(
                t.purge_log.insert().values(
                    at=now,
                    account=account,
                    record_type=kind,
                    count=len(ids),
                    ids=json.dumps(ids),
                    detail=json.dumps(detail),
                )
            )
            purged.append(Due(kind, description, len(ids), cutoffs[kind]))
        if drop_families:
            _drop_empty_families(conn)
        if any(d.record_type == "regional_records" for d in purged):
            _drop_regional_people_left_without_records(conn)
        if purged:
            detail = {d.record_type: d.count for d in purged}
            if cut is not None:
                detail[audit.CUT] = cut
            row = audit.record(conn, account, audit.PURGE_ACTION, None, detail)
            if cut is not None:
                # The new start of the chain, witnessed in the log file as well.
                log.info(
                    "audit chain %s cut after row %s (hash %s) by the purge at row %d",
                    str(cut["chain"])[:16],
                    cut["id"],
                    cut["hash"],
                    row.id,
                )
    if purged:
        _overwrite_free_space(db, [d.record_type for d in purged])
        log.info("retention purge: %s", {d.record_type: d.count for d in purged})
    return purged


def _audit_prefix(conn: sa.Connection, cutoff: dt.date) -> sa.ColumnElement[bool]:
    """The audit rows a purge removes: those before the first row written on or after the
    cutoff, so the chain is only ever cut at its start (rows are numbered as written)."""
    first_kept = conn.execute(
        sa.select(sa.func.min(t.audit_log.c.id)).where(t.audit_log.c.at >= _at_start(cutoff))
    ).scalar_one_or_none()
    if first_kept is None:
        return t.audit_log.c.at < _at_start(cutoff)
    return t.audit_log.c.id < int(first_kept)


def _audit_cut(conn: sa.Connection, last_id: int, cutoff: dt.date) -> dict[str, object]:
    """What the purge row records of its cut: the last row removed and its hash (the next row
    chains on it), the chain's id, the cutoff, and each account's role there."""
    last = conn.execute(
        sa.select(t.audit_log.c.id, t.audit_log.c.hash).where(t.audit_log.c.id == last_id)
    ).one()
    return {
        "id": int(last.id),
        "hash": str(last.hash),
        "chain": audit.chain_id(conn),
        "cutoff": cutoff.isoformat(),
        role_replay.ROLES_AT_CUT: role_replay.snapshot(role_replay.replay(conn, int(last.id))),
    }


# What a purge of each record type deletes rows from (cascades included), for a server's vacuum.
_TABLES_OF = {
    "pupil_records": [
        "children", *PUPIL_TABLES, "child_summaries", "flags", "cases", "case_events", "case_notes",
        "families", "family_members", "identity_reviews", "record_sources",
    ],
    "regional_records": [
        "regional_children", *(table.name for table in REGIONAL_CHILD_TABLES),
        "regional_people", "regional_flags",
    ],
    "case_history": ["case_events"],
    "case_notes": ["case_notes"],
    "rejected_rows": ["rejected_rows"],
    "import_batches": ["import_batches", "rejected_rows"],
    "audit_log": ["audit_log"],
}  # fmt: skip


def _overwrite_free_space(db: Database, record_types: list[str]) -> None:
    """Make purged data unreadable in the database's own files. SQLite: secure_delete zeroed
    the deleted cells; VACUUM rebuilds the file without its free pages (where copies moved by
    page splits can linger), then a TRUNCATE checkpoint empties the WAL. A server: VACUUM FULL
    rewrites each table the purge touched (its old files are released; the server's own WAL
    archives and base backups are IT's to age out)."""
    if db.is_sqlite:
        raw = db.engine.raw_connection()
        try:
            driver = raw.driver_connection
            assert driver is not None
            driver.execute("PRAGMA secure_delete = ON")
            driver.execute("VACUUM")
        finally:
            raw.close()
        db.checkpoint()
        return
    tables = sorted({name for kind in record_types for name in _TABLES_OF.get(kind, [])})
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for name in tables:
            try:
                conn.exec_driver_sql(f"VACUUM (FULL, ANALYZE) {t.metadata.tables[name].name}")
            except sa.exc.DBAPIError:
                log.warning("VACUUM FULL of %s after the purge was refused", name)


def _forget_sources(conn: sa.Connection, child_ids: list[int]) -> None:
    """Remove the batch links, return values and merges of a purged child's records
    (record_sources, record_versions and record_merges have no foreign key to them)."""
    for chunk in _chunks(child_ids):
        record_ids: dict[str, list[int]] = {"children": chunk}
        for name in PUPIL_TABLES:
            table = t.metadata.tables[name]
            record_ids[name] = list(
                conn.execute(sa.select(table.c.id).where(table.c.child_id.in_(chunk))).scalars()
            )
        for record_type, ids in record_ids.items():
            for part in _chunks(ids):
                conn.execute(
                    t.record_sources.delete().where(
                        t.record_sources.c.record_type == record_type,
                        t.record_sources.c.record_id.in_(part),
                    )
                )
                # What each return said of the records, and the merges that joined others into
                # them (a merge keeps the merged child's details to undo it): personal data too.
                for table in (t.record_versions, t.record_merges):
                    kept = table.c.record_id if table is t.record_versions else table.c.kept_id
                    conn.execute(
                        table.delete().where(table.c.record_type == record_type, kept.in_(part))
                    )


def _forget_regional_children(conn: sa.Connection, child_ids: list[int]) -> None:
    """Delete the rows each purged regional child record brought."""
    for chunk in _chunks(child_ids):
        for table in REGIONAL_CHILD_TABLES:
            conn.execute(table.delete().where(table.c.child_id.in_(chunk)))


def _drop_regional_people_left_without_records(conn: sa.Connection) -> None:
    """A person of the region no child record is left for goes, with their regional flags (a
    person another authority's record still holds keeps theirs until the next refresh)."""
    held = sa.select(r.regional_children.c.person_id).where(
        r.regional_children.c.person_id.is_not(None)
    )
    gone = sa.select(r.regional_people.c.id).where(r.regional_people.c.id.not_in(held))
    conn.execute(r.regional_flags.delete().where(r.regional_flags.c.person_id.in_(gone)))
    conn.execute(r.regional_people.delete().where(r.regional_people.c.id.not_in(held)))


def _chunks(ids: list[int], size: int = 5_000) -> list[list[int]]:
    """Keep IN lists well under SQLite's limit on bound parameters."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _drop_empty_families(conn: sa.Connection) -> None:
    """A family whose children were all purged goes too (its key can hold an address)."""
    members = sa.select(t.family_members.c.family_id)
    conn.execute(t.families.delete().where(t.families.c.id.not_in(members)))
