"""School moves between consecutive C/M registrations, classified as
docs/rules.md#school-histories-and-moves says: conversion (not a move at all: the two schools
are one through school links), placement (into or out of PRU/AP), standard transition, or
non-standard move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import pairwise

from exclusion_monitor.codelists import nc_year_order
from exclusion_monitor.history import Authority, CensusPoint, Spell, year_group_on
from exclusion_monitor.records import Move, MoveKind, School

PLACEMENT_PHASES = frozenset({"pru_ap"})
# The summer window in which a phase transfer is a standard transition: 1 June to 30 September.
WINDOW_START = (6, 1)
WINDOW_END = (9, 30)

_PRIMARY = frozenset({"primary", "special"})
_MIDDLE = frozenset({"middle_primary", "middle_secondary"})
_SECONDARY = frozenset({"secondary", "all_through", "special", "middle_secondary"})
_ANY: frozenset[str] = frozenset()

# Year groups at which children normally change school, with the phases of the two schools that
# such a transfer is between when the schools' age ranges are not known: nursery to Reception,
# infant to junior, first to middle, primary to secondary, middle to upper, into the sixth form.
BOUNDARIES: dict[tuple[int, int], tuple[frozenset[str], frozenset[str]]] = {
    (-2, 0): (_ANY, _ANY),
    (-1, 0): (_ANY, _ANY),
    (2, 3): (_PRIMARY, _PRIMARY),
    (3, 4): (_PRIMARY, _MIDDLE),
    (4, 5): (_PRIMARY, _MIDDLE),
    (6, 7): (_PRIMARY | {"middle_primary"}, _SECONDARY - {"middle_secondary"}),
    (7, 8): (_MIDDLE, _SECONDARY),
    (8, 9): (_MIDDLE, _SECONDARY),
    (11, 12): (_SECONDARY, frozenset({"sixteen_plus", "secondary", "special"})),
}


def in_window(day: dt.date) -> bool:
    return WINDOW_START <= (day.month, day.day) <= WINDOW_END


def window_between(after: dt.date, until: dt.date) -> bool:
    """Whether some day in (after, until] falls in a summer transfer window."""
    for year in range(after.year, until.year + 1):
        low = max(after + dt.timedelta(days=1), dt.date(year, *WINDOW_START))
        high = min(until, dt.date(year, *WINDOW_END))
        if low <= high:
            return True
    return False


def _top_year(school: School | None) -> int | None:
    """The last NC year a school teaches, from its statutory high age (11 -> Year 6)."""
    if school is None or school.high_age is None or school.phase == "special":
        return None
    return school.high_age - 5


def _first_year(school: School | None) -> int | None:
    """The first NC year a school teaches, from its statutory low age (7 -> Year 3)."""
    if school is None or school.low_age is None or school.phase == "special":
        return None
    return max(school.low_age - 4, 0)


def is_phase_boundary(
    from_year: str | None, to_year: str | None, old: School | None, new: School | None
) -> bool:
    """Whether leaving `old` in `from_year` for `new` in `to_year` is a normal phase transfer."""
    if from_year is None or to_year is None:
        return False
    pair = (nc_year_order(from_year), nc_year_order(to_year))
    phases = BOUNDARIES.get(pair)
    if phases is None:
        return False
    if pair[1] == 0:  # into Reception, from a nursery or nursery class
        return True
    top, first = _top_year(old), _first_year(new)
    if top is not None and top != pair[0]:
        return False
    if first is not None and first != pair[1]:
        return False
    # A school known only by its number (another authority's, from a Common Transfer File, or
    # one the register does not have yet) has no phase: the year groups decide. Only a phase that
    # is known and wrong for the boundary makes the move non-standard.
    old_phases, new_phases = phases
    if top is None and old_phases and (old is None or _wrong_phase(old, old_phases)):
        return False
    return not (first is None and new_phases and (new is None or _wrong_phase(new, new_phases)))


def _wrong_phase(school: School, phases: frozenset[str]) -> bool:
    return school.phase is not None and school.phase not in phases


def classify_move(
    prev_school: School | None,
    next_school: School | None,
    *,
    conversion: bool,
    from_year: str | None,
    to_year: str | None,
    left: dt.date,
    arrived: dt.date,
    arrival_known: bool,
) -> MoveKind:
    """The kind of one move; `arrival_known` says `arrived` is a real entry date rather than the
    first census seen at the new school (then any day after `left` may have been the move)."""
    if conversion:
        return MoveKind.CONVERSION
    phases = {s.phase for s in (prev_school, next_school) if s is not None}
    if phases & PLACEMENT_PHASES:
        return MoveKind.PLACEMENT
    timely = in_window(arrived) if arrival_known else window_between(left, arrived)
    if timely and is_phase_boundary(from_year, to_year, prev_school, next_school):
        return MoveKind.STANDARD
    return MoveKind.NON_STANDARD


def classify_moves(
    spells: Sequence[Spell],
    census: Sequence[CensusPoint],
    date_of_birth: dt.date | None,
    authority: Authority,
) -> list[Move]:
    """Every move between consecutive spells at different schools, classified."""
    moves: list[Move] = []
    for prev, nxt in pairwise(spells):
        if prev.school_id == nxt.school_id:
            continue
        left = prev.last_date
        from_year = prev.last_year or year_group_on(census, date_of_birth, left)
        to_year = nxt.first_year or year_group_on(census, date_of_birth, nxt.start)
        kind = classify_move(
            authority.schools.get(prev.school_id),
            authority.schools.get(nxt.school_id),
            conversion=authority.is_conversion(prev.school_id, nxt.school_id),
            from_year=from_year,
            to_year=to_year,
            left=left,
            arrived=nxt.start,
            arrival_known=nxt.first_census is None or nxt.start < nxt.first_census,
        )
        moves.append(Move(nxt.start, prev.school_id, nxt.school_id, kind))
    return moves
