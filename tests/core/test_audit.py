"""The audit trail's hash chain: intact chains verify; edited, deleted and forged rows are found;
a cut-back log is found against a recorded head; two processes appending keep one chain."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap

import pytest

from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.audit import GENESIS_HASH, chain_head, list_entries, record, verify


@pytest.fixture
def logged(db: Database) -> Database:
    record(db, "LA\\officer1", "search", None, {"filter": {"surname": "Test*"}})
    record(db, "LA\\officer1", "view_child", "B801200005001")
    record(db, "LA\\manager1", "export", None, {"rows": 12, "as_of": "2024-07-01"})
    record(db, "LA\\liaison1", "import_file", "batch:4", {"rows": 300})
    record(db, "LA\\officer1", "add_note", "flag:9")
    return db


def _sql(db: Database, *statements: str) -> None:
    """Change the database behind the app's back, as someone with a SQL client could."""
    with db.engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)


def test_rows_are_chained_from_genesis(logged: Database) -> None:
    entries = list_entries(logged)
    assert [e.id for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    result = verify(logged)
    assert result.ok and result.rows_checked == 5 and result.head.label == f"5:{entries[-1].hash}"


def test_filters(logged: Database) -> None:
    assert [e.id for e in list_entries(logged, account="la\\OFFICER1")] == [1, 2, 5]
    assert [e.target for e in list_entries(logged, action="view_child")] == ["B801200005001"]
    assert list_entries(logged, action="export")[0].detail == {"rows": 12, "as_of": "2024-07-01"}
    import datetime as dt

    assert len(list_entries(logged, since=dt.date.today())) == 5
    assert list_entries(logged, since=dt.date.today() + dt.timedelta(days=1)) == []


def test_edited_detail_is_found(logged: Database) -> None:
    _sql(logged, """UPDATE audit_log SET detail = '{"rows":1,"as_of":"2024-07-01"}' WHERE id = 3""")
    result = verify(logged)
    assert not result.ok and result.first_bad_id == 3
    assert result.problem == (
        "Audit row 3 has been edited or forged: its contents do not match its hash."
    )


def test_edited_account_is_found(logged: Database) -> None:
    _sql(logged, "UPDATE audit_log SET account = 'LA\\someone_else' WHERE id = 2")
    assert verify(logged).first_bad_id == 2


def test_deleted_middle_row_is_found(logged: Database) -> None:
    _sql(logged, "DELETE FROM audit_log WHERE id = 3")
    result = verify(logged)
    assert not result.ok and result.first_bad_id == 4
    assert result.problem == "Audit row 3 before row 4 has been deleted."


def test_deleted_last_row_is_found_only_against_a_recorded_head(
    logged: Database,
) -> None:
    printed = chain_head(logged)  # as printed on an export before the rows were deleted
    _sql(logged, "DELETE FROM audit_log WHERE id = 5")
    assert verify(logged).ok, "a shorter chain is still a valid chain on its own"
    result = verify(logged, expected_head=audit.parse_head(printed.label))
    assert not result.ok
    assert result.problem is not None and "has been cut back" in result.problem


def test_rewritten_log_is_found_against_a_recorded_head(logged: Database) -> None:
    printed = chain_head(logged)
    _sql(logged, "DELETE FROM audit_log WHERE id = 5")
    record(logged, "LA\\forger", "add_note", "flag:9")  # a new row 5 chains on cleanly
    assert verify(logged).ok
    result = verify(logged, expected_head=printed)
    assert result.problem is not None and "rewritten" in result.problem


def test_forged_row_appended_with_a_made_up_hash_is_found(logged: Database) -> None:
    last = list_entries(logged)[-1]
    _sql(
        logged,
        "INSERT INTO audit_log (id, at, account, action, target, detail, prev_hash, hash) "
        f"VALUES (6, '2024-01-01 09:00:00.000000', 'LA\\x', 'export', NULL, NULL, "
        f"'{last.hash}', '{'ab' * 32}')",
    )
    assert verify(logged).first_bad_id == 6


def test_forged_row_inserted_in_the_middle_is_found(logged: Database) -> None:
    entries = list_entries(logged)
    import datetime as dt

    at = dt.datetime(2024, 1, 1, 9, 0)
    forged = audit.row_hash(entries[1].hash, 3, at, "LA\\x", "view_child", "B801200005001", None)
    _sql(
        logged,
        "UPDATE audit_log SET id = id + 10 WHERE id >= 3",
        "UPDATE audit_log SET id = id - 9 WHERE id >= 13",
        "INSERT INTO audit_log (id, at, account, action, target, detail, prev_hash, hash) "
        f"VALUES (3, '{at:%Y-%m-%d %H:%M:%S.%f}', 'LA\\x', 'view_child', 'B801200005001', NULL, "
        f"'{entries[1].hash}', '{forged}')",
    )
    result = verify(logged)
    assert not result.ok and result.first_bad_id == 4, result.problem


def test_head_of_an_empty_log_is_genesis(db: Database) -> None:
    assert chain_head(db).label == f"0:{GENESIS_HASH}"
    assert verify(db).ok


def test_parse_head_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="not an audit chain head"):
        audit.parse_head("12:xyz")


def test_two_processes_appending_keep_one_chain(db: Database) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from exclusion_monitor.store import open_database
        from exclusion_monitor.store.audit import record
        db = open_database({db.location!r})
        for i in range(40):
            record(db, sys.argv[1], "view_child", f"row{{i}}")
        db.close()
        """
    )
    workers = [subprocess.Popen([sys.executable, "-c", script, f"LA\\worker{n}"]) for n in range(2)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0]
    result = verify(db)
    assert result.ok, result.problem
    assert result.rows_checked == 80
    accounts = [e.account for e in list_entries(db)]
    assert accounts.count("LA\\worker0") == 40 and accounts.count("LA\\worker1") == 40
