"""The global search box: results as you type, Enter or a click opens the child."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database, audit
from tests.builders import Authority, make_upn
from tests.gui.conftest import show_on_children
from ui.app.main_window import MainWindow
from ui.app.search_box import COL_NAME, COL_SCHOOL, COL_UPN, ROW_ROLE

KEZIA_UPN = make_upn("330", "2002", "14", 901)


@pytest.fixture
def window(qtbot: QtBot, db: Database) -> MainWindow:
    town = Authority(db)
    elm = town.school("Elm Primary")
    town.many(30, [elm])
    town.child("Merriman", "Kezia", dt.date(2014, 6, 2), upn=KEZIA_UPN,
               former_upns=["X00180001701A"], school=elm, nc_year="5")  # fmt: skip
    town.done()
    window = MainWindow(db)
    qtbot.addWidget(window)
    show_on_children(qtbot, window)
    return window


def type_and_wait(qtbot: QtBot, window: MainWindow, text: str) -> int:
    window.focus_search()
    with qtbot.waitSignal(window.search_box.results_shown, timeout=5000) as shown:
        qtbot.keyClicks(window.search_box, text)
    count: int = shown.args[0]
    return count


def popup_rows(window: MainWindow, col: int) -> list[Any]:
    model = window.search_box.popup.model
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_results_appear_as_you_type_and_enter_opens_the_highlighted_child(
    qtbot: QtBot, window: MainWindow
) -> None:
    count = type_and_wait(qtbot, window, "merri")
    assert window.search_box.popup.isVisible()
    names = popup_rows(window, COL_NAME)
    assert count == len(names) and "Merriman, Kezia" in names
    assert all(name.startswith("Merriman, ") for name in names)
    assert set(popup_rows(window, COL_SCHOOL)) == {"Elm Primary"}
    qtbot.keyClick(window.search_box, Qt.Key.Key_Down)
    model = window.search_box.popup.model
    wanted = model.data(model.index(1, COL_NAME), ROW_ROLE).child.id
    with (
        qtbot.waitSignal(window.profile_page.loaded, timeout=10_000),
        qtbot.waitSignal(window.open_child, timeout=2000) as opened,
    ):
        qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert opened.args == [wanted]
    assert not window.search_box.popup.isVisible()
    assert window.stack.currentWidget() is window.profile_page
    assert window.profile_page.child_id == wanted
    assert window.profile_page.heading.text().endswith("Merriman")
    window.profile_page.back_button.click()
    assert window.stack.currentWidget() is window.children_page


def test_a_upn_typed_in_lower_case_with_spaces_finds_the_child(
    qtbot: QtBot, window: MainWindow
) -> None:
    spaced = f"{KEZIA_UPN[:4]} {KEZIA_UPN[4:]}".lower()
    assert type_and_wait(qtbot, window, spaced) == 1
    assert popup_rows(window, COL_NAME) == ["Merriman, Kezia"]
    assert popup_rows(window, COL_UPN) == [KEZIA_UPN]


def test_a_former_upn_finds_the_child_and_says_so(qtbot: QtBot, window: MainWindow) -> None:
    assert type_and_wait(qtbot, window, "X00180001701A") == 1
    assert popup_rows(window, COL_UPN) == [f"{KEZIA_UPN} (former X00180001701A)"]
    with (
        qtbot.waitSignal(window.profile_page.loaded, timeout=10_000),
        qtbot.waitSignal(window.open_child, timeout=2000) as opened,
    ):
        window.search_box.popup.view.clicked.emit(window.search_box.popup.model.index(0, 0))
    assert opened.args == [window.profile_page.child_id]
    assert window.profile_page.heading.text() == "Kezia Merriman"
    assert "Former UPNs: X00180001701A" in window.profile_page.identity.text()


def test_enter_straight_after_a_full_upn_opens_the_only_match(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.focus_search()
    window.search_box.setText(KEZIA_UPN)
    with (
        qtbot.waitSignal(window.profile_page.loaded, timeout=10_000),
        qtbot.waitSignal(window.open_child, timeout=5000) as opened,
    ):
        qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert opened.args == [window.profile_page.child_id]
    assert window.profile_page.heading.text() == "Kezia Merriman"


def test_nothing_found_is_said_plainly(qtbot: QtBot, window: MainWindow) -> None:
    assert type_and_wait(qtbot, window, "Quibblewick") == 0
    assert window.search_box.popup.note.text() == "No child found for \u201cQuibblewick\u201d."
    qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert not window.search_box.popup.isVisible()


def test_a_search_in_the_app_is_on_the_audit_trail_as_on_the_command_line(
    qtbot: QtBot, window: MainWindow, db: Database
) -> None:
    """The same record as `children` on the command line: who searched, what kind of search,
    how many found and which children (by id); a name typed is never kept."""
    assert type_and_wait(qtbot, window, KEZIA_UPN.lower()) == 1
    kezia = window.search_box.popup.model.data(
        window.search_box.popup.model.index(0, COL_NAME), ROW_ROLE
    ).child.id
    window.search_box.clear()
    assert type_and_wait(qtbot, window, "Merriman") >= 1
    searches = audit.list_entries(db, action=Action.SEARCH)
    by_upn, by_name = searches[0], searches[-1]
    assert by_upn.account == window.context.account and by_upn.detail is not None
    assert by_upn.detail["filter"] == "upn" and by_upn.detail["upn"] == KEZIA_UPN
    assert by_upn.detail["children"] == [kezia] and by_upn.detail["rows"] == 1
    assert by_name.detail is not None and by_name.detail["filter"] == "name"
    assert kezia in by_name.detail["children"]
    assert all("Merriman" not in str(e.detail) for e in searches)
    assert audit.verify(db).ok
