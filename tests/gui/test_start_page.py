"""The Start page: the work waiting, read through the real widgets on the worked example."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from exclusion_monitor.flagging import recompute_flags
from exclusion_monitor.roles import Role
from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.settings import set_setting
from exclusion_monitor.store.users import add_user, claim_first_admin
from tests.core import example_authority as story
from tests.support.cases import set_case
from ui.app.main_window import MainWindow
from ui.app.pages import PAGE_NAMES
from ui.app.pages.start_page import StartPage

ADMIN = "LA\\admin1"
OFFICER = "LA\\officer1"


@pytest.fixture
def example(db: Database) -> story.Example:
    built = story.build(db)
    claim_first_admin(db, ADMIN)
    add_user(db, ADMIN, OFFICER, Role.OFFICER, "Olu Officer")
    recompute_flags(db, as_of=story.AS_OF)
    return built


def texts(listing: object) -> list[str]:
    return [listing.item(i).text() for i in range(listing.count())]  # type: ignore[attr-defined]


def open_start(qtbot: QtBot, db: Database, account: str) -> MainWindow:
    window = MainWindow(db, account=account)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.start_page.loaded, timeout=15_000):
        window.show()
    return window


def test_the_app_opens_on_the_work_waiting(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    lee, cara = example.ids["Lee"], example.ids["Cara"]
    set_case(db, lee, ADMIN, officer=ADMIN, status="under review")
    old = dt.datetime.now() - dt.timedelta(weeks=10)
    set_case(db, cara, ADMIN, status="referred", now=old)
    set_setting(db, "demo.stories", [{"upn": example.upns["Dan"], "description": "A story."}])
    with db.write() as conn:
        conn.execute(
            t.import_batches.insert().values(
                file_name="oak_census.csv", file_hash="h", kind="census",
                imported_at=dt.datetime.now(), status="imported", rows_rejected=3,
            )
        )  # fmt: skip
    window = open_start(qtbot, db, ADMIN)
    page = window.start_page
    assert window.stack.currentWidget() is page
    assert "your first visit" in page.intro.text()
    flagged = {r.child_id for r in window.start_page.work.new_flags}  # type: ignore[union-attr]
    with db.read() as conn:
        holding = set(
            conn.execute(
                sa.select(t.flags.c.child_id).where(t.flags.c.cleared_on.is_(None))
            ).scalars()
        )
    assert flagged == holding  # raised just now: all new on a first visit
    assert [line.split(" (")[0] for line in texts(page.mine_list)] == ["Lomax, Lee"]
    assert "under review" in texts(page.mine_list)[0]
    assert any(line.startswith("Calloway, Cara") for line in texts(page.idle_list))
    assert all("Lomax, Lee" not in line for line in texts(page.idle_list))  # acted on today
    assert texts(page.rejected_list) == [
        f"oak_census.csv: 3 rows rejected (imported {dt.date.today():%d/%m/%Y})"
    ]
    assert page.demo_box.isVisibleTo(window)
    assert texts(page.demo_list) == [f"{example.upns['Dan']}  A story."]
    assert page.demo_list.item(0).data(Qt.ItemDataRole.UserRole) == example.ids["Dan"]

    # A line opens the child; a batch's line the Imports page.
    with qtbot.waitSignal(window.profile_page.loaded, timeout=15_000):
        page.mine_list.itemClicked.emit(page.mine_list.item(0))
    assert window.profile_page.child_id == lee
    window.go_to(PAGE_NAMES.index("Start"))
    qtbot.waitSignal(page.loaded, timeout=15_000).wait()
    page.rejected_list.itemClicked.emit(page.rejected_list.item(0))
    assert window.stack.currentWidget() is window.page("Imports")


def test_new_flags_are_those_raised_since_the_last_visit(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    window = open_start(qtbot, db, OFFICER)
    page = window.start_page
    assert page.new_list.count() > 0 and "Olu Officer" in page.intro.text()
    with qtbot.waitSignal(window.page("Children").loaded, timeout=15_000):  # type: ignore[attr-defined]
        window.go_to(PAGE_NAMES.index("Children"))
    qtbot.waitUntil(lambda: not _running(), timeout=5000)
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        window.go_to(PAGE_NAMES.index("Start"))
    assert "since your last visit" in page.intro.text()
    assert page.new_list.count() == 0 and page.new_note.text() == "No new flags."


def test_a_viewer_sees_the_work_but_no_cases_of_their_own(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    add_user(db, ADMIN, "LA\\viewer1", Role.VIEWER)
    window = open_start(qtbot, db, "LA\\viewer1")
    page = window.start_page
    assert isinstance(page, StartPage)
    assert not page.mine_box.isVisibleTo(window)  # a viewer is never assigned a case
    assert page.new_list.count() > 0
    assert not page.rejected_box.isVisibleTo(window)  # rejected rows are the liaison's work
    item = page.new_list.item(0)
    flagged = {c.child_id for c in page.work.new_flags}  # type: ignore[union-attr]
    assert item.data(Qt.ItemDataRole.UserRole) in flagged  # the child a click opens


def _running() -> bool:
    from ui.app import background

    return bool(background.running_jobs())
