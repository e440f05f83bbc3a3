"""The Dashboard page: figures on screen equal the report's, each chart switches to its table,
managers print (preview) and export with an audit row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QPdfWriter, QWheelEvent
from PySide6.QtWidgets import QApplication
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
    assert page.tiles["suspensions"].note.text() == "0 at lunchtime"
    assert page.tiles["permanents"].note.text() == "0 reversed, not counted"
    assert "2023/24" in page.year_label.text()
    assert page.date_edit.date() == board.as_of
    assert page.date_edit.edit.text() == "13/05/2024"
    periods = {key: tile.period.text() for key, tile in page.tiles.items()}
    assert periods == {
        "children": "by 13/05/2024",
        "flagged_children": "as of 13/05/2024",
        "whole_family_cases": "as of 13/05/2024",
        "suspensions": "2023/24 to 13/05/2024",
        "permanents": "2023/24 to 13/05/2024",
        "primary_exclusions": "2023/24 to 13/05/2024",
    }
    assert "2023/24: 01/08/2023 to 13/05/2024" in page.tiles["suspensions"].toolTip()


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
    assert names == [
        "Whole authority",
        "All mainstream primary schools",
        "Elm Primary",
        "All mainstream secondary schools",
        "Oak Academy",
    ]
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
    assert values["Suspensions 2023/24: 01/08/2023 to 13/05/2024"] == 6
    assert values["Permanent exclusions 2023/24: 01/08/2023 to 13/05/2024"] == "c"
    exports = [e for e in list_entries(db) if e.action == "export"]
    assert exports[-1].detail is not None
    assert exports[-1].detail["file"] == str(tmp_path / "dash.xlsx")  # the full path


def test_a_typed_uk_date_reloads_the_figures(qtbot: QtBot, page: DashboardPage) -> None:
    edit = page.date_edit.edit
    edit.clear()
    qtbot.keyClicks(edit, "31/1/24")
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert page.content is not None and page.content.board.as_of == dt.date(2024, 1, 31)
    assert edit.text() == "31/01/2024" and page.date_edit.refused == ""
    assert page.tiles["suspensions"].period.text() == "2023/24 to 31/01/2024"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("31/02/2024", "\u201c31/02/2024\u201d is not a date"),
        ("13/13/24", "is not a date: type day/month/year"),
        ("45000", "is not a date"),
        ("next tuesday", "is not a date"),
        ("1/1/2099", "is in the future"),
        ("1/1/1999", "before 2000"),
    ],
)
def test_a_date_that_is_not_one_is_refused_beside_the_box(
    qtbot: QtBot, page: DashboardPage, typed: str, says: str
) -> None:
    edit = page.date_edit.edit
    edit.clear()
    qtbot.keyClicks(edit, typed)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert says in page.date_edit.refused
    assert "The figures are still for 13/05/2024." in page.date_edit.refused
    assert page.date_edit.error.isVisible()
    # Nothing reloads and no other date takes its place: the text stays for the user to fix.
    qtbot.wait(100)
    assert page.date_edit.date() == dt.date(2024, 5, 13)
    assert page.content is not None and page.content.board.as_of == dt.date(2024, 5, 13)
    assert edit.text() == typed
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    assert page.date_edit.refused == ""


def test_the_date_box_is_empty_until_the_figures_are_in(qtbot: QtBot, db: Database) -> None:
    build_small_authority(db)
    page = DashboardPage(AppContext.for_account(db))
    qtbot.addWidget(page)
    page.show()
    assert page.date_edit.edit.text() == "" and page.date_edit.date() is None
    assert page.date_edit.edit.placeholderText() == "latest data"
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        page.activated()
    assert page.date_edit.edit.text() == "13/05/2024"


def test_the_mouse_wheel_scrolls_the_page_over_a_chart(qtbot: QtBot, page: DashboardPage) -> None:
    page.resize(1000, 600)
    qtbot.waitUntil(lambda: page.charts_area.verticalScrollBar().maximum() > 0)
    canvas = page.panel("Exclusions per term").canvas
    assert canvas is not None
    bar = page.charts_area.verticalScrollBar()
    bar.setValue(0)
    centre = QPointF(canvas.width() / 2, canvas.height() / 2)
    wheel = QWheelEvent(
        centre,
        canvas.mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas, wheel)
    assert bar.value() > 0
