from __future__ import annotations

from exclusion_monitor.store import Database
from exclusion_monitor.store.settings import delete_setting, get_setting, get_settings, set_setting


def test_default_until_set_then_stored_value(db: Database) -> None:
    assert get_setting(db, "rules.high_mobility.moves_24_months", 2) == 2
    set_setting(db, "rules.high_mobility.moves_24_months", 3, account="officer1")
    assert get_setting(db, "rules.high_mobility.moves_24_months", 2) == 3
    set_setting(db, "rules.high_mobility.moves_24_months", 4)
    assert get_setting(db, "rules.high_mobility.moves_24_months") == 4


def test_prefix_lists_a_group_and_delete_restores_default(db: Database) -> None:
    set_setting(db, "rules.a", 1)
    set_setting(db, "rules.b", {"x": [1, 2]})
    set_setting(db, "rulesx", 9)
    set_setting(db, "retention.pupil_years", 25)
    assert get_settings(db, "rules.") == {"a": 1, "b": {"x": [1, 2]}}
    delete_setting(db, "rules.a")
    assert get_setting(db, "rules.a", "default") == "default"
