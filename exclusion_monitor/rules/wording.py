"""Plain-English pieces shared by the rules' reasons: dates, schools, counts, terms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from exclusion_monitor.exclusion_kinds import category_words, outcome_words
from exclusion_monitor.history import Authority
from exclusion_monitor.records import Category, Exclusion
from exclusion_monitor.terms import Term, term_of


def day(value: dt.date) -> str:
    """'3 March 2024'."""
    return f"{value.day} {value:%B %Y}"


def school(authority: Authority, school_id: int | None) -> str:
    """'Oak Hill Academy (3304001)', or 'an unknown school'."""
    found = authority.schools.get(school_id) if school_id is not None else None
    if found is None:
        return "an unknown school"
    return f"{found.name} ({found.laestab})"


def laestab(authority: Authority, school_id: int | None) -> str | None:
    found = authority.schools.get(school_id) if school_id is not None else None
    return found.laestab if found else None


def count(number: float, singular: str, plural: str | None = None) -> str:
    """'1 suspension', '3 suspensions', '4.5 sessions'."""
    rounded = round(float(number), 2)
    shown = int(rounded) if rounded.is_integer() else rounded
    word = singular if number == 1 else (plural or singular + "s")
    return f"{shown} {word}"


def listing(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def terms_span(terms: Sequence[Term]) -> str:
    """'Autumn 2023 to Summer 2024'."""
    if len(terms) == 1:
        return terms[0].label
    return f"{terms[0].label} to {terms[-1].label}"


def suspensions(number: int, lunchtimes: int) -> str:
    """'3 suspensions', '3 suspensions (1 at lunchtime)', '2 lunchtime suspensions': a lunchtime
    suspension is a suspension, named as one."""
    if not lunchtimes:
        return count(number, "suspension")
    if lunchtimes == number:
        return count(number, "lunchtime suspension")
    return f"{count(number, 'suspension')} ({lunchtimes} at lunchtime)"


def exclusion_evidence(authority: Authority, exclusion: Exclusion) -> dict[str, object]:
    found: dict[str, object] = {
        "start_date": exclusion.start_date.isoformat(),
        "term": term_of(exclusion.start_date).label,
        "school_laestab": laestab(authority, exclusion.school_id),
        "category": str(exclusion.category),
        "sessions": 1.0 if exclusion.category is Category.LUNCHTIME else exclusion.sessions,
    }
    if exclusion.end_date is not None:
        found["end_date"] = exclusion.end_date.isoformat()
    if exclusion.review_outcome:
        found["review_outcome"] = exclusion.review_outcome
    return found


def exclusion_phrase(authority: Authority, exclusion: Exclusion) -> str:
    """'a suspension of 4 sessions from Oak Hill Academy (3304001) on 3 March 2024', 'a lunchtime
    suspension from ...', 'a permanent exclusion from ..., reinstated on review'."""
    words = category_words(exclusion.category)
    if exclusion.category is Category.SUSPENSION:
        words += f" of {count(exclusion.sessions, 'session')}"
    told = outcome_words(exclusion) if exclusion.category is Category.PERMANENT else None
    where = f"from {school(authority, exclusion.school_id)} on {day(exclusion.start_date)}"
    return f"a {words} {where}" + (f", {told}" if told else "")
