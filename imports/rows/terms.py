"""Census days: the day a term's census falls on, and where a census date box should start."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from imports import normalise as nz

_TERM = re.compile(r"(autumn|spring|summer)\D*(\d{4})(?:\s*[/\-]\s*(\d{2,4}))?", re.IGNORECASE)


def census_day(term_text: str) -> dt.date | None:
    """An approximate census day from 'Autumn 2023', 'Spring 2024', 'Summer 2023/24'."""
    match = _TERM.search(term_text)
    if not match:
        return None
    season, year = match.group(1).lower(), int(match.group(2))
    if match.group(3) and season != "autumn":
        year += 1
    month, nth = {"autumn": (10, 1), "spring": (1, 3), "summer": (5, 3)}[season]
    first = dt.date(year, month, 1)
    first_thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + dt.timedelta(weeks=nth - 1)


def census_day_on_or_before(day: dt.date) -> dt.date:
    """The latest census day (autumn, spring or summer, as census_day reckons them) on or before
    `day`."""
    found = [
        census_day(f"{season} {year}")
        for year in (day.year - 1, day.year)
        for season in ("Spring", "Summer", "Autumn")
    ]
    return max(d for d in found if d is not None and d <= day)


_WRITTEN_CENSUS_DATE = re.compile(
    r"census\s*(?:date|day)?\s*(?:[:=-]|\bis\b|\bon\b)?\s*"
    r"(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)


def suggested_census_date(texts: Sequence[str], saved: dt.date | None) -> dt.date | None:
    """Where a census date box should start for a file with no census date column: a census
    date its title rows write out ('Census date: 15/01/2026'), else the term its name, sheet or
    title rows give ('Spring 2024', 'autumn census 2023/24'), else the census before the day the
    file was saved (a school sends its return soon after census day)."""
    for text in texts:  # 'Census date: 15/01/2026': the date itself
        written = _WRITTEN_CENSUS_DATE.search(text)
        if written:
            try:
                return nz.parse_date(written.group(1))
            except ValueError:
                pass
    for text in texts:
        found = census_day(text.replace("_", " "))
        if found is not None:
            return found
    if saved is None:
        return None
    for text in texts:  # a term with no year: that term's census before the file was saved
        season = re.search(r"\b(autumn|spring|summer)\b", text, re.IGNORECASE)
        if season:
            days = [
                census_day(f"{season.group(1)} {y}") for y in range(saved.year - 1, saved.year + 1)
            ]
            earlier = [d for d in days if d is not None and d <= saved]
            if earlier:
                return max(earlier)
    return census_day_on_or_before(saved)


def census_day_of(cell: object) -> dt.date | None:
    """The census day of a term written in a cell ('Spring 2024'), if it names one."""
    term = nz.text(cell)
    return census_day(term) if term else None
