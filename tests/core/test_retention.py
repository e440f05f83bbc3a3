"""Retention: records past their period are counted (no names) and purged on request with a
purge log; purged data is gone from the database file and its WAL (secure_delete)."""

from __future__ import annotations

import datetime as dt
import json
import types
from pathlib import Path

import pytest
import sqlalchemy as sa

from exclusion_monitor.store import Database, audit
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.retention import Due, purge, records_past_retention, retention_periods
from exclusion_monitor.store.settings import set_setting

TODAY = dt.date(2024, 9, 1)
OLD_SURNAME = "Quillfeatherstonehaugh"  # invented; appears nowhere else
YOUNG_SURNAME = "Brightwaterson"


def _child(conn: sa.Connection, surname: str, born: dt.date | None, upn: str) -> int:
    child = conn.execute(
        t.children.insert().values(
            surname=surname, forename="Test", date_of_birth=born, created_at=dt.datetime(2010, 1, 1)
        )
    ).inserted_primary_key[0]
    conn.execute(t.child_identifiers.insert().values(child_id=child, upn=upn, kind="current"))
    return int(child)


@pytest.fixture
def stocked(db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    with db.write() as conn:
        school = conn.execute(
            t.schools.insert().values(laestab="3302001", name="Elm Primary")
        ).inserted_primary_key[0]
        old = _child(conn, OLD_SURNAME, dt.date(1998, 8, 31), "B801200005001")  # 26 in 2024
        young = _child(conn, YOUNG_SURNAME, dt.date(2012, 5, 1), "A801200006001")
        _child(conn, "Nobirthdate", None, "C801200007001")
        conn.execute(
            t.census_observations.insert().values(
                child_id=old,
                school_id=school,
                census_date=dt.date(2012, 1, 19),
                address_line1=f"1 {OLD_SURNAME} Lane",
            )
        )
        family = conn.execute(
            t.families.insert().values(
                family_key=f"1 {OLD_SURNAME.lower()} lane",
                basis="address",
                created_at=dt.datetime(2012, 1, 1),
            )
        ).inserted_primary_key[0]
        conn.execute(t.family_members.insert().values(family_id=family, child_id=old))
        flag = conn.execute(
            t.flags.insert().values(
                child_id=young,
                rule="repeated_suspensions",
                rule_version=1,
                as_of=dt.date(2018, 1, 1),
                reason="3 suspensions",
                first_raised=dt.date(2018, 1, 1),
                last_seen=dt.date(2024, 1, 1),
            )
        ).inserted_primary_key[0]
        assert flag
        case = conn.execute(
            t.cases.insert().values(
                child_id=young,
                status="referred",
                opened_at=dt.datetime(2018, 2, 1),
                last_action_at=dt.datetime(2023, 2, 1),
                last_action_by="LA\\o1",
            )
        ).inserted_primary_key[0]
        conn.execute(
            t.case_events.insert(),
            [
                {
                    "case_id": case,
                    "what": "status",
                    "new_value": "under_review",
                    "account": "LA\\o1",
                    "at": dt.datetime(2018, 2, 1),
                },
                {
                    "case_id": case,
                    "what": "status",
                    "old_value": "under_review",
                    "new_value": "referred",
                    "account": "LA\\o1",
                    "at": dt.datetime(2023, 2, 1),
                },
            ],
        )
        conn.execute(
            t.case_notes.insert().values(
                case_id=case, author="LA\\o1", written_at=dt.datetime(2019, 1, 1), text="Old note"
            )
        )
        batch = conn.execute(
            t.import_batches.insert().values(
                file_name="census-2012.xlsx",
                file_hash="0" * 64,
                kind="census",
                imported_at=dt.datetime(2012, 2, 1),
            )
        ).inserted_primary_key[0]
        conn.execute(
            t.rejected_rows.insert().values(
                batch_id=batch,
                row_number=7,
                reason="bad UPN",
                raw=json.dumps({"surname": OLD_SURNAME}),
            )
        )
    # Two audit rows from 2012, chained as the app wrote them then.
    clock = types.SimpleNamespace(
        datetime=type(
            "Then", (dt.datetime,), {"now": classmethod(lambda cls: dt.datetime(2012, 3, 1))}
        ),
        date=dt.date,
        time=dt.time,
    )
    monkeypatch.setattr(audit, "dt", clock)
    audit.record(db, "LA\\o1", "view_child", "B801200005001")
    audit.record(db, "LA\\o1", "search", None, {"filter": "B8012"})
    monkeypatch.setattr(audit, "dt", dt)  # not undo(): that would drop the private folders
    audit.record(db, "LA\\o1", "view_child", "A801200006001")
    return db


def _counts(found: list[Due]) -> dict[str, int]:
    return {d.record_type: d.count for d in found}


def test_defaults_follow_the_domain_brief(db: Database) -> None:
    periods = retention_periods(db)
    assert periods["pupil_records_until_age"] == 25 and periods["review_records_years"] == 5
    set_setting(db, "retention.review_records_years", 7)
    assert retention_periods(db)["review_records_years"] == 7


def test_records_past_retention_are_counted_without_names(stocked: Database) -> None:
    due = records_past_retention(stocked, today=TODAY)
    assert _counts(due) == {
        "pupil_records": 1,
        "regional_records": 0,
        "case_history": 1,
        "case_notes": 1,
        "rejected_rows": 1,
        "import_batches": 1,
        "audit_log": 2,
    }
    text = repr(due)
    assert OLD_SURNAME not in text and YOUNG_SURNAME not in text


def test_a_longer_period_keeps_records(stocked: Database) -> None:
    set_setting(stocked, "retention.pupil_records_until_age", 30)
    assert _counts(records_past_retention(stocked, today=TODAY))["pupil_records"] == 0


def test_purge_deletes_logs_and_keeps_the_audit_chain_verifiable(stocked: Database) -> None:
    purged = purge(stocked, "LA\\admin1", today=TODAY)
    assert _counts(purged)["pupil_records"] == 1
    with stocked.read() as conn:
        surnames = conn.execute(sa.select(t.children.c.surname)).scalars().all()
        assert sorted(surnames) == [YOUNG_SURNAME, "Nobirthdate"]
        assert conn.execute(sa.select(sa.func.count()).select_from(t.families)).scalar() == 0
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(t.census_observations)).scalar()
            == 0
        )
        statuses = conn.execute(sa.select(t.case_events.c.new_value)).scalars().all()
        assert statuses == ["referred"]
        case = conn.execute(sa.select(t.cases.c.status)).scalars().all()
        assert case == ["referred"]  # the case stands; only its old history and notes go
        log = conn.execute(sa.select(t.purge_log)).all()
    assert {row.record_type: row.count for row in log} == _counts(purged)
    assert all(row.account == "LA\\admin1" for row in log)
    assert OLD_SURNAME not in repr(log)
    result = audit.verify(stocked)
    assert result.ok, result.problem
    entries = audit.list_entries(stocked)
    assert [e.action for e in entries] == ["view_child", "retention_purge"]
    detail = dict(entries[-1].detail or {})
    cut = detail.pop(audit.CUT)
    assert detail == _counts(purged)
    # The purge row carries where it cut: the row before the first kept one, and its hash.
    assert cut["id"] == entries[0].id - 1 and cut["hash"] == entries[0].prev_hash
    assert cut["cutoff"] == "2018-09-01"
    assert records_past_retention(stocked, today=TODAY)[0].count == 0


