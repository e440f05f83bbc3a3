"""Printouts and exports through the real command line, on both engines: refused where they
cannot be written (no folder, a link, a database, an existing file without --force) with
nothing written and nothing audited; written whole and checked; audited with the full path; and
carrying the chain head of their own audit row, which `audit --verify --head` accepts
(issue 20 items 6, 8, 15 and 17; docs/output-and-failures.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from exclusion_monitor import identity, output_files
from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.audit import list_entries
from tests.core import example_authority
from tests.reports.test_pdf import pdf_pages
from ui.cli.main import main


@pytest.fixture
def example(db: Database, db_location: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(identity, "os_account", lambda: "LA\\manager1")
    example_authority.build(db)
    return db_location


def cli(capsys: pytest.CaptureFixture[str], location: str, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", location, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def printed_or_exported(db: Database) -> list[str]:
    return [e.action for e in list_entries(db) if e.action in ("print_report", "export")]


def test_a_missing_folder_is_refused_before_any_work(
    capsys: pytest.CaptureFixture[str], example: str, db: Database, tmp_path: Path
) -> None:
    for command in (["report", "flags"], ["export", "flags"], ["batches", "--rejected", "1"]):
        suffix = ".pdf" if command[0] == "report" else ".xlsx"
        out = f"/nonexistent/f{suffix}"
        code, printed, err = cli(capsys, example, *command, "--out", out)
        assert (code, printed) == (2, ""), command
        assert err == (
            "exclusion-monitor: Nothing was written: the folder /nonexistent does not exist.\n"
        )
    assert not Path("/nonexistent").exists()
    assert printed_or_exported(db) == []


def test_an_existing_file_is_kept_unless_forced(
    capsys: pytest.CaptureFixture[str], example: str, db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "flags.pdf"
    out.write_bytes(b"last week's list")
    code, _, err = cli(capsys, example, "report", "flags", "--out", str(out))
    assert code == 2 and f"{out} already exists. Add --force to replace it" in err
    assert out.read_bytes() == b"last week's list" and printed_or_exported(db) == []
    code, printed, err = cli(capsys, example, "report", "flags", "--out", str(out), "--force")
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF-") and f"pages to {out}" in printed
    assert printed_or_exported(db) == ["print_report"]


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_never_through_a_link_nor_over_a_database(
    capsys: pytest.CaptureFixture[str],
    example: str,
    db: Database,
    db_engine: str,
    tmp_path: Path,
) -> None:
    """The attack that found it: an export "to a CSV" that was a link to the database."""
    victim = tmp_path / "victim.db"
    victim.write_bytes(b"SQLite format 3\x00" + b"\x01" * 4080)  # any SQLite file, ours or not
    link = tmp_path / "flags.csv"
    link.symlink_to(victim)
    disguised = tmp_path / "copy.xlsx"
    disguised.write_bytes(victim.read_bytes())
    before = victim.read_bytes()
    attempts = [
        (["export", "flags", "--out", str(link), "--force"], "is a link to another file"),
        (["report", "flags", "--out", str(tmp_path / "x.pdf")], None),
        (["export", "flags", "--out", str(disguised), "--force"], "is a database file"),
    ]
    if db_engine == "sqlite":  # the very database in use, named as the output
        real = Path(example)
        renamed = tmp_path / "renamed.csv"
        renamed.symlink_to(real)
        attempts.append((["export", "flags", "--out", str(renamed), "--force"], "is a link"))
    for argv, refusal in attempts:
        code, _, err = cli(capsys, example, *argv)
        if refusal is None:
            assert code == 0, err
            continue
        assert code == 2 and refusal in err and "Nothing was written" in err, argv
    assert victim.read_bytes() == before and disguised.read_bytes() == before
    assert printed_or_exported(db) == ["print_report"]


def test_the_printed_head_is_the_prints_own_row_and_verifies(
    capsys: pytest.CaptureFixture[str], example: str, db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "flags.pdf"
    code, printed, err = cli(capsys, example, "report", "flags", "--out", str(out))
    assert code == 0 and err == "", err
    pages = pdf_pages(out)
    footers = {re.search(r"audit (\d+:[0-9a-f]+)", page).group(1) for page in pages}  # type: ignore[union-attr]
    (head,) = footers  # the same head on every page
    row_id, digest = head.split(":")
    assert len(digest) >= 12
    (own,) = [e for e in list_entries(db) if e.action == "print_report"]
    assert own.id == int(row_id) and own.hash.startswith(digest)  # taken after its own row
    assert own.detail is not None and own.detail["file"] == str(out)  # the full path
    assert own.detail["pages"] == len(pages)
    assert f"Audit chain head printed on every page: {own.id}:{own.hash}" in printed

    for text in (head, f"{own.id}:{own.hash}"):
        code, verified, _ = cli(capsys, example, "audit", "--verify", "--head", text)
        assert code == 0 and "The audit trail is intact" in verified, verified

    with db.write() as conn:  # the log cut back to before the print
        conn.execute(sa.delete(t.audit_log).where(t.audit_log.c.id >= own.id))
    code, verified, _ = cli(capsys, example, "audit", "--verify", "--head", head)
    assert code == 1 and "cut back" in verified


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_exports_head_is_its_own_row_and_verifies(
    capsys: pytest.CaptureFixture[str], example: str, db: Database, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"flags{suffix}"
    code, printed, err = cli(capsys, example, "export", "flags", "--out", str(out))
    assert code == 0, err
    if suffix == ".xlsx":
        head = dict(openpyxl.load_workbook(out)["About"].iter_rows(values_only=True))["Audit chain"]
    else:
        first = out.read_text(encoding="utf-8-sig").splitlines()[0]
        head = first.rsplit("audit chain ", 1)[1]
        assert "produced by LA\\manager1 on " in first
    (own,) = [e for e in list_entries(db) if e.action == "export"]
    assert head == f"{own.id}:{own.hash}" and f"Audit chain head in the file: {head}" in printed
    assert own.detail is not None and own.detail["file"] == str(out)
    code, verified, _ = cli(capsys, example, "audit", "--verify", "--head", str(head))
    assert code == 0, verified


def test_a_file_that_is_not_complete_after_writing_is_not_kept_nor_audited(
    capsys: pytest.CaptureFixture[str],
    example: str,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The false success: "Wrote 24 pages" when nothing was there. The check after writing
    finds the file wanting; the command fails and the print is not audited."""
    monkeypatch.setattr(
        output_files, "pdf_problem", lambda path, pages=None: "it ends before its last page"
    )
    out = tmp_path / "flags.pdf"
    code, printed, err = cli(capsys, example, "report", "flags", "--out", str(out))
    assert (code, printed) == (2, "")
    assert f"Nothing was written to {out}: it ends before its last page." in err
    assert not out.exists() and not list(tmp_path.glob("~exclusion-monitor-*"))
    assert printed_or_exported(db) == []


@pytest.mark.parametrize("platform", ["offscreen", None])
def test_qt_says_nothing_on_standard_error(
    tmp_path: Path, private_home: Path, platform: str | None
) -> None:
    """A print from the command line, as a person runs it: Qt's own warnings (fonts, the
    platform plugin) go to the log file, never to the console."""
    from exclusion_monitor.store import open_database

    path = tmp_path / "example.db"
    database = open_database(path)
    example_authority.build(database)
    database.close()
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env["EXCLUSION_MONITOR_HOME"] = str(private_home)
    if platform:
        env["QT_QPA_PLATFORM"] = platform
    out = tmp_path / "flags.pdf"
    done = subprocess.run(
        [sys.executable, "-m", "ui", "--db", str(path), "report", "flags", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert out.read_bytes().startswith(b"%PDF-")
