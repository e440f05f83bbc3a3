"""How the product words and colours what it shows, on screen, in print and on the command line
alike: dates as a UK reader writes them, review status words, the rule chips' short names and
colours, and (gathered here from their homes) a child's place status and a year group. No Qt:
colours are hex strings.

A new status or rule gets its words here, once.
"""

from __future__ import annotations

import datetime as dt

from exclusion_monitor.codelists import year_group_label
from exclusion_monitor.places import STATUS_WORDS as PLACE_STATUS_WORDS
from exclusion_monitor.places import status_word as place_status_word
from exclusion_monitor.records import ReviewStatus

__all__ = [
    "DEFAULT_CHIP_COLOUR",
    "PLACE_STATUS_WORDS",
    "REVIEW_STATUS_WORDS",
    "RULE_COLOURS",
    "RULE_SHORT",
    "place_status_word",
    "review_status_word",
    "rule_colour",
    "uk_date",
    "uk_time",
    "year_group_label",
]

UK_DATE = "%d/%m/%Y"  # 05/12/2026: how every date is shown and printed
UK_TIME = "%d/%m/%Y %H:%M"  # 05/12/2026 14:30: when something was done


def uk_date(value: dt.date | None, blank: str = "") -> str:
    """A date as dd/mm/yyyy (a date and time: its day); `blank` when there is none."""
    return value.strftime(UK_DATE) if value is not None else blank


def uk_time(value: dt.datetime | None, blank: str = "") -> str:
    """A moment as dd/mm/yyyy hh:mm; `blank` when there is none."""
    return value.strftime(UK_TIME) if value is not None else blank


REVIEW_STATUS_WORDS = {
    ReviewStatus.NEW: "New",
    ReviewStatus.UNDER_REVIEW: "Under review",
    ReviewStatus.REFERRED: "Referred",
    ReviewStatus.NO_FURTHER_ACTION: "No further action",
    ReviewStatus.CLOSED: "Closed",
}


def review_status_word(status: str) -> str:
    """'Under review', 'No further action', ...; a status this version does not know, readably."""
    try:
        return REVIEW_STATUS_WORDS[ReviewStatus(status)]
    except ValueError:
        return status.replace("_", " ").capitalize()


# The rule chips of the Flags page: a colour per rule, and a name short enough for a chip.
RULE_COLOURS = {
    "permanent_exclusion": "#c62828",
    "repeated_suspensions": "#e65100",
    "escalating_exclusion": "#ad1457",
    "primary_exclusion": "#6a1b9a",
    "statutory_limit": "#4e342e",
    "high_mobility": "#1565c0",
    "many_secondary_schools": "#00838f",
    "exit_after_suspension": "#2e7d32",
    "missing_from_roll": "#37474f",
}
DEFAULT_CHIP_COLOUR = "#546e7a"
RULE_SHORT = {
    "permanent_exclusion": "Permanent",
    "repeated_suspensions": "Repeated susp.",
    "escalating_exclusion": "Escalating",
    "primary_exclusion": "Primary",
    "statutory_limit": "Statutory limit",
    "high_mobility": "Mobility",
    "many_secondary_schools": "Many secondaries",
    "exit_after_suspension": "Exit after susp.",
    "missing_from_roll": "Missing",
}


def rule_colour(rule: str) -> str:
    """The chip colour of a rule (a rule added later: a neutral grey-blue)."""
    return RULE_COLOURS.get(rule, DEFAULT_CHIP_COLOUR)
