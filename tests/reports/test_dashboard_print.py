"""The printed dashboard: every figure as a table, small counts suppressed, charts drawn."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from exclusion_monitor.reports import charts
from exclusion_monitor.reports.dashboard import (
    build_dashboard,
    dashboard_document,
    dashboard_tables,
)
from exclusion_monitor.reports.tables import ReportContext, ReportImage
from exclusion_monitor.store import Database
from tests.core.small_authority import build_small_authority
from tests.reports.test_pdf import pdf_pages
from ui.reports.pdf import write_pdf

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def authority(db: Database) -> Database:
    return build_small_authority(db)


def test_tables_suppress_counts_from_1_to_4(authority: Database) -> None:
    board = build_dashboard(authority, as_of=dt.date(2024, 6, 30))
    headline, terms, schools, *_ = dashboard_tables(board)
    values = dict((row[0], row[1]) for row in headline.rows)
    assert values["Suspensions this academic year to 30/06/2024"] == 6
    assert values["  of which lunchtime suspensions"] == 0
    assert values["Permanent exclusions this academic year to 30/06/2024"] == "c"
    assert values["  permanent exclusions reversed on review (not counted above)"] == 0
    assert values["Primary-age exclusions this academic year to 30/06/2024"] == "c"
    oak = next(row for row in schools.rows if row[1] == "Oak Academy")
    # 5 suspensions (none at lunchtime) shown; 3 pupils and 1 permanent hidden; none reversed
    assert oak[3:8] == [5, 0, "c", "c", 0]
    assert oak[8] == 50.0 and oak[9] == "c"
    assert all(cell == "c" or cell == 0 for row in terms.rows for cell in row[1:])


def test_printed_dashboard(qapp: QApplication, authority: Database, tmp_path: Path) -> None:
    board = build_dashboard(authority, as_of=dt.date(2024, 6, 30))
    printable = dashboard_document(board)
    images = [b for b in printable.blocks if isinstance(b, ReportImage)]
    assert len(images) >= 4 and all(i.png.startswith(PNG_SIGNATURE) for i in images)
    context = ReportContext(
        "Exclusions dashboard",
        "Test Authority",
        board.as_of,
        "whole authority",
        "TESTDOMAIN\\manager1",
        dt.datetime(2024, 7, 1, 8, 0),
    )
    path = tmp_path / "dashboard.pdf"
    pages = write_pdf(path, printable, context)
    texts = pdf_pages(path)
    assert len(texts) == pages
    assert all("OFFICIAL-SENSITIVE" in t and "TESTDOMAIN\\manager1" in t for t in texts)
    whole = "\n".join(texts)
    assert "Exclusions dashboard 2023/24" in whole
    assert "Oak Academy" in whole and "Persistent disruptive behaviour" in whole


def test_empty_authority_still_draws_charts() -> None:
    figure = charts.terms_chart([])
    assert charts.png_bytes(figure, dpi=50).startswith(PNG_SIGNATURE)
