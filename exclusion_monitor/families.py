"""Families (docs/rules.md#families): children linked by a family reference, else by the same
normalised first address line and postcode as of their latest census, then by the officers' link
and unlink decisions. A communal address (a children's home, a refuge, a hostel, a block of flats
without flat numbers) never links children on address alone: at most a suggestion for an officer.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from exclusion_monitor import config
from exclusion_monitor.rules.registry import Param

_NOT_WORD = re.compile(r"[^A-Z0-9 ]+")
_SPACES = re.compile(r"\s+")
# Street words written both ways in addresses typed by different people.
_STREET_WORDS = {
    "ROAD": "RD",
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "LANE": "LN",
    "DRIVE": "DR",
    "CLOSE": "CL",
    "CRESCENT": "CRES",
    "GARDENS": "GDNS",
    "PLACE": "PL",
    "COURT": "CT",
    "GROVE": "GR",
    "TERRACE": "TER",
    "SQUARE": "SQ",
    "APARTMENT": "FLAT",
}

REFERENCE = "reference"
ADDRESS = "address"
MANUAL = "manual"
COMMUNAL_FILE = "communal_addresses.csv"
# Settings (stored under these keys; the defaults below): an address shared by children of more
# surnames, or by more children, than these is communal.
MAX_SURNAMES_SETTING = "rules.families.max_surnames"
MAX_CHILDREN_SETTING = "rules.families.max_children"
DEFAULT_MAX_SURNAMES = 2
DEFAULT_MAX_CHILDREN = 6
FAMILY_SETTINGS = "families"  # the settings page's name for the thresholds below
FAMILY_PARAMS = (
    Param(
        "max_surnames",
        "Surnames at one address above which it is communal (a family reference counts as one)",
        DEFAULT_MAX_SURNAMES,
        1,
    ),
    Param(
        "max_children",
        "Children at one address above which it is communal",
        DEFAULT_MAX_CHILDREN,
        2,
    ),
)


@dataclass(frozen=True, slots=True)
class FamilyKey:
    """A child's natural family key and what it rests on (`reference` or `address`)."""

    key: str
    basis: str


@dataclass(frozen=True, slots=True)
class FamilyDecision:
    """An officer's decision: `link` puts two children together, `unlink` keeps `child_id` out
    of the family of `other_child_id`."""

    child_id: int
    other_child_id: int
    decision: str


@dataclass(frozen=True, slots=True)
class FamilyGroup:
    key: str
    basis: str
    members: frozenset[int]


