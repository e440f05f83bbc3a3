"""The Families page: whole-family cases first with each child's school, year and flags; an
officer links two children picked from search, and unlinks one; both persist and are audited."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from exclusion_monitor.flagging import recompute_flags
from exclusion_monitor.store import Database
from exclusion_monitor.store.audit import list_entries
from exclusion_monitor.store.children import refresh_child_summaries
from exclusion_monitor.store.families import list_families
from tests.core import example_authority
from tests.core.builders import Builder, autumn
from ui.app import messages
from ui.app.family_models import FamiliesModel, FamilyMembersModel, SuggestionsModel
from ui.app.pages.base import AppContext
from ui.app.pages.families_page import FamiliesPage


@pytest.fixture
def example(db: Database) -> example_authority.Example:
    found = example_authority.build(db)
    recompute_flags(db)
    refresh_child_summaries(db)
    return found


@pytest.fixture
def page(qtbot: QtBot, db: Database, example: example_authority.Example) -> FamiliesPage:
    page = FamiliesPage(AppContext.for_account(db))
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.activated()
    return page


def member_rows(page: FamiliesPage) -> list[list[str]]:
    model = page.members_view.model()
    return [[model.index(r, c).data() for c in range(5)] for r in range(model.rowCount())]


def test_the_dunmores_are_a_whole_family_case(page: FamiliesPage, db: Database) -> None:
    assert page.model.rowCount() == 1
    assert "1 whole-family case</b>" in page.summary.text()
    page.view.selectRow(0)
    assert member_rows(page) == [
        ["Dunmore, Dan", page.model.families[0].members[0].upn, "Beech School", "9",
         "Repeated suspensions"],
        ["Dunmore, Ella", page.model.families[0].members[1].upn, "Elm Primary", "3",
         "Excluded in primary school"],
    ]  # fmt: skip
    assert page.proxy.index(0, 2).data() == "2 of 2"
    assert page.proxy.index(0, 3).data() == (
        "Excluded in primary school (1 child), Repeated suspensions (1 child)"
    )
    assert "2 children</b>, 2 flagged: Excluded in primary school" in page.members_label.text()
    assert page.suggestions_model.rowCount() == 0 and "No suggestions" in (
        page.suggestions_label.text()
    )


def test_link_two_children_picked_from_search_then_unlink(
    qtbot: QtBot,
    page: FamiliesPage,
    db: Database,
    example: example_authority.Example,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(messages, "confirm", lambda *args: True)
    page.view.selectRow(0)
    page.members_view.selectRow(0)  # Dan
    dialog = page.open_link_dialog()
    assert dialog.first.child_id == example.ids["Dan"]
    search = dialog.second.search
    search.setFocus()
    with qtbot.waitSignal(search.results_shown, timeout=5000):
        qtbot.keyClicks(search, example.upns["Gia"])
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.keyClick(search, Qt.Key.Key_Return)
        assert dialog.second.child_id == example.ids["Gia"]
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    families = list_families(db)
    assert {m.child_id for m in families[0].members} == {
        example.ids[n] for n in ("Dan", "Ella", "Gia")
    }
    page.view.selectRow(0)
    assert len(member_rows(page)) == 3
    gia_row = next(r for r, row in enumerate(member_rows(page)) if row[0] == "Garside, Gia")
    page.members_view.selectRow(gia_row)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.unlink_button.click()
    assert {m.child_id for m in list_families(db)[0].members} == {
        example.ids["Dan"],
        example.ids["Ella"],
    }
    audit = [(e.target, e.detail) for e in list_entries(db, action="link_family")]
    assert audit == [
        (example.upns["Dan"], {"change": "link", "other": example.upns["Gia"]}),
        (example.upns["Gia"], {"change": "unlink", "other": example.upns["Dan"]}),
    ]


def test_whole_family_cases_only(qtbot: QtBot, page: FamiliesPage) -> None:
    page.cases_only.click()
    assert page.model.rowCount() == 1


def test_double_click_opens_the_child(qtbot: QtBot, page: FamiliesPage) -> None:
    page.view.selectRow(0)
    index = page.members_view.model().index(1, 0)
    with qtbot.waitSignal(page.context.signals.open_child) as opened:
        page.members_view.doubleClicked.emit(index)
    assert opened.args == [page.model.families[0].members[1].child_id]


def test_models_pass_qtmodeltester(qtmodeltester: Any, page: FamiliesPage) -> None:
    page.view.selectRow(0)
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.members_model)
    qtmodeltester.check(FamiliesModel())
    qtmodeltester.check(FamilyMembersModel())
    qtmodeltester.check(SuggestionsModel())


@pytest.fixture
def home(db: Database) -> dict[str, int]:
    """A children's home (twelve children, ten surnames) and a family next door."""
    b = Builder(db)
    school = b.school("Oak High", "secondary")
    names = [("Adams", "Amy"), ("Adams", "Alf"), ("Baker", "Bea"), ("Baker", "Bob")]
    names += [(f"Surname{n}", "Kid") for n in range(7)] + [("Clark", "Cy")]
    ids = {}
    for surname, forename in names:
        ids[forename if surname in ("Adams", "Baker", "Clark") else f"{surname}"] = child = b.child(
            forename, surname
        )
        b.census(child, school, autumn(2024), "9", address="12 Elm Road", postcode="B1 1AA")
    for forename in ("Nel", "Ola"):
        ids[forename] = child = b.child(forename, "Nowak")
        b.census(child, school, autumn(2024), "9", address="14 Elm Road", postcode="B1 1AA")
    recompute_flags(db)
    refresh_child_summaries(db)
    return ids


def test_suggestions_at_a_childrens_home_are_decided_by_an_officer(
    qtbot: QtBot, db: Database, home: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messages, "confirm", lambda *args: True)
    page = FamiliesPage(AppContext.for_account(db))
    qtbot.addWidget(page)
    page.resize(1200, 900)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.activated()
    # Only the family next door is a family; the home's children of one surname are suggested.
    assert [sorted(m.forename for m in f.members) for f in page.model.families] == [["Nel", "Ola"]]
    rows = [
        [page.suggestions_proxy.index(r, c).data() for c in range(3)]
        for r in range(page.suggestions_proxy.rowCount())
    ]
    assert [r[1].split(" (")[0] for r in rows] == ["Alf Adams", "Bea Baker"]
    assert all(r[0] == "12 ELM RD, B11AA" for r in rows)
    assert all("12 children of 10 surnames live there" in r[2] for r in rows)
    assert "<b>2 suggestions</b>" in page.suggestions_label.text()
    page.suggestions_view.selectRow(0)  # the Adamses: an officer confirms them
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.confirm_button.click()
    assert sorted(sorted(m.forename for m in f.members) for f in list_families(db)) == [
        ["Alf", "Amy"],
        ["Nel", "Ola"],
    ]
    assert page.suggestions_proxy.rowCount() == 1
    page.suggestions_view.selectRow(0)  # the Bakers: not a family
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.apart_button.click()
    assert page.suggestions_proxy.rowCount() == 0
    assert len(list_families(db)) == 2
    audit = [e.detail["change"] for e in list_entries(db, action="link_family")]
    assert audit == ["link", "not_a_family"]
