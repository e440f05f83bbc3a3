"""Timed trials on a team database, in the crash test's style: the real command line's import is
cut short by stopping the PostgreSQL server, or killed; `migrate --to` is killed mid-transfer.

After each trial the program must have said exactly what happened (saved or not, found out by
looking after reconnecting), never "something went wrong"; the database holds the whole file or
none of it; the next start of a command finishes the follow-up (flags) an interrupted import
left owed; and a retried migrate uses the target the killed one left (issue 20 items 16 and 18;
docs/output-and-failures.md, "An import cut short"). Each test prints its counts in the CI log.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from exclusion_monitor.flagging import flags_are_current
from exclusion_monitor.store import open_database
from exclusion_monitor.store.audit import list_entries, verify
from exclusion_monitor.store.owed_work import owed
from exclusion_monitor.store.transfer import copy_database, rows_held
from imports.demo import write_census_workbook
from tests.support.crash import observed_command, read_marks
from tests.support.postgres import ThrowawayServer, find_binaries
from ui.cli.main import main

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and pg_ctl are POSIX")

SERVER_STOP_TRIALS = int(os.environ.get("SERVER_STOP_TRIALS", "6"))
PG_KILL_TRIALS = int(os.environ.get("PG_KILL_TRIALS", "4"))
MIGRATE_KILL_TRIALS = int(os.environ.get("MIGRATE_KILL_TRIALS", "5"))
ROWS = 1500
SEED = 20260116
CENSUS_DATE = "2025-01-16"
COUNTED = ["children", "census_observations", "record_sources", "import_batches", "enrolments"]
BASE = "em_base"


@pytest.fixture(scope="module")
def stoppable_server() -> Iterator[ThrowawayServer]:
    """A server of this module's own, which the trials stop and start again, holding a base
    database (the schema, its admin and one small import) to copy for each trial."""
    binaries = find_binaries()
    if binaries is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL's server programs are not installed (Debian: postgresql-15)")
        pytest.skip("PostgreSQL's server programs are not installed")
    server = ThrowawayServer(binaries).start()
    try:
        server.prepare_template()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("returns")
    census = write_census_workbook(folder / "census.xlsx", rows=ROWS, seed=7)[1]
    small = write_census_workbook(folder / "small.xlsx", rows=50, seed=8, la="334")[1]
    return {"census": census, "small": small}


def environment(home: Path) -> dict[str, str]:
    return dict(os.environ, EXCLUSION_MONITOR_HOME=str(home), PYTHONUNBUFFERED="1")


def counts(url: str) -> dict[str, int]:
    with open_database(url, create=False) as db, db.read() as conn:
        held = rows_held(conn)
    return {name: held[name] for name in COUNTED}


def import_command(url: str, census: Path) -> list[str]:
    return observed_command(
        "--db", url, "import", str(census), "--census-date", CENSUS_DATE, "--format", "json"
    )


@pytest.fixture(scope="module")
def base(stoppable_server: ThrowawayServer, files: dict[str, Path], tmp_path_factory: Any) -> str:
    """The base database: made by a real import of a small census (its creator is admin)."""
    home = tmp_path_factory.mktemp("home")
    stoppable_server.create_database(BASE)
    done = subprocess.run(
        [sys.executable, "-m", "ui", "--db", stoppable_server.url(BASE), "import",
         str(files["small"]), "--census-date", "2024-10-03"],
        env=environment(home), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return BASE


def fresh_copy(server: ThrowawayServer, template: str) -> str:
    return server.url(server.create_database(template=template))


def next_start(url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """What the next person to run a command meets: `check`, through the real command line."""
    capsys.readouterr()
    code = main(["--db", url, "check", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    return {c["name"]: c for c in json.loads(out)["checks"]}


def settled(url: str) -> None:
    with open_database(url, create=False) as db:
        assert owed(db) == [], "follow-up work still owed after the next start"
        assert flags_are_current(db), "the flags were not brought up to date"


def whole_run(
    server: ThrowawayServer, census: Path, home: Path, marks: Path
) -> tuple[float, float, float, dict[str, int], dict[str, int]]:
    """One complete import (timed), to learn the counts and when its transaction runs."""
    url = fresh_copy(server, BASE)
    before = counts(url)
    started = time.monotonic()
    done = subprocess.run(
        import_command(url, census), env=environment(home) | {"CRASH_TEST_MARKS": str(marks)},
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    elapsed = time.monotonic() - started
    times = dict(line.split() for line in marks.read_text().splitlines())
    after = counts(url)
    assert after["census_observations"] - before["census_observations"] == ROWS
    return (
        elapsed,
        float(times["begin"]) - started,
        float(times["commit"]) - started,
        before,
        after,
    )


def said(stdout: str, stderr: str, code: int) -> str:
    """What the program told the person: 'saved', 'not saved' or 'unknown'."""
    assert code in (0, 3), f"exit {code}: {stderr}"
    assert "something went wrong" not in stderr and "Traceback" not in stderr, stderr
    if not stdout.strip():
        assert "could not be reached" in stderr or "was lost" in stderr, stderr
        return "not saved"  # refused at start: nothing was attempted
    (result,) = json.loads(stdout)
    if result["status"] == "imported":
        assert code == 0
        return "saved"
    assert result["try_again"] and code == 3, result
    if "whether it was saved" in result["message"]:
        return "unknown"
    assert "was not imported" in result["message"], result["message"]
    return "not saved"


def test_server_stopped_during_imports(
    stoppable_server: ThrowawayServer,
    base: str,
    files: dict[str, Path],
    tmp_path: Path,
    private_home: Path,
    capsys: pytest.CaptureFixture[str],
    record_property: pytest.RecordProperty,
) -> None:
    server = stoppable_server
    elapsed, begin_at, commit_at, before, after = whole_run(
        server, files["census"], private_home, tmp_path / "whole.marks"
    )
    transaction = commit_at - begin_at
    rng = random.Random(SEED)
    # Most stops aimed at the import transaction and the follow-up after its commit; every
    # fourth at any moment of the run. Half stop as an administrator would, half as a crash.
    plans = [
        (
            "anywhere" if n % 4 == 3 else "in transaction",
            rng.uniform(0, elapsed) if n % 4 == 3 else rng.uniform(0, transaction * 2.5),
            "fast" if n % 2 else "immediate",
            rng.uniform(0.2, 1.5),
        )
        for n in range(SERVER_STOP_TRIALS)
    ]
    tally: Counter[str] = Counter()
    wrong = 0
    for trial, (aim, delay, mode, down_for) in enumerate(plans):
        url = fresh_copy(server, BASE)
        marks = tmp_path / f"stop{trial}.marks"
        process = subprocess.Popen(
            import_command(url, files["census"]),
            env=environment(private_home) | {"CRASH_TEST_MARKS": str(marks)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        if aim == "in transaction":
            while process.poll() is None and b"begin" not in read_marks(marks):
                time.sleep(0.002)
        time.sleep(delay)
        running = process.poll() is None
        server.halt(mode)
        time.sleep(down_for)
        server.resume()
        stdout, stderr = process.communicate(timeout=120)
        claim = said(stdout, stderr, process.returncode)
        found = counts(url)
        saved = found == after
        if claim == "unknown":
            tally["could not tell"] += 1
        elif (claim == "saved") != saved or found not in (before, after):
            wrong += 1
        if not running:
            tally["finished before the stop"] += 1
        elif saved:
            tally["stopped after the commit, said saved"] += 1
        elif b"begin" in read_marks(marks):
            tally["stopped mid-import, said not saved"] += 1
        else:
            tally["stopped before the import transaction"] += 1
        checks = next_start(url, capsys)
        if "brought up to date now" in checks["follow-up work"]["detail"]:
            tally["follow-up finished at the next start"] += 1
        settled(url)
        server.drop_database(str(sa.make_url(url).database))

    summary = (
        f"server-stop test: {SERVER_STOP_TRIALS} trials, "
        f"{tally['stopped mid-import, said not saved']} stops mid-import (said not saved), "
        f"{tally['stopped after the commit, said saved']} after the commit (said saved), "
        f"{wrong} wrong answers, {tally['could not tell']} could not tell; "
        f"{tally['follow-up finished at the next start']} follow-ups finished at the next start; "
        f"{tally['stopped before the import transaction']} before the import transaction, "
        f"{tally['finished before the stop']} finished first (file of {ROWS} rows, run "
        f"{elapsed:.1f} s, transaction {begin_at:.2f} s to {commit_at:.2f} s)"
    )
    record_property("server_stop_trials", SERVER_STOP_TRIALS)
    record_property("server_stop_wrong_answers", wrong)
    with capsys.disabled():
        print(f"\n{summary}")
    assert wrong == 0 and tally["could not tell"] == 0, summary
    assert tally["stopped mid-import, said not saved"] >= SERVER_STOP_TRIALS // 4, summary


def test_imports_killed_on_a_team_database(
    stoppable_server: ThrowawayServer,
    base: str,
    files: dict[str, Path],
    tmp_path: Path,
    private_home: Path,
    capsys: pytest.CaptureFixture[str],
    record_property: pytest.RecordProperty,
) -> None:
    server = stoppable_server
    elapsed, begin_at, commit_at, before, after = whole_run(
        server, files["census"], private_home, tmp_path / "whole.marks"
    )
    rng = random.Random(SEED + 1)
    delays = [rng.uniform(0, (commit_at - begin_at) * 1.4) for _ in range(PG_KILL_TRIALS)]
    tally: Counter[str] = Counter()
    partial = 0
    for trial, delay in enumerate(delays):
        url = fresh_copy(server, BASE)
        marks = tmp_path / f"kill{trial}.marks"
        process = subprocess.Popen(
            import_command(url, files["census"]),
            env=environment(private_home) | {"CRASH_TEST_MARKS": str(marks)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        while process.poll() is None and b"begin" not in read_marks(marks):
            time.sleep(0.002)
        time.sleep(delay)
        running = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        found = counts(url)
        if found not in (before, after):
            partial += 1
        tally[
            "finished first"
            if not running
            else ("killed after the commit" if found == after else "killed mid-import")
        ] += 1
        checks = next_start(url, capsys)
        if "brought up to date now" in checks["follow-up work"]["detail"]:
            tally["follow-up finished at the next start"] += 1
        settled(url)
        code = main(["--db", url, "import", str(files["census"]), "--census-date",
                     CENSUS_DATE, "--format", "json"])  # fmt: skip
        (again,) = json.loads(capsys.readouterr().out)
        assert code == 0 and again["status"] in ("imported", "already_imported"), again
        assert counts(url) == after
        server.drop_database(str(sa.make_url(url).database))

    summary = (
        f"team-database kill test: {PG_KILL_TRIALS} trials, {tally['killed mid-import']} kills "
        f"mid-import, {partial} partial imports; {tally['killed after the commit']} after the "
        f"commit, {tally['finished first']} finished first; "
        f"{tally['follow-up finished at the next start']} follow-ups finished at the next start "
        f"(file of {ROWS} rows, run {elapsed:.1f} s)"
    )
    record_property("pg_kill_trials", PG_KILL_TRIALS)
    record_property("pg_kill_partial_imports", partial)
    with capsys.disabled():
        print(f"\n{summary}")
    assert partial == 0, summary


def test_migrate_killed_mid_transfer_leaves_a_target_a_retry_can_use(
    pg_server: Any,
    files: dict[str, Path],
    tmp_path: Path,
    private_home: Path,
    capsys: pytest.CaptureFixture[str],
    record_property: pytest.RecordProperty,
) -> None:
    source = tmp_path / "pilot.db"
    for file, day in ((files["small"], "2024-10-03"), (files["census"], CENSUS_DATE)):
        code = main(["--db", str(source), "import", str(file), "--census-date", day])
        assert code == 0, capsys.readouterr()
    capsys.readouterr()
    with open_database(source) as db, db.read() as conn:
        expected = rows_held(conn)

    def command(url: str) -> list[str]:
        return observed_command("--db", str(source), "migrate", "--to", url)

    # The copy's transaction on the team database is its second to take the write lock (the
    # first creates the schema): the observer marks it, so the kills can be aimed at it.
    aimed = {"CRASH_TEST_BEGINS_AT": "SET LOCAL LOCK_TIMEOUT", "CRASH_TEST_NTH": "2"}
    marks = tmp_path / "whole.marks"
    started = time.monotonic()
    url = pg_server.url(pg_server.create_database())
    done = subprocess.run(command(url), env=environment(private_home) | aimed | {
        "CRASH_TEST_MARKS": str(marks)}, capture_output=True, text=True, timeout=180,
        check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    elapsed = time.monotonic() - started
    times = dict(line.split() for line in marks.read_text().splitlines())
    copy = float(times["commit"]) - float(times["begin"])
    expected = _rows(source)  # the finished run recorded its migrate_out in the source

    rng = random.Random(SEED + 2)
    # Within the copy as the timed run took it (a busy machine makes some trials faster).
    delays = [rng.uniform(0, copy * 0.8) for _ in range(MIGRATE_KILL_TRIALS)]
    tally: Counter[str] = Counter()
    for trial, delay in enumerate(delays):
        with open_database(source) as db:
            source_head = verify(db).head
        url = pg_server.url(pg_server.create_database())
        marks = tmp_path / f"migrate{trial}.marks"
        process = subprocess.Popen(
            command(url), env=environment(private_home) | aimed | {"CRASH_TEST_MARKS": str(marks)},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        while process.poll() is None and b"begin" not in read_marks(marks):
            time.sleep(0.002)
        time.sleep(delay)
        running = process.poll() is None
        process.send_signal(signal.SIGKILL)
        _, failure = process.communicate(timeout=60)
        assert process.returncode in (0, -signal.SIGKILL), failure
        with open_database(url) as target, target.read() as conn:
            held = rows_held(conn)
        whole = {**expected, "audit_log": expected["audit_log"] + 1}
        with open_database(source) as db:
            last = list_entries(db)[-1]
        name = str(sa.make_url(url).database)
        finished = last.action == "migrate_out" and name in str(last.target)
        running = running and not finished
        if not running:
            tally["finished first"] += 1
        elif held == whole:
            tally["killed after the copy committed"] += 1
        else:
            assert not any(held.values()), f"a killed copy left rows behind: {held}"
            tally["killed mid-transfer, target empty"] += 1
        capsys.readouterr()
        code = main(["--db", str(source), "migrate", "--to", url, "--format", "json"])
        out, err = capsys.readouterr()
        if not running:
            assert code == 2 and "already holds data" in err, (held == whole, out, err)
        else:
            assert code == 0, err
            result = json.loads(out)
            assert result["resumed"] is (held == whole)
            with open_database(url) as target:
                checked = verify(target)
                assert checked.ok and checked.rows_checked == expected["audit_log"] + 1
            with open_database(source) as db:
                last = list_entries(db)[-1]
                assert last.action == "migrate_out" and name in str(last.target)
                assert verify(db).head != source_head
        expected = _rows(source)

    summary = (
        f"migrate kill test: {MIGRATE_KILL_TRIALS} trials, "
        f"{tally['killed mid-transfer, target empty']} kills mid-transfer (target left empty), "
        f"{tally['killed after the copy committed']} after the copy committed (resumed), "
        f"{tally['finished first']} finished first; every retry succeeded (run {elapsed:.1f} s, "
        f"copy {copy:.2f} s)"
    )
    record_property("migrate_kill_trials", MIGRATE_KILL_TRIALS)
    with capsys.disabled():
        print(f"\n{summary}")
    assert tally["killed mid-transfer, target empty"] >= 1, summary


def _rows(source: Path) -> dict[str, int]:
    with open_database(source) as db, db.read() as conn:
        return rows_held(conn)


def test_a_copy_committed_but_not_yet_recorded_in_the_source_is_resumed(
    pg_url: str, files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The moment the timed trials rarely hit: the target's transaction committed, then the
    process died before the source recorded `migrate_out`."""
    source = tmp_path / "pilot.db"
    assert main(["--db", str(source), "import", str(files["small"]), "--census-date",
                 "2024-10-03"]) == 0  # fmt: skip
    with open_database(source) as db, open_database(pg_url) as target:
        copy_database(db, target, account="LA\\admin1")
    capsys.readouterr()
    assert main(["--db", str(source), "migrate", "--to", pg_url]) == 0
    out = capsys.readouterr().out
    assert "already held a whole copy" in out and "the source now records the copy" in out
    with open_database(source) as db:
        assert [e.action for e in list_entries(db)][-1] == "migrate_out"
    assert main(["--db", str(source), "migrate", "--to", pg_url]) == 2
    assert "already holds data" in capsys.readouterr().err
