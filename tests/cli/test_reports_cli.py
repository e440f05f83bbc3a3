"""`report` and `export` on the worked-example authority: what a manager takes to a panel."""

from __future__ import annotations

import datetime as dt
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


def test_export_flags_is_one_flat_sheet_for_the_authority(
    capsys: pytest.CaptureFixture[str], example_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "flags.xlsx"
    code, printed, err = run(capsys, "--db", str(example_db), "export", "flags", "--out", str(out))
    assert code == 0, err
    assert f"Wrote {len(example_authority.EXPECTED)} rows" in printed
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Flagged children", "Flags", "About"]
    sheet = book["Flagged children"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:V{sheet.max_row}"
    header, *rows = list(sheet.iter_rows(values_only=True))
    column = {name: i for i, name in enumerate(header)}
    # One row per child, one value per cell: names, school and officer in columns of their own.
    assert sorted(r[column["Forename"]] for r in rows) == sorted(example_authority.EXPECTED)
    for row in rows:
        assert all("\n" not in str(v) for v in row if v is not None)
        assert isinstance(row[column["First raised"]], dt.datetime)  # a real date
        assert isinstance(row[column["Flags"]], int)
        held = [name for name in header[9:18] if row[column[name]] == "Yes"]
        assert len(held) == row[column["Flags"]]
    dan = next(r for r in rows if r[column["Forename"]] == "Dan")
    assert dan[column["School"]] and dan[column["School LAESTAB"]].isdigit()
    assert dan[column["Repeated suspensions"]] == "Yes" and dan[column["Case status"]] == "New"
    flags = list(book["Flags"].iter_rows(min_row=2, values_only=True))
    assert len(flags) == sum(len(rules) for rules in example_authority.EXPECTED.values())
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Marking"] == "OFFICIAL-SENSITIVE"
    assert about["Report"] == "Flag list" and about["As of"] == "16/05/2024"
    assert ":" in about["Audit chain"]  # ID:HASH of the audit chain's head
    assert about["Note"].startswith("Controlled data: personal data about children")
    formulas = [c for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_export_flags_with_a_sheet_per_school_as_well(
    capsys: pytest.CaptureFixture[str], example_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "flags.xlsx"
    code, _, err = run(
        capsys, "--db", str(example_db), "export", "flags", "--per-school", "--out", str(out)
    )
    assert code == 0, err
    book = openpyxl.load_workbook(out)
    schools = book.sheetnames[2:-1]
    assert book.sheetnames[:2] == ["Flagged children", "Flags"] and book.sheetnames[-1] == "About"
    assert schools and all(len(name) <= 31 for name in schools)
    per_school = sum(book[name].max_row - 1 for name in schools)
    assert per_school == book["Flagged children"].max_row - 1
    code, _, err = run(
        capsys, "--db", str(example_db), "export", "flags", "--per-school", "--out",
        str(tmp_path / "flags.csv"),
    )  # fmt: skip
    assert code == 2 and "export the sheet per school as .xlsx" in err


def test_export_flags_csv_is_one_row_per_child(
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
    assert lines[1].startswith("UPN,Surname,Forename,Year group,School LAESTAB,School,")
    assert len(lines) == 3 and "Cara" in lines[2]


def test_the_flag_list_prints_one_line_per_child_or_every_reason(
    capsys: pytest.CaptureFixture[str], example_db: Path, tmp_path: Path
) -> None:
    summary, detailed = tmp_path / "summary.pdf", tmp_path / "detailed.pdf"
    for path, layout in ((summary, []), (detailed, ["--layout", "detailed"])):
        code, _, err = run(
            capsys, "--db", str(example_db), "report", "flags", *layout, "--out", str(path)
        )
        assert code == 0, err
    lines = " ".join(pdf_pages(summary)[0].split())
    assert "UPN Name School Year Flags Case" in lines and "Officer Last" in lines
    assert "Dunmore, Dan" in lines and "one line each" in lines
    # No reason in the one-line list; the detailed list has them.
    assert "suspensions in the last" not in lines
    assert "suspensions in the last" in " ".join("\n".join(pdf_pages(detailed)).split())
    assert b"/MediaBox [0 0 842" in summary.read_bytes()  # A4 landscape


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
