"""GUI test set-up: a test that leaves a background job running fails."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from ui.app import background
from ui.app.pages.profile_page import READ_AHEAD_JOB


def check_no_jobs_left(qtbot: QtBot) -> None:
    """Fail the test if a background job was started and not waited for; let it finish first so
    it cannot disturb the next test."""
    # A window reads the authority ahead once its Start page has loaded, of its own accord
    # (ProfilePage.read_ahead): no test starts it, so none waits for it; it is let finish.
    for job in background.running_jobs():
        if job.name == READ_AHEAD_JOB:
            job.wait_finished(10)
    qtbot.waitUntil(
        lambda: all(job.name != READ_AHEAD_JOB for job in background.running_jobs()),
        timeout=10_000,
    )
    left = background.running_jobs()
    if not left:
        return
    for job in left:
        job.cancel()
        job.wait_finished(10)
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    pytest.fail(
        "the test left background jobs running: " + ", ".join(job.name for job in left),
        pytrace=False,
    )


@pytest.fixture(autouse=True)
def no_background_jobs_left(qtbot: QtBot) -> Iterator[None]:
    yield
    check_no_jobs_left(qtbot)


def show_on_children(qtbot: QtBot, window: Any, *, status: bool = False) -> None:
    """Show a main window (it opens on the Start page) and go to the Children page, waiting for
    each to read its data (and, with `status`, for the status bar)."""
    from ui.app.pages import PAGE_NAMES

    signals = [window.start_page.loaded, *([window.status_shown] if status else [])]
    with qtbot.waitSignals(signals, timeout=15_000):
        window.show()
    with qtbot.waitSignal(window.children_page.loaded, timeout=10_000):
        window.go_to(PAGE_NAMES.index("Children"))
