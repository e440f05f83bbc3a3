"""An authority's regional return, row by row (docs/regional.md, "What leaves an authority"):
pseudonyms instead of UPNs, the month of birth instead of the date, the postcode's sector, fixed
phrases instead of free text, and nothing else about the child. The file is written by
imports/regional_return.py."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor import codelists
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.regional import return_format as f
from exclusion_monitor.regional.keys import RegionalKey
from exclusion_monitor.store import Database
from exclusion_monitor.store import regional_source as source
from exclusion_monitor.store.settings import get_setting

Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class ReturnSummary:
    """What a written return holds, for the command's report and the audit row (no names)."""

    la_code: str
    as_of: dt.date
    children: int
    pseudonyms: int
    census_rows: int
    exclusions: int
    flags: int
    key_fingerprint: str


def authority_code(db: Database, given: str | None = None) -> tuple[str, str]:
    """(LA number, name) of the authority whose database this is: the setting
    `authority.la_code` (or `given`), else the LA number most of its schools share."""
    name = str(get_setting(db, "authority.name") or "")
    code = given or get_setting(db, "authority.la_code")
    if code:
        code = str(code).strip()
        if len(code) != 3 or not code.isdigit():
            raise InvalidInputError(f"'{code}' is not an LA number (3 digits, e.g. 330).")
        return code, name or codelists.la_name(code)
    with db.read() as conn:
        counts = Counter(str(row.laestab)[:3] for row in source.schools(conn))
    if not counts:
        raise InvalidInputError(
            "This database holds no schools, so it is not clear which authority it belongs to; "
            "give the LA number with --la."
        )
    (first, n), *rest = [*counts.most_common(2), ("", 0)]
    if rest and rest[0][1] * 2 > n:
        raise InvalidInputError(
            "The schools in this database belong to several authorities; give this authority's "
            "LA number with --la."
        )
    return first, name or codelists.la_name(first)


def _yes_no(value: object) -> str:
    return "" if value is None else ("Y" if value else "N")


def _ethnicity(value: str | None) -> str:
    found = codelists.ethnicity(value) if value else None
    return found.code if found else ""


def _sen(value: str | None) -> str:
    found = codelists.codelist(codelists.SEN).match(value) if value else None
    return found.code if found and found.code in ("N", "K", "E") else ""


