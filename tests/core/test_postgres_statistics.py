"""PostgreSQL plans every query from each table's statistics, and an undo followed by a re-import
can leave them saying a full table is empty (autovacuum analyses between the two). The queries that
read back what was just written must not depend on them, and the imports, undos and recomputes
analyse a table whose statistics are that far wrong (`dialect.settle_statistics`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from exclusion_monitor.store import open_database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import bulk_insert
from exclusion_monitor.store.database import Database
from exclusion_monitor.store.dialect import settle_statistics

pytestmark = pytest.mark.postgres


def _scans_of(plan: dict[str, Any], table: str) -> list[dict[str, Any]]:
    """Every scan of the table in an EXPLAIN ANALYZE plan."""
    found = [plan] if plan.get("Relation Name") == table else []
    for below in plan.get("Plans", []):
        found += _scans_of(below, table)
    return found


def _look_empty(conn: sa.Connection, *tables: str) -> None:
    """Leave the server believing these tables hold no rows though their pages are full (the
    state autovacuum leaves when it analyses during an undo and re-import): the rows are deleted
    and analysed, then the deletion rolled back; the statistics stay."""
    raw = conn.connection.driver_connection
    with raw.transaction(force_rollback=True):  # type: ignore[union-attr]
        for table in tables:
            raw.execute(f"DELETE FROM {table}")  # type: ignore[union-attr]
            raw.execute(f"ANALYZE {table}")  # type: ignore[union-attr]


def test_the_whole_authoritys_address_query_reads_the_keys_once_whatever_the_statistics_say(
    pg_url: str,
) -> None:
    """The keys of a whole recompute are written and read back in one transaction, and the
    server's statistics can say the keys and the children are empty when they are not. A plan
    that then runs the who-shares-an-address count, or a read of the children, again for every
    row is quadratic: it ran for more than ten minutes at 250,000 children. Every scan of the
    keys must run once, and the children be read only by their primary key."""
    from exclusion_monitor.store.families import _addresses, _shared_addresses

    db = open_database(pg_url)
    try:
        made = dt.datetime(2026, 1, 5, 9, 0)
        people = [
            {"id": n, "surname": f"Family{n // 2}", "forename": "Test", "created_at": made}
            for n in range(1, 2001)
        ]
        with db.write() as conn:
            conn.execute(t.children.insert(), people)
            # The keys of an earlier recompute, cleared and analysed while empty.
            conn.execute(
                t.child_family_keys.insert(),
                [
                    {"child_id": n, "family_key": f"old:{n}", "basis": "address"}
                    for n in range(1, 2001)
                ],
            )
        with db.write() as conn:
            _look_empty(conn, "child_family_keys", "children")
            conn.execute(t.child_family_keys.delete())
            # Two children at each address, but the first and the last each alone.
            keys = [
                {
                    "child_id": n,
                    "family_key": f"address:{n // 2}",
                    "basis": "address",
                    "address_key": f"{n // 2} test street|ZZ9 9ZZ" if n < 2000 else "alone|ZZ1",
                }
                for n in range(1, 2001)
            ]
            conn.execute(t.child_family_keys.insert(), keys)
            sql = str(_shared_addresses(conn).compile(conn, compile_kwargs={"literal_binds": True}))
            plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}").scalar_one()
            keys_read = _scans_of(plan[0]["Plan"], "child_family_keys")
            children_read = _scans_of(plan[0]["Plan"], "children")
            shared = list(_addresses(conn))
    finally:
        db.close()
    assert keys_read and {scan["Actual Loops"] for scan in keys_read} == {1}
    assert children_read and all("Index Cond" in scan for scan in children_read)
    assert all(scan["Actual Rows"] <= 1 for scan in children_read)
    assert len(shared) == 999 and all(len(children) == 2 for _, children in shared)
    assert {1, 2000}.isdisjoint(child for _, children in shared for child in children)
    assert shared[0][1][2].surname == "family1"


_MADE = dt.datetime(2026, 1, 5, 9, 0)
_MANY = 40_000  # children: hundreds of pages a table, over settle_statistics' megabyte


def _authority(url: str) -> Database:
    """A database with _MANY children (two to a surname), each with a status and keys, the
    server's own analysis switched off for those tables (the tests decide what it believes)."""
    db = open_database(url)
    with db.write() as conn:
        for table in ("children", "child_status", "child_family_keys"):
            conn.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        bulk_insert(
            conn,
            t.children,
            ["id", "surname", "forename", "created_at"],
            [(n, f"Family{n // 2}", "Test", _MADE) for n in range(1, _MANY + 1)],
        )
        bulk_insert(
            conn,
            t.child_status,
            ["child_id", "status"],
            [(n, "at_school") for n in range(1, _MANY + 1)],
        )
        bulk_insert(
            conn,
            t.child_family_keys,
            ["child_id", "family_key", "basis", "address_key"],
            [
                (n, f"address:{n // 2}", "address", f"{n // 2} test street|ZZ9 9ZZ")
                for n in range(1, _MANY + 1)
            ],
        )
        conn.exec_driver_sql("ANALYZE children, child_status, child_family_keys")
    return db


