"""The Children page and its model: paging, sorting, filtering and selecting, through widgets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.children import ChildFilter, SortKey, list_children
from tests.builders import Authority, make_upn
from tests.core.builders import Builder, D, autumn, spring, summer
from ui.app import background
from ui.app.children_table_model import (
    COL_DATE,
    COL_FLAGS,
    COL_NAME,
    COL_STATUS,
    HEADERS,
    ROW_ROLE,
    SORT_ROLE,
    ChildrenTableModel,
    StoreChildListSource,
)
from ui.app.pages import AppContext
from ui.app.pages.children_page import FILTER_DELAY_MS, RECORD_DELAY_MS, ChildrenPage


class CountingSource(StoreChildListSource):
    """The store source, counting the queries the model makes."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.fetches: list[tuple[int, int]] = []
        self.counts = 0

    def count(self, where: ChildFilter) -> int:
        self.counts += 1
        return super().count(where)

    def fetch(
        self, where: ChildFilter, order_by: SortKey, descending: bool, offset: int, limit: int
    ) -> list[Any]:
        self.fetches.append((offset, limit))
        return super().fetch(where, order_by, descending, offset, limit)


@pytest.fixture(autouse=True)
def searches_recorded(qtbot: QtBot) -> Iterator[None]:
    """A typed filter writes its search row in the background: let it finish in each test."""
    yield
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)


KEZIA_UPN = make_upn("330", "2002", "14", 901)


@pytest.fixture
def town(db: Database) -> Authority:
    town = Authority(db)
    schools = [town.school("Elm Primary"), town.school("Oak Academy", phase="secondary")]
    town.many(60, schools)
    town.child("Merriman", "Kezia", dt.date(2014, 6, 2), upn=KEZIA_UPN,
               former_upns=["X00180001701A"], school=schools[1], nc_year="5")  # fmt: skip
    town.done(keep_flags=True)
    return town


def open_page(qtbot: QtBot, db: Database, **kwargs: Any) -> ChildrenPage:
    page = ChildrenPage(AppContext(db), **kwargs)
    qtbot.addWidget(page)
    page.resize(1000, 500)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show()
        page.activated()
    return page


def column(model: ChildrenTableModel, col: int, role: int = Qt.ItemDataRole.DisplayRole) -> list:
    return [model.data(model.index(row, col), role) for row in range(model.rowCount())]


def test_model_passes_qtmodeltester(qtmodeltester: Any, db: Database, town: Authority) -> None:
    model = ChildrenTableModel(StoreChildListSource(db), block_size=8)
    model.reload()
    qtmodeltester.check(model)
    model.sort(COL_FLAGS, Qt.SortOrder.DescendingOrder)
    model.set_filter(ChildFilter(search="ash"))
    qtmodeltester.check(model)


def test_model_fetches_only_the_blocks_it_is_asked_for(db: Database, town: Authority) -> None:
    source = CountingSource(db)
    model = ChildrenTableModel(source, block_size=10, max_cached_blocks=3)
    model.reload()
    assert (model.rowCount(), source.counts, source.fetches) == (61, 1, [])
    model.data(model.index(0, COL_NAME))
    model.data(model.index(9, COL_NAME))
    assert source.fetches == [(0, 10)]
    model.data(model.index(45, COL_NAME))
    assert source.fetches == [(0, 10), (40, 10)]
    for row in (11, 25, 60):
        model.data(model.index(row, COL_NAME))
    assert model.cached_blocks() == [1, 2, 6]  # the least recently used blocks went
    assert model.data(model.index(60, COL_NAME), ROW_ROLE) is not None


