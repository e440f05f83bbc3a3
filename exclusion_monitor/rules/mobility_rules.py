"""Mobility rules of domain.md section 8: high_mobility, many_secondary_schools,
exit_after_suspension and missing_from_roll."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from exclusion_monitor.codelists import nc_year_order
from exclusion_monitor.history import (
    Authority,
    ChildHistory,
    Spell,
    compulsory_school_age,
    year_group_on,
)
from exclusion_monitor.moves import PLACEMENT_PHASES
from exclusion_monitor.records import Category, Move, MoveKind
from exclusion_monitor.rules import wording as w
from exclusion_monitor.rules.exclusion_rules import TERMS
from exclusion_monitor.rules.registry import Finding, Param, rule
from exclusion_monitor.terms import term_of

SECONDARY_PHASES = frozenset({"secondary", "middle_secondary", "sixteen_plus"})


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _move_evidence(authority: Authority, move: Move) -> dict[str, object]:
    return {
        "date": move.date.isoformat(),
        "from_laestab": w.laestab(authority, move.from_school_id),
        "to_laestab": w.laestab(authority, move.to_school_id),
        "kind": str(move.kind),
    }


def _move_phrase(authority: Authority, move: Move) -> str:
    return (
        f"from {w.school(authority, move.from_school_id)} to "
        f"{w.school(authority, move.to_school_id)} on {w.day(move.date)}"
    )


@rule(
    "high_mobility",
    "High mobility",
    "2 or more non-standard moves in the last 24 months, or 3 or more since Reception.",
    Param("recent_moves", "Non-standard moves in the recent months at which to flag", 2, 1),
    Param("months", "Months counted as recent", 24, 1),
    Param("moves_since_reception", "Non-standard moves since Reception at which to flag", 3, 1),
)
def high_mobility(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    moves = [m for m in history.moves if m.kind is MoveKind.NON_STANDARD]
    if not moves:
        return None
    since = _months_before(history.as_of, p["months"])
    recent = [m for m in moves if m.date > since]
    if len(recent) >= p["recent_moves"]:
        return Finding(
            f"{w.count(len(recent), 'non-standard move')} in the {p['months']} months to "
            f"{w.day(history.as_of)}: "
            f"{w.listing([_move_phrase(authority, m) for m in recent])}.",
            {
                "window_start": since.isoformat(),
                "moves": [_move_evidence(authority, m) for m in recent],
            },
        )
    school_years = []
    for m in moves:
        year = year_group_on(history.census, history.date_of_birth, m.date)
        if year is None or nc_year_order(year) >= 0:
            school_years.append(m)
    if len(school_years) >= p["moves_since_reception"]:
        return Finding(
            f"{w.count(len(school_years), 'non-standard move')} since Reception: "
            f"{w.listing([_move_phrase(authority, m) for m in school_years])}.",
            {"moves": [_move_evidence(authority, m) for m in school_years]},
        )
    return None


def _is_secondary(spell: Spell, authority: Authority) -> bool:
    phase = authority.phase(spell.school_id)
    if phase in PLACEMENT_PHASES:
        return False
    if phase in SECONDARY_PHASES:
        return True
    years = [y for y in (spell.first_year, spell.last_year) if y is not None]
    return any(7 <= nc_year_order(y) <= 14 for y in years)


@rule(
    "many_secondary_schools",
    "Many secondary schools",
    "3 or more different secondary schools (C/M registrations; an academy conversion is the "
    "same school).",
    Param("min_schools", "Different secondary schools at which to flag", 3, 2),
)
def many_secondary_schools(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    if len(history.spells) < p["min_schools"]:
        return None
    firsts: dict[int, Spell] = {}
    for spell in history.spells:
        if _is_secondary(spell, authority) and spell.school_id not in firsts:
            firsts[spell.school_id] = spell
    # A converted school and its successor are one school: keep the first of each chain.
    distinct: list[Spell] = []
    for spell in firsts.values():
        if not any(authority.is_conversion(s.school_id, spell.school_id) for s in distinct):
            distinct.append(spell)
    if len(distinct) < p["min_schools"]:
        return None
    phrases = [f"{w.school(authority, s.school_id)} from {w.day(s.start)}" for s in distinct]
    return Finding(
        f"{w.count(len(distinct), 'different secondary school')}: {w.listing(phrases)}.",
        {
            "schools": [
                {"school_laestab": w.laestab(authority, s.school_id), "start": s.start.isoformat()}
                for s in distinct
            ]
        },
    )


@rule(
    "exit_after_suspension",
    "Left soon after a suspension",
    "Left a school within 90 days after a suspension there, with no permanent exclusion "
    "(a managed move or off-rolling), in the last 3 terms.",
    Param("days", "Days after a suspension", 90, 1),
    TERMS,
)
def exit_after_suspension(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    if not history.exclusions:
        return None
    first_day = (term_of(history.as_of) - (p["terms"] - 1)).start
    moves_from = {(m.from_school_id, m.date): m for m in history.moves}
    spells = history.spells
    for i in range(len(spells) - 1, -1, -1):
        spell = spells[i]
        nxt = spells[i + 1] if i + 1 < len(spells) else None
        move = moves_from.get((spell.school_id, nxt.start)) if nxt else None
        if move is not None and move.kind in (MoveKind.CONVERSION, MoveKind.STANDARD):
            continue
        left = spell.end or (nxt.start if nxt else None)
        if left is None or left < first_day or left > history.as_of:
            continue
        here = [
            e
            for e in history.exclusions
            if e.school_id == spell.school_id and spell.start <= e.start_date <= left
        ]
        if any(e.category is Category.PERMANENT for e in here):
            continue
        suspensions = [
            e
            for e in here
            if e.category is Category.SUSPENSION and (left - e.start_date).days <= p["days"]
        ]
        if not suspensions:
            continue
        last = suspensions[-1]
        gap = (left - last.start_date).days
        onward = (
            f"next on roll at {w.school(authority, nxt.school_id)}"
            if nxt
            else "no later school on record"
        )
        return Finding(
            f"Left {w.school(authority, spell.school_id)} on {w.day(left)}, "
            f"{w.count(gap, 'day')} after a suspension there on {w.day(last.start_date)}, "
            f"without a permanent exclusion; {onward}.",
            {
                "school_laestab": w.laestab(authority, spell.school_id),
                "left": left.isoformat(),
                "days_after": gap,
                "next_laestab": w.laestab(authority, nxt.school_id) if nxt else None,
                "exclusions": [w.exclusion_evidence(authority, e) for e in suspensions],
            },
        )
    return None


_UNKNOWN = frozenset({"", "unknown", "not known", "none", "n/a"})


def _known(value: str | None) -> bool:
    return value is not None and value.strip().lower() not in _UNKNOWN


@rule(
    "missing_from_roll",
    "Missing from roll",
    "On a roll at one census, on none at the next, no leaving destination recorded, while of "
    "compulsory school age; the census they were missing from is in the last 3 terms.",
    TERMS,
)
def missing_from_roll(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    if not history.census or not history.census_dates:
        return None
    last_seen = history.census[-1].census_date
    later = [d for d in history.census_dates if d > last_seen]
    if not later:
        return None
    next_census = later[0]
    if next_census < (term_of(history.as_of) - (p["terms"] - 1)).start:
        return None  # missed long ago: a matter for the records of that time, not a new flag
    all_spells = [*history.spells, *history.placements]
    for spell in all_spells:
        if spell.start > last_seen:
            return None  # registered somewhere after the last census, not yet in one
        if spell.end is None and spell.last_census != last_seen and spell.first_census is None:
            return None  # an open registration known only from an enrolment record
    ended = [s for s in all_spells if s.last_census == last_seen]
    if any(s.end is not None and s.end >= next_census for s in ended):
        return None
    if any(_known(s.destination) or _known(s.leaving_reason) for s in ended):
        return None
    year = year_group_on(history.census, history.date_of_birth, next_census)
    if not compulsory_school_age(history.date_of_birth, next_census, year):
        return None
    schools = w.listing([w.school(authority, s.school_id) for s in ended])
    age = f" ({'Reception' if year == 'R' else f'Year {year}'})" if year else ""
    return Finding(
        f"On the roll of {schools} at the census of {w.day(last_seen)} but on no school's roll "
        f"at the next census, {w.day(next_census)}, with no leaving destination recorded, "
        f"while of compulsory school age{age}.",
        {
            "last_census": last_seen.isoformat(),
            "next_census": next_census.isoformat(),
            "school_laestab": [w.laestab(authority, s.school_id) for s in ended],
            "nc_year": year,
        },
    )
