"""Crash safety, proven: the real command line is killed (SIGKILL) at random moments while it
imports a census, over and over; after every kill the database passes SQLite's integrity check,
holds the whole file or none of it, every backup on disk is sound, and the next import succeeds.

Each trial copies one prepared database, starts `python -m ui --db COPY import FILE`, waits a
seeded random delay and kills it. A thin observer (SQLAlchemy events, no change to the program)
writes a mark when the import transaction inserts its batch row, so each kill is placed: before
the import transaction (start-up, backup, reading), mid-import (transaction open, not committed),
after the commit (audit row, flags refresh) or after the process had already finished.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import pytest

from exclusion_monitor.flagging import flags_are_current
from exclusion_monitor.identity import os_account
from exclusion_monitor.refresh import finish_owed_work
from exclusion_monitor.store import open_database
from exclusion_monitor.store.backup import list_backups
from exclusion_monitor.store.integrity import check_file
from exclusion_monitor.store.owed_work import owed
from imports.demo import write_census_workbook
from operations import ImportRequest, run_imports
from tests.support.crash import observed_command, read_marks

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

TRIALS = int(os.environ.get("CRASH_TRIALS", "100"))
ROWS = 1500
SEED = 20260115
CENSUS_DATE = "2025-01-16"
COUNTED = ["children", "census_observations", "record_sources", "import_batches", "enrolments"]


def _command(db: Path, census: Path) -> list[str]:
    return observed_command("--db", str(db), "import", str(census), "--census-date", CENSUS_DATE)


def _counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)  # read-write, as the next opener: recovers the WAL after a kill
    try:
        return {
            name: conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in COUNTED
        }
    finally:
        conn.close()


def _integrity(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


def _copy_database(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def test_killed_imports_leave_all_or_nothing(
    tmp_path: Path,
    private_home: Path,
    record_property: pytest.RecordProperty,
    capsys: pytest.CaptureFixture[str],
) -> None:
    census = write_census_workbook(tmp_path / "census.xlsx", rows=ROWS, seed=7)[1]
    env = dict(os.environ, EXCLUSION_MONITOR_HOME=str(private_home), PYTHONUNBUFFERED="1")
    base = tmp_path / "base.db"
    # A database that already holds one small import, so the killed one appends to real data.
    small = write_census_workbook(tmp_path / "small.xlsx", rows=50, seed=8, la="334")[1]
    prepared = subprocess.run(
        [*_command(base, small)[:-2], "--census-date", "2024-10-03"],
        env=env | {"CRASH_TEST_MARKS": str(tmp_path / "base.marks")},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert prepared.returncode == 0, prepared.stderr
    before = _counts(base)

    # Complete runs, to learn the counts of the whole file and when its transaction opens and
    # commits, so that the kills can be aimed at it. The first warms the caches; of the others
    # the quickest is taken (a run slowed by a busy machine would aim the kills past the commit
    # of the trials that run at full speed).
    runs: list[tuple[float, float, float]] = []  # (whole run, begin, commit), from the start
    for attempt in range(3):
        full_db = tmp_path / f"full{attempt}.db"
        _copy_database(base, full_db)
        marks = tmp_path / f"full{attempt}.marks"
        started = time.monotonic()
        done = subprocess.run(
            _command(full_db, census), env=env | {"CRASH_TEST_MARKS": str(marks)},
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        ended = time.monotonic()
        assert done.returncode == 0, done.stderr
        times = dict(line.split() for line in marks.read_text().splitlines())
        if attempt:
            runs.append(
                (
                    ended - started,
                    float(times["begin"]) - started,
                    float(times["commit"]) - started,
                )
            )
    whole_run, begin_at, commit_at = min(runs, key=lambda run: run[2] - run[1])
    after = _counts(full_db)
    assert after["import_batches"] == before["import_batches"] + 1
    assert after["census_observations"] - before["census_observations"] == ROWS

    transaction = commit_at - begin_at
    census_day = dt.date.fromisoformat(CENSUS_DATE)
    rng = random.Random(SEED)
    # Four trials in five wait for the transaction to open, then kill within it (or just past
    # its commit); one in five is killed at a random moment of the whole run. The delays are
    # drawn here, in order, so the seed fixes them whatever order the trials finish in.
    plans = [
        ("anywhere", rng.uniform(0.0, whole_run * 1.1))
        if trial % 5 == 4
        else ("in transaction", rng.uniform(0.0, transaction * 1.3))
        for trial in range(TRIALS)
    ]

    def kill_one(trial: int) -> tuple[int, bool, bool]:
        db = tmp_path / f"trial{trial}.db"
        _copy_database(base, db)
        marks = tmp_path / f"trial{trial}.marks"
        aim, delay = plans[trial]
        process = subprocess.Popen(
            _command(db, census), env=env | {"CRASH_TEST_MARKS": str(marks)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if aim == "in transaction":
            while process.poll() is None and b"begin" not in read_marks(marks):
                time.sleep(0.002)
        time.sleep(delay)
        running = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        return trial, running, b"begin" in read_marks(marks)

    tally: Counter[str] = Counter()
    partial = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in as_completed([pool.submit(kill_one, n) for n in range(TRIALS)]):
            trial, running, began = future.result()
            db = tmp_path / f"trial{trial}.db"
            assert _integrity(db) == ["ok"], f"trial {trial}: integrity check failed"
            counts = _counts(db)
            committed = counts == after
            if not running:
                tally["finished before the kill"] += 1
            elif committed:
                tally["killed after the commit"] += 1
            elif began:
                tally["killed mid-import"] += 1
            else:
                tally["killed before the import transaction"] += 1
            if counts not in (before, after):
                partial += 1
                continue
            for backup in list_backups(db):  # a half-written backup never carries a backup's name
                assert check_file(backup.path, thorough=True) is None, backup.path.name

            # The next start finishes any follow-up the kill left owed; the next import of the
            # same file succeeds (or finds it already imported, whole).
            with open_database(db) as reopened:
                if owed(reopened):
                    tally["follow-up owed, finished at the next start"] += 1
                finish_owed_work(reopened)
                assert owed(reopened) == [] and flags_are_current(reopened), trial
                (result,) = run_imports(
                    reopened, [ImportRequest(census, census_date=census_day)],
                    account=os_account(), refresh=False,
                ).value  # fmt: skip
            assert result.status == ("already_imported" if committed else "imported"), (
                result.message
            )
            assert _counts(db) == after, f"trial {trial}: re-import left {_counts(db)}"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)

    summary = (
        f"crash test: {TRIALS} trials, {tally['killed mid-import']} kills mid-import, "
        f"{partial} partial imports; {tally['killed before the import transaction']} before the "
        f"import transaction, {tally['killed after the commit']} after the commit, "
        f"{tally['finished before the kill']} finished first (file of {ROWS} rows, run "
        f"{whole_run:.1f} s, transaction {begin_at:.2f} s to {commit_at:.2f} s); "
        f"{tally['follow-up owed, finished at the next start']} follow-ups left owed, finished "
        "at the next start"
    )
    record_property("crash_trials", TRIALS)
    record_property("crash_kills_mid_import", tally["killed mid-import"])
    record_property("crash_partial_imports", partial)
    with capsys.disabled():
        print(f"\n{summary}")
    assert partial == 0, summary
    assert tally["killed mid-import"] >= TRIALS // 2, summary