def _plans(conn: sa.Connection, work: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The plan of each SELECT and DELETE statement `work` sends, made as it is sent (under the
    settings of that moment)."""
    seen: list[tuple[str, Any]] = []

    def plan(*args: Any) -> None:
        cursor, statement, parameters, executemany = args[1], args[2], args[3], args[5]
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "DELETE")):
            explained = cursor.connection.execute(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
            seen.append((statement, explained.fetchone()[0]))

    sa.event.listen(conn, "before_cursor_execute", plan)
    try:
        work()
    finally:
        sa.event.remove(conn, "before_cursor_execute", plan)
    return seen


def _whole_reads(plans: list[tuple[str, Any]], *tables: str) -> list[str]:
    """The statements whose plan reads one of these tables whole: a sequential scan, or a walk
    of a whole index (an index scan with no condition on the index)."""
    found = []
    for statement, plan in plans:
        scans = [scan for table in tables for scan in _scans_of(plan[0]["Plan"], table)]
        if any(
            scan["Node Type"] == "Seq Scan"
            or (scan["Node Type"] in ("Index Scan", "Index Only Scan") and "Index Cond" not in scan)
            for scan in scans
        ):
            found.append(statement)
    return found


def test_a_batch_of_childrens_rows_is_read_and_replaced_through_the_index_whatever_the_statistics(
    pg_url: str,
) -> None:
    """An incremental recompute replaces the statuses and keys of the children an import touched,
    batch by batch, in the transaction that is filling those tables. Asked for by a list of 900
    ids, a table said to be empty was read whole for each batch and every row compared with
    every id (2.4 s a batch, nine minutes for an authority's re-import): every read and delete
    must go through the index, and the result be the same."""
    from exclusion_monitor.store.bulk import replace_child_rows

    db = _authority(pg_url)
    try:
        changed = list(range(3, _MANY, 7))  # scattered: every seventh child
        with db.write() as conn:
            _look_empty(conn, "child_status")
            rows = [(n, "moved_away", None, None) for n in changed if n % 2]
            sent = _plans(
                conn,
                lambda: replace_child_rows(
                    conn,
                    t.child_status,
                    ["child_id", "status", "school_id", "status_date"],
                    rows,
                    first_id=changed[0],
                    last_id=changed[-1],
                    child_ids=changed,
                ),
            )
            whole = _whole_reads(sent, "child_status")
        with db.read() as conn:
            stored = dict(
                conn.execute(sa.select(t.child_status.c.child_id, t.child_status.c.status)).all()
            )
    finally:
        db.close()
    assert sent and not whole
    assert {n for n in changed if n % 2} == {n for n, s in stored.items() if s == "moved_away"}
    assert not {n for n in changed if n % 2 == 0} & set(stored)  # given no row: deleted
    untouched = set(range(1, _MANY + 1)) - set(changed)
    assert all(stored[n] == "at_school" for n in untouched)


def test_the_family_facts_of_named_children_are_read_through_the_index_whatever_the_statistics(
    pg_url: str,
) -> None:
    """Regrouping the families of an import's children reads their keys and surnames; with the
    children and keys said to be empty the server joined them by rereading every child for each
    key (15 s a batch). Every read must go through an index, and the facts be right."""
    from exclusion_monitor.store.families import _facts

    db = _authority(pg_url)
    try:
        wanted = [*range(5, _MANY, 11), _MANY + 5]  # the last has no keys (and no record)
        with db.write() as conn:
            _look_empty(conn, "children", "child_family_keys")
            found: dict[int, Any] = {}
            sent = _plans(conn, lambda: found.update(_facts(conn, wanted)))
            whole = _whole_reads(sent, "children", "child_family_keys")
    finally:
        db.close()
    assert sent and not whole
    assert set(found) == set(wanted) and found[_MANY + 5] is None
    assert found[5].surname == "family2" and found[5].address == "2 test street|ZZ9 9ZZ"


def test_a_table_said_to_be_empty_is_analysed_before_it_is_read_back(pg_url: str) -> None:
    """settle_statistics analyses a table whose statistics say far fewer rows than a sample
    counts, in the caller's transaction (its own new rows counted), and nothing else: not a
    table whose statistics are right, nor one that really is empty now."""
    db = _authority(pg_url)
    try:
        with db.write() as conn:
            assert settle_statistics(conn) == []  # just analysed: right
            _look_empty(conn, "children", "child_family_keys")
            # child_status really emptied (committed below) and analysed so: right as it is.
            conn.execute(t.child_status.delete())
            conn.exec_driver_sql("ANALYZE child_status")
        with db.write() as conn:
            analysed = settle_statistics(conn)
            believed = dict(
                conn.exec_driver_sql(
                    "SELECT relname, reltuples FROM pg_class WHERE relname IN "
                    "('children', 'child_family_keys', 'child_status')"
                ).all()
            )
            again = settle_statistics(conn)
        with db.write() as conn:
            # An undo's deletions analysed, then a re-import's rows written in this transaction.
            _look_empty(conn, "child_status")
            bulk_insert(
                conn,
                t.child_status,
                ["child_id", "status"],
                [(n, "at_school") for n in range(1, _MANY + 1)],
            )
            refilled = settle_statistics(conn)
            status_rows = conn.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE relname = 'child_status'"
            ).scalar_one()
    finally:
        db.close()
    assert analysed == ["child_family_keys", "children"]
    assert believed["children"] == believed["child_family_keys"] == _MANY
    assert believed["child_status"] == 0
    assert again == []
    assert refilled == ["child_status"] and status_rows == _MANY


def test_whose_families_an_import_can_change_is_found_through_the_indexes_whatever_the_statistics(
    pg_url: str,
) -> None:
    """Before and after an incremental recompute the children who share a key, an address or a
    family with the changed ones are looked up, batch by batch; with the keys said to be empty
    each batch read the whole keys table (2.3 s a batch, eight minutes for a third of an
    authority). Every look-up must go through an index, and find the sharers."""
    from exclusion_monitor.store.families import family_scope

    db = _authority(pg_url)
    try:
        changed = list(range(100, _MANY - 100, 97))
        with db.write() as conn:
            _look_empty(conn, "child_family_keys")
            found: set[int] = set()
            sent = _plans(conn, lambda: found.update(family_scope(conn, changed)))
            setting = conn.exec_driver_sql("SELECT current_setting('enable_seqscan')").scalar()
    finally:
        db.close()
    assert sent and not _whole_reads(sent, "child_family_keys", "family_members")
    assert found == {n for c in changed for n in (c, c + 1 if c % 2 == 0 else c - 1)}
    assert setting == "on"  # given back
