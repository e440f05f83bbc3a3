"""The exclusion rules of docs/rules.md#the-rules: permanent_exclusion, repeated_suspensions,
escalating_exclusion, primary_exclusion and statutory_limit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import pairwise

from exclusion_monitor.codelists import is_primary_year, nc_year_order, year_group_label
from exclusion_monitor.exclusion_kinds import (
    counts_as_permanent,
    is_lunchtime,
    is_reversed,
    is_suspension,
)
from exclusion_monitor.exclusion_terms import session_days, sessions_by, sessions_lost
from exclusion_monitor.history import Authority, ChildHistory, year_group_on
from exclusion_monitor.records import Category, Exclusion
from exclusion_monitor.rules import wording as w
from exclusion_monitor.rules.registry import Finding, Param, rule
from exclusion_monitor.terms import Term, academic_year, academic_year_label, term_of

TERMS = Param("terms", "Terms to look back (the current term and those before it)", 3, 1)
_SEVERITY = {Category.LUNCHTIME: 0, Category.SUSPENSION: 1, Category.PERMANENT: 2}


def window(history: ChildHistory, terms: int) -> list[Term]:
    """The term containing the as-of date and the `terms - 1` before it, oldest first."""
    current = term_of(history.as_of)
    return [current - back for back in range(terms - 1, -1, -1)]


def recent(history: ChildHistory, terms: int) -> list[Exclusion]:
    """Exclusions that started in the last `terms` terms, in date order, leaving out permanent
    exclusions reversed on review (they stay in the history but count for no rule)."""
    if not history.exclusions:
        return []
    first = (term_of(history.as_of) - (terms - 1)).start
    return [e for e in history.exclusions if e.start_date >= first and not is_reversed(e)]


def _span(history: ChildHistory, terms: int) -> str:
    return f"the last {w.count(terms, 'term')} ({w.terms_span(window(history, terms))})"


@rule(
    "permanent_exclusion",
    "Permanent exclusion",
    "A permanent exclusion in the last 3 terms (one reversed on review does not count).",
    TERMS,
    version=2,
)
def permanent_exclusion(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    """docs/rules.md#permanent_exclusion"""
    found = [e for e in recent(history, p["terms"]) if counts_as_permanent(e)]
    if not found:
        return None
    phrases = [f"from {w.school(authority, e.school_id)} on {w.day(e.start_date)}" for e in found]
    times = "" if len(found) == 1 else f" {len(found)} times"
    return Finding(
        f"Permanently excluded{times} {w.listing(phrases)}, within {_span(history, p['terms'])}.",
        {"exclusions": [w.exclusion_evidence(authority, e) for e in found]},
    )


