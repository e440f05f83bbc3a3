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


def test_tables_hide_small_counts_and_what_would_give_them_away(authority: Database) -> None:
    board = build_dashboard(authority, as_of=dt.date(2024, 6, 30))
    headline, terms, schools, _reasons, sex, *_ = dashboard_tables(board)
    values = dict((row[0], row[1]) for row in headline.rows)
    year = "2023/24: 01/08/2023 to 30/06/2024"
    assert values[f"Suspensions {year}"] == 6
    assert values["  of which lunchtime suspensions"] == 0
    assert values[f"Permanent exclusions {year}"] == "c"
    assert values["  permanent exclusions reversed on review (not counted above)"] == 0
    assert values[f"Primary-age exclusions {year}"] == "c"
    rows = {row[1]: row for row in schools.rows}
    # Elm's 1 suspension is hidden; Oak's 5 would give it away (6 - 5), so they are hidden too,
    # and with them the rates built on them. Every school has fewer than 20 pupils: no rate.
    assert rows["Whole authority"][3:10] == [20, 6, 0, "c", "c", 0, 30.0]
    assert rows["Elm Primary"][2:6] == ["Primary", 10, "c", 0]
    assert rows["Oak Academy"][2:6] == ["Secondary", 10, "c", 0]
    assert rows["Oak Academy"][10] == "c" and rows["Elm Primary"][10] == "u"
    # Boys 5 and girls 1 of the 6: both hidden.
    assert [r[:3] for r in sex.rows] == [["Boys", 11, "c"], ["Girls", 9, "c"]]
    assert all(cell == "c" or cell == 0 for row in terms.rows for cell in row[1:])
    assert [row[0] for row in terms.rows][-1] == "Summer 2024"


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
    assert "Counts from 1 to 4 are shown as 'c', and so is any other count" in " ".join(
        whole.split()
    )


def test_empty_authority_still_draws_charts() -> None:
    figure = charts.terms_chart([], [], [])
    assert charts.png_bytes(figure, dpi=50).startswith(PNG_SIGNATURE)
