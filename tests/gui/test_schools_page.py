"""The Schools page: the register with this year's exclusions and rates, exact on screen and
suppressed in the export, and the children flagged at the selected school."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from exclusion_monitor.flagging import recompute_flags
from exclusion_monitor.store import Database
from tests.core import example_authority
from tests.core.small_authority import build_small_authority
from ui.app import messages
from ui.app.pages.base import AppContext
from ui.app.pages.schools_page import SchoolsPage
from ui.app.school_models import COL_FLAGGED, COL_PERM, COL_ROLL, COL_SUSP, COL_SUSP_RATE


def open_page(qtbot: QtBot, db: Database) -> SchoolsPage:
    page = SchoolsPage(AppContext.for_account(db))
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.activated()
    return page


def row_of(page: SchoolsPage, name: str) -> int:
    return page.school_names().index(name)


def test_register_shows_exact_counts_and_rates(qtbot: QtBot, db: Database) -> None:
    build_small_authority(db)
    page = open_page(qtbot, db)
    assert page.school_names() == ["Oak Academy", "Elm Primary"]  # highest rate first
    oak = row_of(page, "Oak Academy")
    cell = lambda col: page.proxy.index(oak, col).data()  # noqa: E731
    assert (cell(COL_ROLL), cell(COL_SUSP), cell(COL_PERM)) == ("10", "5", "1")
    assert cell(COL_SUSP_RATE) == "50.00"
    assert (
        "20 pupils, 6 suspensions (30.00 per 100; 0 of them at lunchtime), 1 permanent "
        "exclusion (5.00 per 100; 0 more reversed on review, not counted)"
    ) in page.summary.text()


def test_selecting_a_school_lists_its_flagged_children(qtbot: QtBot, db: Database) -> None:
    example = example_authority.build(db)
    recompute_flags(db)
    page = open_page(qtbot, db)
    beech = row_of(page, "Beech School")
    assert page.proxy.index(beech, COL_FLAGGED).data() == "3"  # Dan, Finn, Gia
    page.view.selectRow(beech)
    model = page.flagged_view.model()
    names = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert names == ["Dunmore, Dan", "Fenwick, Finn", "Garside, Gia"]
    assert "3 flagged children" in page.flagged_label.text()
    with qtbot.waitSignal(page.context.signals.open_child) as opened:
        page.flagged_view.doubleClicked.emit(model.index(0, 0))
    assert opened.args == [example.ids["Dan"]]


def test_export_suppresses_small_counts(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    build_small_authority(db)
    page = open_page(qtbot, db)
    monkeypatch.setattr(messages, "choose_save_file", lambda *args: str(tmp_path / "s.xlsx"))
    with qtbot.waitSignal(page.context.signals.status_message, timeout=10_000):
        page.export_button.click()
    sheet = load_workbook(tmp_path / "s.xlsx").worksheets[0]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Oak Academy"][3:7] == (10, 5, 0, "c")  # roll, suspensions, lunchtime, perm
    assert rows["Elm Primary"][4] == "c"


def test_models_pass_qtmodeltester(qtmodeltester: Any, qtbot: QtBot, db: Database) -> None:
    example_authority.build(db)
    recompute_flags(db)
    page = open_page(qtbot, db)
    page.view.selectRow(0)
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.flagged_model)
