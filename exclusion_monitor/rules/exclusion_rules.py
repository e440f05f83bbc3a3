"""Exclusion rules of domain.md section 8: permanent_exclusion, repeated_suspensions,
escalating_exclusion, primary_exclusion and statutory_limit."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

from exclusion_monitor.codelists import is_primary_year, nc_year_order
from exclusion_monitor.exclusion_terms import sessions_lost
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
    """Exclusions that started in the last `terms` terms, in date order."""
    if not history.exclusions:
        return []
    first = (term_of(history.as_of) - (terms - 1)).start
    return [e for e in history.exclusions if e.start_date >= first]


def _span(history: ChildHistory, terms: int) -> str:
    return f"the last {w.count(terms, 'term')} ({w.terms_span(window(history, terms))})"


@rule(
    "permanent_exclusion",
    "Permanent exclusion",
    "A permanent exclusion in the last 3 terms.",
    TERMS,
)
def permanent_exclusion(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    found = [e for e in recent(history, p["terms"]) if e.category is Category.PERMANENT]
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
    "3 or more suspensions in the last 3 terms.",
    Param("min_suspensions", "Suspensions at which to flag", 3, 1),
    TERMS,
)
def repeated_suspensions(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    found = [e for e in recent(history, p["terms"]) if e.category is Category.SUSPENSION]
    if len(found) < p["min_suspensions"]:
        return None
    schools = list(dict.fromkeys(w.school(authority, e.school_id) for e in found))
    dates = w.listing([w.day(e.start_date) for e in found])
    sessions = sum(sessions_lost(e) for e in found)
    return Finding(
        f"{w.count(len(found), 'suspension')} in {_span(history, p['terms'])}, "
        f"{w.count(sessions, 'session')} lost in all, from {w.listing(schools)}: on {dates}.",
        {
            "suspensions": len(found),
            "threshold": p["min_suspensions"],
            "exclusions": [w.exclusion_evidence(authority, e) for e in found],
        },
    )


def _rising(values: list[float]) -> bool:
    return all(a <= b for a, b in pairwise(values)) and values[-1] > values[0]


@rule(
    "escalating_exclusion",
    "Escalating exclusion",
    "Over 3 consecutive terms ending within the last 3 terms, suspensions (or sessions lost) per "
    "term never fall and end higher, with at least 2 suspensions in the last term; or a step up "
    "in severity within the last 3 terms (lunchtime then suspension, suspension then permanent).",
    TERMS,
    Param("run_terms", "Consecutive terms compared", 3, 2),
    Param("min_last_term", "Suspensions needed in the last term compared", 2, 1),
)
def escalating_exclusion(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    if not history.exclusions:
        return None
    counts: dict[Term, int] = {}
    sessions: dict[Term, float] = {}
    for e in history.exclusions:
        if e.category is Category.SUSPENSION:
            term = term_of(e.start_date)
            counts[term] = counts.get(term, 0) + 1
            sessions[term] = sessions.get(term, 0.0) + sessions_lost(e)
    for end in reversed(window(history, p["terms"])):
        run = [end - back for back in range(p["run_terms"] - 1, -1, -1)]
        c = [counts.get(t, 0) for t in run]
        s = [sessions.get(t, 0.0) for t in run]
        if c[-1] < p["min_last_term"] or not (_rising([float(x) for x in c]) or _rising(s)):
            continue
        told = ", ".join(
            f"{w.count(n, 'suspension')} ({w.count(x, 'session')}) in {t.label}"
            for t, n, x in zip(run, c, s, strict=True)
        )
        return Finding(
            f"Suspensions rising over {w.count(len(run), 'term')}: {told}.",
            {
                "kind": "rising",
                "terms": [
                    {"term": t.label, "suspensions": n, "sessions": x}
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


def _year_words(code: str) -> str:
    return "Reception" if code == "R" else f"Year {code}"


@rule(
    "primary_exclusion",
    "Excluded in primary school",
    "A suspension or permanent exclusion in a primary year (Reception to Year 6) in the last 3 "
    "terms.",
    TERMS,
)
def primary_exclusion(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    found = []
    for e in recent(history, p["terms"]):
        if e.category is Category.LUNCHTIME:
            continue
        year = year_group_on(history.census, history.date_of_birth, e.start_date)
        if year is None or nc_year_order(year) == 99:
            if authority.phase(e.school_id) != "primary":
                continue
            found.append((e, "a primary year"))
        elif is_primary_year(year):
            found.append((e, _year_words(year)))
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
    "Suspensions over 30 sessions in a term (the governing board must consider reinstatement) "
    "or over 90 sessions in an academic year (the legal maximum), across schools.",
    Param("term_sessions", "Sessions in a term above which to flag", 30, 1),
    Param("year_sessions", "Sessions in an academic year above which to flag", 90, 1),
    TERMS,
)
def statutory_limit(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    if not history.exclusions:
        return None
    terms = window(history, p["terms"])
    years = sorted({t.year for t in terms})
    by_term: dict[Term, float] = {}
    by_year: dict[int, float] = {}
    for e in history.exclusions:
        lost = sessions_lost(e)
        if not lost:
            continue
        term = term_of(e.start_date)
        by_term[term] = by_term.get(term, 0.0) + lost
        year = academic_year(e.start_date)
        by_year[year] = by_year.get(year, 0.0) + lost
    parts = []
    evidence: list[dict[str, object]] = []
    for term in terms:
        total = by_term.get(term, 0.0)
        if total > p["term_sessions"]:
            parts.append(
                f"{w.count(total, 'session')} of suspension in {term.label}, over the "
                f"{p['term_sessions']} in a term at which the governing board must consider "
                "reinstatement"
            )
            evidence.append({"term": term.label, "sessions": total, "limit": p["term_sessions"]})
    for year in years:
        total = by_year.get(year, 0.0)
        if total > p["year_sessions"]:
            label = academic_year_label(year)
            parts.append(
                f"{w.count(total, 'session')} of suspension in {label}, over the "
                f"{p['year_sessions']} allowed in an academic year"
            )
            evidence.append(
                {"academic_year": label, "sessions": total, "limit": p["year_sessions"]}
            )
    if not parts:
        return None
    text = "; ".join(parts)
    return Finding(text[0].upper() + text[1:] + " (across all schools).", {"totals": evidence})
