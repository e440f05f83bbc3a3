"""Census collections (docs/rules.md#census-collections-and-which-censuses-count-for-a-child): the
censuses of one term are one collection, whatever day each school's return is dated."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping

from exclusion_monitor.terms import Term, term_of

Collection = Term


def collection_of(census_date: dt.date) -> Collection:
    """The collection a census date belongs to: its term (the autumn census of early October, a
    school's return dated a few days off or a row dated a day off all fall in the autumn term)."""
    return term_of(census_date)


def collection_label(collection: Collection) -> str:
    """'the autumn 2025 census'."""
    return f"the {collection.label.lower()} census"


def collections_of(dates: Iterable[dt.date]) -> dict[Collection, dt.date]:
    """Each collection among `dates`, with its earliest date."""
    found: dict[Collection, dt.date] = {}
    for day in dates:
        key = collection_of(day)
        if key not in found or day < found[key]:
            found[key] = day
    return dict(sorted(found.items()))


def returns_by_school(
    pairs: Iterable[tuple[int, dt.date]],
) -> dict[int, dict[Collection, dt.date]]:
    """school id -> the collections it returned (with the earliest date it gave each), from the
    distinct (school, census date) pairs in the data."""
    found: dict[int, dict[Collection, dt.date]] = {}
    collection: dict[dt.date, Collection] = {}  # a few dozen census dates, each placed once
    for school_id, day in pairs:
        key = collection.get(day)
        if key is None:
            key = collection[day] = collection_of(day)
        returned = found.setdefault(school_id, {})
        if key not in returned or day < returned[key]:
            returned[key] = day
    return {school: dict(sorted(returned.items())) for school, returned in found.items()}


class Returned(dict[Collection, dt.date]):
    """A school's collections in order with their dates, and their term numbers for `returned_after`
    to find its place by halving (`Authority.returned` gives one per school)."""

    __slots__ = ("_days", "_indices", "_keys")

    def __init__(self, items: Iterable[tuple[Collection, dt.date]]) -> None:
        super().__init__(sorted(items))
        self._keys = list(self)
        self._days = list(self.values())
        self._indices = [collection.index for collection in self._keys]


def returned_after(
    returns: Mapping[Collection, dt.date], after: Collection, until: dt.date
) -> tuple[Collection, dt.date] | None:
    """The first collection after `after` in `returns` dated on or before `until`, with its date.
    `returns` is in collection order, as `collections_of` and `Authority.returned` give it: the
    first that fits is the answer (this runs for every child's every spell in a recompute)."""
    if isinstance(returns, Returned):
        days = returns._days
        for i in range(bisect_right(returns._indices, after.index), len(days)):
            if days[i] <= until:
                return returns._keys[i], days[i]
        return None
    for collection, day in returns.items():
        if day <= until and collection > after:
            return collection, day
    return None
