"""How much of a census collection has arrived: a census file that covers only some of the schools
that returned the previous collection says so, because the children of the others are not counted
missing until theirs comes (docs/rules.md#census-collections-and-which-censuses-count-for-a-child).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from exclusion_monitor.census_collections import Collection, collection_label
from exclusion_monitor.history import Authority


@dataclass(frozen=True, slots=True)
class CensusCoverage:
    """One collection a census file brought: its schools, those that have returned the
    collection so far, and those that returned the previous collection but not this one yet
    (neither themselves nor a school they became)."""

    collection: Collection
    schools_in_file: int
    schools_returned: int
    previous: Collection | None
    previous_schools: int
    awaited: tuple[str, ...]  # LAESTABs of the schools still to return it

    def warning(self) -> str | None:
        """The sentence the import result shows when schools are still to send this census."""
        if self.previous is None or not self.awaited:
            return None
        schools = "school" if self.schools_in_file == 1 else "schools"
        so_far = (
            f" ({self.schools_returned} have returned it so far)"
            if self.schools_returned != self.schools_in_file
            else ""
        )
        return (
            f"this census ({self.collection.label.lower()}) covers "
            f"{self.schools_in_file} {schools} of the {self.previous_schools} that returned "
            f"{collection_label(self.previous)}{so_far}; children of the others are not counted "
            "missing until their school's census arrives"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "collection": self.collection.label,
            "schools_in_file": self.schools_in_file,
            "schools_returned": self.schools_returned,
            "previous_collection": self.previous.label if self.previous else None,
            "previous_schools": self.previous_schools,
            "schools_awaited": list(self.awaited),
        }


def coverage(
    authority: Authority, collection: Collection, schools_in_file: Iterable[int]
) -> CensusCoverage:
    """The coverage of `collection` once a file with these schools has been loaded."""
    returns = authority.returns or {}
    returned = {s for s, found in returns.items() if collection in found}
    earlier = sorted({c for found in returns.values() for c in found if c < collection})
    previous = earlier[-1] if earlier else None
    before = sorted(s for s, found in returns.items() if previous is not None and previous in found)
    on = authority.collections.get(collection)
    awaited = [
        s
        for s in before
        if not _closed_by(authority, s, on)
        and not any(
            collection in returns.get(school, {}) for school in (s, *authority.succession.later(s))
        )
    ]
    return CensusCoverage(
        collection,
        len(set(schools_in_file)),
        len(returned),
        previous,
        len(before),
        tuple(sorted(authority.schools[s].laestab for s in awaited if s in authority.schools)),
    )


def _closed_by(authority: Authority, school_id: int, day: dt.date | None) -> bool:
    """A school that closed before the collection will never return it."""
    school = authority.schools.get(school_id)
    closed = school.close_date if school else None
    return closed is not None and day is not None and closed < day