@rule(
    "repeated_suspensions",
    "Repeated suspensions",
    "3 or more suspensions (lunchtime suspensions among them) in the last 3 terms.",
    Param("min_suspensions", "Suspensions at which to flag", 3, 1),
    TERMS,
    version=2,
)
def repeated_suspensions(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    """docs/rules.md#repeated_suspensions"""
    found = [e for e in recent(history, p["terms"]) if is_suspension(e)]
    if len(found) < p["min_suspensions"]:
        return None
    lunchtimes = sum(1 for e in found if is_lunchtime(e))
    schools = list(dict.fromkeys(w.school(authority, e.school_id) for e in found))
    dates = w.listing(
        [w.day(e.start_date) + (" (lunchtime)" if is_lunchtime(e) else "") for e in found]
    )
    sessions = sum(sessions_lost(e) for e in found)
    return Finding(
        f"{w.suspensions(len(found), lunchtimes)} in {_span(history, p['terms'])}, "
        f"{w.count(sessions, 'session')} lost in all, from {w.listing(schools)}: on {dates}.",
        {
            "suspensions": len(found),
            "lunchtime_suspensions": lunchtimes,
            "threshold": p["min_suspensions"],
            "exclusions": [w.exclusion_evidence(authority, e) for e in found],
        },
    )


def _rising(values: Sequence[float]) -> bool:
    """Never falling, and ending higher than it began."""
    return all(a <= b for a, b in pairwise(values)) and values[-1] > values[0]


def _term_phrase(term: Term, suspensions: int, lunchtimes: int, sessions: float) -> str:
    """'2 suspensions (4 sessions) in Spring 2024', '2 suspensions (1 at lunchtime; 3 sessions)
    in Summer 2024', 'no suspension in Autumn 2023'."""
    if not suspensions and not sessions:
        return f"no suspension in {term.label}"
    told = w.count(suspensions, "suspension")
    notes = [w.count(sessions, "session")]
    if lunchtimes == suspensions and suspensions:
        told = w.count(suspensions, "lunchtime suspension")
    elif lunchtimes:
        notes.insert(0, f"{lunchtimes} at lunchtime")
    return f"{told} ({'; '.join(notes)}) in {term.label}"


@rule(
    "escalating_exclusion",
    "Escalating exclusion",
    "Over 3 consecutive terms ending within the last 3 terms: suspensions in at least 2 of them, "
    "suspensions (or sessions lost) per term never falling and ending higher, and at least 2 "
    "suspensions in the last term; or a step up in severity within the last 3 terms (a "
    "lunchtime suspension then a suspension, a suspension then a permanent exclusion).",
    TERMS,
    Param("run_terms", "Consecutive terms compared", 3, 2),
    Param("min_last_term", "Suspensions needed in the last term compared", 2, 1),
    Param("min_terms_with", "Terms compared that must have a suspension", 2, 1),
    version=2,
)
def escalating_exclusion(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    """docs/rules.md#escalating_exclusion"""
    if not history.exclusions:
        return None
    counts: dict[Term, int] = {}
    lunchtimes: dict[Term, int] = {}
    suspensions = [e for e in history.exclusions if is_suspension(e)]
    for e in suspensions:
        term = term_of(e.start_date)
        counts[term] = counts.get(term, 0) + 1
        lunchtimes[term] = lunchtimes.get(term, 0) + is_lunchtime(e)
    sessions: dict[Term, float] | None = None  # spread only when the counts leave it open
    for end in reversed(window(history, p["terms"])):
        run = [end - back for back in range(p["run_terms"] - 1, -1, -1)]
        c = [counts.get(t, 0) for t in run]
        if c[-1] < p["min_last_term"] or sum(1 for n in c if n) < p["min_terms_with"]:
            continue
        if sessions is None:
            sessions = sessions_by(suspensions, lambda _e, day: term_of(day), authority.calendar)
        s = [sessions.get(t, 0.0) for t in run]
        if not (_rising([float(n) for n in c]) or _rising(s)):
            continue
        told = ", ".join(
            _term_phrase(t, n, lunchtimes.get(t, 0), x) for t, n, x in zip(run, c, s, strict=True)
        )
        return Finding(
            f"Suspensions rising over {w.count(len(run), 'term')}: {told}.",
            {
                "kind": "rising",
                "terms": [
                    {
                        "term": t.label,
                        "suspensions": n,
                        "lunchtime_suspensions": lunchtimes.get(t, 0),
                        "sessions": x,
                    }
                    for t, n, x in zip(run, c, s, strict=True)
                ],
            },
        )
    return _step_up(history, authority, p)


def _step_up(history: ChildHistory, authority: Authority, p: Mapping[str, int]) -> Finding | None:
    found = recent(history, p["terms"])
    best: tuple[Exclusion, Exclusion] | None = None
    for i, earlier in enumerate(found):
        for later in found[i + 1 :]:
            step = _SEVERITY[later.category] - _SEVERITY[earlier.category]
            stronger = best is None or _SEVERITY[later.category] >= _SEVERITY[best[1].category]
            if step == 1 and later.start_date > earlier.start_date and stronger:
                best = (earlier, later)
    if best is None:
        return None
    earlier, later = best
    return Finding(
        f"A step up in severity within {_span(history, p['terms'])}: "
        f"{w.exclusion_phrase(authority, earlier)}, then "
        f"{w.exclusion_phrase(authority, later)}.",
        {
            "kind": "step_up",
            "exclusions": [w.exclusion_evidence(authority, e) for e in (earlier, later)],
        },
    )


@rule(
    "primary_exclusion",
    "Excluded in primary school",
    "A suspension (a lunchtime suspension included) or permanent exclusion in a primary year "
    "(Reception to Year 6) in the last 3 terms.",
    TERMS,
    version=2,
)
def primary_exclusion(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    """docs/rules.md#primary_exclusion"""
    found = []
    for e in recent(history, p["terms"]):
        year = year_group_on(history.census, history.date_of_birth, e.start_date)
        if year is None or nc_year_order(year) == 99:
            if authority.phase(e.school_id) != "primary":
                continue
            found.append((e, "a primary year"))
        elif is_primary_year(year):
            found.append((e, year_group_label(year)))
    if not found:
        return None
    phrases = [f"{w.exclusion_phrase(authority, e)} while in {year}" for e, year in found]
    return Finding(
        f"Excluded in primary school within {_span(history, p['terms'])}: {w.listing(phrases)}.",
        {
            "exclusions": [
                {**w.exclusion_evidence(authority, e), "nc_year": year} for e, year in found
            ]
        },
    )


@rule(
    "statutory_limit",
    "Over a statutory limit",
    "Suspensions over 30 sessions in a term at one school (its governing board must consider "
    "reinstatement) or over 90 sessions in an academic year across schools (the legal maximum), "
    "each session counted in the term and year of the school day it falls on.",
    Param("term_sessions", "Sessions in a term at one school above which to flag", 30, 1),
    Param("year_sessions", "Sessions in an academic year above which to flag", 90, 1),
    TERMS,
    version=2,
)
def statutory_limit(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    """docs/rules.md#statutory_limit"""
    if not history.exclusions:
        return None
    suspensions = [e for e in history.exclusions if is_suspension(e)]
    if sum(sessions_lost(e) for e in suspensions) <= min(p["term_sessions"], p["year_sessions"]):
        return None
    terms = window(history, p["terms"])
    years = sorted({t.year for t in terms})
    by_school_term: dict[tuple[int, Term], float] = defaultdict(float)
    by_year_school: dict[tuple[int, int], float] = defaultdict(float)
    for e in suspensions:
        for day, lost in session_days(e, authority.calendar):
            by_school_term[(e.school_id, term_of(day))] += lost
            by_year_school[(academic_year(day), e.school_id)] += lost
    parts = []
    evidence: list[dict[str, object]] = []
    for term in terms:
        for (school_id, when), total in sorted(by_school_term.items(), key=lambda kv: -kv[1]):
            if when != term or total <= p["term_sessions"]:
                continue
            parts.append(
                f"{w.count(total, 'session')} of suspension at {w.school(authority, school_id)} "
                f"in {term.label}, over the {p['term_sessions']} in a term at one school at "
                "which its governing board must consider reinstatement"
            )
            evidence.append(
                {
                    "term": term.label,
                    "school_laestab": w.laestab(authority, school_id),
                    "sessions": total,
                    "limit": p["term_sessions"],
                }
            )
    for year in years:
        schools = {s: x for (y, s), x in by_year_school.items() if y == year}
        total = sum(schools.values())
        if total <= p["year_sessions"]:
            continue
        order = sorted(schools, key=lambda s: (-schools[s], w.school(authority, s)))
        names = [w.school(authority, s) for s in order]
        where = f"at {names[0]}" if len(names) == 1 else f"across {w.listing(names)}"
        label = academic_year_label(year)
        parts.append(
            f"{w.count(total, 'session')} of suspension in {label} {where}, over the "
            f"{p['year_sessions']} allowed in an academic year (counted across schools)"
        )
        evidence.append(
            {
                "academic_year": label,
                "sessions": total,
                "limit": p["year_sessions"],
                "schools": [
                    {"school_laestab": w.laestab(authority, s), "sessions": x}
                    for s, x in schools.items()
                ],
            }
        )
    if not parts:
        return None
    text = "; ".join(parts)
    return Finding(text[0].upper() + text[1:] + ".", {"totals": evidence})
