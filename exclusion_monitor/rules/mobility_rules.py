"""The mobility rules (docs/rules.md#the-rules): high_mobility, many_secondary_schools,
exit_after_suspension and missing_from_roll."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from exclusion_monitor.census_collections import collection_label, collection_of, returned_after
from exclusion_monitor.codelists import nc_year_order, year_group_label
from exclusion_monitor.exclusion_kinds import (
    category_words,
    counts_as_permanent,
    is_reversed,
    is_suspension,
)
from exclusion_monitor.history import (
    Authority,
    ChildHistory,
    Spell,
    compulsory_school_age,
    year_group_on,
)
from exclusion_monitor.leaving_reasons import Reading, Whereabouts, read_leaving
from exclusion_monitor.moves import PLACEMENT_PHASES
from exclusion_monitor.records import Exclusion, Move, MoveKind
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
    version=2,
)
def high_mobility(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    """docs/rules.md#high_mobility"""
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


def distinct_schools(spells: list[Spell], authority: Authority) -> list[list[Spell]]:
    """The spells grouped by school, a school and what it became through school links counting
    as one: a spell joins the group whose latest school it is, or became (a chain of conversions
    A to B to C is one school); the two schools of a split, or two schools later amalgamated,
    stay two."""
    groups: list[list[Spell]] = []
    for spell in spells:
        home = next(
            (g for g in groups if authority.same_school(g[-1].school_id, spell.school_id)), None
        )
        if home is None:
            groups.append([spell])
        else:
            home.append(spell)
    return groups


