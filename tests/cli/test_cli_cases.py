"""A child's case through the real command line: shown, changed, refused, audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exclusion_monitor import identity
from exclusion_monitor.roles import Action
from exclusion_monitor.store import audit, open_database
from exclusion_monitor.store.users import claim_first_admin
from tests.core import example_authority as story
from ui.cli.main import main

ADMIN = "LA\\admin1"


@pytest.fixture
def town(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, story.Example]:
    monkeypatch.setattr(identity, "os_account", lambda: ADMIN)
    path = tmp_path / "cases.db"
    db = open_database(path)
    built = story.build(db)
    claim_first_admin(db, ADMIN)
    db.close()
    return str(path), built


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_case_is_shown_changed_and_every_change_audited(
    town: tuple[str, story.Example], capsys: pytest.CaptureFixture[str]
) -> None:
    db, example = town
    upn = example.upns["Lee"]
    assert (
        run(capsys, "--db", db, "users", "add", "LA\\sp", "--role", "officer", "--name", "S P")[0]
        == 0
    )
    code, out, _ = run(capsys, "--db", db, "case", upn, "--format", "json")
    assert code == 0
    shown = json.loads(out)
    assert (shown["status"], shown["officer"], shown["notes"], shown["history"]) == (
        "new",
        None,
        [],
        [],
    )
    code, out, _ = run(
        capsys, "--db", db, "case", upn.lower(), "--status", "Under review", "--assign", "la\\SP",
        "--note", "Spoke to the school's DSL.", "--format", "json",
    )  # fmt: skip
    assert code == 0
    case = json.loads(out)
    assert (case["status"], case["officer"]) == ("under_review", "LA\\sp")
    assert [n["text"] for n in case["notes"]] == ["Spoke to the school's DSL."]
    assert [h["what"] for h in case["history"]] == ["status", "officer", "note"]
    # The same again changes nothing and writes no row.
    code, out, _ = run(capsys, "--db", db, "case", upn, "--status", "under_review")
    assert code == 0 and out.startswith("Nothing to change")
    # The flags list shows the case on every flag of the child.
    code, out, _ = run(capsys, "--db", db, "flags", "--format", "json")
    lee = next(c for c in json.loads(out) if c["upn"] == upn)
    assert {f["status"] for f in lee["flags"]} == {"under_review"}
    database = open_database(Path(db))
    rows = audit.list_entries(database, action=Action.CHANGE_FLAG_STATUS)
    assert [(r.target, r.detail["changed"]) for r in rows if r.detail] == [
        (upn, ["status", "officer", "note"])
    ]
    assert all("DSL" not in str(e.detail) for e in audit.list_entries(database))
    database.close()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--status", "closed"], "A note is needed for closing a case"),
        (["--status", "no further action", "--note", "  "], "--note is empty"),
        (["--status", "shelved"], "'shelved' is not a case status"),
        (["--assign", "Somebody Typed"], "'Somebody Typed' is not a user"),
    ],
)
def test_a_change_that_cannot_be_made_is_refused_in_a_sentence_and_changes_nothing(
    town: tuple[str, story.Example], capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    db, example = town
    code, _, err = run(capsys, "--db", db, "case", example.upns["Lee"], *args)
    assert code == 2 and said in err and "Traceback" not in err
    code, out, _ = run(capsys, "--db", db, "case", example.upns["Lee"], "--format", "json")
    assert json.loads(out)["history"] == []


def test_a_viewer_reads_a_case_but_cannot_change_it(
    town: tuple[str, story.Example],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db, example = town
    assert run(capsys, "--db", db, "users", "add", "LA\\viewer", "--role", "viewer")[0] == 0
    monkeypatch.setattr(identity, "os_account", lambda: "LA\\viewer")
    assert run(capsys, "--db", db, "case", example.upns["Lee"])[0] == 0
    code, _, err = run(capsys, "--db", db, "case", example.upns["Lee"], "--note", "hello")
    assert code != 0 and "role" in err
