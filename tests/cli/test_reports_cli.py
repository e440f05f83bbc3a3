"""`report` and `export` on the worked-example authority: what a manager takes to a panel."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from exclusion_monitor.store import Database, open_database
from tests.core import example_authority
from tests.reports.test_pdf import pdf_pages
from ui.cli.main import main


@pytest.fixture
def example_db(tmp_path: Path) -> Path:
    path = tmp_path / "example.db"
    db: Database = open_database(path)
    example_authority.build(db)
    db.close()
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def flagged_names() -> dict[str, str]:
    """Surname, forename of every flagged child in the story."""
    return {name: name for name in example_authority.EXPECTED}


def test_flag_list_pdf_names_every_flagged_child_and_reason(
    capsys: pytest.CaptureFixture[str], example_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "flags.pdf"
    code, printed, err = run(capsys, "--db", str(example_db), "report", "flags", "--out", str(out))
    assert code == 0, err
    assert "pages" in printed
    pages = pdf_pages(out)
    whole = "\n".join(pages)
    for name in example_authority.EXPECTED:
        assert name in whole, f"{name} missing from the printed flag list"
    for name in example_authority.NOT_FLAGGED:
        assert f", {name}" not in whole
    assert "Permanent exclusion" in whole or "permanent exclusion" in whole
    for number, text in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in text
        assert f"Page {number} of {len(pages)}" in text
        assert "printed by " in text


def test_initials_mode_prints_no_full_names(
    capsys: pytest.CaptureFixture[str], example_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "initials.pdf"
    code, _, err = run(
        capsys, "--db", str(example_db), "report", "flags", "--initials", "--out", str(out)
    )
    assert code == 0, err
    whole = "\n".join(pdf_pages(out))
    for name in [*example_authority.EXPECTED, *example_authority.NOT_FLAGGED]:
        assert f", {name}" not in whole
    assert "D. D." in whole  # Dan Dunmore


def test_whole_family_grouping_shows_siblings(
    capsys: pytest.CaptureFixture[str], example_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "families.pdf"
    code, _, err = run(
        capsys,
        "--db",
        str(example_db),
        "report",
        "flags",
        "--group-by",
        "family",
        "--out",
        str(out),
    )
    assert code == 0, err
    whole = "\n".join(pdf_pages(out))
    assert "whole-family cases" in whole
    assert "Dunmore, Dan" in whole and "Dunmore, Ella" in whole


def test_export_flags_xlsx_round_trip(
    capsys: pytest.CaptureFixture[str], example_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "flags.xlsx"
    code, _, err = run(capsys, "--db", str(example_db), "export", "flags", "--out", str(out))
    assert code == 0, err
    book = openpyxl.load_workbook(out)
    rows = [
        row
        for name in book.sheetnames
        if name != "About"
        for row in book[name].iter_rows(min_row=2, values_only=True)
    ]
    assert sorted(r[1].split(", ")[1] for r in rows) == sorted(example_authority.EXPECTED)
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Marking"] == "OFFICIAL-SENSITIVE"
    assert ":" in about["Audit chain"]  # ID:HASH of the audit chain's head
    formulas = [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_export_flags_csv_has_a_group_column(
    capsys: pytest.CaptureFixture[str], example_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "flags.csv"
    code, _, err = run(
        capsys,
        "--db",
        str(example_db),
        "export",
        "flags",
        "--rule",
        "permanent_exclusion",
        "--out",
        str(out),
    )
    assert code == 0, err
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith("Group,UPN,Name")
    assert len(lines) == 3 and "Cara" in lines[2]


def test_school_report_and_dashboard_pdfs(
    capsys: pytest.CaptureFixture[str], example_db: Path, tmp_path: Path
) -> None:
    school = tmp_path / "beech.pdf"
    code, _, err = run(
        capsys, "--db", str(example_db), "report", "school", "3304003", "--out", str(school)
    )
    assert code == 0, err
    text = "\n".join(pdf_pages(school))
    assert "Beech School (3304003)" in text and "Exclusions by term" in text
    assert "Dunmore, Dan" in text
    dashboard = tmp_path / "dashboard.pdf"
    code, _, err = run(
        capsys, "--db", str(example_db), "report", "dashboard", "--out", str(dashboard)
    )
    assert code == 0, err
    assert "Exclusions dashboard" in "\n".join(pdf_pages(dashboard))


def test_unknown_school_and_wrong_suffix_are_plain_refusals(
    capsys: pytest.CaptureFixture[str], example_db: Path, tmp_path: Path
) -> None:
    code, _, err = run(
        capsys,
        "--db",
        str(example_db),
        "report",
        "school",
        "9999999",
        "--out",
        str(tmp_path / "x.pdf"),
    )
    assert code == 2 and "no school with LAESTAB 9999999" in err
    code, _, err = run(
        capsys, "--db", str(example_db), "report", "flags", "--out", str(tmp_path / "x.docx")
    )
    assert code == 2 and "should end in .pdf" in err


def test_prints_and_exports_are_audited(
    capsys: pytest.CaptureFixture[str], example_db: Path, tmp_path: Path
) -> None:
    run(
        capsys,
        "--db",
        str(example_db),
        "report",
        "flags",
        "--initials",
        "--out",
        str(tmp_path / "a.pdf"),
    )
    run(capsys, "--db", str(example_db), "export", "flags", "--out", str(tmp_path / "b.xlsx"))
    code, out, _ = run(capsys, "--db", str(example_db), "audit", "--format", "json")
    assert code == 0
    actions = [row["action"] for row in json.loads(out)["entries"]]
    assert "print_report" in actions and "export" in actions
