"""Look at the Imports page: pending files with a mapping shown, the result of an import with
rejected rows, the history, and the near-match queue, at 1366 x 768 and at 1920 x 1080 with
150 % scaling. Set EXCLUSION_MONITOR_SCREENSHOTS=folder to keep the PNGs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from exclusion_monitor.store import Database
from imports.demo import DemoManifest
from tests.gui.conftest import show_on_children
from tests.gui.import_files import ODD_SURNAME, demo_returns, write_messy_census
from tests.gui.test_identity_review import near_matches  # noqa: F401  (a fixture)
from tests.gui.test_screenshots import SCREENS, out_dir, render  # noqa: F401
from ui.app import messages
from ui.app.main_window import MainWindow
from ui.app.pages import PAGE_NAMES
from ui.app.pages.imports_page import TAB_FILES, TAB_HISTORY, TAB_IDENTITY, ImportsPage


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return demo_returns(tmp_path_factory.mktemp("demo"))


def open_imports(
    qtbot: QtBot, db: Database, size: tuple[int, int]
) -> tuple[MainWindow, ImportsPage]:
    window = MainWindow(db)
    qtbot.addWidget(window)
    show_on_children(qtbot, window)
    window.resize(*size)
    page = window.page("Imports")
    assert isinstance(page, ImportsPage)
    with qtbot.waitSignals([page.history.loaded, page.identity.loaded], timeout=10_000):
        window.go_to(PAGE_NAMES.index("Imports"))
    qtbot.wait(20)
    return window, page


def assert_readable(page: QWidget) -> None:
    """Visible labels and buttons show their whole text (nothing squeezed below its minimum)."""
    for label in page.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap() and label.text():
            assert label.width() >= label.minimumSizeHint().width(), label.text()
    for button in page.findChildren(QPushButton):
        if button.isVisible():
            assert button.width() >= button.minimumSizeHint().width(), button.text()


@pytest.mark.parametrize("screen", list(SCREENS))
def test_imports_pictures(
    qtbot: QtBot,
    db: Database,
    demo: DemoManifest,
    out_dir: Path,  # noqa: F811
    screen: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    size, ratio = SCREENS[screen]
    window, page = open_imports(qtbot, db, size)
    messy = write_messy_census(tmp_path / "larkwood spring.xlsx", 1, 30)
    files = [next(f.path for f in demo.files if f.path.name == n) for n in (
        "000_schools_register.csv", "2020-01-16_1_census.xlsx", "2020-01-16_2_exclusions.xlsx",
    )]  # fmt: skip
    monkeypatch.setattr(
        messages, "choose_import_files", lambda *a: [str(p) for p in [*files, messy]]
    )
    with qtbot.waitSignal(page.inspected, timeout=30_000):
        page.add_button.click()
    page.select_file(messy.name)
    qtbot.wait(20)
    assert_readable(page)
    render(window, [], ratio, out_dir / f"imports-mapping-needed-{screen}.png")

    page.editor.choose_field(ODD_SURNAME, "surname")
    page.editor.choose_census_date("18/1/24")
    page.select_file("2020-01-16_1_census.xlsx")
    page.editor.choose_census_date("16/1/20")
    qtbot.wait(20)
    render(window, [], ratio, out_dir / f"imports-ready-{screen}.png")

    signals = [page.imported, page.history.loaded, page.identity.loaded]
    with qtbot.waitSignals(signals, timeout=120_000):
        page.import_button.click()
    qtbot.wait(20)
    assert_readable(page)
    render(window, [], ratio, out_dir / f"imports-result-{screen}.png")

    page.tabs.setCurrentIndex(TAB_HISTORY)
    page.history.select_batch(page.history.model.batches[0].id)
    qtbot.wait(20)
    assert_readable(page)
    render(window, [], ratio, out_dir / f"imports-history-{screen}.png")
    page.tabs.setCurrentIndex(TAB_IDENTITY)
    qtbot.wait(20)
    render(window, [], ratio, out_dir / f"imports-identity-empty-{screen}.png")
    page.tabs.setCurrentIndex(TAB_FILES)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_identity_queue_pictures(
    qtbot: QtBot,
    near_matches: Database,  # noqa: F811
    out_dir: Path,  # noqa: F811
    screen: str,
) -> None:
    size, ratio = SCREENS[screen]
    window, page = open_imports(qtbot, near_matches, size)
    page.tabs.setCurrentIndex(TAB_IDENTITY)
    page.identity.view.selectRow(0)
    qtbot.wait(20)
    assert_readable(page)
    render(window, [], ratio, out_dir / f"imports-identity-{screen}.png")
    page.tabs.setCurrentIndex(TAB_FILES)
    qtbot.wait(20)
    render(window, [], ratio, out_dir / f"imports-empty-{screen}.png")
