"""The near-match queue on the Imports page: pairs side by side, merge (after confirmation) and
keep apart persist and are audited; the count shows on the tab and in the navigation."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from exclusion_monitor.store import Database
from exclusion_monitor.store.audit import list_entries
from exclusion_monitor.store.children import child_id_for_upn, count_children
from exclusion_monitor.store.identity import list_identity_reviews
from imports import import_files
from tests.builders import make_upn
from tests.gui.conftest import show_on_children
from tests.gui.test_screenshots import render
from ui.app import messages
from ui.app.identity_review_panel import ReviewsModel
from ui.app.main_window import MainWindow
from ui.app.pages import PAGE_NAMES
from ui.app.pages.base import AppContext
from ui.app.pages.imports_page import TAB_IDENTITY, ImportsPage

HEADERS = ["UPN", "Surname", "Forename", "Date of birth", "Sex", "NC year", "LAESTAB",
           "Census date"]  # fmt: skip


def upn(serial: int) -> str:
    return make_upn("330", "4002", "16", serial)


def row(serial: int, surname: str, forename: str, sex: str, census: str) -> list[str]:
    return [upn(serial), surname, forename, "03/03/2012", sex, "7", "3304002", census]


@pytest.fixture
def near_matches(db: Database, tmp_path: Path) -> Database:
    """Two pairs the intake would not merge on its own: Jon/John Okafor, and Ria Patel F/M."""
    for name, rows in (
        ("autumn.csv", [row(10, "Okafor", "Jon", "M", "05/10/2023"),
                        row(12, "Patel", "Ria", "F", "05/10/2023"),
                        row(13, "Patel", "Ria", "M", "05/10/2023")]),
        ("spring.csv", [row(11, "Okafor", "John", "M", "18/01/2024")]),
    ):  # fmt: skip
        path = tmp_path / name
        with path.open("w", newline="") as handle:
            csv.writer(handle).writerows([HEADERS, *rows])
        import_files(db, [path], account="test")
    assert len(list_identity_reviews(db)) == 2
    return db


@pytest.fixture
def page(qtbot: QtBot, near_matches: Database) -> ImportsPage:
    page = ImportsPage(AppContext.for_account(near_matches))
    qtbot.addWidget(page)
    page.resize(1300, 820)
    page.show()
    with qtbot.waitSignals([page.history.loaded, page.identity.loaded], timeout=10_000):
        page.activated()
    page.tabs.setCurrentIndex(TAB_IDENTITY)
    return page


def select_pair(page: ImportsPage, upn_text: str) -> None:
    model = page.identity.view.model()
    for r in range(model.rowCount()):
        if upn_text in (model.index(r, 1).data(), model.index(r, 4).data()):
            page.identity.view.selectRow(r)
            return
    raise AssertionError(f"no pair with {upn_text}")


def side_by_side(page: ImportsPage) -> list[list[str]]:
    return [[a.text(), b.text()] for a, b in page.identity.cells]


def test_the_queue_shows_each_pair_side_by_side_with_a_count(
    qtbot: QtBot, page: ImportsPage, qtmodeltester: object
) -> None:
    assert page.tabs.tabText(TAB_IDENTITY) == "Near matches (2)"
    assert "2 pairs of children to review" in page.identity.summary.text()
    select_pair(page, upn(11))
    shown = side_by_side(page)
    assert shown[0] == [f"<b>{upn(10)}</b>", f"<b>{upn(11)}</b>"]
    assert shown[1] == ["<b>Jon Okafor</b>", "<b>John Okafor</b>"]  # the difference stands out
    assert shown[2] == ["03/03/2012", "03/03/2012"]
    assert shown[3] == ["Male", "Male"]
    assert "similar forename" in page.identity.pick_note.text()
    assert isinstance(page.identity.model, ReviewsModel)
    qtmodeltester.check(page.identity.model)  # type: ignore[attr-defined]


def test_merge_asks_first_then_makes_one_child_with_both_upns(
    qtbot: QtBot, page: ImportsPage, near_matches: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = near_matches
    before = count_children(db)
    select_pair(page, upn(11))
    monkeypatch.setattr(messages, "confirm", lambda *a: False)
    page.identity.merge_button.click()
    assert count_children(db) == before  # said no: nothing changed

    asked: list[str] = []
    monkeypatch.setattr(messages, "confirm", lambda _p, _t, text: asked.append(text) or True)
    panel = page.identity
    with qtbot.waitSignals([panel.decided, panel.loaded, page.history.loaded], timeout=30_000):
        panel.merge_button.click()
    assert asked[0].startswith(f"Merge Okafor, John ({upn(11)}) into Okafor, Jon ({upn(10)})?")
    assert count_children(db) == before - 1
    assert child_id_for_upn(db, upn(10)) == child_id_for_upn(db, upn(11))  # former UPN kept
    assert page.tabs.tabText(TAB_IDENTITY) == "Near matches (1)"
    entries = [e for e in list_entries(db) if e.action == "resolve_identity_review"]
    assert entries[-1].detail is not None and entries[-1].detail["decision"] == "merge"
    assert "Okafor" not in str(entries[-1].detail)  # by UPN, never by name


def test_keep_apart_leaves_two_children_and_the_queue_empties(
    qtbot: QtBot, page: ImportsPage, near_matches: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = near_matches
    before = count_children(db)
    panel = page.identity
    for serial in (12, 10):
        select_pair(page, upn(serial))
        decide = panel.apart_button
        with qtbot.waitSignals([panel.decided, panel.loaded], timeout=30_000):
            decide.click()
    assert count_children(db) == before
    assert list_identity_reviews(db) == []
    assert {r.status for r in list_identity_reviews(db, None)} == {"kept_apart"}
    assert page.tabs.tabText(TAB_IDENTITY) == "Near matches"
    assert "No near matches to review" in panel.summary.text()
    assert panel.compare.isHidden()


def test_the_navigation_shows_the_open_count(qtbot: QtBot, near_matches: Database) -> None:
    window = MainWindow(near_matches)
    qtbot.addWidget(window)
    show_on_children(qtbot, window, status=True)
    assert window.nav.item(PAGE_NAMES.index("Imports")).text() == "Imports (2)"
    page = window.page("Imports")
    assert isinstance(page, ImportsPage)
    with qtbot.waitSignals([page.history.loaded, page.identity.loaded], timeout=10_000):
        window.go_to(PAGE_NAMES.index("Imports"))
    assert page.tabs.tabText(TAB_IDENTITY) == "Near matches (2)"


def test_a_pair_a_former_upn_joins_shows_the_former_upn_reason(
    qtbot: QtBot, near_matches: Database, tmp_path: Path
) -> None:
    """The spring census gives Ria Patel (M) the other Ria's UPN as Former UPN: they differ in
    sex, so the pair is not merged, and the queue says why it matters now."""
    path = tmp_path / "spring_census.csv"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(
            [[*HEADERS, "Former UPN"], [*row(13, "Patel", "Ria", "M", "18/01/2024"), upn(12)]]
        )
    import_files(near_matches, [path], account="test")
    page = ImportsPage(AppContext.for_account(near_matches))
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignals([page.history.loaded, page.identity.loaded], timeout=10_000):
        page.activated()
    page.tabs.setCurrentIndex(TAB_IDENTITY)
    select_pair(page, upn(12))
    reason = page.identity.view.model().index(page.identity.view.currentIndex().row(), 0).data()
    assert reason == (
        f"Former UPN: row 2 gives UPN {upn(13)} with Former UPN {upn(12)}, but their recorded "
        "sex differs; also same name and date of birth, different sex"
    )
    assert page.identity.pick_note.text() == f"Found because: {reason}."
    page.resize(1300, 820)
    folder = Path(os.environ.get("EXCLUSION_MONITOR_SCREENSHOTS") or tmp_path)
    render(page, [], 1.0, folder / "identity-former-upn.png")
