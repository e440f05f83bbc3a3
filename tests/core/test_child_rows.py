"""A recompute's rows kept one a child (status, family keys) are replaced a batch at a time,
writing only what changed (store/bulk.py `replace_child_rows`), and a bulk write's indexes are
built after it where that keeps no one waiting (`indexes_built_after`), on both engines."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import sqlalchemy as sa

from exclusion_monitor.store import Database, bulk, open_database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.children import save_child_status

DAY = dt.date(2025, 10, 2)


def _children(db: Database, count: int) -> None:
    now = dt.datetime(2025, 10, 2, 9, 0)
    with db.write() as conn:
        conn.execute(
            t.children.insert(),
            [{"id": i, "surname": "Tester", "forename": f"Kid{i}", "created_at": now}
             for i in range(1, count + 1)],
        )  # fmt: skip


def _status(db: Database) -> list[tuple[Any, ...]]:
    with db.read() as conn:
        return sorted(tuple(r) for r in conn.execute(sa.select(t.child_status)))


def test_only_changed_rows_are_written_and_the_batchs_others_go(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _children(db, 6)
    first = [(i, "on_roll", None, DAY) for i in range(1, 7)]
    with db.write() as conn:
        save_child_status(conn, first, first_id=1, last_id=6)
    assert _status(db) == sorted(first)
    written: list[list[Any]] = []
    real = bulk.bulk_insert

    def noted(conn: sa.Connection, table: sa.Table, columns: Any, rows: Any, **kw: Any) -> None:
        written.append(list(rows))
        real(conn, table, columns, rows, **kw)

    monkeypatch.setattr(bulk, "bulk_insert", noted)
    # Children 2 to 4: 2 left, 3 as before, 4 has no status now; 5 and 6 are outside the batch.
    with db.write() as conn:
        save_child_status(
            conn, [(2, "left", None, DAY), (3, "on_roll", None, DAY)], first_id=2, last_id=4
        )
    assert written == [[(2, "left", None, DAY)]]
    kept = [(i, "on_roll", None, DAY) for i in (1, 3, 5, 6)]
    assert _status(db) == sorted([*kept, (2, "left", None, DAY)])
    # Exactly the named children: 5 goes, 1 and 6 (in the range, not named) stay.
    written.clear()
    with db.write() as conn:
        save_child_status(
            conn, [(3, "missing", None, None)], first_id=1, last_id=6, child_ids=[3, 5]
        )
    assert written == [[(3, "missing", None, None)]]
    assert [row[0] for row in _status(db)] == [1, 2, 3, 6]
    assert _status(db)[2] == (3, "missing", None, None)


def test_a_bulk_write_builds_indexes_after_on_sqlite_and_leaves_colleagues_reading(
    db: Database, db_location: str
) -> None:
    """SQLite builds the table's indexes after the rows; a server keeps them, since dropping
    one would lock the table against a colleague's reads until the write commits."""
    _children(db, 3)
    expected = sorted(str(index.name) for index in t.child_family_keys.indexes)
    colleague = open_database(db_location)
    try:
        with db.write() as conn, bulk.indexes_built_after(conn, t.child_family_keys):
            conn.execute(
                t.child_family_keys.insert(),
                [{"child_id": i, "family_key": f"k{i}", "basis": "address"} for i in (1, 2, 3)],
            )
            during = _index_names(conn)
            with colleague.read() as other:
                if other.dialect.name == "postgresql":
                    other.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
                seen = other.execute(sa.select(sa.func.count()).select_from(t.child_family_keys))
                assert seen.scalar_one() == 0  # the write has not committed yet
        assert during == ([] if db.path is not None else expected)
        with db.read() as conn:
            assert _index_names(conn) == expected
    finally:
        colleague.close()


def _index_names(conn: sa.Connection) -> list[str]:
    return sorted(str(i["name"]) for i in sa.inspect(conn).get_indexes("child_family_keys"))


def test_a_whole_recompute_takes_the_children_in_ranges_of_a_chunk_each(db: Database) -> None:
    """histories.id_ranges: consecutive ranges holding `size` children each (the last fewer),
    every child in exactly one, whatever gaps deleted children left in the ids."""
    from exclusion_monitor.store.histories import id_ranges

    with db.read() as conn:
        assert list(id_ranges(conn, 3)) == []
    _children(db, 12)
    with db.write() as conn:
        conn.execute(t.children.delete().where(t.children.c.id.in_([1, 2, 5, 9, 10])))
    remaining = [3, 4, 6, 7, 8, 11, 12]
    with db.read() as conn:
        for size in (1, 2, 3, 6, 7, 8, 50):
            ranges = list(id_ranges(conn, size))
            held = [[c for c in remaining if first <= c <= last] for first, last in ranges]
            assert [c for part in held for c in part] == remaining
            assert all(len(part) == size for part in held[:-1])
            assert 1 <= len(held[-1]) <= size
            assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))
        assert list(id_ranges(conn, 3)) == [(3, 6), (7, 11), (12, 12)]
