"""Look at the profile and the Flags page on the worked example (plus a few hundred invented
children) at 1366 x 768 and at 1920 x 1080 with 150 % scaling.

Set EXCLUSION_MONITOR_SCREENSHOTS=folder to keep the PNGs to open and look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from exclusion_monitor.store import Database
from exclusion_monitor.store.users import claim_first_admin
from tests.builders import Authority
from tests.core import example_authority as story
from tests.gui.conftest import show_on_children
from tests.gui.test_screenshots import SCREENS, out_dir, render  # noqa: F401
from ui.app.main_window import MainWindow
from ui.app.pages import PAGE_NAMES
from ui.app.pages.flags_page import FlagsPage


@pytest.mark.parametrize("screen", list(SCREENS))
def test_profile_and_flags_pictures(
    qtbot: QtBot,
    db: Database,
    out_dir: Path,  # noqa: F811
    screen: str,
) -> None:
    example = story.build(db)
    town = Authority(db)
    town.many(300, [town.school("Elm Primary School", laestab="3302901")])
    town.done()
    claim_first_admin(db, "LA\\manager1")
    (width, height), ratio = SCREENS[screen]
    window = MainWindow(db, account="LA\\manager1")
    qtbot.addWidget(window)
    show_on_children(qtbot, window)
    window.resize(width, height)
    for name in ("Lee", "Cara", "Dan"):
        page = window.profile_page
        with qtbot.waitSignal(page.loaded, timeout=15_000):
            window.context.signals.open_child.emit(example.ids[name])
        qtbot.waitUntil(lambda p=page: p.review.child_id is None or p.review.case is not None)
        for label in page.findChildren(QLabel):
            if label.isVisible() and not label.wordWrap() and label.text():
                assert label.width() >= label.minimumSizeHint().width(), label.text()
        assert page.tabs.height() >= page.tabs.minimumHeight()
        render(window, [], ratio, out_dir / f"profile-{name}-{screen}.png")
        page.back_button.click()
    flags = window.page("Flags")
    assert isinstance(flags, FlagsPage)
    with qtbot.waitSignal(flags.loaded, timeout=15_000):
        window.go_to(PAGE_NAMES.index("Flags"))
    header = flags.view.horizontalHeader()
    last = header.logicalIndex(header.count() - 1)
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= (
        flags.view.viewport().width()
    )
    render(window, [], ratio, out_dir / f"flags-{screen}.png")
    flags.group_check.setChecked(True)
    flags.view.selectRow(1)
    render(window, [], ratio, out_dir / f"flags-grouped-{screen}.png")