def test_the_view_reads_only_visible_blocks(qtbot: QtBot, db: Database, town: Authority) -> None:
    source = CountingSource(db)
    page = open_page(qtbot, db, source=source)
    page.model.block_size = 10
    page.model.reload()
    qtbot.waitUntil(lambda: bool(source.fetches))
    qtbot.wait(50)
    assert page.model.rowCount() == 61
    assert 0 < len(page.model.cached_blocks()) < 4
    assert 0 in page.model.cached_blocks() and 6 not in page.model.cached_blocks()
    page.view.scrollToBottom()
    qtbot.waitUntil(lambda: 6 in page.model.cached_blocks())
    assert 3 not in page.model.cached_blocks()


def _none_first(value: Any) -> tuple[bool, Any]:
    return (value is not None, value)


@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
@pytest.mark.parametrize("col", range(len(HEADERS)))
def test_clicking_a_header_sorts_by_that_column(
    qtbot: QtBot, db: Database, town: Authority, col: int, order: Qt.SortOrder
) -> None:
    page = open_page(qtbot, db)
    page.view.sortByColumn(col, order)
    values = column(page.model, col, SORT_ROLE)
    expected = sorted(values, key=_none_first, reverse=order == Qt.SortOrder.DescendingOrder)
    assert values == expected
    assert len(set(column(page.model, COL_NAME))) > 1


def test_filters_combine_through_the_widgets(qtbot: QtBot, db: Database, town: Authority) -> None:
    page = open_page(qtbot, db)
    assert page.summary.text() == "61 children"
    page.school_combo.setCurrentIndex(page.school_combo.findText("Oak Academy"))
    oak = column(page.model, COL_NAME)
    assert len(oak) == 31
    assert {c.school_name for c in column(page.model, 0, ROW_ROLE)} == {"Oak Academy"}
    page.year_combo.setCurrentIndex(page.year_combo.findData("5"))
    assert {(c.school_name, c.nc_year) for c in column(page.model, 0, ROW_ROLE)} == {
        ("Oak Academy", "5")
    }
    page.year_combo.setCurrentIndex(0)
    page.flagged_check.setChecked(True)
    flagged = column(page.model, 0, ROW_ROLE)
    assert flagged and all(c.flag_count > 0 and c.school_name == "Oak Academy" for c in flagged)
    assert len(flagged) < len(oak)
    assert page.summary.text() == f"Showing {len(flagged)} of 61 children"
    page.clear_button.click()
    assert page.model.rowCount() == 61


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("merri", ["Merriman, Alfie", "Merriman, Bethan", "Merriman, Kezia"]),
        ("kezia", ["Merriman, Kezia"]),
        ("merriman, k", ["Merriman, Kezia"]),
        (make_upn("330", "2002", "14", 901).lower(), ["Merriman, Kezia"]),
        ("x001 8000", ["Merriman, Kezia"]),
    ],
)
def test_text_filter_by_name_upn_or_former_upn(
    qtbot: QtBot, db: Database, town: Authority, typed: str, expected: list[str]
) -> None:
    page = open_page(qtbot, db)
    qtbot.keyClicks(page.search_edit, typed)
    qtbot.waitUntil(lambda: page.model.where.search == typed, timeout=3000)
    assert sorted(column(page.model, COL_NAME)) == sorted(expected)


def test_a_typed_filter_is_a_search_on_the_audit_trail(
    qtbot: QtBot, db: Database, town: Authority
) -> None:
    """A name or UPN typed into the filter is recorded as the search box's searches are (the
    UPN typed, never a name); choosing a school or year group alone is browsing."""
    page = open_page(qtbot, db)
    searches = lambda: audit.list_entries(db, action=Action.SEARCH)  # noqa: E731
    before = len(searches())
    page.school_combo.setCurrentIndex(1)
    page.clear_filters()
    assert len(searches()) == before
    for letter in "Merrim":  # typed as a person types: one search, once it has stood
        qtbot.keyClicks(page.search_edit, letter)
        qtbot.wait(FILTER_DELAY_MS + 50)
    qtbot.waitUntil(lambda: len(searches()) == before + 1, timeout=5000)
    by_name = searches()[-1]
    assert by_name.detail is not None and by_name.account == page.context.account
    assert by_name.detail["filter"] == "name" and by_name.detail["page"] == "children"
    assert by_name.detail["rows"] == 3 and "upn" not in by_name.detail  # three Merrimans
    page.search_edit.setText(KEZIA_UPN)
    page.apply_filters()
    page.apply_filters()  # the same filter again is not a second search
    qtbot.waitUntil(lambda: len(searches()) == before + 2, timeout=5000)
    by_upn = searches()[-1]
    assert by_upn.detail is not None
    assert by_upn.detail["filter"] == "upn" and by_upn.detail["upn"] == KEZIA_UPN
    qtbot.wait(RECORD_DELAY_MS + 300)
    assert len(searches()) == before + 2
    assert all("Merrim" not in str(e.detail) for e in searches())
    assert audit.verify(db).ok


