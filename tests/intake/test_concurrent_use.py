"""Two people at once on one database (two processes, as two desktops would be): imports of
different files both land, and status changes to the same flag are all kept.

The conflict rule for reviews: writers queue for the database's one write lock, so each change is
made against the flag as the previous one left it; the last change to commit is the flag's status,
and every change, whoever made it, stays in the flag's review history.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.access import require
from exclusion_monitor.flagging import recompute_flags
from exclusion_monitor.roles import Action
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.audit import verify
from exclusion_monitor.store.batches import list_batches
from exclusion_monitor.store.checks import run_checks
from tests.core import example_authority as story
from tests.support.cases import case_of, history_of, notes_of

from .conftest import CENSUS_HEADERS, census_row, write_csv

ADMIN = "LA\\team.admin"


def _run_together(script: str, *args: list[str]) -> None:
    """Start one process per argument list at once and wait for all of them."""
    workers = [
        subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *a], cwd=Path.cwd())
        for a in args
    ]
    assert [w.wait(timeout=300) for w in workers] == [0] * len(workers)


def test_two_imports_of_different_files_at_once_both_land(tmp_path: Path, db: Any) -> None:
    require(db, ADMIN, Action.IMPORT_FILE)  # the first user becomes the admin
    files = []
    for n, school in enumerate(("3304002", "3304003")):
        rows = [census_row(1000 * (n + 1) + i, laestab=school) for i in range(60)]
        files.append(str(write_csv(tmp_path / f"school{n}.csv", CENSUS_HEADERS, rows)))
    _run_together(
        f"""
        import sys
        from operations import ImportRequest, run_imports
        from exclusion_monitor.store import open_database
        from pathlib import Path
        db = open_database({db.location!r})
        (result,) = run_imports(db, [ImportRequest(Path(sys.argv[1]), "census", None)],
                                account={ADMIN!r}).value
        assert result.rows_imported == 60, result
        db.close()
        """,
        [files[0]],
        [files[1]],
    )
    assert sorted(b.file_name for b in list_batches(db)) == ["school0.csv", "school1.csv"]
    with db.read() as conn:
        children = conn.execute(sa.select(sa.func.count()).select_from(t.children)).scalar()
        census = conn.execute(sa.select(sa.func.count()).select_from(t.census_observations))
        assert children == 120 and census.scalar() == 120
    assert all(check.ok for check in run_checks(db)), run_checks(db)
    assert verify(db).ok


def test_changes_to_one_case_at_once_are_all_kept_and_the_last_wins(db: Any) -> None:
    story.build(db)
    recompute_flags(db, as_of=story.AS_OF)
    with db.read() as conn:
        child_id = conn.execute(sa.select(sa.func.min(t.flags.c.child_id))).scalar_one()
    _run_together(
        f"""
        import sys
        from exclusion_monitor.store import open_database
        from exclusion_monitor.store.cases import change_case
        db = open_database({db.location!r})
        account, first, second = sys.argv[1:]
        for i in range(15):
            with db.write() as conn:
                status = first if i % 2 == 0 else second
                done = change_case(conn, {child_id}, account, status=status, note=f"{{i}}")
                assert "note" in done.changed
        db.close()
        """,
        ["LA\\officer1", "under_review", "referred"],
        ["LA\\officer2", "no_further_action", "closed"],
    )
    history = history_of(db, child_id)
    notes = [e for e in history if e.what == "note"]
    assert len(notes) == 30 and len(notes_of(db, child_id)) == 30
    assert [e.account for e in notes].count("LA\\officer1") == 15
    assert [e.account for e in notes].count("LA\\officer2") == 15
    last = [e for e in history if e.what == "status"][-1]
    assert case_of(db, child_id).status == last.new_value