def _day(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


class ReturnBuilder:
    """Rows of each member of one authority's return, as of a date, from one read snapshot.

    Members must be taken in `ORDER` (the children's characteristics are gathered while the
    census streams by).
    """

    ORDER = (
        f.SCHOOLS, f.SCHOOL_LINKS, f.CENSUS_RETURNS, f.PSEUDONYMS, f.REGISTRATIONS,
        f.EXCLUSIONS, f.CENSUS, f.CHILDREN, f.FLAGS,
    )  # fmt: skip

    def __init__(
        self,
        conn: sa.Connection,
        key: RegionalKey,
        as_of: dt.date,
        flags: dict[int, list[tuple[str, int]]],
    ) -> None:
        self.conn = conn
        self.key = key
        self.as_of = as_of
        self.flags = flags
        self.counts: Counter[str] = Counter()
        self.schools = {row.id: row for row in source.schools(conn)}
        self.laestab = {sid: str(row.laestab) for sid, row in self.schools.items()}
        self.number: dict[int, int] = {}
        self.latest: dict[int, list[Any]] = {}

    def rows(self, member: f.Member) -> Iterator[Row]:
        """The rows of one member, as text values in the member's column order."""
        produce = {
            f.SCHOOLS.name: self._schools,
            f.SCHOOL_LINKS.name: self._links,
            f.CENSUS_RETURNS.name: self._census_returns,
            f.PSEUDONYMS.name: self._pseudonyms,
            f.REGISTRATIONS.name: self._registrations,
            f.EXCLUSIONS.name: self._exclusions,
            f.CENSUS.name: self._census,
            f.CHILDREN.name: self._children,
            f.FLAGS.name: self._flags,
        }[member.name]
        for row in produce():
            self.counts[member.name] += 1
            yield row

    def _child(self, child_id: int) -> int:
        """The child's number in this return (1, 2, ... in the database's order): not the
        database's own id, which would tie returns to the authority's records."""
        found = self.number.get(child_id)
        if found is None:
            found = self.number[child_id] = len(self.number) + 1
        return found

    def _schools(self) -> Iterator[Row]:
        for row in self.schools.values():
            yield (
                row.laestab, row.urn or "", " ".join(str(row.name).split())[:300],
                row.la_code or str(row.laestab)[:3], row.phase or "", row.school_type or "",
                _day(row.open_date), _day(row.close_date),
                "" if row.low_age is None else row.low_age,
                "" if row.high_age is None else row.high_age,
            )  # fmt: skip

    def _links(self) -> Iterator[Row]:
        for school_id, linked_id, link_type in source.school_links(self.conn):
            yield (self.laestab[school_id], self.laestab[linked_id], str(link_type)[:50])

    def _census_returns(self) -> Iterator[Row]:
        for school_id, day in source.census_returns(self.conn, self.as_of):
            yield (self.laestab[school_id], _day(day))

    def _pseudonyms(self) -> Iterator[Row]:
        for child in source.children(self.conn):
            self._child(child.id)
        for child_id, upn, kind in source.identifiers(self.conn):
            if child_id in self.number:
                yield (
                    self.number[child_id],
                    self.key.pseudonym(upn),
                    "current" if kind == "current" else "former",
                )

    def _registrations(self) -> Iterator[Row]:
        for child_id, school_id, entry, leaving, status, reason, destination in source.enrolments(
            self.conn, self.as_of
        ):
            if leaving is not None and _day(leaving) > self.as_of.isoformat():
                leaving, reason, destination = None, None, None
            dest = str(destination or "").replace("/", "").replace("-", "").strip()
            yield (
                self.number[child_id], self.laestab[school_id], _day(entry), _day(leaving),
                status or "", f.leaving_phrase(reason) if leaving is not None or reason else "",
                dest if len(dest) == 7 and dest.isdigit() else "",
            )  # fmt: skip

    def _exclusions(self) -> Iterator[Row]:
        for row in source.exclusions(self.conn, self.as_of):
            category = row.category if row.category in ("SUSP", "PERM", "LNCH") else None
            if category is None:
                found = codelists.codelist(codelists.CATEGORIES).match(row.category)
                category = found.code if found else None
            if category not in ("SUSP", "PERM", "LNCH"):
                continue
            reasons = [str(r).strip().upper()[:4] for r in (row.reason1, row.reason2, row.reason3)]
            yield (
                self.number[row.child_id], self.laestab[row.school_id], category,
                _day(row.start_date), _day(row.end_date), f"{float(row.sessions or 0):g}",
                *[r if r.isalnum() else "" for r in reasons], f.outcome_phrase(row.review_outcome),
            )  # fmt: skip

    def _census(self) -> Iterator[Row]:
        latest = self.latest
        for row in source.census(self.conn, self.as_of):
            facts = latest.get(row.child_id)
            if facts is None:
                facts = latest[row.child_id] = [None, None, None, None, None]
            for i, value in enumerate(
                (row.ethnicity, row.fsm, row.sen, row.looked_after, row.postcode)
            ):
                if value is not None and value != "":
                    facts[i] = value
            yield (
                self.number[row.child_id], self.laestab[row.school_id], _day(row.census_date),
                codelists.nc_year(row.nc_year) or "" if row.nc_year else "",
                row.enrol_status or "", _day(row.entry_date), _yes_no(row.fsm), _sen(row.sen),
            )  # fmt: skip

    def _children(self) -> Iterator[Row]:
        for child in source.children(self.conn):
            ethnicity, fsm, sen, looked_after, postcode = self.latest.get(child.id) or [None] * 5
            if child.looked_after is not None:
                looked_after = child.looked_after
            yield (
                self.number[child.id], f.birth_month(_date(child.date_of_birth)),
                child.sex if child.sex in ("M", "F") else "", _ethnicity(ethnicity),
                _yes_no(fsm), _sen(sen), _yes_no(looked_after), f.postcode_sector(postcode),
            )  # fmt: skip

    def _flags(self) -> Iterator[Row]:
        for child_id in sorted(self.flags):
            if child_id in self.number:
                for rule, version in self.flags[child_id]:
                    yield (self.number[child_id], rule, version, self.as_of.isoformat())

    def summary(self, la_code: str) -> ReturnSummary:
        return ReturnSummary(
            la_code=la_code,
            as_of=self.as_of,
            children=self.counts[f.CHILDREN.name],
            pseudonyms=self.counts[f.PSEUDONYMS.name],
            census_rows=self.counts[f.CENSUS.name],
            exclusions=self.counts[f.EXCLUSIONS.name],
            flags=self.counts[f.FLAGS.name],
            key_fingerprint=self.key.fingerprint,
        )


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def flags_as_of(db: Database, as_of: dt.date) -> dict[int, list[tuple[str, int]]]:
    """Each child's flags (rule, version) as of the date: the stored flags when they were
    computed for that date on the data as it is, else evaluated afresh (nothing stored)."""
    from exclusion_monitor.flagging import evaluate_flags, flags_are_current, stored_as_of
    from exclusion_monitor.store import flags as flag_store

    if stored_as_of(db) == as_of and flags_are_current(db):
        with db.read() as conn:
            stored: Iterable[Any] = flag_store.stored_flags(conn)
            found: dict[int, list[tuple[str, int]]] = {}
            for s in stored:
                found.setdefault(s.child_id, []).append((s.rule, s.rule_version))
        return found
    return {
        child: [(flag.rule, flag.rule_version) for flag in flags]
        for child, flags in evaluate_flags(db, as_of=as_of).items()
    }
