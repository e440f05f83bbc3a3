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


class _Groups:
    """Union-find over children, each root remembering its family key and basis."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.key: dict[int, FamilyKey] = {}

    def find(self, child: int) -> int:
        root = child
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while child != root:
            child, self.parent[child] = self.parent[child], root
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        ka, kb = self.key.get(ra), self.key.get(rb)
        keep, drop = (ra, rb) if (ka and (not kb or ka.key <= kb.key)) else (rb, ra)
        self.parent[drop] = keep
        if keep not in self.key:
            self.key[keep] = FamilyKey(f"manual:{min(a, b)}-{max(a, b)}", MANUAL)
        self.key.pop(drop, None)


def group_families(
    keys: Mapping[int, FamilyKey | None], decisions: Iterable[FamilyDecision]
) -> list[FamilyGroup]:
    """Families of two or more children: natural keys first, then unlinks, then links."""
    by_key: dict[str, list[int]] = {}
    basis: dict[str, str] = {}
    for child, found in keys.items():
        if found is not None:
            by_key.setdefault(found.key, []).append(child)
            basis[found.key] = found.basis
    groups = _Groups()
    for key, members in by_key.items():
        root = members[0]
        groups.key[root] = FamilyKey(key, basis[key])
        for child in members[1:]:
            groups.parent[child] = root
    ordered = list(decisions)
    for decision in ordered:
        if decision.decision == "unlink" and groups.find(decision.child_id) == groups.find(
            decision.other_child_id
        ):
            _detach(groups, decision.child_id)
    for decision in ordered:
        if decision.decision == "link":
            groups.union(decision.child_id, decision.other_child_id)
    members_of: dict[int, set[int]] = {}
    for child in set(groups.parent) | set(keys):
        members_of.setdefault(groups.find(child), set()).add(child)
    result = []
    for root, group in members_of.items():
        found = groups.key.get(root)
        if len(group) >= 2 and found is not None:
            result.append(FamilyGroup(found.key, found.basis, frozenset(group)))
    return sorted(result, key=lambda g: g.key)


def _detach(groups: _Groups, child: int) -> None:
    """Take `child` out of its group, leaving the rest of the group together."""
    root = groups.find(child)
    members = [c for c in groups.parent if groups.find(c) == root] + [root]
    rest = [c for c in dict.fromkeys(members) if c != child]
    key = groups.key.pop(root, None)
    for member in [*rest, child]:
        groups.parent[member] = member
    if rest:
        new_root = rest[0]
        for member in rest[1:]:
            groups.parent[member] = new_root
        if key is not None:
            groups.key[new_root] = key