def test_no_match_says_so(qtbot: QtBot, db: Database, town: Authority) -> None:
    page = open_page(qtbot, db)
    page.search_edit.setText("zzz")
    page.apply_filters()
    assert page.model.rowCount() == 0
    assert page.summary.text() == "No children match these filters (of 61)."


def test_select_child_clears_filters_that_hide_them_and_survives_sorting(
    qtbot: QtBot, db: Database, town: Authority
) -> None:
    page = open_page(qtbot, db)
    kezia = list_children(db, ChildFilter(search="kezia"))[0]
    page.flagged_check.setChecked(True)
    assert page.select_child(kezia.id)
    assert not page.flagged_check.isChecked()
    assert page.selected_child_id() == kezia.id
    page.view.sortByColumn(COL_FLAGS, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: page.selected_child_id() == kezia.id)
    row = page.view.currentIndex().row()
    assert page.model.data(page.model.index(row, COL_NAME)) == "Merriman, Kezia"


def test_double_click_asks_to_open_the_child(qtbot: QtBot, db: Database, town: Authority) -> None:
    page = open_page(qtbot, db)
    index = page.model.index(2, COL_NAME)
    with qtbot.waitSignal(page.context.signals.open_child, timeout=2000) as opened:
        page.view.activated.emit(index)
    assert opened.args == [page.model.data(index, ROW_ROLE).id]


def test_each_child_shows_a_status_with_the_school_and_date_it_is_about(
    qtbot: QtBot, db: Database
) -> None:
    """A child on roll, one who left for elective home education, one whose school returned
    the summer census without them, and one in the pupil referral unit."""
    b = Builder(db)
    oak, pru = b.school("Oak High", "secondary"), b.school("Hawthorn Centre", "pru_ap")
    on_roll, gone, lost, placed = (b.child(n, "Status") for n in ("Ann", "Bo", "Cy", "Di"))
    b.on_roll(on_roll, oak, [autumn(2023), spring(2024), summer(2024)], "8")
    b.on_roll(gone, oak, [autumn(2023), spring(2024)], "8")
    b.enrolment(gone, oak, D(2022, 9, 1), D(2024, 3, 8), reason="Elective home education")
    b.on_roll(lost, oak, [autumn(2023), spring(2024)], "8")
    b.on_roll(placed, pru, [spring(2024), summer(2024)], "8")
    page = open_page(qtbot, db)
    shown = {
        c.forename: (page.model.data(page.model.index(r, COL_STATUS)), c.school_name,
                     page.model.data(page.model.index(r, COL_DATE)))
        for r, c in enumerate(column(page.model, 0, ROW_ROLE))
    }  # fmt: skip
    assert shown == {
        "Ann": ("On roll", "Oak High", "16/05/2024"),
        "Bo": ("Left", "Oak High", "08/03/2024"),
        "Cy": ("Missing", "Oak High", "18/01/2024"),
        "Di": ("Placement", "Hawthorn Centre", "16/05/2024"),
    }
    page.status_combo.setCurrentIndex(page.status_combo.findText("Missing"))
    assert [c.forename for c in column(page.model, 0, ROW_ROLE)] == ["Cy"]
