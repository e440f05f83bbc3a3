"""Unclear failures and false success on the command line, through the real commands and on both
engines: a mistyped --db, a busy database, a damaged file, the exit codes, and no cell value in
the log (issue 20 items 17, 18 and 19; docs/output-and-failures.md)."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from exclusion_monitor import identity
from exclusion_monitor.access import require
from exclusion_monitor.logging_setup import LOG_FILE_NAME
from exclusion_monitor.roles import Action
from exclusion_monitor.store import database
from exclusion_monitor.store.dialect import APPLICATION_ID
from exclusion_monitor.upn import check_letter
from ui.cli.main import main

# A surname no code, message or path contains: if it reaches the log, a cell value did.
DISTINCTIVE = "Quizzlewhorp"
HEADERS = ["UPN", "Surname", "Forename", "Date of birth", "Sex", "NC year", "LAESTAB"]
READING = [
    ["children"],
    ["child", "B801200005001"],
    ["flags"],
    ["report", "flags", "--out", "{tmp}/flags.pdf"],
    ["report", "dashboard", "--out", "{tmp}/dashboard.pdf"],
    ["export", "flags", "--out", "{tmp}/flags.xlsx"],
    ["check"],
    ["audit"],
    ["audit", "--verify"],
    ["batches"],
    ["batches", "--rejected", "1", "--out", "{tmp}/rejected.xlsx"],
    ["undo", "1"],
    ["users"],
    ["backup"],
    ["backups"],
    ["retention"],
    ["migrate", "--to", "postgresql://nobody@/nowhere"],
]


def upn(serial: int) -> str:
    body = f"330400215{serial:03d}"
    return check_letter(body) + body


def census(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def good_rows(count: int) -> list[list[str]]:
    return [
        [upn(i), "Tester", f"Kid{i}", "01/03/2013", "M", "4", "3304002"]
        for i in range(1, count + 1)
    ]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "os_account", lambda: "LA\\admin1")


# --- a mistyped --db -------------------------------------------------------------------------


@pytest.mark.parametrize("argv", READING, ids=lambda a: " ".join(a[:2]))
def test_a_mistyped_database_file_is_refused_and_never_created(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    mistyped = tmp_path / "exclusion-monitr.db"
    args = [a.format(tmp=tmp_path) for a in argv]
    code, out, err = cli(capsys, "--db", str(mistyped), *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"exclusion-monitor: There is no database at {mistyped}. Check the path")
    assert "only `import`, `demo` and the app's first start create a new database" in err
    assert list(tmp_path.iterdir()) == []  # no database, no WAL, no output file


def test_a_mistyped_database_in_the_environment_or_folder_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXCLUSION_MONITOR_DB", str(tmp_path / "typo.db"))
    code, _, err = cli(capsys, "children")
    assert code == 2 and f"There is no database at {tmp_path / 'typo.db'}" in err
    code, _, err = cli(capsys, "--db", str(tmp_path / "no-such-folder" / "x.db"), "flags")
    assert code == 2 and f"the folder {tmp_path / 'no-such-folder'} does not exist" in err
    assert list(tmp_path.iterdir()) == []


def test_an_empty_team_database_is_refused_by_every_reading_command(
    capsys: pytest.CaptureFixture[str], pg_url: str, pg_server: Any, tmp_path: Path
) -> None:
    for argv in READING:
        if argv[0] in ("backup", "backups"):
            continue  # a team database's backups are the server's (their own refusal)
        args = [a.format(tmp=tmp_path) for a in argv]
        code, out, err = cli(capsys, "--db", pg_url, *args)
        assert (code, out) == (2, ""), argv
        assert "There is no Exclusion Monitor database at postgresql://" in err, (argv, err)
    name = sa.make_url(pg_url).database
    with psycopg.connect(
        host=str(pg_server.socket_dir), port=5432, user="postgres", dbname=name
    ) as raw:
        tables = raw.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)
    assert list(tmp_path.iterdir()) == []


def test_import_creates_a_database_and_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "new.db"
    file = census(tmp_path / "census.csv", good_rows(2))
    code, out, err = cli(capsys, "--db", str(path), "import", str(file), "--census-date",
                         "2024-01-18")  # fmt: skip
    assert code == 0, err
    assert f"exclusion-monitor: created a new database at {path}." in err
    assert "2 imported" in out
    code, out, err = cli(capsys, "--db", str(path), "users", "--format", "json")
    assert code == 0 and "created a new database" not in err
    assert [(u["account"], u["role"]) for u in json.loads(out)] == [("LA\\admin1", "admin")]


# --- a busy database -------------------------------------------------------------------------


@pytest.fixture
def holding_the_write_lock(db: Any, db_location: str) -> Iterator[str]:
    """Another process's import, as the database sees it: its write lock held throughout."""
    require(db, "LA\\admin1", Action.SEARCH)  # the first user, made admin before the lock
    if db.is_sqlite:
        holder = sqlite3.connect(db_location, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        yield db_location
        holder.execute("ROLLBACK")
        holder.close()
        return
    url = db.engine.url.set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [APPLICATION_ID])
        yield db_location
        holder.rollback()


def test_a_busy_database_says_so_after_a_bounded_wait(
    capsys: pytest.CaptureFixture[str],
    holding_the_write_lock: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 300)
    location = holding_the_write_lock
    file = census(tmp_path / "census.csv", good_rows(3))
    for argv in (
        ["import", str(file), "--census-date", "2024-01-18"],
        ["users", "add", "LA\\officer2", "--role", "officer"],
        ["children"],  # reading, then its audit row waits for the lock
    ):
        code, out, err = cli(capsys, "--db", location, *argv)
        assert code == 3, (argv, out, err)
        said = out + err
        assert "the database is busy (another import is running); try again" in said, said
        assert "Waited 0.3 seconds" in said and "Nothing was changed" in said
        assert "something went wrong" not in said and "unexpected" not in said
    code, out, _ = cli(capsys, "--db", location, "import", str(file), "--census-date",
                       "2024-01-18", "--format", "json")  # fmt: skip
    (result,) = json.loads(out)
    assert (result["status"], result["try_again"]) == ("refused", True)


