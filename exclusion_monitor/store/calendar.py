"""The authority's school holidays (setting "rules.calendar.holidays"), which decide the school
days a suspension's sessions are spread over (docs/rules.md, "Exclusions: categories, sessions,
terms and review outcomes"). Kept under the rules' prefix: changing it recomputes the flags."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.school_days import Holiday, SchoolCalendar
from exclusion_monitor.store import schema as t

HOLIDAYS_SETTING = "rules.calendar.holidays"


def holidays_from_setting(value: Any) -> list[Holiday]:
    """The holidays a stored setting holds: a list of {"first", "last", "label"} with ISO dates.
    Raises InvalidInputError for anything else, naming the entry."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInputError("The school holidays setting is not a list of holidays.")
    found = []
    for i, item in enumerate(value, start=1):
        try:
            first = dt.date.fromisoformat(item["first"])
            last = dt.date.fromisoformat(item["last"])
            label = str(item.get("label") or "Holiday")
        except (TypeError, KeyError, ValueError):
            raise InvalidInputError(
                f"School holiday {i} needs a first and a last day (YYYY-MM-DD)."
            ) from None
        if last < first:
            raise InvalidInputError(f"School holiday {i} ({label}) ends before it begins.")
        if (last - first).days > 120:
            raise InvalidInputError(f"School holiday {i} ({label}) is longer than 120 days.")
        found.append(Holiday(first, last, label))
    return found


def holidays_setting(holidays: list[Holiday]) -> list[dict[str, str]]:
    """The setting's value for these holidays (None-free, ISO dates, in date order)."""
    return [
        {"first": h.first.isoformat(), "last": h.last.isoformat(), "label": h.label}
        for h in sorted(holidays)
    ]


def load_calendar(conn: sa.Connection) -> SchoolCalendar:
    """The school calendar in force: the authority's holidays where set, defaults elsewhere. A
    damaged setting is ignored (the defaults apply) rather than stopping every flag."""
    raw = conn.execute(
        sa.select(t.settings.c.value).where(t.settings.c.key == HOLIDAYS_SETTING)
    ).scalar_one_or_none()
    if raw is None:
        return SchoolCalendar()
    try:
        return SchoolCalendar(holidays_from_setting(json.loads(raw)))
    except (InvalidInputError, ValueError):
        return SchoolCalendar()
