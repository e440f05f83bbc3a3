"""The `child` and `flags` commands on the worked-example authority: their JSON contracts, the
text story, former UPNs and plain refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exclusion_monitor.store import open_database
from tests.core import example_authority as story
from ui.cli.main import main


@pytest.fixture
def example_db(tmp_path: Path) -> tuple[Path, story.Example]:
    path = tmp_path / "authority.db"
    db = open_database(path)
    example = story.build(db)
    db.close()
    return path, example


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_flags_json_lists_every_flagged_child(
    capsys: pytest.CaptureFixture[str], example_db: tuple[Path, story.Example]
) -> None:
    path, _ = example_db
    code, out, _ = run(capsys, "--db", str(path), "flags", "--format", "json")
    rows = json.loads(out)
    assert code == 0
    assert {r["forename"]: set(r["rules"]) for r in rows} == story.EXPECTED
    for row in rows:
        assert set(row) >= {
            "upn",
            "surname",
            "forename",
            "school_laestab",
            "family_id",
            "rules",
            "reasons",
        }
        assert len(row["reasons"]) == len(row["rules"])
    dan = next(r for r in rows if r["forename"] == "Dan")
    ella = next(r for r in rows if r["forename"] == "Ella")
    assert dan["family_id"] is not None and dan["family_id"] == ella["family_id"]


def test_flags_as_of_an_earlier_date_and_csv_and_table(
    capsys: pytest.CaptureFixture[str], example_db: tuple[Path, story.Example]
) -> None:
    path, _ = example_db
    code, out, _ = run(
        capsys, "--db", str(path), "flags", "--as-of", "2023-12-31", "--format", "json"
    )
    earlier = {r["forename"] for r in json.loads(out)}
    assert code == 0 and "Cara" not in earlier and "Kai" not in earlier
    code, out, _ = run(capsys, "--db", str(path), "flags", "--format", "csv")
    lines = out.splitlines()
    assert lines[0] == "upn,surname,forename,school_laestab,family_id,rules,reasons"
    assert len(lines) == 1 + len(story.EXPECTED)
    code, out, _ = run(capsys, "--db", str(path), "flags", "--rule", "missing_from_roll")
    assert code == 0 and "Holloway" in out and "Dunmore" not in out
    code, _, err = run(capsys, "--db", str(path), "flags", "--rule", "naughty")
    assert code == 2 and "There is no rule called 'naughty'" in err


def test_child_json_has_the_contract_keys(
    capsys: pytest.CaptureFixture[str], example_db: tuple[Path, story.Example]
) -> None:
    path, example = example_db
    code, out, _ = run(capsys, "--db", str(path), "child", example.upns["Finn"], "--format", "json")
    data = json.loads(out)
    assert code == 0
    for key in (
        "upn",
        "former_upns",
        "surname",
        "forename",
        "date_of_birth",
        "sex",
        "enrolments",
        "census",
        "moves",
        "exclusions",
        "flags",
        "family",
    ):
        assert key in data
    assert [e["school_laestab"] for e in data["enrolments"]] == ["3304001", "3304002", "3304003"]
    assert set(data["enrolments"][0]) >= {"school_laestab", "school_name", "phase", "start", "end"}
    assert [m["kind"] for m in data["moves"]] == ["non_standard", "non_standard"]
    assert data["moves"][0] == {
        "date": "2023-01-18",
        "from_laestab": "3304001",
        "to_laestab": "3304002",
        "kind": "non_standard",
    }
    assert {k: data["census"][0][k] for k in ("census_date", "school_laestab", "nc_year")} == {
        "census_date": "2021-10-05",
        "school_laestab": "3304001",
        "nc_year": "7",
    }
    assert data["census"][0]["enrol_status"] == "C"
    assert {f["rule"] for f in data["flags"]} == {"high_mobility", "many_secondary_schools"}
    assert all(f["reason"] and f["evidence"] for f in data["flags"])


def test_child_found_by_a_temporary_upn_and_its_story(
    capsys: pytest.CaptureFixture[str], example_db: tuple[Path, story.Example]
) -> None:
    path, example = example_db
    code, out, _ = run(
        capsys, "--db", str(path), "child", example.jay_temporary_upn.lower(), "--format", "json"
    )
    data = json.loads(out)
    assert code == 0 and data["upn"] == example.upns["Jay"]
    assert data["former_upns"] == [example.jay_temporary_upn]
    code, out, _ = run(capsys, "--db", str(path), "child", example.upns["Dan"])
    assert code == 0
    assert out.startswith(f"Dan Dunmore  (UPN {example.upns['Dan']})")
    assert (
        "Dan has been on the roll of 1 school, made 0 non-standard moves, and has had 3 suspensions"
        in out
    )
    assert "Beech School (3304003), secondary, Year 7 to Year 9" in out
    assert "  Spring 2024: 1 suspension, 2 sessions lost" in out
    assert "Repeated suspensions [new]: 3 suspensions in the last 3 terms" in out
    assert "Ella Dunmore" in out and "primary_exclusion" in out
    code, out, _ = run(capsys, "--db", str(path), "child", example.upns["Aisha"])
    assert "academy conversion (not a move)" in out and "standard transition" in out
    assert "\nFlags\n  (none)\n" in out


def test_unknown_upn_is_one_plain_sentence(
    capsys: pytest.CaptureFixture[str], example_db: tuple[Path, story.Example]
) -> None:
    path, _ = example_db
    code, out, err = run(capsys, "--db", str(path), "child", "B801200005001")
    assert code == 2 and out == ""
    assert (
        err.strip()
        == "exclusion-monitor: No child has the UPN B801200005001, as a current or former UPN."
    )