def test_after_the_lock_is_released_the_import_goes_through(
    capsys: pytest.CaptureFixture[str], db: Any, db_location: str, tmp_path: Path
) -> None:
    file = census(tmp_path / "census.csv", good_rows(3))
    code, out, err = cli(capsys, "--db", db_location, "import", str(file), "--census-date",
                         "2024-01-18")  # fmt: skip
    assert code == 0 and "3 imported" in out, err


# --- damaged files, exit codes -----------------------------------------------------------------


@pytest.mark.sqlite_only
def test_check_on_a_damaged_database_is_a_failed_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "x.db"
    file = census(tmp_path / "census.csv", good_rows(400))
    assert main(["--db", str(path), "import", str(file), "--census-date", "2024-01-18"]) == 0
    main(["--db", str(path), "check"])  # folds the WAL into the file
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.seek(size // 2)
        handle.write(b"\xff" * 8192)
    capsys.readouterr()
    code, out, err = cli(capsys, "--db", str(path), "check", "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and err == ""
    assert (
        report["checks"][0]["name"] == "integrity" and "is damaged" in report["checks"][0]["detail"]
    )
    code, out, _ = cli(capsys, "--db", str(path), "check")
    assert code == 1 and "[FAIL] integrity" in out and out.endswith("Some checks failed.\n")
    code, _, err = cli(capsys, "--db", str(path), "children")
    assert code == 2 and "is damaged" in err  # other commands refuse it


def test_the_exit_codes_are_in_the_help_and_the_docs(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    helped = capsys.readouterr().out
    docs = (Path(__file__).resolve().parents[2] / "docs" / "output-and-failures.md").read_text()
    for code in ("0", "1", "2", "3", "70", "130"):
        assert f"\n  {code} " in helped, code
        assert f"| {code} |" in docs, code


# --- no cell value in the log ------------------------------------------------------------------


def test_no_failure_writes_a_cell_value_into_the_log(
    capsys: pytest.CaptureFixture[str],
    db: Any,
    db_location: str,
    tmp_path: Path,
    private_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    location = db_location
    rows = [[upn(1), DISTINCTIVE, "Ann", "31/02/2013", "F", "4", "3304002"], *good_rows(2)]
    # A row rejected for a value; a file refused whole; a failure inside the intake whose
    # message quotes the cell; a busy database.
    rejected = census(tmp_path / "rejected.csv", rows)
    refused = tmp_path / "refused.csv"
    refused.write_text(f"Pupil name,Notes\n{DISTINCTIVE},{DISTINCTIVE}\n", encoding="utf-8")
    assert cli(capsys, "--db", location, "import", str(rejected), "--census-date",
               "2024-01-18")[0] == 0  # fmt: skip
    assert cli(capsys, "--db", location, "import", str(refused))[0] == 2

    import imports.pipeline

    def choke(*_a: object, **_k: object) -> None:
        raise ValueError(f"invalid literal for surname: {DISTINCTIVE!r}")

    monkeypatch.setattr(imports.pipeline, "load", choke)
    failing = census(tmp_path / "failing.csv", [[upn(9), DISTINCTIVE, "Bo", "01/03/2013", "M",
                                                "4", "3304002"]])  # fmt: skip
    code, out, err = cli(capsys, "--db", location, "import", str(failing), "--census-date",
                         "2024-01-18")  # fmt: skip
    assert code == 2 and "unexpected problem" in out + err
    monkeypatch.undo()
    monkeypatch.setattr(identity, "os_account", lambda: "LA\\admin1")

    with db.write() as conn:  # a database error whose detail would quote the value
        conn.execute(sa.text("CREATE TABLE guard (name VARCHAR(200) UNIQUE)"))
        conn.execute(sa.text("INSERT INTO guard VALUES (:n)"), {"n": DISTINCTIVE})
    with pytest.raises(sa.exc.IntegrityError) as duplicate, db.write() as conn:
        conn.execute(sa.text("INSERT INTO guard VALUES (:n)"), {"n": DISTINCTIVE})
    import logging

    logging.getLogger("ui.cli.main").error("unexpected error", exc_info=duplicate.value)

    logged = (private_home / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "Traceback" in logged and "ValueError" in logged  # the failures were logged ...
    assert DISTINCTIVE not in logged  # ... without the value that caused them
    assert DISTINCTIVE.lower() not in logged.lower()


def test_every_claim_in_the_docs_names_a_test_that_exists() -> None:
    """docs/output-and-failures.md backs each claim with named tests: they must exist."""
    root = Path(__file__).resolve().parents[2]
    docs = (root / "docs" / "output-and-failures.md").read_text(encoding="utf-8")
    table = docs.split("## The claims and the tests that back them", 1)[1]
    named = 0
    for line in table.splitlines()[2:]:
        cells = line.split("|")
        if len(cells) < 3:
            continue
        current: Path | None = None
        for name in re.findall(r"`([^`]+)`", cells[2]):
            file, _, test = name.rpartition("::")
            if file:
                current = root / file
            assert current is not None and current.is_file(), name
            assert f"def {test}(" in current.read_text(encoding="utf-8"), name
            named += 1
    assert named >= 30
