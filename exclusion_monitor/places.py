"""Where a child is as of a date: on roll, in a placement, left, missing or with no current
school, with the last school and the date that shows it (docs/rules.md#school-histories-and-moves).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from exclusion_monitor.census_collections import collection_of, returned_after
from exclusion_monitor.history import (
    Authority,
    ChildHistory,
    Spell,
    compulsory_school_age,
    year_group_on,
)
from exclusion_monitor.leaving_reasons import Reading, read_leaving
from exclusion_monitor.moves import PLACEMENT_PHASES


class Status(StrEnum):
    ON_ROLL = "on_roll"
    PLACEMENT = "placement"
    LEFT = "left"
    MISSING = "missing"
    NO_SCHOOL = "no_current_school"


STATUS_WORDS = {
    Status.ON_ROLL: "On roll",
    Status.PLACEMENT: "Placement",
    Status.LEFT: "Left",
    Status.MISSING: "Missing",
    Status.NO_SCHOOL: "No current school",
}


def status_word(status: str | None) -> str:
    """'On roll', 'Left', ... ('' when the status has not been worked out yet)."""
    if not status:
        return ""
    try:
        return STATUS_WORDS[Status(status)]
    except ValueError:
        return status


@dataclass(frozen=True, slots=True)
class Place:
    """A child's status, the school it is about (current, or the last one) and its date: the
    latest census or entry that shows the child there, or the last day known there."""

    status: Status
    school_id: int | None = None
    date: dt.date | None = None
    leaving: Reading | None = None


def spell_is_current(spell: Spell, history: ChildHistory, authority: Authority) -> bool:
    """Whether the child is still on this registration as of the history's date: no leaving
    date, and the school (or what it became) has not returned a later census without them."""
    if spell.end is not None:
        return False
    if spell.last_census is None:
        return True  # an open registration known only from its entry date
    later = returned_after(
        authority.returned(spell.school_id), collection_of(spell.last_census), history.as_of
    )
    return later is None


def _since(spell: Spell) -> dt.date:
    return spell.last_census or spell.start


def child_place(history: ChildHistory, authority: Authority) -> Place:
    """The child's place as of the history's date (see the module docstring)."""
    current = [s for s in history.spells if spell_is_current(s, history, authority)]
    current_placements = [s for s in history.placements if spell_is_current(s, history, authority)]
    if current:
        spell = max(current, key=lambda s: (_since(s), s.start))
        placed = authority.phase(spell.school_id) in PLACEMENT_PHASES
        return Place(Status.PLACEMENT if placed else Status.ON_ROLL, spell.school_id, _since(spell))
    if current_placements:
        spell = max(current_placements, key=lambda s: (_since(s), s.start))
        return Place(Status.PLACEMENT, spell.school_id, _since(spell))
    ended = [*history.spells, *history.placements]
    if not ended:
        return Place(Status.NO_SCHOOL)
    last = max(ended, key=lambda s: (s.last_date, s.start))
    reading = read_leaving(last.leaving_reason, last.destination)
    if reading.is_destination:
        return Place(Status.LEFT, last.school_id, last.last_date, reading)
    if not _of_compulsory_school_age(history, _first_absent(last, history, authority)):
        return Place(Status.LEFT, last.school_id, last.last_date, reading)
    if not _of_compulsory_school_age(history, history.as_of):
        return Place(Status.NO_SCHOOL, last.school_id, last.last_date, reading)
    return Place(Status.MISSING, last.school_id, last.last_date, reading)


def _of_compulsory_school_age(history: ChildHistory, day: dt.date) -> bool:
    """compulsory_school_age on `day`, the year group worked out only for a child without a
    date of birth (the only child whose year group it reads): half the children a whole
    recompute places have left a roll, and most have a date of birth."""
    born = history.date_of_birth
    year = None if born is not None else year_group_on(history.census, None, day)
    return compulsory_school_age(born, day, year)


def _first_absent(spell: Spell, history: ChildHistory, authority: Authority) -> dt.date:
    """The first day the child is known to be off this roll: the day after the leaving date,
    else the date of the first census the school returned without them."""
    if spell.end is not None:
        return spell.end + dt.timedelta(days=1)
    assert spell.last_census is not None
    later = returned_after(
        authority.returned(spell.school_id), collection_of(spell.last_census), history.as_of
    )
    return later[1] if later else history.as_of
