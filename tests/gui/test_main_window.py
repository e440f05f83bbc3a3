"""The main window: navigation, menus and shortcuts, status bar, remembered layout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from exclusion_monitor.store import Database, open_database
from exclusion_monitor.store import schema as t
from tests.builders import Authority
from tests.gui.conftest import show_on_children
from ui.app import background, messages
from ui.app.main_window import MainWindow
from ui.app.pages import PAGE_NAMES


def open_window(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(db)
    qtbot.addWidget(window)
    show_on_children(qtbot, window, status=True)
    return window


def test_navigation_menus_and_status_bar(qtbot: QtBot, db: Database) -> None:
    window = open_window(qtbot, db)
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == [
        "Start", "Dashboard", "Flags", "Children", "Families", "Schools", "Region", "Imports",
        "Settings",
    ]  # fmt: skip
    assert window.stack.currentWidget() is window.children_page
    assert [m.title() for m in (a.menu() for a in window.menuBar().actions())] == [
        "&File", "&View", "&Help"
    ]  # fmt: skip
    assert [a.shortcut().toString() for a in window.page_actions] == [
        f"Ctrl+{n}" for n in range(1, 10)
    ]
    with qtbot.waitSignal(window.page("Flags").loaded, timeout=10_000):  # type: ignore[attr-defined]
        window.page_actions[PAGE_NAMES.index("Flags")].trigger()
    assert window.stack.currentWidget() is window.page("Flags")
    assert window.status_db.text() == f"Database: {db.location}"
    assert window.status_user.text().startswith("User: ")
    assert window.status_role.text() == "Role: admin"  # the first user of a new database
    assert window.status_import.text() == "Last import: no imports yet"


def test_an_empty_database_says_how_to_get_children(qtbot: QtBot, db: Database) -> None:
    window = open_window(qtbot, db)
    page = window.children_page
    assert page.body.currentWidget() is page.empty_note
    assert "No children yet" in page.empty_note.text()


def test_last_import_in_the_status_bar(qtbot: QtBot, db: Database) -> None:
    with db.write() as conn:
        for n, name in enumerate(["spring_census.xlsx", "autumn_exclusions.csv"]):
            conn.execute(
                t.import_batches.insert().values(
                    file_name=name, file_hash=f"h{n}", kind="census",
                    imported_at=dt.datetime(2024, 2, 1 + n, 10, 30), status="imported",
                )
            )  # fmt: skip
    window = open_window(qtbot, db)
    assert window.status_import.text() == "Last import: autumn_exclusions.csv, 02/02/2024 10:30"


def test_ctrl_f_puts_the_cursor_in_the_search_box(qtbot: QtBot, db: Database) -> None:
    window = open_window(qtbot, db)
    window.activateWindow()
    window.children_page.view.setFocus()
    window.search_box.setText("ash")
    window.find_action.trigger()
    assert window.search_box.hasFocus()
    assert window.search_box.selectedText() == "ash"
    assert window.find_action.shortcut().matches(Qt.Key.Key_F | Qt.KeyboardModifier.ControlModifier)


def test_geometry_and_column_layout_persist_across_windows(qtbot: QtBot, db: Database) -> None:
    Authority(db).done()
    first = open_window(qtbot, db)
    # The offscreen screen is 800 x 800, so only sizes that fit it can be remembered exactly.
    first.resize(first.minimumSizeHint().width(), 560)
    size = first.size().toTuple()
    header = first.children_page.view.horizontalHeader()
    header.resizeSection(0, 211)
    header.moveSection(header.visualIndex(3), 0)
    first.children_page.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    first.close()

    second = open_window(qtbot, db)
    header = second.children_page.view.horizontalHeader()
    # The width is wider than the offscreen screen: it comes back as narrow as the window can
    # be while its pages are still reading (a few pixels either way); the height exactly.
    assert abs(second.width() - size[0]) <= 20 and second.height() == 560
    assert size[1] == 560
    assert header.sectionSize(0) == 211
    assert header.logicalIndex(0) == 3
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        2,
        Qt.SortOrder.DescendingOrder,
    )
    assert second.children_page.model.order_by == "date_of_birth"
    assert second.children_page.model.descending


def test_open_database_refused_shows_the_reason(
    qtbot: QtBot, db: Database, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, db)
    not_ours = tmp_path / "notes.db"
    not_ours.write_text("shopping list", encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr(messages, "choose_database_file", lambda *_a: str(not_ours))
    monkeypatch.setattr(messages, "show_error", lambda _p, _t, text: shown.append(text))
    window.open_action.trigger()
    assert shown and "is not an Exclusion Monitor database" in shown[0]
    assert window.isVisible()


def test_open_database_opens_it_in_a_new_window(
    qtbot: QtBot, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, db)
    shown: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda _p, _t, text: shown.append(text))
    assert window.open_other_database(str(tmp_path / "other.db")) is None  # never creates one
    assert "There is no database at" in shown[0] and not (tmp_path / "other.db").exists()
    open_database(tmp_path / "other.db").close()
    other = window.open_other_database(str(tmp_path / "other.db"))
    assert other is not None
    qtbot.addWidget(other)
    qtbot.waitSignal(other.start_page.loaded, timeout=10_000).wait()
    assert other.status_db.text().endswith("other.db")
    assert not window.isVisible()
    assert isinstance(other.findChild(QLabel, "status_database"), QLabel)


def test_the_status_bar_never_reads_on_the_ui_thread(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from ui.app import main_window

    readers: list[str] = []

    def watched(name: str, real: Any) -> Any:
        def read(*args: Any, **kwargs: Any) -> Any:
            readers.append(threading.current_thread().name)
            assert threading.current_thread() is not threading.main_thread(), name
            return real(*args, **kwargs)

        return read

    for name in ("newest_backup_age", "last_import", "count_open_reviews"):
        monkeypatch.setattr(main_window, name, watched(name, getattr(main_window, name)))
    window = open_window(qtbot, db)
    assert window.status_import.text() == "Last import: no imports yet"
    with qtbot.waitSignal(window.status_shown, timeout=10_000):
        window.refresh()
    assert len(readers) >= 6  # each read twice, and never on the UI thread
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
