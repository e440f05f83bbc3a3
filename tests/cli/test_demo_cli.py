"""`demo`: a synthetic authority written as real returns and imported through the real intake,
its planted stories flagged for the rules the story says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ui.cli.main import main


def test_demo_imports_every_file_and_flags_the_planted_stories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    code = main(
        [
            "--db",
            str(db),
            "demo",
            "--pupils",
            "1200",
            "--seed",
            "7",
            "--out",
            str(tmp_path / "returns"),
            "--format",
            "json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    statuses = {f["status"] for f in report["files"]}
    assert statuses == {"imported"}
    assert len(report["files"]) > 100  # schools, links, and 3 returns for each of 21 censuses
    rejected = [r for f in report["files"] for r in f["rejected"]]
    reasons = " | ".join(r["reason"] for r in rejected)
    assert len(rejected) == 3, reasons  # the three rows the generator spoils on purpose
    assert "check letter" in reasons
    for story in report["stories"]:
        code = main(["--db", str(db), "child", story["upn"], "--format", "json"])
        profile = json.loads(capsys.readouterr().out)
        assert code == 0
        flagged = {f["rule"] for f in profile["flags"]}
        assert set(story["expected"]) & flagged, (story["key"], story["expected"], flagged)
    code = main(["--db", str(db), "check"])
    assert code == 0, capsys.readouterr()


def test_demo_refuses_a_database_that_already_has_children(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    args = [
        "--db",
        str(db),
        "demo",
        "--pupils",
        "60",
        "--out",
        str(tmp_path / "r"),
        "--format",
        "json",
    ]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 2
    assert "already holds children" in capsys.readouterr().err


def test_demo_never_overwrites_a_folder_it_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "school returns"
    folder.mkdir()
    kept = folder / "000_schools_register.csv"  # a name the demo writes too
    kept.write_bytes(b"LAESTAB,School name\r\n9991001,A real school\r\n")
    db = tmp_path / "demo.db"
    args = ["--db", str(db), "demo", "--pupils", "60", "--out", str(folder)]
    assert main(args) == 2
    assert "did not write" in capsys.readouterr().err
    assert kept.read_bytes() == b"LAESTAB,School name\r\n9991001,A real school\r\n"
    assert sorted(p.name for p in folder.iterdir()) == ["000_schools_register.csv"]
    assert not db.exists()
    # An earlier demo's folder may be written again: every file in it is the demo's own.
    again = tmp_path / "demo returns"
    assert (
        main(["--db", str(tmp_path / "a.db"), "demo", "--pupils", "60", "--out", str(again)]) == 0
    )
    assert (
        main(["--db", str(tmp_path / "b.db"), "demo", "--pupils", "60", "--out", str(again)]) == 0
    )
