"""The Dashboard page: figures on screen equal the report's, each chart switches to its table,
managers print (preview) and export with an audit row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtGui import QPdfWriter
from pytestqt.qtbot import QtBot

from exclusion_monitor.reports.dashboard import build_dashboard, dashboard_tables
from exclusion_monitor.store import Database
from exclusion_monitor.store.audit import list_entries
from tests.core.small_authority import build_small_authority
from ui.app import messages
from ui.app.pages.base import AppContext
from ui.app.pages.dashboard_page import DashboardPage
from ui.app.report_table_model import ReportTableModel


@pytest.fixture
def page(qtbot: QtBot, db: Database) -> DashboardPage:
    build_small_authority(db)
    page = DashboardPage(AppContext.for_account(db))  # the first user: admin
    qtbot.addWidget(page)
    page.resize(1280, 900)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        page.activated()
    return page


def test_tiles_show_the_dashboard_figures(page: DashboardPage, db: Database) -> None:
    board = build_dashboard(db)
    shown = {key: tile.value.text() for key, tile in page.tiles.items()}
    assert shown == {
        "children": "20",
        "flagged_children": "3",
        "whole_family_cases": "1",
        "suspensions": "6",
        "permanents": "1",
        "primary_exclusions": "1",
    }
    assert shown == {key: f"{getattr(board, key):,}" for key in shown}
    assert page.tiles["suspensions"].caption.text() == "Suspensions (0 of them at lunchtime)"
    assert page.tiles["permanents"].caption.text() == (
        "Permanent exclusions (0 more reversed on review, not counted)"
    )
    assert "2023/24" in page.year_label.text()
    assert page.date_edit.date().toPython() == board.as_of


def test_each_chart_switches_to_its_table(page: DashboardPage, db: Database) -> None:
    from exclusion_monitor.reports.practice_report import authority_figures
    from ui.app.practice_charts import practice_charts

    board = build_dashboard(db)
    tables = dashboard_tables(board)
    funnels = practice_charts(authority_figures(db, board.as_of), groups=("primary", "secondary"))
    # Every table but the headline one, then the schools' funnels and Year 10 to 11 losses.
    assert len(page.panels) == len(tables) - 1 + len(funnels)
    assert page.panel("Funnel: suspensions per 100 pupils, secondary schools").canvas is not None
    terms = page.panel("Exclusions per term")
    assert terms.canvas is not None and terms.canvas.isVisible()
    terms.table_toggle.click()
    assert terms.showing_table and terms.table_view.isVisible()
    view = terms.table_view
    rows = [
        [view.model().index(r, c).data() for c in range(5)] for r in range(view.model().rowCount())
    ]
    # Spring 2023 to summer 2024 (term, suspensions, of which lunchtime, permanent, reversed);
    # counts from 1 to 4 suppressed as printed.
    assert rows[0] == ["Spring 2023", "c", "0", "0", "0"]
    assert rows[-2] == ["Spring 2024", "c", "0", "c", "0"]
    assert len(rows) == len(tables[1].rows)
    schools = page.panel("Suspension rates by school")
    schools.table_toggle.click()
    names = [
        schools.table_view.model().index(r, 1).data()
        for r in range(schools.table_view.model().rowCount())
    ]
    assert names == ["Whole authority", "Oak Academy", "Elm Primary"]
    terms.table_toggle.click()
    assert not terms.showing_table and terms.canvas.isVisible()


def test_report_table_model_passes_qtmodeltester(qtmodeltester: Any, db: Database) -> None:
    build_small_authority(db)
    for table in dashboard_tables(build_dashboard(db)):
        qtmodeltester.check(ReportTableModel(table))


def test_print_preview_paints_the_dashboard_and_is_audited(
    qtbot: QtBot, page: DashboardPage, db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    printed: list[int] = []

    def preview(_parent: Any, title: str, landscape: bool, paint: Any) -> None:
        writer = QPdfWriter(str(tmp_path / "preview.pdf"))
        printed.append(paint(writer))

    monkeypatch.setattr(messages, "print_preview", preview)
    page.print_button.click()
    qtbot.waitUntil(lambda: bool(printed), timeout=30_000)
    assert printed[0] >= 2  # pages
    rows = [e for e in list_entries(db) if e.action == "print_report"]
    assert rows and rows[-1].detail == {
        "report": "dashboard",
        "academic_year": "2023/24",
        "as_of": "2024-05-13",
    }


def test_export_writes_every_table_and_is_audited(
    qtbot: QtBot, page: DashboardPage, db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "dash"
    monkeypatch.setattr(messages, "choose_save_file", lambda *args: str(target))
    with qtbot.waitSignal(page.context.signals.status_message, timeout=20_000):
        page.export_button.click()
    book = load_workbook(tmp_path / "dash.xlsx")
    assert "About" in book.sheetnames
    headline = book[book.sheetnames[0]]
    values = {row[0]: row[1] for row in headline.iter_rows(min_row=2, values_only=True)}
    assert values["Suspensions this academic year to 13/05/2024"] == 6
    assert values["Permanent exclusions this academic year to 13/05/2024"] == "c"
    exports = [e for e in list_entries(db) if e.action == "export"]
    assert exports[-1].detail is not None
    assert exports[-1].detail["file"] == str(tmp_path / "dash.xlsx")  # the full path