@pytest.mark.sqlite_only
def test_purged_names_are_not_recoverable_from_the_file(stocked: Database, db_path: Path) -> None:
    needle = OLD_SURNAME.encode()
    stocked.checkpoint()
    assert needle in db_path.read_bytes(), "the test must see the name before the purge"
    purge(stocked, "LA\\admin1", today=TODAY)
    wal = Path(f"{db_path}-wal")
    for path in (db_path, wal):
        if path.exists():
            assert needle not in path.read_bytes(), path.name
    assert YOUNG_SURNAME.encode() in db_path.read_bytes()


def test_a_purged_childs_return_values_and_merges_go_with_them(stocked: Database) -> None:
    """What each return said of a purged child's records, and the merge that joined another
    child into them (which keeps that child's name to undo it), are purged with the child."""
    with stocked.write() as conn:
        old = conn.execute(
            sa.select(t.children.c.id).where(t.children.c.surname == OLD_SURNAME)
        ).scalar_one()
        census = conn.execute(
            sa.select(t.census_observations.c.id).where(t.census_observations.c.child_id == old)
        ).scalar_one()
        batch = conn.execute(sa.select(t.import_batches.c.id)).scalars().first()
        conn.execute(
            t.record_versions.insert().values(
                record_type="census_observations",
                record_id=census,
                batch_id=batch,
                stated=json.dumps({"address_line1": f"2 {OLD_SURNAME} Lane"}),
            )
        )
        conn.execute(
            t.record_merges.insert().values(
                record_type="children",
                kept_id=old,
                merged_id=old + 100,
                reason="row 2 gives UPN B801200005001 with Former UPN A801200006001",
                detail=json.dumps({"gone": {"surname": OLD_SURNAME}}),
                merged_at=dt.datetime(2012, 3, 1),
            )
        )
    purge(stocked, "LA\\admin1", today=TODAY)
    with stocked.read() as conn:
        for table in (t.record_versions, t.record_merges):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0


