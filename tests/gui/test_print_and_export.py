"""Printing and exporting from the Flags page: the Print dialog offers both layouts of the flag
list, landscape, initials, a school's report and the dashboard, each audited, previewed and
painted; the export menu writes the authority's flat sheet, with a sheet per school on request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtGui import QPageLayout, QPdfWriter
from pytestqt.qtbot import QtBot

from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from tests.core import example_authority as story
from tests.gui.test_flags_page import choose, example, open_page  # noqa: F401
from tests.reports.test_pdf import pdf_pages
from ui.app import messages
from ui.app.print_dialog import PrintDialog
from ui.app.report_output import PrintChoice


def test_the_print_dialog_offers_each_printout_with_its_usual_orientation(qtbot: QtBot) -> None:
    dialog = PrintDialog(
        [("3304001", "Oak High"), ("3302001", "Elm Primary")], "rules: missing_from_roll"
    )
    qtbot.addWidget(dialog)
    assert dialog.choice() == PrintChoice("summary", landscape=True)
    assert "rules: missing_from_roll" in dialog.filters_note.text()
    dialog.radios["school"].click()
    assert dialog.school_combo.isEnabled() and not dialog.landscape.isChecked()
    dialog.school_combo.setCurrentIndex(1)
    dialog.initials.setChecked(True)
    assert dialog.choice() == PrintChoice(
        "school", landscape=False, initials=True, school="3302001"
    )
    dialog.radios["dashboard"].click()
    assert not dialog.initials.isEnabled() and dialog.landscape.isChecked()
    assert dialog.choice() == PrintChoice("dashboard", landscape=True)
    dialog.radios["detailed"].click()
    dialog.family.setChecked(True)
    dialog.landscape.setChecked(False)
    assert dialog.choice() == PrintChoice(
        "detailed", landscape=False, initials=True, group_by="family"
    )


def test_a_dialog_without_schools_cannot_choose_a_school_report(qtbot: QtBot) -> None:
    dialog = PrintDialog([], "all flagged children")
    qtbot.addWidget(dialog)
    assert not dialog.radios["school"].isEnabled()


@pytest.mark.parametrize(
    ("choice", "target", "says"),
    [
        (PrintChoice("summary"), "report:flags", "one line each"),
        (PrintChoice("detailed", landscape=False), "report:flags", "Dunmore, Dan"),
        (PrintChoice("summary", initials=True, group_by="family"), "report:flags", "Family"),
        (
            PrintChoice("school", landscape=False, school="3304101"),
            "report:school",
            "Oak High Academy",
        ),
        (PrintChoice("dashboard"), None, "Exclusions dashboard"),
    ],
)
def test_each_choice_is_previewed_painted_and_audited(
    qtbot: QtBot,
    db: Database,
    example: story.Example,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    choice: PrintChoice,
    target: str | None,
    says: str,
) -> None:
    painted: list[tuple[str, bool, int]] = []
    path = tmp_path / "preview.pdf"

    def preview(_parent: Any, title: str, landscape: bool, paint: Any) -> None:
        writer = QPdfWriter(str(path))
        orientation = QPageLayout.Orientation.Landscape if landscape else None
        if orientation is not None:
            writer.setPageOrientation(orientation)
        painted.append((title, landscape, paint(writer)))

    asked: list[dict[str, Any]] = []

    def choose_print(_parent: Any, schools: Any, description: str, **kw: Any) -> PrintChoice:
        asked.append({"schools": schools, "description": description, **kw})
        return choice

    monkeypatch.setattr(messages, "print_preview", preview)
    monkeypatch.setattr(messages, "choose_print", choose_print)
    page = open_page(qtbot, db)
    page.print_action.trigger()
    qtbot.waitUntil(lambda: bool(painted), timeout=30_000)
    assert ("3304101", "Oak High Academy") in asked[0]["schools"]
    _title, landscape, pages = painted[0]
    assert landscape == choice.landscape and pages >= 1
    [printed] = audit.list_entries(db, action=Action.PRINT_REPORT)
    assert printed.target == target and printed.detail is not None
    if choice.what in ("summary", "detailed"):
        assert printed.detail["layout"] == choice.what
        assert printed.detail["initials"] is choice.initials
    whole = " ".join("\n".join(pdf_pages(path)).split())
    assert says in whole
    if choice.initials:
        assert "Dunmore, Dan" not in whole and "D. D." in whole


def test_export_with_a_sheet_per_school_from_the_menu(
    qtbot: QtBot,
    db: Database,
    example: story.Example,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    target = tmp_path / "flags.xlsx"
    monkeypatch.setattr(messages, "choose_save_file", lambda *_a: str(target))
    page = open_page(qtbot, db)
    assert [a.text() for a in page.export_menu.actions()] == [
        "One sheet for the authority (Excel or CSV)...",
        "With a sheet per school as well (Excel)...",
    ]
    with qtbot.waitSignal(page.exported, timeout=15_000):
        page.export_per_school.trigger()
    book = openpyxl.load_workbook(target)
    assert book.sheetnames[:2] == ["Flagged children", "Flags"] and len(book.sheetnames) > 3
    children = book["Flagged children"].max_row - 1
    assert children == len(story.EXPECTED)
    [exported] = audit.list_entries(db, action=Action.EXPORT)
    assert exported.detail is not None and exported.detail["per_school"] is True
    assert exported.detail["rows"] == children


def test_a_pdf_chosen_in_the_print_dialog_is_refused_where_no_file_is_written(
    qtbot: QtBot, tmp_path: Path, db: Database
) -> None:
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter()
    assert messages.pdf_file_problem(printer) is None  # a real printer: none of ours to check
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "flags.pdf"))
    assert messages.pdf_file_problem(printer) is None
    (tmp_path / "old.pdf").write_bytes(b"%PDF-1.4 an earlier printout")
    printer.setOutputFileName(str(tmp_path / "old.pdf"))
    assert messages.pdf_file_problem(printer) is None  # the dialog asked before replacing it
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not the app's")
    (tmp_path / "link.pdf").symlink_to(elsewhere)
    for refused, words in (
        (tmp_path / "link.pdf", "link"),
        (Path(db.location), "database"),
        (tmp_path / "missing" / "flags.pdf", "does not exist"),
    ):
        printer.setOutputFileName(str(refused))
        problem = messages.pdf_file_problem(printer)
        assert problem is not None and words in problem, (refused, problem)
    assert elsewhere.read_text() == "not the app's"
