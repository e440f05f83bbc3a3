"""The Region page on a regional workspace built from two synthetic authorities' returns: the
summary, the children seen across borders, and the funnel plots, grabbed to PNG
(EXCLUSION_MONITOR_SCREENSHOTS=folder keeps the pictures); and in an authority's database the
page says how to open a workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from exclusion_monitor.store import Database, open_database
from tests.gui.test_screenshots import SCREENS, out_dir, render  # noqa: F401
from ui.app import background
from ui.app.main_window import MainWindow
from ui.app.pages import PAGE_NAMES
from ui.app.pages.region_page import NOT_A_WORKSPACE, RegionPage
from ui.cli.main import main


@pytest.fixture(scope="module")
def region_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("region")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EXCLUSION_MONITOR_HOME", str(out / "home"))
        code = main(
            ["--db", str(out / "region.db"), "demo", "--region", "--authorities", "2",
             "--pupils", "900", "--seed", "5", "--out", str(out / "demo")]
        )  # fmt: skip
    assert code == 0
    return out / "region.db"


def test_region_page_shows_the_workspace(
    qtbot: QtBot,
    region_db: Path,
    out_dir: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    copy = tmp_path / "region.db"
    copy.write_bytes(region_db.read_bytes())
    db = open_database(copy)
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    (width, height), ratio = SCREENS["1366x768"]
    window.resize(width, height)
    window.go_to(PAGE_NAMES.index("Region"))
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=60_000)
    page = window.page("Region")
    assert isinstance(page, RegionPage)
    assert page.content is not None and page.content.workspace
    assert "seen in more than one authority" in page.summary.text()
    across = page.panel("Children across borders")
    assert across.showing_table and across.model.rowCount() > 0
    funnel = page.panel("Funnel: suspensions per 100 pupils, secondary schools")
    assert funnel.canvas is not None
    render(window, [], ratio, out_dir / "region-1366x768.png")
    bar = page.area.verticalScrollBar()
    bar.setValue(bar.maximum() // 3)
    render(window, [], ratio, out_dir / "region-funnels-1366x768.png")
    db.close()


def test_region_page_in_an_authority_database(qtbot: QtBot, db: Database) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    window.go_to(PAGE_NAMES.index("Region"))
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=20_000)
    page = window.page("Region")
    assert isinstance(page, RegionPage)
    assert page.summary.text() == NOT_A_WORKSPACE