def _regional_child(conn: sa.Connection, child_id: int, born: str, pseudonym: str) -> None:
    r = t.metadata.tables
    conn.execute(
        r["regional_children"]
        .insert()
        .values(
            id=child_id, return_id=1, local_number=child_id, person_id=child_id, birth_month=born
        )
    )
    conn.execute(
        r["regional_pseudonyms"]
        .insert()
        .values(child_id=child_id, pseudonym=pseudonym, kind="current")
    )
    conn.execute(
        r["regional_census"]
        .insert()
        .values(child_id=child_id, school_id=1, census_date=dt.date(2013, 1, 17), nc_year="9")
    )
    conn.execute(
        r["regional_people"].insert().values(id=child_id, pseudonym=pseudonym, authorities="330")
    )
    conn.execute(
        r["regional_flags"].insert().values(
            person_id=child_id, rule="many_secondary_schools", rule_version=1,
            as_of=dt.date(2014, 7, 1), reason="Four secondary schools",
        )
    )  # fmt: skip


def test_a_regional_workspaces_records_go_once_every_child_of_their_birth_month_is_past_the_age(
    db: Database,
) -> None:
    # Only the birth month travels to the region: on 1 September 2024 a child born in August
    # 1999 is past 25, one born in September 1999 may not be yet, so that month is kept.
    with db.write() as conn:
        conn.execute(
            t.metadata.tables["regional_returns"].insert().values(
                id=1, la_code="330", format_version=1, made_at=dt.datetime(2024, 8, 1),
                as_of=dt.date(2024, 7, 31), key_fingerprint="0" * 16, file_name="r.zip",
                file_hash="0" * 64, imported_at=dt.datetime(2024, 8, 2), status="current",
                first_child_id=1, last_child_id=3, children=3,
            )
        )  # fmt: skip
        _regional_child(conn, 1, "1999-08", "P" * 26)
        _regional_child(conn, 2, "1999-09", "Q" * 26)
        _regional_child(conn, 3, "2010-05", "R" * 26)
    assert _counts(records_past_retention(db, today=TODAY))["regional_records"] == 1
    purged = purge(db, "LA\\admin1", today=TODAY)
    assert _counts(purged) == {"regional_records": 1}
    tables = t.metadata.tables
    with db.read() as conn:
        for name in ("regional_children", "regional_people"):
            ids = conn.execute(sa.select(tables[name].c.id)).scalars().all()
            assert sorted(ids) == [2, 3], name
        for name, column in (
            ("regional_pseudonyms", "child_id"),
            ("regional_census", "child_id"),
            ("regional_flags", "person_id"),
        ):
            ids = conn.execute(sa.select(tables[name].c[column])).scalars().all()
            assert sorted(ids) == [2, 3], name
        logged = conn.execute(sa.select(t.purge_log.c.record_type, t.purge_log.c.ids)).one()
    assert logged.record_type == "regional_records" and json.loads(logged.ids) == [1]
