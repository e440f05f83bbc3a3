"""Look at the Dashboard, Schools, Families and Settings pages on the worked example authority
at 1366 x 768 and at 1920 x 1080 with 150 % scaling (EXCLUSION_MONITOR_SCREENSHOTS=folder keeps
the PNGs to open and look at)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from exclusion_monitor.flagging import recompute_flags
from exclusion_monitor.store import Database
from exclusion_monitor.store.children import refresh_child_summaries
from tests.core import example_authority
from tests.gui.test_screenshots import SCREENS, out_dir, render  # noqa: F401
from ui.app import background
from ui.app.main_window import MainWindow
from ui.app.pages import PAGE_NAMES
from ui.app.pages.dashboard_page import DashboardPage


@pytest.mark.parametrize("screen", list(SCREENS))
def test_report_pages_pictures(qtbot: QtBot, db: Database, out_dir: Path, screen: str) -> None:  # noqa: F811
    example_authority.build(db)
    recompute_flags(db)
    refresh_child_summaries(db)
    (width, height), ratio = SCREENS[screen]
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    window.resize(width, height)
    for name in ("Dashboard", "Schools", "Families", "Settings"):
        window.go_to(PAGE_NAMES.index(name))
        qtbot.waitUntil(lambda: not background.running_jobs(), timeout=20_000)
        page = window.page(name)
        if name in ("Schools", "Families"):
            page.view.selectRow(0)  # type: ignore[attr-defined]
        qtbot.wait(50)
        for label in page.findChildren(QLabel):
            if label.isVisible() and not label.wordWrap() and label.text():
                assert label.width() >= label.minimumSizeHint().width(), label.text()
        render(window, [], ratio, out_dir / f"{name.lower()}-{screen}.png")
        if isinstance(page, DashboardPage):
            assert page.tiles["suspensions"].value.text() != "-"
            bar = page.charts_area.verticalScrollBar()
            bar.setValue(bar.maximum())
            render(window, [], ratio, out_dir / f"dashboard-lower-{screen}.png")
            page.panel("Reasons given").table_toggle.click()
            render(window, [], ratio, out_dir / f"dashboard-table-{screen}.png")
