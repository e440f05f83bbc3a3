"""One child per person: UPN, then Former UPN chains, then an exact name, birth date and sex match
for temporary UPNs. Near matches are queued for an officer, never merged. A Former UPN that joins
two children already held is noted for the load to merge them (docs/rules.md, identity).
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import intake as store
from exclusion_monitor.store.intake_rows import NewChild, NewIdentifier, new_child, new_identifier

NEAR_LIMIT = 25
ExactKey = tuple[str, str, dt.date | None, str | None]


@dataclass(slots=True)
class _Known:
    child_id: int
    identifier_id: int
    kind: str
    temporary: bool


class UnknownChildError(ValueError):
    """A row names a child the register does not know and gives too little to add them."""


@dataclass(slots=True)
class IdentityResolver:
    """Finds or creates the child for each row, within one load transaction."""

    conn: sa.Connection
    today: dt.date
    batch_id: int | None = None  # the batch that adds the new children and identifiers
    now: dt.datetime = field(default_factory=dt.datetime.now)
    new_children: list[NewChild] = field(default_factory=list)
    new_identifiers: list[NewIdentifier] = field(default_factory=list)
    reviews: dict[tuple[int, int], str] = field(default_factory=dict)
    demoted: list[int] = field(default_factory=list)  # identifier ids that became 'former'
    # (row, the UPN's child, the Former UPN's child) for each row whose Former UPN
    # belongs to another child held: the load merges them once its rows are in.
    joins: list[tuple[dict[str, Any], int, int]] = field(default_factory=list)
    _by_upn: dict[str, _Known] = field(default_factory=dict)
    _current: dict[int, _Known] = field(default_factory=dict)
    _exact: dict[ExactKey, int] | None = None
    # Children by date of birth, then by surname and by forename (a few dozen a day, so small
    # dictionaries; ordered by when each joined the index).
    _born: dict[dt.date, tuple[dict[str, list[int]], dict[str, list[int]]]] = field(
        default_factory=dict
    )
    _people: dict[int, ExactKey] = field(default_factory=dict)
    _similar_pairs: dict[tuple[str, str], bool] = field(default_factory=dict)
    _next_child: int = 0
    _next_identifier: int = 0
    _first_new_child: int = 0
    _first_new_identifier: int = 0
    _created: dt.datetime | str = ""
    _first_seen: dt.date | str = ""
    _day: dict[Any, Any] = field(default_factory=dict)  # bulk.stored_dates

    def __post_init__(self) -> None:
        from exclusion_monitor.store import schema as t
        from exclusion_monitor.store.bulk import stored_dates, stored_moment

        # The stamps every new row carries, as the database is handed them (SQLite: one ISO
        # string for a quarter of a million rows, not one made for each).
        self._day = stored_dates(self.conn)
        self._created, self._first_seen = stored_moment(self.conn, self.now), self._day[self.today]

        for row in store.load_identifiers(self.conn):
            known = _Known(row.child_id, row.id, row.kind, row.temporary)
            self._by_upn[row.upn] = known
            if row.kind == "current":
                self._current[row.child_id] = known
        self._next_child = self._first_new_child = store.next_id(self.conn, t.children)
        self._next_identifier = self._first_new_identifier = store.next_id(
            self.conn, t.child_identifiers
        )

    # -- people index (loaded only when a new UPN turns up) -----------------------------------
    def _ensure_people(self) -> dict[ExactKey, int]:
        if self._exact is None:
            self._exact = {}
            for child_id, surname, forename, dob, sex in store.load_child_keys(self.conn):
                self._index_person(child_id, surname, forename, dob, sex)
        return self._exact

    def _index_person(
        self, child_id: int, surname: str, forename: str, dob: dt.date | None, sex: str | None
    ) -> None:
        self._index_key(child_id, (surname.casefold(), forename.casefold(), dob, sex))

    def _index_key(self, child_id: int, key: ExactKey) -> None:
        assert self._exact is not None
        dob = key[2]
        self._people[child_id] = key
        self._exact.setdefault(key, child_id)
        if dob is not None:
            by_surname, by_forename = self._born.setdefault(dob, ({}, {}))
            by_surname.setdefault(key[0], []).append(child_id)
            by_forename.setdefault(key[1], []).append(child_id)

    # -- resolution ---------------------------------------------------------------------------
    def resolve(self, record: dict[str, Any]) -> int:
        """The child id for a checked row, adding the child or identifiers as the row shows."""
        upn: str = record["upn"]
        former: str | None = record["former_upn"]
        known = self._by_upn.get(upn)
        if not former:  # most rows
            return known.child_id if known else self._new_upn(record)
        known_former = self._by_upn.get(former)
        if known and known_former and known.child_id != known_former.child_id:
            self.joins.append((record, known.child_id, known_former.child_id))
            return known.child_id
        if known:
            if not known_former:
                self._add_identifier(known.child_id, former, record["former_temporary"], "former")
            return known.child_id
        if known_former:
            self._attach(known_former.child_id, upn, record["upn_temporary"])
            return known_former.child_id
        return self._new_upn(record)

    def _new_upn(self, record: dict[str, Any]) -> int:
        """A UPN (and Former UPN) not known yet: the child of an exact match where a temporary
        UPN is involved, else a new child, with its near matches queued for review."""
        upn, temporary = record["upn"], record["upn_temporary"]
        surname, forename = record["surname"], record["forename"]
        dob, sex = record["date_of_birth"], record["sex"]
        exact = self._exact if self._exact is not None else self._ensure_people()
        s_key = surname.casefold() if surname else ""
        f_key = forename.casefold() if forename else ""
        key: ExactKey = (s_key, f_key, dob, sex)
        child_id = self._next_child
        if surname and forename and dob is not None:
            # The first child with this name, birthday and sex (this one, if none yet).
            match = exact.setdefault(key, child_id)
            if match != child_id:
                current = self._current.get(match)
                if temporary or (current is not None and current.temporary):
                    self._attach(match, upn, temporary)
                    return match
        if not surname or not forename:
            raise UnknownChildError(
                f"UPN {upn} is not known yet and the row gives no surname and forename to add the "
                "pupil"
            )
        self._next_child += 1
        self.new_children.append(
            new_child(
                child_id, surname, forename, self._day[dob], sex, self._created, self.batch_id
            )
        )
        former = record["former_upn"]
        if former and temporary and not record["former_temporary"]:
            self._add_identifier(child_id, former, False, "current")
            self._add_identifier(child_id, upn, True, "former")
        else:  # the UPN is not known (resolve), so it is this child's current one
            identifier_id = self._next_identifier
            self._next_identifier += 1
            self.new_identifiers.append(
                new_identifier(
                    identifier_id,
                    child_id,
                    upn,
                    "current",
                    temporary,
                    self._first_seen,
                    self.batch_id,
                )
            )
            self._by_upn[upn] = self._current[child_id] = _Known(
                child_id, identifier_id, "current", temporary
            )
            if former:
                self._add_identifier(child_id, former, record["former_temporary"], "former")
        self._people[child_id] = key
        if dob is not None:
            # Near matches among the children already indexed, then this child joins the index.
            born = self._born.get(dob)
            if born is None:
                self._born[dob] = ({s_key: [child_id]}, {f_key: [child_id]})
            else:
                by_surname, by_forename = born
                same_surname = by_surname.get(s_key)
                same_forename = by_forename.get(f_key)
                if same_surname or same_forename:
                    self._near_matches(child_id, key, same_surname, same_forename)
                if same_surname is None:
                    by_surname[s_key] = [child_id]
                else:
                    same_surname.append(child_id)
                if same_forename is None:
                    by_forename[f_key] = [child_id]
                else:
                    same_forename.append(child_id)
        return child_id

    def _attach(self, child_id: int, upn: str, temporary: bool) -> None:
        """A new UPN for a known child: a permanent UPN replaces a temporary current one;
        a child with two permanent UPNs keeps the first as current."""
        current = self._current.get(child_id)
        if current is not None and current.temporary and not temporary:
            current.kind = "former"
            self.demoted.append(current.identifier_id)
            self._add_identifier(child_id, upn, temporary, "current")
        else:
            self._add_identifier(child_id, upn, temporary, "former")

    def _add_identifier(self, child_id: int, upn: str, temporary: bool, kind: str) -> None:
        if upn in self._by_upn:
            return
        identifier_id = self._next_identifier
        self._next_identifier += 1
        self.new_identifiers.append(
            new_identifier(
                identifier_id, child_id, upn, kind, temporary, self._first_seen, self.batch_id
            )
        )
        known = _Known(child_id, identifier_id, kind, temporary)
        self._by_upn[upn] = known
        if kind == "current":
            self._current[child_id] = known

    def working_data(self) -> list[list[Any] | dict[Any, Any]]:
        """The resolver's indexes and new rows, spent once they are written."""
        return [
            self.new_children, self.new_identifiers, self._by_upn, self._current,
            self._exact or {}, self._born, self._people,
        ]  # fmt: skip

    def first_new_ids(self) -> tuple[int, int]:
        """The ids from which this load numbers new children and new identifiers."""
        return self._first_new_child, self._first_new_identifier

    def identifier_id(self, upn: str) -> int:
        return self._by_upn[upn].identifier_id

    def _review(self, child_id: int, candidate_id: int, reason: str) -> None:
        pair = (max(child_id, candidate_id), min(child_id, candidate_id))
        self.reviews.setdefault(pair, reason)

    def _near_matches(
        self,
        child_id: int,
        key: ExactKey,
        same_surname: list[int] | None,
        same_forename: list[int] | None,
    ) -> None:
        """Queue the children born the same day with the same surname or forename whose names
        are the same or similar (`same_surname`, `same_forename`: those groups so far)."""
        s_key, f_key, _, sex = key
        # The most recent few of each group: a file of placeholder names must not go quadratic.
        candidates = set((same_surname or [])[-NEAR_LIMIT:]) | set(
            (same_forename or [])[-NEAR_LIMIT:]
        )
        people, similar_pairs = self._people, self._similar_pairs
        for other in candidates:
            o_surname, o_forename, _, o_sex = people[other]
            if o_surname == s_key:
                if o_forename == f_key:
                    what = "different sex" if o_sex != sex else "a different UPN"
                    self._review(child_id, other, f"same name and date of birth, {what}")
                    continue
                pair = (o_forename, f_key)
                reason = "same surname and date of birth, similar forename"
            elif o_forename == f_key:
                pair = (o_surname, s_key)
                reason = "same forename and date of birth, similar surname"
            else:
                continue
            similar = similar_pairs.get(pair)  # a census repeats its names: each pair once
            if similar is None:
                similar = similar_pairs[pair] = _similar(*pair)
            if similar:
                self._review(child_id, other, reason)


def _similar(a: str, b: str) -> bool:
    shorter, longer = sorted((len(a), len(b)))
    if shorter >= 3 and (a.startswith(b) or b.startswith(a)):
        return True
    if 2.0 * shorter < 0.75 * (shorter + longer):
        return False  # no ratio (at most 2 * shorter / total length) can reach 0.75
    # difflib's ratio is at most the share of letters the two have in common (its quick_ratio,
    # itself at most real_quick_ratio), counted here without building a matcher, which most
    # pairs of names never need.
    if _common_letters_ratio(a, b) < 0.75:
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def _common_letters_ratio(a: str, b: str) -> float:
    """SequenceMatcher(None, a, b).quick_ratio(), worked out the same way."""
    letters = set(a)
    matches = sum(map(min, map(a.count, letters), map(b.count, letters)))
    length = len(a) + len(b)
    return 2.0 * matches / length if length else 1.0
