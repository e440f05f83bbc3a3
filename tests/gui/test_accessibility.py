"""Keyboard and screen reader: every control of every page, the profile and the admin windows
has a name a screen reader says; every page and window is reached from the keyboard; Tab reaches
a page's table and moves on from it (the arrows move inside)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget
from pytestqt.qtbot import QtBot

from exclusion_monitor.flagging import recompute_flags
from exclusion_monitor.store import Database
from exclusion_monitor.store.users import claim_first_admin
from tests.core import example_authority as story
from ui.app import background
from ui.app.accessibility import unnamed_controls
from ui.app.main_window import MainWindow
from ui.app.pages import PAGE_NAMES

ADMIN = "LA\\admin1"


@pytest.fixture
def window(qtbot: QtBot, db: Database) -> MainWindow:
    example = story.build(db)
    claim_first_admin(db, ADMIN)
    recompute_flags(db, as_of=story.AS_OF)
    win = MainWindow(db, account=ADMIN)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    settle(qtbot)
    win.example = example  # type: ignore[attr-defined]
    return win


def settle(qtbot: QtBot) -> None:
    qtbot.wait(50)
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=20_000)
    qtbot.wait(50)


def test_every_control_of_every_page_and_window_has_a_name(
    qtbot: QtBot, window: MainWindow
) -> None:
    unnamed: list[str] = []
    for number, name in enumerate(PAGE_NAMES):
        window.go_to(number)
        settle(qtbot)
        unnamed += [f"{name}: {line}" for line in unnamed_controls(window.pages[number])]
    example = window.example  # type: ignore[attr-defined]
    window.context.signals.open_child.emit(example.ids["Kai"])
    settle(qtbot)
    unnamed += [f"profile: {line}" for line in unnamed_controls(window.profile_page)]
    for opened in (window.show_audit_trail(), window.show_retention(), window.show_backups()):
        assert opened is not None
        settle(qtbot)
        unnamed += unnamed_controls(opened)
        opened.close()
    from ui.app.link_dialog import LinkDialog
    from ui.app.print_dialog import PrintDialog

    for dialog in (
        PrintDialog([("3304001", "Oak High")], "all flags", parent=window),
        LinkDialog(window.db, ADMIN, window),
    ):
        dialog.show()  # every dialog is named as it is shown
        qtbot.wait(20)
        unnamed += unnamed_controls(dialog)
        dialog.close()
        settle(qtbot)
    unnamed += unnamed_controls(window)  # the search box, the status bar's button
    print("\n".join(unnamed) or "every control is named")
    assert unnamed == []


def test_every_page_and_window_is_reached_from_the_keyboard(window: MainWindow) -> None:
    assert [a.shortcut().toString() for a in window.page_actions] == [
        f"Ctrl+{n}" for n in range(1, len(PAGE_NAMES) + 1)
    ]
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        assert "&" in menu_action.text(), menu_action.text()
        for action in menu.actions():  # type: ignore[union-attr]
            if action.isSeparator() or not action.isVisible():
                continue
            assert "&" in action.text() or not action.shortcut().isEmpty(), action.text()
    assert window.find_action.shortcut().toString() == "Ctrl+F"


def test_tab_reaches_the_table_and_moves_on_from_it(qtbot: QtBot, window: MainWindow) -> None:
    window.go_to(PAGE_NAMES.index("Children"))
    settle(qtbot)
    page = window.children_page
    page.search_edit.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(page.search_edit.hasFocus, timeout=2000)
    visited: list[QWidget] = []
    for _ in range(12):
        QApplication.focusWidget().focusNextChild()  # type: ignore[union-attr]
        now = QApplication.focusWidget()
        assert now is not None
        visited.append(now)
        if now is page.view:
            break
    assert page.view in visited  # the table is reached by Tab, after the filters
    # In a table the arrows move between cells and Tab moves on, on every page and window.
    views = [v for p in [*window.pages] for v in p.findChildren(QAbstractItemView)]
    ours = [v for v in views if not v.objectName().startswith("qt_")]  # Qt's calendar is Qt's
    trapping = [v.objectName() or type(v).__name__ for v in ours if v.tabKeyNavigation()]
    assert ours and trapping == []
