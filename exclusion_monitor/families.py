"""Families: children linked by a family reference, else by the same normalised first address
line and postcode as of their latest census, then by the officers' link and unlink decisions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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


def normalise_address(line: str | None) -> str:
    """Upper case, punctuation dropped, blanks collapsed, street words in one spelling."""
    if not line:
        return ""
    words = _SPACES.sub(" ", _NOT_WORD.sub(" ", line.upper())).strip().split(" ")
    return " ".join(_STREET_WORDS.get(w, w) for w in words if w)


def normalise_postcode(postcode: str | None) -> str:
    return re.sub(r"[^A-Z0-9]", "", (postcode or "").upper())


def family_key(
    family_ref: str | None, address_line1: str | None, postcode: str | None
) -> FamilyKey | None:
    """The family reference when there is one, else address line and postcode, else None."""
    ref = (family_ref or "").strip().upper()
    if ref:
        return FamilyKey(f"ref:{ref}", REFERENCE)
    line, code = normalise_address(address_line1), normalise_postcode(postcode)
    if line and code:
        return FamilyKey(f"addr:{line}|{code}", ADDRESS)
    return None


def group_families(
    keys: Mapping[int, FamilyKey | None], decisions: Iterable[FamilyDecision]
) -> list[FamilyGroup]:
    """Families of two or more children: natural keys first, then unlinks, then links (two
    linked children from different families bring their families together)."""
    groups: dict[str, set[int]] = {}
    basis: dict[str, str] = {}
    where: dict[int, str] = {}
    for child, found in keys.items():
        if found is not None:
            groups.setdefault(found.key, set()).add(child)
            basis[found.key] = found.basis
            where[child] = found.key
    ordered = list(decisions)
    for decision in ordered:
        group = where.get(decision.child_id)
        if decision.decision == "unlink" and group and where.get(decision.other_child_id) == group:
            groups[group].discard(decision.child_id)
            del where[decision.child_id]
    for decision in ordered:
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
