"""Which school links make two schools one (docs/rules.md#schools-conversions-and-successor-chains):
the GIAS link types in `data/school_link_types.csv`, and the successor chains the links form.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from exclusion_monitor import config

log = logging.getLogger(__name__)

LINK_TYPES_FILE = "school_link_types.csv"
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def link_type_key(text: object) -> str:
    """'Predecessor - Split School', 'predecessor-split school' -> 'predecessorsplitschool'."""
    return _NOT_ALNUM.sub("", str(text or "").casefold())


@dataclass(frozen=True, slots=True)
class LinkType:
    """What a GIAS link type says: whether the two schools are one school, and which came first
    (`link_is` is what the linked school is to the school whose row it is)."""

    name: str
    one_school: bool
    link_is: str  # "predecessor" | "successor"
    orient_by_dates: bool


def _read(text: str, into: dict[str, LinkType]) -> None:
    for row in csv.DictReader(io.StringIO(text)):
        name = (row.get("link_type") or "").strip()
        if not name:
            continue
        link_is = (row.get("link_is") or "").strip().lower()
        into[link_type_key(name)] = LinkType(
            name,
            (row.get("one_school") or "").strip().lower() == "yes",
            link_is if link_is in ("predecessor", "successor") else "successor",
            (row.get("orient_by_dates") or "").strip().lower() == "yes",
        )


@cache
def link_types() -> dict[str, LinkType]:
    """The shipped link types, then any an admin put in a file of the same name in the data
    folder (its rows add to, or replace, the shipped ones)."""
    found: dict[str, LinkType] = {}
    shipped = resources.files("exclusion_monitor") / "data" / LINK_TYPES_FILE
    _read(shipped.read_text(encoding="utf-8"), found)
    extra = config.data_dir() / LINK_TYPES_FILE
    if extra.is_file():
        _read(extra.read_text(encoding="utf-8-sig"), found)
    return found


def reload_link_types() -> None:
    link_types.cache_clear()


@dataclass(frozen=True, slots=True)
class StoredLink:
    """One stored link row: `linked_id` is the `link_type` of `school_id`."""

    school_id: int
    linked_id: int
    link_type: str


def succession_edges(
    links: Iterable[StoredLink], close_dates: Mapping[int, dt.date | None]
) -> frozenset[tuple[int, int]]:
    """(earlier school, later school) for every link whose type makes two schools one. Links of
    a type the list does not know are left out (and logged once each)."""
    types = link_types()
    edges: set[tuple[int, int]] = set()
    unknown: set[str] = set()
    for link in links:
        if link.school_id == link.linked_id:
            continue
        found = types.get(link_type_key(link.link_type))
        if found is None:
            unknown.add(link.link_type)
            continue
        if not found.one_school:
            continue
        if found.link_is == "predecessor":
            edge = (link.linked_id, link.school_id)
        else:
            edge = (link.school_id, link.linked_id)
        if found.orient_by_dates:
            edge = _by_dates(edge, close_dates)
        edges.add(edge)
    for name in sorted(unknown):
        log.warning("school link type %r is not in the link type list; the link is ignored", name)
    return frozenset(edges)


def _by_dates(edge: tuple[int, int], close_dates: Mapping[int, dt.date | None]) -> tuple[int, int]:
    """The school that closed first came first; when the dates do not say, the edge as given."""
    first, second = edge
    a, b = close_dates.get(first), close_dates.get(second)
    if b is not None and (a is None or b < a):
        return second, first
    return edge


class Succession:
    """The successor chains of the authority's schools: A became B became C.

    Two schools are one school for a child when one is reachable from the other by following
    successor links forward: a chain of conversions is one school; the two schools of a split,
    or two schools amalgamated into a third, are not one school to each other.
    """

    def __init__(self, edges: Iterable[tuple[int, int]]) -> None:
        self._next: dict[int, set[int]] = {}
        for earlier, later in edges:
            if earlier != later:
                self._next.setdefault(earlier, set()).add(later)
        self._later: dict[int, frozenset[int]] = {}

    def __bool__(self) -> bool:
        return bool(self._next)

    def later(self, school_id: int) -> frozenset[int]:
        """Every school this one became, through any number of links (not itself)."""
        found = self._later.get(school_id)
        if found is None:
            seen: set[int] = set()
            todo = list(self._next.get(school_id, ()))
            while todo:
                school = todo.pop()
                if school in seen or school == school_id:
                    continue
                seen.add(school)
                todo.extend(self._next.get(school, ()))
            found = self._later[school_id] = frozenset(seen)
        return found

    def same_school(self, a: int | None, b: int | None) -> bool:
        """Whether `a` and `b` are one school: the same, or one a successor of the other."""
        if a is None or b is None:
            return False
        if a == b:
            return True
        if not self._next:
            return False
        return b in self.later(a) or a in self.later(b)
