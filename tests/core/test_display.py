"""One home for display wording (exclusion_monitor/display.py; issue 18 item 3): every review
status and every rule has its words and colour there, and the app's table shows them."""

from __future__ import annotations

import re

from exclusion_monitor import display
from exclusion_monitor.records import ReviewStatus
from exclusion_monitor.rules import RULES


def test_every_review_status_has_its_word() -> None:
    assert set(display.REVIEW_STATUS_WORDS) == set(ReviewStatus)
    assert display.review_status_word("no_further_action") == "No further action"
    assert display.review_status_word("with_partner_agency") == "With partner agency"


def test_every_rule_has_a_chip_colour_and_short_name() -> None:
    assert set(display.RULE_COLOURS) == set(RULES) == set(display.RULE_SHORT)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in display.RULE_COLOURS.values())
    assert len(set(display.RULE_COLOURS.values())) == len(RULES)
    assert display.rule_colour("a_rule_added_later") == display.DEFAULT_CHIP_COLOUR


def test_year_groups_and_place_status_read_the_same_from_here() -> None:
    assert display.year_group_label("R") == "Reception"
    assert display.year_group_label("7") == "Year 7"
    assert display.place_status_word("on_roll") == "On roll"


def test_dates_read_as_a_uk_reader_writes_them() -> None:
    import datetime as dt

    from exclusion_monitor.display import uk_date, uk_time

    assert uk_date(dt.date(2026, 12, 5)) == "05/12/2026"
    assert uk_date(dt.datetime(2026, 12, 5, 14, 30)) == "05/12/2026"
    assert uk_date(None) == "" and uk_date(None, "not known") == "not known"
    assert uk_time(dt.datetime(2026, 1, 2, 9, 5)) == "02/01/2026 09:05"
    assert uk_time(None, "never") == "never"
