"""The Settings page: thresholds save, are audited and change the flags; restore defaults."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from exclusion_monitor.flagging import flag_list, recompute_flags
from exclusion_monitor.store import Database
from exclusion_monitor.store.audit import list_entries
from exclusion_monitor.store.settings import get_setting, get_settings
from tests.core import example_authority
from ui.app.pages.base import AppContext
from ui.app.pages.settings_page import SettingsPage
from ui.app.users_panel import UsersModel


def rules_of(db: Database, child_id: int) -> set[str]:
    return {rule for c in flag_list(db) if c.child_id == child_id for rule in c.rules}


@pytest.fixture
def example(db: Database) -> example_authority.Example:
    found = example_authority.build(db)
    recompute_flags(db)
    return found


@pytest.fixture
def page(qtbot: QtBot, db: Database, example: example_authority.Example) -> SettingsPage:
    page = SettingsPage(AppContext.for_account(db))
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.activated()
    qtbot.waitUntil(lambda: page.users_panel is not None and page.users_panel.model.rowCount() == 1)
    return page


def save(qtbot: QtBot, page: SettingsPage) -> None:
    with qtbot.waitSignal(page.saved, timeout=30_000):
        page.save_button.click()


def test_lowering_repeated_suspensions_flags_a_child_who_was_not(
    qtbot: QtBot, page: SettingsPage, db: Database, example: example_authority.Example
) -> None:
    ella = example.ids["Ella"]  # one suspension this year: primary_exclusion only
    assert rules_of(db, ella) == {"primary_exclusion"}
    spin = page.editors["repeated_suspensions"].spins["min_suspensions"]
    assert spin.value() == 3 and spin.minimum() == 1
    spin.setValue(0)  # below the minimum: the spin box keeps it at 1
    assert spin.value() == 1
    save(qtbot, page)
    assert get_setting(db, "rules.repeated_suspensions.min_suspensions") == 1
    assert "repeated_suspensions" in rules_of(db, ella)
    assert "Flags recomputed" in page.status.text()
    changes = list_entries(db, action="change_settings")
    assert [(e.target, e.detail) for e in changes] == [
        ("rules.repeated_suspensions.min_suspensions", {"from": None, "to": 1})
    ]


def test_disabling_a_rule_clears_its_flags(
    qtbot: QtBot, page: SettingsPage, db: Database, example: example_authority.Example
) -> None:
    editor = page.editors["primary_exclusion"]
    editor.enabled.click()
    assert not editor.spins["terms"].isEnabled()
    save(qtbot, page)
    assert get_setting(db, "rules.primary_exclusion.enabled") is False
    assert rules_of(db, example.ids["Ella"]) == set()


def test_restore_defaults_forgets_the_stored_thresholds(
    qtbot: QtBot, page: SettingsPage, db: Database, example: example_authority.Example
) -> None:
    page.editors["repeated_suspensions"].spins["min_suspensions"].setValue(1)
    page.editors["statutory_limit"].spins["term_sessions"].setValue(12)
    save(qtbot, page)
    assert get_settings(db, "rules.") == {
        "repeated_suspensions.min_suspensions": 1,
        "statutory_limit.term_sessions": 12,
    }
    page.restore_button.click()
    assert page.editors["statutory_limit"].spins["term_sessions"].value() == 30
    save(qtbot, page)
    assert get_settings(db, "rules.") == {}
    assert rules_of(db, example.ids["Ella"]) == {"primary_exclusion"}


def test_authority_name_is_saved_for_printouts(
    qtbot: QtBot, page: SettingsPage, db: Database
) -> None:
    page.authority_edit.setText("Example Borough Council")
    save(qtbot, page)
    assert get_setting(db, "authority.name") == "Example Borough Council"
    assert page.status.text() == "Saved 1 change(s)."
    assert db.location in page.database_label.text()


def test_admin_adds_a_user_and_changes_their_role(
    qtbot: QtBot, page: SettingsPage, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exclusion_monitor.store.users import get_user
    from ui.app import messages

    panel = page.users_panel
    assert panel is not None
    panel.new_account.setText("LA\\kwhite")
    panel.new_name.setText("Kim White")
    panel.role_combo.setCurrentText("officer")
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        panel.add_button.click()
    user = get_user(db, "la\\kwhite")
    assert user is not None and user.role.value == "officer"
    assert user.display_name == "Kim White"  # the name cases show
    row = next(
        r for r in range(panel.model.rowCount()) if "kwhite" in panel.model.index(r, 0).data()
    )
    assert panel.model.index(row, 1).data() == "Kim White"
    panel.view.selectRow(row)
    # Renamed (she married), with the old name offered to edit; the audit row keeps no name.
    offered: list[str] = []
    monkeypatch.setattr(
        messages, "ask_text", lambda _p, _t, _l, text: offered.append(text) or "  Kim  Black "
    )
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        panel.rename_button.click()
    assert offered == ["Kim White"]
    user = get_user(db, "la\\kwhite")
    assert user is not None and user.display_name == "Kim Black"
    assert panel.model.index(row, 1).data() == "Kim Black"
    from exclusion_monitor.store import audit as audit_store

    details = [e.detail for e in audit_store.list_entries(db) if e.target == "LA\\kwhite"]
    assert {"change": "name"} in details and not any("Kim" in str(d) for d in details)
    panel.view.selectRow(row)
    monkeypatch.setattr(messages, "confirm", lambda *args: True)
    with qtbot.waitSignal(panel.changed, timeout=10_000):
        panel.deactivate_button.click()
    user = get_user(db, "la\\kwhite")
    assert user is not None and not user.active


def test_users_model_passes_qtmodeltester(qtmodeltester: Any, page: SettingsPage) -> None:
    assert page.users_panel is not None
    qtmodeltester.check(page.users_panel.model)
    qtmodeltester.check(UsersModel())


def test_the_communal_address_thresholds_are_settings(
    qtbot: QtBot, page: SettingsPage, db: Database
) -> None:
    editor = page.editors["families"]
    assert editor.spins["max_surnames"].value() == 2 and editor.spins["max_children"].value() == 6
    editor.spins["max_children"].setValue(8)
    save(qtbot, page)
    assert get_setting(db, "rules.families.max_children") == 8
    assert get_setting(db, "rules.families.max_surnames") is None  # still the default
    assert "Flags recomputed" in page.status.text()


def test_admin_sets_a_years_school_holidays_and_the_flags_follow(
    qtbot: QtBot, page: SettingsPage, db: Database, example: example_authority.Example
) -> None:
    # Kai: 32 sessions from 5 February 2024, all in the spring term under the usual holidays.
    assert "statutory_limit" in rules_of(db, example.ids["Kai"])
    panel = page.term_dates.holidays
    panel.select_year(2023)
    assert "usual pattern" in panel.source.text()
    assert panel.table.rowCount() == 6
    panel.add_button.click()
    row = panel.table.rowCount() - 1
    panel.table.item(row, 0).setText("Building works")  # type: ignore[union-attr]
    panel.table.item(row, 1).setText("12/02/2024")  # type: ignore[union-attr]
    panel.table.item(row, 2).setText("29/03/2024")  # type: ignore[union-attr]
    assert "set by the authority" in panel.source.text() and panel.problem.text() == ""
    save(qtbot, page)
    stored = get_setting(db, "rules.calendar.holidays")
    assert {"first": "2024-02-12", "last": "2024-03-29", "label": "Building works"} in stored
    assert len(stored) == 7  # the year's usual holidays were copied in with the new one
    assert "statutory_limit" not in rules_of(db, example.ids["Kai"])  # 10 in spring, 22 after
    # A mistyped date is refused on saving, with the holiday named; nothing is stored.
    panel.table.item(row, 2).setText("31/02/2024")  # type: ignore[union-attr]
    assert "Holiday 7 of 2023/24 needs a first and a last day" in panel.problem.text()
    from ui.app import messages

    shown: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(messages, "show_error", lambda _parent, _title, text: shown.append(text))
        page.save_button.click()
    assert shown and "needs a first and a last day" in shown[0]
    assert get_setting(db, "rules.calendar.holidays") == stored
    # Back to the usual pattern: the setting is forgotten and the flag returns.
    panel.usual_button.click()
    save(qtbot, page)
    assert get_setting(db, "rules.calendar.holidays") is None
    assert "statutory_limit" in rules_of(db, example.ids["Kai"])


def test_term_dates_open_on_the_datas_years_not_todays(page: SettingsPage, db: Database) -> None:
    from exclusion_monitor.flagging import default_as_of
    from exclusion_monitor.terms import academic_year, academic_year_label

    latest = default_as_of(db)
    assert latest is not None and academic_year(latest) < academic_year(dt.date.today()) - 1
    model = page.term_dates.model
    years = {model.data(model.index(r, 0)) for r in range(model.rowCount())}
    assert academic_year_label(academic_year(latest)) in years
    assert academic_year_label(academic_year(dt.date.today())) not in years
    holidays = page.term_dates.holidays
    assert holidays.year == academic_year(latest)
    offered = [holidays.year_box.itemData(i) for i in range(holidays.year_box.count())]
    assert academic_year(dt.date.today()) in offered  # this year's holidays can still be set