@rule(
    "many_secondary_schools",
    "Many secondary schools",
    "3 or more different secondary schools (C/M registrations; a school and what it became "
    "through an academy conversion, amalgamation or merger are one school).",
    Param("min_schools", "Different secondary schools at which to flag", 3, 2),
    version=2,
)
def many_secondary_schools(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    """docs/rules.md#many_secondary_schools"""
    if len(history.spells) < p["min_schools"]:
        return None
    secondary = [s for s in history.spells if _is_secondary(s, authority)]
    groups = distinct_schools(secondary, authority)
    if len(groups) < p["min_schools"]:
        return None
    phrases = []
    for group in groups:
        names = []
        for spell in group:
            name = w.school(authority, spell.school_id)
            if name not in names:
                names.append(name)
        became = f", which became {w.listing(names[1:])}" if len(names) > 1 else ""
        phrases.append(f"{names[0]} from {w.day(group[0].start)}{became}")
    return Finding(
        f"{w.count(len(groups), 'different secondary school')}: {w.listing(phrases)}.",
        {
            "schools": [
                {
                    "school_laestab": w.laestab(authority, g[0].school_id),
                    "start": g[0].start.isoformat(),
                    "also_laestab": sorted(
                        {
                            code
                            for s in g
                            if (code := w.laestab(authority, s.school_id))
                            and s.school_id != g[0].school_id
                        }
                    ),
                }
                for g in groups
            ]
        },
    )


def _is_mainstream(authority: Authority, school_id: int) -> bool:
    """Not a PRU or alternative provision: leaving one of those is a placement ending."""
    return authority.phase(school_id) not in PLACEMENT_PHASES


@rule(
    "exit_after_suspension",
    "Left soon after a suspension",
    "Left a school (not a PRU or alternative provision) within 90 days after a suspension "
    "there (lunchtime suspensions included), with no permanent exclusion there that stood (a "
    "managed move or off-rolling), in the last 3 terms.",
    Param("days", "Days after a suspension", 90, 1),
    TERMS,
    version=2,
)
def exit_after_suspension(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    """docs/rules.md#exit_after_suspension"""
    if not history.exclusions:
        return None
    first_day = (term_of(history.as_of) - (p["terms"] - 1)).start
    moves_from = {(m.from_school_id, m.date): m for m in history.moves}
    spells = history.spells
    for i in range(len(spells) - 1, -1, -1):
        spell = spells[i]
        if not _is_mainstream(authority, spell.school_id):
            continue
        nxt = spells[i + 1] if i + 1 < len(spells) else None
        move = moves_from.get((spell.school_id, nxt.start)) if nxt else None
        if move is not None and move.kind in (MoveKind.CONVERSION, MoveKind.STANDARD):
            continue
        # Without a leaving date the child left somewhere between the last day they were known
        # at the school and the day they were first seen at the next.
        left = spell.end or (nxt.start if nxt else None)
        if left is None or left < first_day or left > history.as_of:
            continue
        here = [
            e
            for e in history.exclusions
            if e.school_id == spell.school_id and spell.start <= e.start_date <= left
        ]
        # A permanent exclusion that stands explains the leaving; one reversed on review does
        # not (the child was reinstated, then left).
        if any(counts_as_permanent(e) for e in here):
            continue
        suspensions = [
            e for e in here if is_suspension(e) and (left - e.start_date).days <= p["days"]
        ]
        if not suspensions:
            continue
        reversed_here = [e for e in here if is_reversed(e)]
        return Finding(
            _exit_reason(authority, spell, nxt, suspensions[-1], left, reversed_here),
            {
                "school_laestab": w.laestab(authority, spell.school_id),
                "left": spell.end.isoformat() if spell.end else None,
                "last_known": _last_known(spell, here).isoformat(),
                "first_seen_next": None if spell.end or nxt is None else nxt.start.isoformat(),
                "days_after": (left - suspensions[-1].start_date).days,
                "next_laestab": w.laestab(authority, nxt.school_id) if nxt else None,
                "exclusions": [w.exclusion_evidence(authority, e) for e in suspensions],
                "reversed_permanent": [w.exclusion_evidence(authority, e) for e in reversed_here],
            },
        )
    return None


def _last_known(spell: Spell, exclusions: list[Exclusion]) -> dt.date:
    """The last day the child is known to have been at the school: its leaving date, else the
    later of its last census there and its last exclusion there."""
    if spell.end is not None:
        return spell.end
    days = [spell.last_date, *(e.start_date for e in exclusions)]
    return max(days)


def _exit_reason(
    authority: Authority,
    spell: Spell,
    nxt: Spell | None,
    last: Exclusion,
    left: dt.date,
    reversed_here: list[Exclusion],
) -> str:
    school = w.school(authority, spell.school_id)
    gap = w.count((left - last.start_date).days, "day")
    what = category_words(last.category)  # "suspension" or "lunchtime suspension"
    without = "without a permanent exclusion"
    if reversed_here:
        days = w.listing([w.day(e.start_date) for e in reversed_here])
        plural = "s" if len(reversed_here) > 1 else ""
        without = (
            f"without a permanent exclusion that stood (the permanent exclusion{plural} of "
            f"{days} reversed on review)"
        )
    if spell.end is not None:
        onward = (
            f"next on roll at {w.school(authority, nxt.school_id)}"
            if nxt
            else "no later school on record"
        )
        return (
            f"Left {school} on {w.day(spell.end)}, {gap} after a {what} there on "
            f"{w.day(last.start_date)}, {without}; {onward}."
        )
    assert nxt is not None
    known = _last_known(spell, [last])
    arrived = w.school(authority, nxt.school_id)
    if nxt.first_census is None or nxt.start < nxt.first_census:
        came = f"Joined {arrived} on {w.day(nxt.start)}"
    else:
        came = (
            f"First seen at {arrived} at {collection_label(collection_of(nxt.start))} "
            f"({w.day(nxt.start)})"
        )
    return (
        f"{came}, {gap} after a {what} at {school} on {w.day(last.start_date)}, {without}; no "
        f"leaving date was recorded at {school}, where the child was last known on "
        f"{w.day(known)}."
    )


@rule(
    "missing_from_roll",
    "Missing from roll",
    "On a roll at one census, on none at the next census their own school (or its successor) "
    "returned, no leaving destination recorded, while of compulsory school age; the census they "
    "were missing from is in the last 3 terms.",
    TERMS,
    version=2,
)
def missing_from_roll(
    history: ChildHistory, authority: Authority, p: Mapping[str, int]
) -> Finding | None:
    """docs/rules.md#missing_from_roll"""
    if not history.census:
        return None
    last_seen = history.census[-1].census_date
    last_collection = collection_of(last_seen)
    all_spells = [*history.spells, *history.placements]
    for spell in all_spells:
        if spell.start > last_seen:
            return None  # registered somewhere after the last census, not yet in one
        if spell.end is None and spell.first_census is None:
            return None  # an open registration known only from an enrolment record
    ended = [
        s
        for s in all_spells
        if s.last_census is not None and collection_of(s.last_census) == last_collection
    ]
    if not ended:
        return None
    # Missing only at a collection that each school the child was last on (or its successor)
    # has returned: a school that has not sent it yet says nothing about its pupils.
    nexts = []
    for spell in ended:
        found = returned_after(authority.returned(spell.school_id), last_collection, history.as_of)
        if found is None:
            return None
        nexts.append(found)
    next_collection, next_census = max(nexts)
    if next_collection < term_of(history.as_of) - (p["terms"] - 1):
        return None  # missed long ago: a matter for the records of that time, not a new flag
    if any(s.end is not None and s.end >= next_census for s in ended):
        return None
    readings = [read_leaving(s.leaving_reason, s.destination) for s in ended]
    if any(r.is_destination for r in readings):
        return None
    year = year_group_on(history.census, history.date_of_birth, next_census)
    if not compulsory_school_age(history.date_of_birth, next_census, year):
        return None
    main = ended[0]
    schools = w.listing([w.school(authority, s.school_id) for s in ended])
    returned_by = "their school" if len(ended) == 1 else "their schools"
    age = f" ({year_group_label(year)})" if year else ""
    left = f"; left on {w.day(main.end)}" if main.end is not None else ""
    return Finding(
        f"On the roll of {schools} at {collection_label(last_collection)} "
        f"({w.day(last_seen)}) but on no school's roll at {collection_label(next_collection)}, "
        f"which {returned_by} returned ({w.day(next_census)}){left}; "
        f"{_leaving_words(readings)}, while of compulsory school age{age}.",
        {
            "last_census": last_seen.isoformat(),
            "next_census": next_census.isoformat(),
            "last_collection": last_collection.label,
            "next_collection": next_collection.label,
            "school_laestab": [w.laestab(authority, s.school_id) for s in ended],
            "left": main.end.isoformat() if main.end is not None else None,
            "leaving_reason": next((r.wording for r in readings if r.wording), None),
            "leaving_reason_reads_as": next(
                (str(r.meaning) for r in readings if r.wording), "blank"
            ),
            "nc_year": year,
        },
    )


def _leaving_words(readings: list[Reading]) -> str:
    said = next((r for r in readings if r.wording), None)
    if said is None:
        return "no leaving destination recorded"
    if said.meaning is Whereabouts.NO_DESTINATION:
        return f'the leaving reason recorded, "{said.wording}", is no destination'
    return (
        f'the leaving reason recorded, "{said.wording}", is not a wording the tool reads as a '
        "destination (an admin can add it to the leaving reasons list)"
    )
