"""A whole recompute in worker processes stores exactly what one in the recompute's own process
stores (flags with their reasons and evidence, the children's status, family keys and families),
on both engines; a worker that cannot reach the database fails the recompute with the reason and
changes nothing, as does a worker killed half-way (never a wait for ever); a cancelled recompute
leaves no worker behind; a machine that will not start them works in one process; IT's number of
workers holds (docs/architecture.md#whole-recomputes-in-worker-processes)."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
import sqlalchemy as sa

from exclusion_monitor import config, flag_evaluation, flagging, identity
from exclusion_monitor.errors import DatabaseError, WorkerStoppedError
from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.database import ReaderAddress
from imports.demo import DemoManifest, build_demo_returns
from operations.imports import ImportRequest, run_imports
from tests.support.workers import NO_WORKERS

ACCOUNT = "LA\\admin1"


@pytest.fixture(autouse=True)
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "os_account", lambda: ACCOUNT)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return build_demo_returns(tmp_path_factory.mktemp("returns"), 240, seed=23)


def _imported(db: Database, manifest: DemoManifest) -> None:
    requests = [ImportRequest(f.path, f.kind, f.census_date) for f in manifest.files]
    run_imports(db, requests, account=ACCOUNT)


def _forget(db: Database) -> None:
    """No stored flags, statuses or families: the next recompute starts from nothing."""
    with db.write() as conn:
        for table in (t.family_members, t.families, t.child_family_keys, t.flags, t.child_status):
            conn.execute(table.delete())
        conn.execute(t.settings.delete().where(t.settings.c.key == "flags.state"))


def _stored(db: Database) -> dict[str, Any]:
    """What a recompute stores, without row ids and times; families by their members."""
    f = t.flags.c
    with db.read() as conn:
        flags = conn.execute(
            sa.select(
                f.child_id, f.rule, f.rule_version, f.as_of, f.reason, f.evidence, f.cleared_on
            )
        ).all()
        members = conn.execute(
            sa.select(t.family_members.c.family_id, t.family_members.c.child_id)
        ).all()
        families: dict[int, set[int]] = {}
        for family_id, child_id in members:
            families.setdefault(family_id, set()).add(child_id)
        return {
            "flags": sorted(tuple(map(str, row)) for row in flags),
            "status": sorted(conn.execute(sa.select(t.child_status)).all()),
            "keys": sorted(conn.execute(sa.select(t.child_family_keys)).all()),
            "families": sorted(sorted(children) for children in families.values()),
        }


def _key_indexes(db: Database) -> list[str]:
    """The family keys' indexes as the database has them (a whole recompute that writes most
    keys builds them after the rows: store.families.writing_keys)."""
    with db.read() as conn:
        return sorted(str(i["name"]) for i in sa.inspect(conn).get_indexes("child_family_keys"))


KEY_INDEXES = sorted(str(i.name) for i in t.child_family_keys.indexes)


def _in_workers(monkeypatch: pytest.MonkeyPatch, chunk: int = 40) -> list[int]:
    """Make a whole recompute of the demo use two workers and small chunks; note the ranges the
    workers were given."""
    given: list[int] = []
    real = flag_evaluation.evaluate_in_workers

    def noted(db: Database, ranges: Any, *args: Any, **kw: Any) -> Any:
        handed = list(ranges)
        given.append(len(handed))
        return real(db, handed, *args, **kw)

    monkeypatch.setattr(flagging, "worker_count", lambda children: 2)
    monkeypatch.setattr(flagging, "WORKER_CHUNK", chunk)
    monkeypatch.setattr(flag_evaluation, "evaluate_in_workers", noted)
    return given


def test_workers_store_what_one_process_stores(
    db: Database, manifest: DemoManifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    _imported(db, manifest)
    _forget(db)
    alone = flagging.recompute_flags(db)
    expected = _stored(db)
    assert alone.flags_held > 10 and alone.families > 0, alone
    _forget(db)
    given = _in_workers(monkeypatch)
    shared = flagging.recompute_flags(db)
    assert given and given[0] >= 5, given  # the children went to the workers in several chunks
    assert shared == alone
    assert _stored(db) == expected
    assert _key_indexes(db) == KEY_INDEXES
    assert multiprocessing.active_children() == []


def test_a_worker_that_cannot_open_the_database_fails_the_recompute(
    db: Database, manifest: DemoManifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    _imported(db, manifest)
    before = _stored(db)
    _in_workers(monkeypatch)
    nowhere = ReaderAddress(None, "postgresql://nobody@localhost/")  # names no database
    monkeypatch.setattr(flag_evaluation, "reader_address", lambda database: nowhere)
    with db.write() as conn:  # a stale state, so a whole recompute is due
        conn.execute(t.settings.delete().where(t.settings.c.key == "flags.state"))
    with pytest.raises(DatabaseError, match="names no database"):
        flagging.recompute_flags(db)
    assert multiprocessing.active_children() == []
    after = _stored(db)
    assert after == before


class Cancelled(Exception):
    pass


def test_a_cancelled_recompute_leaves_no_worker_behind(
    db: Database, manifest: DemoManifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    _imported(db, manifest)
    _forget(db)
    _in_workers(monkeypatch, chunk=20)
    seen: list[int] = []

    def cancel(done: int, total: int) -> None:
        seen.append(done)
        raise Cancelled

    with pytest.raises(Cancelled):
        flagging.recompute_flags(db, progress=cancel)
    assert seen == [20]
    assert multiprocessing.active_children() == []
    assert _key_indexes(db) == KEY_INDEXES  # dropped for the writing, back with the rollback
    with db.read() as conn:  # nothing of the cancelled recompute was kept
        assert conn.execute(sa.select(sa.func.count()).select_from(t.flags)).scalar() == 0


def test_a_worker_killed_half_way_fails_the_recompute_and_changes_nothing(
    db: Database, manifest: DemoManifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    _imported(db, manifest)
    before = _stored(db)
    with db.write() as conn:  # a stale state, so a whole recompute is due
        conn.execute(t.settings.delete().where(t.settings.c.key == "flags.state"))
    _in_workers(monkeypatch, chunk=10)
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        if not killed:
            worker = multiprocessing.active_children()[0]
            killed.append(worker.pid or 0)
            worker.kill()

    with pytest.raises(WorkerStoppedError, match="stopped before it had finished"):
        flagging.recompute_flags(db, progress=kill_one)
    assert killed
    assert multiprocessing.active_children() == []
    assert _stored(db) == before


@pytest.mark.parametrize("how", sorted(NO_WORKERS))
def test_a_machine_that_keeps_the_workers_from_working_gets_the_same_flags_in_one_process(
    db: Database,
    manifest: DemoManifest,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    how: str,
) -> None:
    _imported(db, manifest)
    _forget(db)
    alone = flagging.recompute_flags(db)
    expected = _stored(db)
    _forget(db)
    given = _in_workers(monkeypatch)
    monkeypatch.setattr(flag_evaluation, *NO_WORKERS[how])
    assert flagging.recompute_flags(db) == alone
    assert given  # the workers were asked for
    assert "worker processes could not be used" in caplog.text
    assert _stored(db) == expected
    assert multiprocessing.active_children() == []


def test_it_may_set_the_number_of_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    cores = {0, 1, 2, 3, 4, 5}
    monkeypatch.setattr(flag_evaluation.os, "sched_getaffinity", lambda pid: cores, raising=False)
    monkeypatch.setattr(flag_evaluation.os, "cpu_count", lambda: len(cores))
    big = flag_evaluation.PARALLEL_FROM
    assert flag_evaluation.worker_count(big) == flag_evaluation.MAX_WORKERS
    assert flag_evaluation.worker_count(big - 1) == 1
    usual = flag_evaluation.MAX_WORKERS
    for value, workers in (
        ("1", 1), ("2", 2), (" 5 ", 5), ("8", 6), ("0", usual), ("many", usual), ("", usual)
    ):  # fmt: skip
        monkeypatch.setenv(config.WORKERS_ENV, value)
        assert flag_evaluation.worker_count(big) == workers, value


def _reasons(db: Database) -> list[str]:
    with db.read() as conn:
        return sorted(conn.execute(sa.select(t.flags.c.reason)).scalars())


def test_an_admins_code_list_edited_while_the_app_is_open_is_read_by_every_process(
    db: Database, manifest: DemoManifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The year groups an admin renames reach the flags' reasons at the next check, the same in
    this process and in the workers (before, this process kept the lists it read first)."""
    _imported(db, manifest)
    assert flagging.flags_are_current(db)
    assert any("Year " in reason for reason in _reasons(db))
    folder = config.user_codelists_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nc_years.csv").write_text(
        "code,label,order,synonyms\n"
        + "".join(f"{y},Yr {y} (renamed),{y},\n" for y in range(1, 15)),
        encoding="utf-8",
    )
    assert not flagging.flags_are_current(db)  # the edit is part of the flags' fingerprint
    flagging.recompute_flags(db)
    renamed = _stored(db)
    reasons = _reasons(db)
    assert any("(renamed)" in reason for reason in reasons), reasons[:5]
    _forget(db)
    _in_workers(monkeypatch)
    flagging.recompute_flags(db)
    assert _stored(db) == renamed


def test_a_server_password_never_shows_in_a_reader_address() -> None:
    address = ReaderAddress(None, "postgresql://officer:s3cret-pw@db.example/exclusions")
    assert "s3cret" not in repr(address) and "s3cret" not in str(address)