@dataclass(frozen=True, slots=True)
class ChildFamilyFacts:
    """What a child's family rests on: their family reference key, address key and surname (as
    `child_search.fold_name` folds it)."""

    reference: str | None
    address: str | None
    surname: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Children who share an address (and mostly a surname) but are not linked: an officer
    decides whether they are a family. `why` says why the address links nobody by itself."""

    address: str
    members: frozenset[int]
    why: str


@dataclass(frozen=True, slots=True)
class CommunalRules:
    """When an address is communal: more surnames or children than the thresholds, or listed
    (an exact address key, or words found in the address line)."""

    max_surnames: int = DEFAULT_MAX_SURNAMES
    max_children: int = DEFAULT_MAX_CHILDREN
    listed: frozenset[str] = frozenset()
    words: tuple[str, ...] = ()

    def why_communal(
        self, address: str, people: Mapping[int, ChildFamilyFacts | None]
    ) -> str | None:
        """Why the address is communal, in words, or None when it is an ordinary home. The
        children of one family reference count as one surname (a family may have several);
        the others count by their own surnames."""
        if address in self.listed:
            return "the address is listed as communal"
        line = f" {address.removeprefix('addr:').split('|', 1)[0]} "
        named = next((w for w in self.words if f" {w} " in line), None)
        if named is not None:
            return f'the address line says "{named.lower()}"'
        references: dict[str, set[str]] = {}
        for found in people.values():
            if found is not None and found.reference:
                references.setdefault(found.reference, set()).add(found.surname)
        others = {
            f.surname
            for f in people.values()
            if f is not None
            and not f.reference
            and not any(f.surname in names for names in references.values())
        }
        distinct, children = len(references) + len(others), len(people)
        if distinct > self.max_surnames:
            kinds = "families and surnames" if references else "surnames"
            return f"{children} children of {distinct} {kinds} live there"
        if children > self.max_children:
            return f"{children} children live there, more than a family has"
        return None


@dataclass(slots=True)
class FamilyPlan:
    groups: list[FamilyGroup] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)


def normalise_address(line: str | None) -> str:
    """Upper case, punctuation dropped, blanks collapsed, street words in one spelling."""
    if not line:
        return ""
    words = _SPACES.sub(" ", _NOT_WORD.sub(" ", line.upper())).strip().split(" ")
    return " ".join(_STREET_WORDS.get(w, w) for w in words if w)


def normalise_postcode(postcode: str | None) -> str:
    return re.sub(r"[^A-Z0-9]", "", (postcode or "").upper())


def address_key(address_line1: str | None, postcode: str | None) -> str | None:
    """'addr:<normalised line>|<postcode>', or None without both."""
    line, code = normalise_address(address_line1), normalise_postcode(postcode)
    return f"addr:{line}|{code}" if line and code else None


@dataclass(frozen=True, slots=True)
class ChildKeys:
    """What is stored for a child: their own family key (reference, else address) and their
    address key (whatever the family key rests on)."""

    family: FamilyKey | None
    address: str | None


def child_keys(
    family_ref: str | None, address_line1: str | None, postcode: str | None
) -> ChildKeys:
    address = address_key(address_line1, postcode)
    return ChildKeys(_family_key(family_ref, address), address)


def family_key(
    family_ref: str | None, address_line1: str | None, postcode: str | None
) -> FamilyKey | None:
    """The family reference when there is one, else address line and postcode, else None."""
    return _family_key(family_ref, address_key(address_line1, postcode))


def _family_key(family_ref: str | None, address: str | None) -> FamilyKey | None:
    ref = (family_ref or "").strip().upper()
    if ref:
        return FamilyKey(f"ref:{ref}", REFERENCE)
    return FamilyKey(address, ADDRESS) if address else None


def _read_communal(text: str, listed: set[str], words: dict[str, None]) -> None:
    for row in csv.DictReader(io.StringIO(text)):
        line, code = row.get("address_line1"), row.get("postcode")
        if normalise_postcode(code):
            found = address_key(line, code)
            if found:
                listed.add(found)
        elif normalise_address(line):
            words[normalise_address(line)] = None


@cache
def communal_list() -> tuple[frozenset[str], tuple[str, ...]]:
    """The listed communal addresses and address words: shipped, then the admin's file of the
    same name in the data folder (whose rows add to the shipped ones)."""
    listed: set[str] = set()
    words: dict[str, None] = {}
    shipped = resources.files("exclusion_monitor") / "data" / COMMUNAL_FILE
    _read_communal(shipped.read_text(encoding="utf-8"), listed, words)
    extra = config.data_dir() / COMMUNAL_FILE
    if extra.is_file():
        _read_communal(extra.read_text(encoding="utf-8-sig"), listed, words)
    return frozenset(listed), tuple(words)


def reload_communal_list() -> None:
    communal_list.cache_clear()


def communal_rules(
    max_surnames: int = DEFAULT_MAX_SURNAMES, max_children: int = DEFAULT_MAX_CHILDREN
) -> CommunalRules:
    listed, words = communal_list()
    return CommunalRules(max(1, max_surnames), max(2, max_children), listed, words)


def group_families(
    keys: Mapping[int, FamilyKey | None], decisions: Iterable[FamilyDecision]
) -> list[FamilyGroup]:
    """Families of two or more children from natural keys alone, then the officers' decisions."""
    groups: dict[str, set[int]] = {}
    basis: dict[str, str] = {}
    for child, found in keys.items():
        if found is not None:
            groups.setdefault(found.key, set()).add(child)
            basis[found.key] = found.basis
    return _decide(groups, basis, list(decisions))


def plan_families(
    facts: Mapping[int, ChildFamilyFacts | None],
    decisions: Iterable[FamilyDecision],
    rules: CommunalRules,
) -> FamilyPlan:
    """Families and suggestions: family references first; at an ordinary address, a child
    without a reference joins the reference family of their surname living there, and the other
    children without a reference form one family; a communal address links nobody, and children
    of one surname there (or a child at an ordinary address whom nothing links) are suggested to
    an officer. Then the officers' unlinks and links."""
    references = [(c, f.reference) for c, f in facts.items() if f is not None and f.reference]
    at_address: dict[str, dict[int, ChildFamilyFacts]] = {}
    for child, found in facts.items():
        if found is not None and found.address:
            at_address.setdefault(found.address, {})[child] = found
    return plan_by_address(references, at_address.items(), decisions, rules)


def plan_by_address(
    references: Iterable[tuple[int, str]],
    addresses: Iterable[tuple[str, Mapping[int, ChildFamilyFacts]]],
    decisions: Iterable[FamilyDecision],
    rules: CommunalRules,
) -> FamilyPlan:
    """The plan of `plan_families` from two streams, so that a whole authority need not be held
    at once: every (child, family reference) first, then each address once with every child
    living there. An address depends only on its own children and the reference families, so
    the addresses may come in any order, one at a time; an address where one child lives makes
    no family and no suggestion (a group, a joining and a suggestion all need two children
    there), so a stream may leave those out, as the store's does."""
    ordered = list(decisions)
    groups: dict[str, set[int]] = {}
    basis: dict[str, str] = {}
    for child, reference in references:
        groups.setdefault(reference, set()).add(child)
        basis[reference] = REFERENCE
    offered: list[Suggestion] = []
    for address, people in addresses:
        if len(people) < 2:
            continue
        why = rules.why_communal(address, people)
        if why is not None:
            offered += _communal_suggestions(address, people, why)
            continue
        leftover = _join_references(address, people, groups, offered)
        if len(leftover) >= 2:
            groups[address] = set(leftover)
            basis[address] = ADDRESS
    plan = FamilyPlan(_decide(groups, basis, ordered))
    plan.suggestions = _still_open(offered, plan.groups, ordered)
    return plan


