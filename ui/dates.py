"""Dates as a person types them, for both front ends: day first, the UK way (4/10/25,
04/10/2025, 4.10.2025, 4 Oct 2025) or ISO (2025-10-04); anything else refused in a sentence,
never read as another date. No Qt here: the app's date box and the command line's options both
read through `typed_date`."""

from __future__ import annotations

import datetime as dt

from exclusion_monitor.display import UK_DATE
from imports.normalise import parse_date

SHOWN = UK_DATE  # how a date box shows a date
EARLIEST = dt.date(2000, 1, 1)


def typed_date(text: str, *, today: dt.date | None = None, future: bool = False) -> dt.date:
    """The date a person typed, day first; ValueError with a sentence to show when it is not
    one (or is before 2000, or unless `future` is allowed after `today`: surely a slip)."""
    value = " ".join(text.split())
    if not value:
        raise ValueError("Type a date, day first: for example 4/10/25 or 04/10/2025.")
    if value.count(".") == 2 and value.replace(".", "").isdigit():
        value = value.replace(".", "/")  # 31.1.2025, as many type it
    # A bare number is no date here (the intake reads Excel's day numbers; a person never types
    # one), and a time after the date is not asked for.
    if value.replace(".", "").isdigit() or ":" in value:
        raise ValueError(f"\u201c{value}\u201d is not a date: type day/month/year, e.g. 4/10/25.")
    try:
        day = parse_date(value)
    except ValueError:
        raise ValueError(
            f"\u201c{value}\u201d is not a date: type day/month/year, e.g. 4/10/25."
        ) from None
    assert day is not None
    latest = today or dt.date.today()
    if day > latest and not future:
        raise ValueError(f"{day:{SHOWN}} is in the future: choose {latest:{SHOWN}} or earlier.")
    if day < EARLIEST:
        raise ValueError(f"{day:{SHOWN}} is before 2000: check the year.")
    return day
