"""The first window: navigation pages, search box and status bar, grabbed to PNG to look at."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from exclusion_monitor.store import Database
from ui.app.main_window import PAGES, MainWindow


def test_main_window_shows_navigation_and_status(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == PAGES
    assert window.stack.currentIndex() == PAGES.index("Children")
    assert "0 children" in window.status_db.text()
    assert window.status_user.text().startswith("User: ")
    window.nav.setCurrentRow(PAGES.index("Flags"))
    assert window.stack.currentIndex() == PAGES.index("Flags")
    picture = tmp_path / "main_window.png"
    assert window.grab().save(str(picture))
    assert picture.stat().st_size > 1000