def _communal_suggestions(
    address: str, people: Mapping[int, ChildFamilyFacts | None], why: str
) -> list[Suggestion]:
    by_surname: dict[str, set[int]] = {}
    for child, found in people.items():
        if found is not None:
            by_surname.setdefault(found.surname, set()).add(child)
    return [
        Suggestion(address, frozenset(members), f"one surname at a communal address ({why})")
        for _, members in sorted(by_surname.items())
        if len(members) >= 2
    ]


def _join_references(
    address: str,
    people: Mapping[int, ChildFamilyFacts | None],
    groups: dict[str, set[int]],
    offered: list[Suggestion],
) -> list[int]:
    """Children without a reference at an ordinary address join the one reference family of their
    surname living there; those that join none are returned."""
    surnames: dict[str, set[str]] = {}
    living: dict[str, set[int]] = {}
    for child, found in people.items():
        if found is not None and found.reference:
            surnames.setdefault(found.reference, set()).add(found.surname)
            living.setdefault(found.reference, set()).add(child)
    leftover: list[int] = []
    for child, found in people.items():
        if found is None or found.reference:
            continue
        matching = sorted(ref for ref, names in surnames.items() if found.surname in names)
        if len(matching) == 1:
            groups[matching[0]].add(child)
            continue
        if len(matching) > 1:
            together = {child}.union(*(living[ref] for ref in matching))
            offered.append(
                Suggestion(
                    address,
                    frozenset(together),
                    "the child has the surname of more than one family living at the address",
                )
            )
            continue
        leftover.append(child)
    if len(leftover) == 1 and living:
        here = {c for ref in living for c in groups[ref] if c in people}
        offered.append(
            Suggestion(
                address,
                frozenset({leftover[0], *here}),
                "the child lives at the family's address but has another surname and no "
                "family reference",
            )
        )
    return leftover


def _decide(
    groups: dict[str, set[int]], basis: dict[str, str], decisions: list[FamilyDecision]
) -> list[FamilyGroup]:
    """Apply the officers' decisions (unlinks, then links: two linked children from different
    families bring their families together) and keep families of two or more."""
    where: dict[int, str] = {}
    for key, members in groups.items():
        for child in members:
            where[child] = key
    for decision in decisions:
        group = where.get(decision.child_id)
        if decision.decision == "unlink" and group and where.get(decision.other_child_id) == group:
            groups[group].discard(decision.child_id)
            del where[decision.child_id]
    for decision in decisions:
        if decision.decision != "link":
            continue
        a, b = decision.child_id, decision.other_child_id
        ga, gb = where.get(a), where.get(b)
        if ga is not None and ga == gb:
            continue
        if ga is None and gb is None:
            key = f"manual:{min(a, b)}-{max(a, b)}"
            groups[key], basis[key] = {a, b}, MANUAL
            where[a] = where[b] = key
        elif ga is None or gb is None:
            joined = ga or gb
            assert joined is not None
            groups[joined].update((a, b))
            where[a] = where[b] = joined
        else:
            keep, drop = sorted((ga, gb))
            for child in groups.pop(drop):
                groups[keep].add(child)
                where[child] = keep
    return [
        FamilyGroup(key, basis[key], frozenset(members))
        for key, members in sorted(groups.items())
        if len(members) >= 2
    ]


def _still_open(
    offered: list[Suggestion], groups: list[FamilyGroup], decisions: list[FamilyDecision]
) -> list[Suggestion]:
    """Suggestions an officer still has to decide: children an officer kept apart leave them,
    and one whose children are all in one family already is settled."""
    family_of = {child: g.key for g in groups for child in g.members}
    apart = {(d.child_id, d.other_child_id) for d in decisions if d.decision == "unlink"}
    apart |= {(b, a) for a, b in apart}
    found: list[Suggestion] = []
    seen: set[frozenset[int]] = set()
    for suggestion in offered:
        members = {
            c for c in suggestion.members if not any((c, o) in apart for o in suggestion.members)
        }
        if len(members) < 2 or len({family_of.get(c, f"alone:{c}") for c in members}) == 1:
            continue
        key = frozenset(members)
        if key in seen:
            continue
        seen.add(key)
        found.append(Suggestion(suggestion.address, key, suggestion.why))
    return found
