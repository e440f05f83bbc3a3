"""The worked example told through the intake: the story's authority, written out as the
spreadsheets schools send, imported into an empty database, flags exactly the children the story
says, each for the stated reasons, and no other."""

from __future__ import annotations

from pathlib import Path

from exclusion_monitor.flagging import flag_list, recompute_flags
from exclusion_monitor.store import open_database
from exclusion_monitor.store.children import child_id_for_upn
from operations import run_imports
from tests.core import example_authority
from tests.intake.returns_from_store import write_returns

ACCOUNT = "TESTDOMAIN\\liaison1"


def test_worked_example_through_the_intake(tmp_path: Path) -> None:
    told = open_database(tmp_path / "told.db")
    example = example_authority.build(told)
    requests = write_returns(told, tmp_path / "returns")
    recompute_flags(told)
    told_flags = {(c.upn, f.rule, f.reason) for c in flag_list(told) for f in c.flags}
    assert told_flags
    told.close()

    db = open_database(tmp_path / "imported.db")
    results = run_imports(db, requests, account=ACCOUNT).value
    assert [r.status for r in results] == ["imported"] * len(requests), [
        (r.file, r.message) for r in results if r.status != "imported"
    ]
    assert sum(r.rows_rejected for r in results) == 0

    flagged = {c.upn: set(c.rules) for c in flag_list(db)}
    by_name = {name: flagged.get(example.upns[name], set()) for name in example.upns}
    for name, rules in example_authority.EXPECTED.items():
        assert by_name[name] == rules, name
    for name in example_authority.NOT_FLAGGED:
        assert by_name[name] == set(), name
    # The same reasons, word for word, as in the database the story was built in.
    imported_flags = {(c.upn, f.rule, f.reason) for c in flag_list(db) for f in c.flags}
    assert imported_flags == told_flags
    # Jay's temporary UPN on his first census and the permanent one after: one child.
    assert child_id_for_upn(db, example.jay_temporary_upn) == child_id_for_upn(
        db, example.upns["Jay"]
    )
    db.close()
