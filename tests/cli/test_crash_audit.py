"""The work and its audit row commit together: the real command line is killed (SIGKILL) just
as it writes the audit row of an import or an undo, and again just after that transaction
commits; the database then holds both the work and its row, or neither, and the chain verifies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from exclusion_monitor.store import audit, open_database
from exclusion_monitor.store import schema as t
from imports.demo import write_census_workbook
from tests.support.crash import killed_command

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

CENSUS_DATE = "2025-01-16"


def _run(
    db: Path, *argv: str, kill: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if kill is not None:
        env |= {
            "CRASH_TEST_KILL_AT": "INSERT INTO AUDIT_LOG",
            "CRASH_TEST_KILL_HOLDING": kill["action"],
            "CRASH_TEST_KILL_WHEN": kill["when"],
        }
        command = killed_command("--db", str(db), *argv)
    else:
        command = [sys.executable, "-m", "ui", "--db", str(db), *argv]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=180, check=False
    )


def _state(db: Path) -> tuple[list[str], list[str]]:
    """The batches' statuses, and the actions of the audit rows, after the kill."""
    with open_database(db) as opened:
        assert audit.verify(opened).ok
        with opened.read() as conn:
            batches = [str(s) for s in conn.scalars(sa.select(t.import_batches.c.status))]
            actions = [str(a) for a in conn.scalars(sa.select(t.audit_log.c.action))]
    return batches, actions


@pytest.fixture
def census(tmp_path: Path) -> Path:
    return write_census_workbook(tmp_path / "census.xlsx", rows=40, seed=3)[1]


@pytest.mark.parametrize("when", ["before", "after_commit"])
def test_a_killed_import_keeps_its_file_and_its_audit_row_together(
    tmp_path: Path, census: Path, when: str
) -> None:
    db = tmp_path / "team.db"
    killed = _run(
        db, "import", str(census), "--census-date", CENSUS_DATE,
        kill={"action": "import_file", "when": when},
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    batches, actions = _state(db)
    if when == "before":  # killed as the audit row was being written: neither is there
        assert batches == [] and "import_file" not in actions
    else:  # killed after the commit: both are there
        assert batches == ["imported"] and actions.count("import_file") == 1


@pytest.mark.parametrize("when", ["before", "after_commit"])
def test_a_killed_undo_keeps_its_removal_and_its_audit_row_together(
    tmp_path: Path, census: Path, when: str
) -> None:
    db = tmp_path / "team.db"
    done = _run(db, "import", str(census), "--census-date", CENSUS_DATE)
    assert done.returncode == 0, done.stderr
    with open_database(db) as opened, opened.read() as conn:
        children = conn.execute(sa.select(sa.func.count()).select_from(t.children)).scalar()
    assert children == 40
    killed = _run(db, "undo", "1", kill={"action": "undo_batch", "when": when})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    batches, actions = _state(db)
    with open_database(db) as opened, opened.read() as conn:
        left = conn.execute(sa.select(sa.func.count()).select_from(t.children)).scalar()
    if when == "before":
        assert batches == ["imported"] and "undo_batch" not in actions and left == 40
    else:
        assert batches == ["undone"] and actions.count("undo_batch") == 1 and left == 0
