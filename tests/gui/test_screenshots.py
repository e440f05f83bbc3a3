"""Look at the app: the main window with a few hundred invented children, at 1366 x 768 and at
1920 x 1080 with 150 % scaling (1280 x 720 logical, drawn at device pixel ratio 1.5).

Set EXCLUSION_MONITOR_SCREENSHOTS=folder to keep the PNGs to open and look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from exclusion_monitor.store import Database
from tests.builders import Authority
from tests.gui.conftest import show_on_children
from ui.app.main_window import MainWindow
from ui.app.pages import PAGE_NAMES

SCREENS = {"1366x768": ((1366, 768), 1.0), "1920x1080-150pc": ((1280, 720), 1.5)}


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    wanted = os.environ.get("EXCLUSION_MONITOR_SCREENSHOTS")
    folder = Path(wanted) if wanted else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def render(window: QWidget, popups: list[QWidget], ratio: float, path: Path) -> QPixmap:
    """The window as the screen would show it, with any popup drawn where it sits."""
    pixmap = QPixmap(window.size() * ratio)
    pixmap.setDevicePixelRatio(ratio)
    window.render(pixmap)
    painter = QPainter(pixmap)
    for popup in popups:
        if popup.isVisible():
            offset = popup.mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0))
            popup.render(painter, offset)
    painter.end()
    assert pixmap.save(str(path))
    return pixmap


def assert_not_clipped(window: MainWindow) -> None:
    """Labels show their whole text, and no visible widget is squeezed below its minimum."""
    for label in window.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap() and label.text():
            assert label.width() >= label.minimumSizeHint().width(), label.text()
    page = window.children_page
    for widget in (page.search_edit, page.school_combo, page.year_combo, page.flagged_check):
        assert widget.width() >= widget.minimumSizeHint().width()
    for combo in (page.school_combo, page.year_combo):
        text_width = combo.fontMetrics().horizontalAdvance(combo.currentText())
        assert combo.width() >= text_width + 30, combo.currentText()
    header = page.view.horizontalHeader()
    assert header.sectionViewportPosition(5) + header.sectionSize(5) <= page.view.viewport().width()


@pytest.mark.parametrize("screen", list(SCREENS))
def test_main_window_pictures(qtbot: QtBot, db: Database, out_dir: Path, screen: str) -> None:
    town = Authority(db)
    schools = [
        town.school("Elm Primary School"),
        town.school("Oak Academy", phase="secondary"),
        town.school("St Winifred's Church of England Voluntary Aided Junior School"),
        town.school("Brackley Park Pupil Referral Unit", phase="PRU"),
    ]
    town.many(300, schools)
    town.done()
    (width, height), ratio = SCREENS[screen]
    window = MainWindow(db)
    qtbot.addWidget(window)
    show_on_children(qtbot, window)
    window.resize(width, height)
    qtbot.wait(20)
    assert_not_clipped(window)
    picture = render(window, [], ratio, out_dir / f"children-{screen}.png")
    assert picture.width() == round(width * ratio)
    assert window.children_page.model.rowCount() == 300

    window.focus_search()
    with qtbot.waitSignal(window.search_box.results_shown, timeout=5000):
        qtbot.keyClicks(window.search_box, "ash")
    render(window, [window.search_box.popup], ratio, out_dir / f"search-{screen}.png")
    window.search_box.popup.hide()

    imports = window.page("Imports")
    with qtbot.waitSignals([imports.history.loaded, imports.identity.loaded], timeout=10_000):  # type: ignore[attr-defined]
        window.go_to(PAGE_NAMES.index("Imports"))
    render(window, [], ratio, out_dir / f"imports-empty-{screen}.png")


def test_empty_children_page_picture(qtbot: QtBot, db: Database, out_dir: Path) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    show_on_children(qtbot, window)
    window.resize(1366, 768)
    qtbot.wait(20)
    render(window, [], 1.0, out_dir / "children-empty-1366x768.png")
