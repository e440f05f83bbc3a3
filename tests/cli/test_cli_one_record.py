"""One record across returns through the real command line, on both engines: `import` (the
result's warnings and merges), `child --format json` and text, `flags --format json`,
`batches`, `undo` and `check`, for a late Former UPN, an amended return and a links file
arriving after both returns of a converted school."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.intake import arriving_returns as returns
from ui.cli.main import main


def cli(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> tuple[int, Any]:
    code = main(["--db", db, *argv])
    out, _ = capsys.readouterr()
    return code, json.loads(out) if "json" in argv else out


def imported(capsys: pytest.CaptureFixture[str], db: str, path: Path) -> dict[str, Any]:
    code, (result,) = cli(capsys, db, "import", str(path), "--format", "json")
    assert code == 0 and result["status"] == "imported", result
    return dict(result)


def test_a_late_former_upn_from_import_to_undo(
    tmp_path: Path, db: Any, db_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    files = returns.late_former_upn(tmp_path)
    # Neither child alone has three suspensions; the one child they are has.
    returns.add_suspensions(
        files.spring_exclusions, returns.TEMPORARY, "Amelia-Rose", ["20/11/2023"]
    )
    for path in files.files[:3]:
        imported(capsys, db_location, path)
    _, check = cli(capsys, db_location, "check", "--format", "json")
    assert check["ok"] and check["identity_reviews"]["open"] == 1
    assert check["identity_reviews"]["oldest"]["batch_id"] == 3
    assert not check["identity_reviews"]["oldest"]["former_upn"]
    repeated = ("flags", "--rule", "repeated_suspensions", "--format", "json")
    _, flags = cli(capsys, db_location, *repeated)
    assert flags == []

    spring = imported(capsys, db_location, files.spring_census)
    assert [m["row"] for m in spring["merges"]] == [2]
    assert "merged into one child on this Former UPN" in spring["warnings"][0]
    _, child = cli(capsys, db_location, "child", returns.TEMPORARY, "--format", "json")
    assert child["upn"] == returns.PERMANENT and child["former_upns"] == [returns.TEMPORARY]
    assert [(e["start_date"], e["sessions"]) for e in child["exclusions"]] == [
        ("2023-11-10", 2.0), ("2023-11-20", 1.0), ("2024-02-05", 6.0),
    ]  # fmt: skip
    assert [c["census_date"] for c in child["census"]] == ["2023-10-05", "2024-01-18"]
    _, flags = cli(capsys, db_location, *repeated)
    assert [(f["upn"], f["rules"]) for f in flags] == [
        (returns.PERMANENT, ["repeated_suspensions"])
    ]
    _, check = cli(capsys, db_location, "check", "--format", "json")
    assert check["identity_reviews"] == {"open": 0, "oldest": None}
    _, batches = cli(capsys, db_location, "batches", "--format", "json")
    assert batches[0]["file"] == files.spring_census.name
    assert batches[0]["warnings"] == spring["warnings"]

    code, out = cli(capsys, db_location, "undo", str(spring["batch_id"]))
    assert code == 0 and out.startswith(f"Undid batch {spring['batch_id']}")
    _, child = cli(capsys, db_location, "child", returns.TEMPORARY, "--format", "json")
    assert child["upn"] == returns.TEMPORARY and child["former_upns"] == []
    assert len(child["exclusions"]) == 2
    _, child = cli(capsys, db_location, "child", returns.PERMANENT, "--format", "json")
    assert child["former_upns"] == [] and len(child["exclusions"]) == 2
    _, flags = cli(capsys, db_location, *repeated)
    assert flags == []
    code, text = cli(capsys, db_location, "check")
    assert code == 0
    assert "[ok] identity reviews: 1 pair of children waits for an officer's decision" in text
    # Both the merge and its undoing are in the audit trail, by child id and UPN, not by name.
    trail = []
    for action in ("merge_children", "split_children"):
        _, audit = cli(capsys, db_location, "audit", "--action", action, "--format", "json")
        trail += audit["entries"]
    merged, split = trail
    assert merged["target"] == split["target"] == f"child:{spring['merges'][0]['kept_child']}"
    assert merged["detail"]["upn"] == returns.PERMANENT
    assert merged["detail"]["batch"] == split["detail"]["batch"] == spring["batch_id"]
    assert "Khan" not in json.dumps(trail) and "Amelia" not in json.dumps(trail)


def test_an_amended_return_from_import_to_undo(
    tmp_path: Path, db: Any, db_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    files = returns.amended_return(tmp_path)
    imported(capsys, db_location, files.autumn_census)
    spring = imported(capsys, db_location, files.spring_exclusions)
    summer = imported(capsys, db_location, files.summer_exclusions)
    assert [w.endswith("(row 2)") for w in summer["warnings"]] == [True, False]
    _, child = cli(capsys, db_location, "child", returns.TOM, "--format", "json")
    first, second = child["exclusions"]
    assert (first["sessions"], first["reasons"], first["end_date"]) == (
        6.0, ["VA", "PA"], "2023-11-09",
    )  # fmt: skip
    assert first["amended"] is True and second["amended"] is False
    (earlier,) = first["history"]
    assert earlier["batch_id"] == spring["batch_id"]
    assert earlier["file"] == files.spring_exclusions.name
    assert earlier["values"] == {"sessions": "4", "reasons": "VA", "end date": None}
    _, text = cli(capsys, db_location, "child", returns.TOM)
    assert (
        f"      amended: batch {spring['batch_id']} ({files.spring_exclusions.name}), imported "
        in text
    )
    assert "said sessions 4, reasons VA, end date blank" in text

    # The summer return says Ivy's permanent exclusion was reversed on review: it counts no more.
    _, ivy = cli(capsys, db_location, "child", returns.IVY, "--format", "json")
    (perm,) = ivy["exclusions"]
    assert (perm["review_outcome"], perm["reversed_on_review"], perm["amended"]) == (
        "Reinstated", True, True,
    )  # fmt: skip

    cli(capsys, db_location, "undo", str(summer["batch_id"]))
    _, child = cli(capsys, db_location, "child", returns.TOM, "--format", "json")
    first = child["exclusions"][0]
    assert (first["sessions"], first["reasons"], first["amended"]) == (4.0, ["VA"], False)
    _, ivy = cli(capsys, db_location, "child", returns.IVY, "--format", "json")
    (perm,) = ivy["exclusions"]
    assert (perm["review_outcome"], perm["reversed_on_review"]) == (None, False)


def test_a_links_file_after_both_returns_of_a_converted_school(
    tmp_path: Path, db: Any, db_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    files = returns.conversion(tmp_path)
    for path in (files.gias, files.summer_return, files.autumn_return):
        imported(capsys, db_location, path)
    _, child = cli(capsys, db_location, "child", returns.ZAK, "--format", "json")
    assert len(child["exclusions"]) == 3
    links = imported(capsys, db_location, files.links)
    assert "which these links make one school" in links["warnings"][0]
    _, child = cli(capsys, db_location, "child", returns.ZAK, "--format", "json")
    july, october = child["exclusions"]
    assert (july["school_laestab"], july["sessions"], july["amended"]) == ("3304010", 3.0, True)
    assert [h["values"] for h in july["history"]] == [{"sessions": "2"}]
    assert (october["school_laestab"], october["amended"]) == ("3304020", False)
    code, _ = cli(capsys, db_location, "undo", str(links["batch_id"]))
    assert code == 0
    _, child = cli(capsys, db_location, "child", returns.ZAK, "--format", "json")
    assert len(child["exclusions"]) == 3
    code, check = cli(capsys, db_location, "check", "--format", "json")
    assert code == 0 and check["ok"]
