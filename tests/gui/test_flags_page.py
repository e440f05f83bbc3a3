"""The Flags page on the worked-example authority: the queue, its filters, whole-family grouping,
multi-select status change and assignment (stored and audited), roles, print and export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QPdfWriter
from pytestqt.qtbot import QtBot

from exclusion_monitor.flagging import FlagFilter
from exclusion_monitor.reports.flag_report import flag_list_rows
from exclusion_monitor.roles import Action, Role
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store import flags as flag_store
from exclusion_monitor.store.users import add_user, claim_first_admin
from tests.core import example_authority as story
from ui.app import messages
from ui.app.flags_table_model import (
    COL_FAMILY,
    COL_NAME,
    COL_OFFICER,
    FlagQueueFilter,
    FlagQueueModel,
)
from ui.app.pages import AppContext
from ui.app.pages.flags_page import FlagsPage
from ui.app.report_output import PrintChoice

ADMIN = "LA\\admin1"


@pytest.fixture
def example(db: Database) -> story.Example:
    built = story.build(db)
    claim_first_admin(db, ADMIN)
    return built


def open_page(qtbot: QtBot, db: Database, account: str = ADMIN) -> FlagsPage:
    page = FlagsPage(AppContext(db, account))
    qtbot.addWidget(page)
    page.resize(1300, 700)
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.show()
        page.activated()
    return page


def names(page: FlagsPage) -> list[str]:
    return [page.proxy.index(r, COL_NAME).data() for r in range(page.proxy.rowCount())]


def choose(combo: Any, data: Any) -> None:
    combo.setCurrentIndex(combo.findData(data))


def select(page: FlagsPage, wanted: list[str]) -> None:
    selection = page.view.selectionModel()
    selection.clearSelection()
    for row, name in enumerate(names(page)):
        if name in wanted:
            flags = (
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            )
            selection.select(page.proxy.index(row, 0), flags)


def stored(db: Database) -> dict[tuple[int, str], flag_store.StoredFlag]:
    with db.read() as conn:
        return {(f.child_id, f.rule): f for f in flag_store.stored_flags(conn)}


def test_the_queue_lists_every_flagged_child_with_their_rules(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    page = open_page(qtbot, db)
    assert sorted(n.split(", ")[1] for n in names(page)) == sorted(story.EXPECTED)
    assert page.summary.text().startswith("8 flagged children, 10 flags as of 16/05/2024")
    lee = next(r for r in page.model.rows if r.forename == "Lee")
    assert {f.rule for f in lee.flags} == story.EXPECTED["Lee"]
    dan_row = names(page).index("Dunmore, Dan")
    assert page.proxy.index(dan_row, COL_FAMILY).data().endswith(": 2 children, 2 flagged")
    assert page.proxy.index(names(page).index("Lomax, Lee"), COL_FAMILY).data() == ""


def test_filters_by_rule_school_status_officer_and_family(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    page = open_page(qtbot, db)
    choose(page.rule_combo, "repeated_suspensions")
    assert names(page) == ["Dunmore, Dan", "Lomax, Lee"]
    assert "Showing 2 of 8 flagged children (2 matching flags)" in page.summary.text()
    choose(page.school_combo, "3304003")
    assert names(page) == ["Dunmore, Dan"]
    page.clear_filters()
    assert len(names(page)) == 8
    page.family_check.setChecked(True)
    assert names(page) == ["Dunmore, Dan", "Dunmore, Ella"]
    page.clear_filters()
    choose(page.status_combo, "referred")
    assert names(page) == []
    assert page.summary.text() == "No flagged child matches these filters (of 8)."
    page.clear_filters()
    choose(page.officer_combo, "")  # unassigned
    assert len(names(page)) == 8


def test_multi_select_case_status_and_assignment_are_stored_and_audited(
    qtbot: QtBot, db: Database, example: story.Example, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exclusion_monitor.roles import Role
    from exclusion_monitor.store.users import add_user

    add_user(db, "LA\\admin", "LA\\officer2", Role.OFFICER, "Oma Officer")
    asked: list[str] = []
    monkeypatch.setattr(messages, "confirm", lambda _p, _t, text: asked.append(text) or True)
    page = open_page(qtbot, db)
    select(page, ["Lomax, Lee", "Calloway, Cara"])
    assert page.selection_label.text() == "2 selected (3 flags)"
    choose(page.new_status, "referred")
    with qtbot.waitSignal(page.changed, timeout=15_000):
        qtbot.mouseClick(page.set_status_button, Qt.MouseButton.LeftButton)
    assert asked == ["Set the cases of 2 children to \u201cReferred\u201d?"]
    flags = stored(db)
    lee, cara, dan = example.ids["Lee"], example.ids["Cara"], example.ids["Dan"]
    # The status is the child's case's: every flag of the child shows it.
    assert flags[(lee, "escalating_exclusion")].status == "referred"
    assert flags[(lee, "repeated_suspensions")].status == "referred"
    assert flags[(cara, "permanent_exclusion")].status == "referred"
    assert flags[(dan, "repeated_suspensions")].status == "new"
    rows = audit.list_entries(db, action=Action.CHANGE_FLAG_STATUS)
    assert sorted(r.target or "" for r in rows) == sorted(
        [example.upns["Lee"], example.upns["Cara"]]
    )
    # The selection survives the reload and the table shows the new status.
    assert len(page.selected_rows()) == 2
    choose(page.status_combo, "referred")
    assert names(page) == ["Calloway, Cara", "Lomax, Lee"]

    # The officer is chosen from the users (by name), never typed.
    page.clear_filters()
    choose(page.rule_combo, "repeated_suspensions")
    select(page, ["Lomax, Lee", "Dunmore, Dan"])
    assert not page.assign_combo.isEditable()
    assert page.assign_combo.findText("Oma Officer (LA\\officer2)") > 0
    choose(page.assign_combo, "LA\\officer2")
    with qtbot.waitSignal(page.changed, timeout=15_000):
        qtbot.mouseClick(page.assign_button, Qt.MouseButton.LeftButton)
    flags = stored(db)
    assert flags[(lee, "repeated_suspensions")].assigned_to == "LA\\officer2"
    assert flags[(lee, "escalating_exclusion")].assigned_to == "LA\\officer2"  # one case
    assert flags[(dan, "repeated_suspensions")].assigned_to == "LA\\officer2"
    page.clear_filters()
    choose(page.officer_combo, "LA\\officer2")
    assert page.officer_combo.currentText() == "Oma Officer"  # the officer by name
    assert names(page) == ["Dunmore, Dan", "Lomax, Lee"]
    officers = {page.proxy.index(r, COL_OFFICER).data() for r in range(page.proxy.rowCount())}
    assert officers == {"Oma Officer"}


def test_closing_selected_cases_asks_one_note_for_them_all(
    qtbot: QtBot, db: Database, example: story.Example, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from tests.support.cases import notes_of

    monkeypatch.setattr(
        QInputDialog, "getMultiLineText", lambda *_a: ("Discussed at panel; no action.", True)
    )
    page = open_page(qtbot, db)
    select(page, ["Lomax, Lee", "Calloway, Cara"])
    choose(page.new_status, "no_further_action")
    with qtbot.waitSignal(page.changed, timeout=15_000):
        qtbot.mouseClick(page.set_status_button, Qt.MouseButton.LeftButton)
    for name in ("Lee", "Cara"):
        assert [n.text for n in notes_of(db, example.ids[name])] == [
            "Discussed at panel; no action."
        ]


def test_whole_family_cases_are_grouped_together(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    page = open_page(qtbot, db)
    page.view.sortByColumn(COL_NAME, Qt.SortOrder.DescendingOrder)
    assert names(page)[0] == "Lomax, Lee"
    page.group_check.setChecked(True)
    grouped = names(page)
    dan, ella = grouped.index("Dunmore, Dan"), grouped.index("Dunmore, Ella")
    assert abs(dan - ella) == 1


def test_roles_decide_what_the_queue_offers(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    add_user(db, ADMIN, "LA\\viewer1", Role.VIEWER)
    add_user(db, ADMIN, "LA\\officer1", Role.OFFICER)
    viewer = open_page(qtbot, db, "LA\\viewer1")
    select(viewer, ["Lomax, Lee"])
    assert not viewer.set_status_button.isEnabled() and not viewer.assign_button.isEnabled()
    assert not viewer.print_button.isEnabled() and not viewer.export_button.isEnabled()
    assert viewer.open_button.isEnabled()
    officer = open_page(qtbot, db, "LA\\officer1")
    select(officer, ["Lomax, Lee"])
    assert officer.set_status_button.isEnabled() and officer.assign_button.isEnabled()
    assert not officer.print_button.isEnabled()
    assert officer.export_button.toolTip() == "Exporting needs the manager role."


def test_export_and_print_preview_with_the_filter_and_audit_rows(
    qtbot: QtBot,
    db: Database,
    example: story.Example,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    target = tmp_path / "flags.csv"
    monkeypatch.setattr(messages, "choose_save_file", lambda *_a: str(target))
    shown: list[tuple[str, int]] = []

    def preview(_parent: Any, title: str, _landscape: bool, paint: Any) -> None:
        shown.append((title, paint(QPdfWriter(str(tmp_path / "preview.pdf")))))

    monkeypatch.setattr(messages, "print_preview", preview)
    page = open_page(qtbot, db)
    choose(page.rule_combo, "missing_from_roll")
    page.initials_check.setChecked(True)
    with qtbot.waitSignal(page.exported, timeout=15_000):
        page.export_one_sheet.trigger()
    text = target.read_text(encoding="utf-8-sig")
    assert text.startswith("OFFICIAL-SENSITIVE")
    assert example.upns["Hal"] in text and "H. H." in text
    assert "Holloway" not in text and example.upns["Lee"] not in text
    [exported] = audit.list_entries(db, action=Action.EXPORT)
    assert exported.detail is not None and "missing_from_roll" in exported.detail["filter"]

    qtbot.waitUntil(lambda: page.print_button.isEnabled(), timeout=5000)
    monkeypatch.setattr(
        messages, "choose_print", lambda *_a, **kw: PrintChoice("summary", initials=kw["initials"])
    )
    page.print_action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=15_000)
    [printed] = audit.list_entries(db, action=Action.PRINT_REPORT)
    assert printed.detail is not None and printed.detail["initials"] is True
    assert shown[0][0] == "Flag list" and shown[0][1] >= 1  # pages painted


def test_queue_models_pass_qtmodeltester(
    qtbot: QtBot, qtmodeltester: Any, db: Database, example: story.Example
) -> None:
    page = open_page(qtbot, db)
    qtmodeltester.check(page.model)
    proxy = FlagQueueFilter()
    source = FlagQueueModel()
    source.set_rows(page.model.rows, page.model.year_groups)
    proxy.setSourceModel(source)
    proxy.set_filters(FlagFilter(rules=["repeated_suspensions"]), group_families=True)
    proxy.sort(COL_FAMILY)
    qtmodeltester.check(proxy)


def test_screen_print_and_export_keep_the_same_children(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    """One FlagFilter: whatever the page's filters, the rows on screen are the rows the printed
    list and the export take (flag_list_rows), flags counted alike; 'Unassigned' included."""
    page = open_page(qtbot, db)
    settings = [
        (page.officer_combo, ""),
        (page.status_combo, page.status_combo.itemData(1)),
        (page.rule_combo, page.rule_combo.itemData(1)),
        (page.school_combo, page.school_combo.itemData(1)),
    ]
    checked = 0
    for combo, value in [(None, None), *settings]:
        page.clear_filters()
        if combo is not None:
            choose(combo, value)
        for family_only in (False, True):
            page.family_check.setChecked(family_only)
            filters = page.current_filter()
            printed = [r for r in flag_list_rows(db, filters)[1] if r.flags]
            on_screen = page.visible_rows()
            assert sorted(r.child_id for r in on_screen) == sorted(r.child_id for r in printed)
            flags = sum(len(page.proxy.matching_flags(r)) for r in on_screen)
            assert flags == sum(len(r.flags) for r in printed), filters.describe()
            checked += bool(printed)
    assert checked >= 4
    page.clear_filters()
    choose(page.officer_combo, "")
    assert page.current_filter().officer == ""
    assert "unassigned" in page.current_filter().describe()
