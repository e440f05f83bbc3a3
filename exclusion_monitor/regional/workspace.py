"""The regional workspace (docs/regional.md, "The workspace"): importing an authority's return
(a later one replaces its earlier one in one transaction), linking children across authorities
by pseudonym, and the regional flags: the registry's own rules run on each child's joined
history, so every fix to a rule carries over."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa

from exclusion_monitor.bulk_work import without_cycle_collector
from exclusion_monitor.census_collections import returns_by_school
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.flag_evaluation import (
    evaluate_chunks,
    worker_count,
    worker_state,
)
from exclusion_monitor.history import Authority, CensusPoint, ChildRecord, build_history
from exclusion_monitor.records import Category, Enrolment, Exclusion, Flag
from exclusion_monitor.regional import return_format as f
from exclusion_monitor.rules import RuleSettings, evaluate_child, rule_settings
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store import regional_schema as r
from exclusion_monitor.store import regional_workspace as ws
from exclusion_monitor.store.histories import _Dates
from exclusion_monitor.store.settings import get_settings

log = logging.getLogger(__name__)

_ROWS_PER_INSERT = 50_000
_CHILDREN_PER_BATCH = 10_000
Progress = Callable[[int, int], None]


class ReturnSource(Protocol):
    """An opened return file (imports/regional_return.py gives one)."""

    manifest: f.Manifest
    file_hash: str

    def rows(self, member: f.Member) -> Iterator[tuple[Any, ...]]: ...

    def verify_hashes(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ImportedReturn:
    file: str
    la_code: str
    la_name: str
    status: str  # imported | already_imported
    as_of: dt.date
    made_at: dt.datetime
    children: int = 0
    census_rows: int = 0
    exclusions: int = 0
    replaced: str | None = None  # the made_at of the return this one replaced

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "authority": self.la_code,
            "authority_name": self.la_name,
            "status": self.status,
            "as_of": self.as_of.isoformat(),
            "made_at": self.made_at.isoformat(),
            "children": self.children,
            "census_rows": self.census_rows,
            "exclusions": self.exclusions,
            "replaced": self.replaced,
        }


def _chunks(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _ROWS_PER_INSERT:
            yield batch
            batch = []
    if batch:
        yield batch


def import_return(
    db: Database, source: ReturnSource, *, file_name: str, account: str
) -> ImportedReturn:
    """Load one authority's return into the workspace in one transaction, replacing that
    authority's earlier return. Refuses a return made with another key than the region's, an
    older return than the one held, and any database that holds named children."""
    m = source.manifest
    with without_cycle_collector(), db.write() as conn:  # its rows hold no cycles: bulk_work
        ws.ensure_regional(conn)
        held = ws.current_returns(conn)
        other_keys = {x.key_fingerprint for x in held if x.la_code != m.la_code}
        if other_keys and m.key_fingerprint not in other_keys:
            raise InvalidInputError(
                f"{file_name} was not imported: it was made with a different key (fingerprint "
                f"{m.key_fingerprint}) from the region's other returns ({', '.join(other_keys)}), "
                "so its children could not be linked with theirs. Ask the authority to make the "
                "return again with the region's key file."
            )
        if ws.file_already_imported(conn, source.file_hash):
            return ImportedReturn(
                file_name, m.la_code, m.la_name, "already_imported", m.as_of, m.made_at
            )
        previous = next((x for x in held if x.la_code == m.la_code), None)
        if previous is not None and (previous.as_of, previous.made_at) > (m.as_of, m.made_at):
            raise InvalidInputError(
                f"{file_name} was not imported: the region already holds a later return from "
                f"{m.la_name or m.la_code} (as of {previous.as_of:%d/%m/%Y}, made "
                f"{previous.made_at:%d/%m/%Y %H:%M}) than this one (as of {m.as_of:%d/%m/%Y})."
            )
        return_id = ws.add_return(
            conn,
            {
                "la_code": m.la_code,
                "la_name": m.la_name,
                "format_version": m.format_version,
                "made_at": m.made_at,
                "as_of": m.as_of,
                "key_fingerprint": m.key_fingerprint,
                "file_name": file_name[:500],
                "file_hash": source.file_hash,
                "imported_at": dt.datetime.now(),
                "imported_by": account,
            },
        )
        if previous is not None:
            ws.remove_return(conn, previous)
        counts = _load(conn, source, return_id, file_name)
        source.verify_hashes()
        ws.finish_return(conn, return_id, **counts)
        audit.record(
            conn,
            account,
            "regional_import",
            f"return:{return_id}",
            {
                "file": file_name,
                "authority": m.la_code,
                "as_of": m.as_of.isoformat(),
                "key_fingerprint": m.key_fingerprint,
                "replaced_return": previous.id if previous else None,
                **counts,
            },
        )
    log.info("imported regional return %d from LA %s: %d children", return_id, m.la_code,
             counts["children"])  # fmt: skip
    return ImportedReturn(
        file_name,
        m.la_code,
        m.la_name,
        "imported",
        m.as_of,
        m.made_at,
        counts["children"],
        counts["census_rows"],
        counts["exclusions"],
        previous.made_at.isoformat() if previous else None,
    )


def _refuse(file_name: str, problem: str) -> InvalidInputError:
    return InvalidInputError(f"{file_name} was not imported: {problem}.")


def _load(
    conn: sa.Connection, source: ReturnSource, return_id: int, file_name: str
) -> dict[str, int]:
    la_code = source.manifest.la_code
    school_rows = list(source.rows(f.SCHOOLS))
    ws.save_schools(conn, school_rows, la_code)
    link_rows = list(source.rows(f.SCHOOL_LINKS))
    ids = ws.ensure_schools(conn, [x for row in link_rows for x in row[:2]])
    ws.save_links(conn, [(ids[a], ids[b], kind) for a, b, kind in link_rows])

    def school(code: str) -> int:
        found = ids.get(code)
        if found is None:
            ids.update(ws.ensure_schools(conn, [code]))
            found = ids[code]
        return found

    ws.insert(
        conn,
        r.regional_census_returns,
        ["return_id", "school_id", "census_date"],
        list({(return_id, school(a), d) for a, d in source.rows(f.CENSUS_RETURNS)}),
    )
    base = ws.next_child_id(conn)
    seen: set[int] = set()
    child_rows = []
    for number, *rest in source.rows(f.CHILDREN):
        if number in seen or number < 1:
            raise _refuse(file_name, f"child number {number} appears twice or is not positive")
        seen.add(number)
        child_rows.append((base + number - 1, return_id, number, *rest))
    count = len(child_rows)
    if count and max(seen) != count:
        raise _refuse(file_name, "its children are not numbered 1 to their count")
    ws.insert(
        conn,
        r.regional_children,
        ["id", "return_id", "local_number", "birth_month", "sex", "ethnicity", "fsm", "sen",
         "looked_after", "postcode_sector"],
        child_rows,
    )  # fmt: skip
    del child_rows

    def child(number: int) -> int:
        if not 1 <= number <= count:
            raise _refuse(file_name, f"a row names child {number}, who is not in children.csv")
        return base + number - 1

    totals: dict[str, int] = {}
    plans: list[tuple[f.Member, sa.Table, list[str], Callable[[tuple[Any, ...]], tuple[Any, ...]]]]
    plans = [
        (f.PSEUDONYMS, r.regional_pseudonyms, ["child_id", "pseudonym", "kind"],
         lambda row: (child(row[0]), row[1], row[2])),
        (f.REGISTRATIONS, r.regional_registrations,
         ["child_id", "school_id", "entry_date", "leaving_date", "enrol_status",
          "leaving_reason", "destination_laestab"],
         lambda row: (child(row[0]), school(row[1]), *row[2:])),
        (f.CENSUS, r.regional_census,
         ["child_id", "school_id", "census_date", "nc_year", "enrol_status", "entry_date",
          "fsm", "sen"],
         lambda row: (child(row[0]), school(row[1]), *row[2:])),
        (f.EXCLUSIONS, r.regional_exclusions,
         ["child_id", "school_id", "category", "start_date", "end_date", "sessions", "reason1",
          "reason2", "reason3", "review_outcome"],
         lambda row: (child(row[0]), school(row[1]), *row[2:])),
        (f.FLAGS, r.regional_local_flags, ["child_id", "rule", "rule_version", "as_of"],
         lambda row: (child(row[0]), *row[1:])),
    ]  # fmt: skip
    for member, table, columns, convert in plans:
        total = 0
        for batch in _chunks(source.rows(member)):
            rows = [convert(row) for row in batch]
            if member is f.PSEUDONYMS or member is f.FLAGS:
                rows = list(dict.fromkeys(rows))
            ws.insert(conn, table, columns, rows)
            total += len(rows)
        totals[member.name] = total
    return {
        "children": count,
        "census_rows": totals[f.CENSUS.name],
        "exclusions": totals[f.EXCLUSIONS.name],
        "first_child_id": base,
        "last_child_id": base + count - 1,
    }


# --- linking and regional flags ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    as_of: dt.date | None
    people: int = 0
    cross_border: int = 0
    flagged: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


def _state(returns: Sequence[ws.StoredReturn]) -> str:
    return ",".join(f"{x.id}" for x in returns)


def region_as_of(returns: Sequence[ws.StoredReturn]) -> dt.date | None:
    """The date the region's figures are as of: the earliest as-of date among the current
    returns, the last day every authority's data covers."""
    return min((x.as_of for x in returns), default=None)


def region_is_current(db: Database) -> bool:
    with db.read() as conn:
        return ws.refresh_state(conn) == _state(ws.current_returns(conn))


def ensure_region_current(db: Database, account: str, progress: Progress | None = None) -> bool:
    """Link children and recompute regional flags if the returns changed since the last time;
    True if it did."""
    if region_is_current(db):
        return False
    refresh_region(db, account=account, progress=progress)
    return True


def link_people(
    rows: Sequence[tuple[int, str, str, int, str]],
) -> tuple[list[tuple[int, str, str]], list[tuple[int, int]]]:
    """People from child records linked by shared pseudonyms (a UPN and a former UPN of one
    child are one person in every authority that knew either).

    Returns (people rows (id, display pseudonym, authorities), (child id, person id) for each
    record that is not its own person). `rows` are (child id, pseudonym, kind, return id,
    LA number), the latest returns first.
    """
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    owner: dict[str, int] = {}
    for child_id, pseudonym, _kind, _return, _la in rows:
        find(child_id)
        other = owner.setdefault(pseudonym, child_id)
        if other != child_id:
            a, b = find(child_id), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for child_id in parent:
        members.setdefault(find(child_id), []).append(child_id)
    first_of = {root: min(ids) for root, ids in members.items()}
    display: dict[int, str] = {}
    fallback: dict[int, str] = {}
    authorities: dict[int, set[str]] = {}
    for child_id, pseudonym, kind, _return, la in rows:
        person = first_of[find(child_id)]
        authorities.setdefault(person, set()).add(la)
        if kind == "current":
            display.setdefault(person, pseudonym)
        fallback.setdefault(person, pseudonym)
    people = [
        (person, display.get(person) or fallback[person], ",".join(sorted(authorities[person])))
        for person in sorted(authorities)
    ]
    joined = [
        (child_id, first_of[root])
        for root, ids in members.items()
        for child_id in ids
        if child_id != first_of[root]
    ]
    return people, joined


def _first_of_month(month: str | None) -> dt.date | None:
    if not month:
        return None
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def _records(
    rows: tuple[list[Any], ...], people: dict[int, int], dates: _Dates
) -> dict[int, tuple[list[CensusPoint], list[Enrolment], list[Exclusion]]]:
    """Census points, enrolments and exclusions of each person in the rows, duplicates across
    returns dropped (one exclusion known to two authorities is one exclusion)."""
    census_rows, registration_rows, exclusion_rows = rows
    found: dict[int, tuple[list[CensusPoint], list[Enrolment], list[Exclusion]]] = {}

    def of(child_id: int) -> tuple[list[CensusPoint], list[Enrolment], list[Exclusion]]:
        person = people[child_id]
        got = found.get(person)
        if got is None:
            got = found[person] = ([], [], [])
        return got

    # Millions of census rows: each date string looked up where it was parsed before, and each
    # point made from its five values without the keyword machinery (as store/histories.py).
    seen, point = dates.seen, tuple.__new__
    child, here = None, []
    for c, day, school, year, status, entry in census_rows:
        if c != child:
            child, here = c, of(c)[0]
        here.append(
            point(
                CensusPoint,
                (
                    seen.get(day) or dates.day(day),
                    school,
                    year,
                    status,
                    None if entry is None else (seen.get(entry) or dates(entry)),
                ),
            )
        )
    for c, school, entry, leaving, status, reason, destination in registration_rows:
        of(c)[1].append(
            Enrolment(
                people[c], school, dates(entry), dates(leaving), status, reason or None,
                destination or None,
            )
        )  # fmt: skip
    for c, school, cat, start, sessions, r1, r2, r3, end, outcome in exclusion_rows:
        of(c)[2].append(
            Exclusion(
                people[c], school, Category(cat), dates.day(start), float(sessions),
                tuple(x for x in (r1, r2, r3) if x), dates(end), outcome or None,
            )
        )  # fmt: skip
    return found


def joined_record(
    person: int,
    birth: dt.date | None,
    parts: tuple[list[CensusPoint], list[Enrolment], list[Exclusion]],
) -> ChildRecord:
    """One person's record across every return, in date order, without duplicates."""
    census = sorted({(p.census_date, p.school_id): p for p in parts[0]}.values())
    enrolments = sorted(
        {(e.school_id, e.entry_date, e.enrol_status): e for e in parts[1]}.values(),
        key=lambda e: e.entry_date or e.leaving_date or dt.date.min,
    )
    exclusions = sorted(
        {(e.school_id, e.category, e.start_date): e for e in parts[2]}.values(),
        key=lambda e: (e.start_date, e.category),
    )
    return ChildRecord(person, birth, tuple(census), tuple(enrolments), tuple(exclusions))


def region_authority(conn: sa.Connection, as_of: dt.date) -> Authority:
    """The region as the rules see one authority: every school of every return, conversions,
    and the census dates up to `as_of` with the collections each school returned."""
    schools, conversions = ws.load_region(conn)
    returned = [(s, d) for s, d in ws.census_coverage(conn) if d <= as_of]
    dates = sorted({d for _s, d in returned})
    return Authority(schools, conversions, tuple(dates), returns=returns_by_school(returned))


@dataclass(frozen=True, slots=True)
class RegionalChunk:
    """The child records with ids first..last, read and flagged together (in this process or a
    worker's): each record's person, and the birth month of each person whose whole record is in
    the chunk (known to one return: nearly everyone), in id order."""

    first: int
    last: int
    people: dict[int, int]
    births: dict[int, dt.date | None]


@dataclass(frozen=True, slots=True)
class _RegionPeople:
    """Every child record's person as linked in this refresh (not yet committed, so workers are
    handed it), each person's birth month, and the people known to several returns."""

    ids: list[int]
    people: dict[int, int]
    births: dict[int, dt.date | None]
    several: set[int]

    def chunks(self) -> Iterator[RegionalChunk]:
        """The records a chunk at a time, each made only when it is handed out."""
        people, births, several = self.people, self.births, self.several
        for start in range(0, len(self.ids), _CHILDREN_PER_BATCH):
            batch = self.ids[start : start + _CHILDREN_PER_BATCH]
            yield RegionalChunk(
                batch[0],
                batch[-1],
                {c: people[c] for c in batch},
                {p: births[p] for c in batch if (p := people[c]) not in several},
            )


def _region_people(conn: sa.Connection) -> _RegionPeople:
    child_rows = ws.people_of_children(conn)
    people = {c: p for c, p, _m in child_rows}
    births = {p: _first_of_month(m) for c, p, m in child_rows if c == p or p not in people}
    for _c, p, m in child_rows:
        births.setdefault(p, _first_of_month(m))
    several = {p for c, p in people.items() if c != p}
    return _RegionPeople([c for c, _p, _m in child_rows], people, births, several)


def chunk_flags(
    conn: sa.Connection,
    chunk: RegionalChunk,
    authority: Authority,
    settings: RuleSettings,
    as_of: dt.date,
) -> list[Flag]:
    """The regional flags of the people whose whole record is in the chunk."""
    found = _records(ws.records_between(conn, chunk.first, chunk.last), chunk.people, _Dates())
    flags: list[Flag] = []
    for person, birth in chunk.births.items():
        record = joined_record(person, birth, found.get(person, ([], [], [])))
        flags += evaluate_child(build_history(record, authority, as_of), authority, settings)
    return flags


def _chunk_flags_in_worker(chunk: RegionalChunk) -> list[Flag]:
    """A worker's part (flag_evaluation.evaluate_chunks): it reads the chunk's records,
    which this refresh does not change, with its own connection."""
    db, authority, settings, as_of = worker_state()
    with without_cycle_collector(), db.read() as conn:
        return chunk_flags(conn, chunk, authority, settings, as_of)


def regional_flags(
    db: Database,
    conn: sa.Connection,
    authority: Authority,
    settings: RuleSettings,
    as_of: dt.date,
    progress: Progress | None = None,
) -> list[Flag]:
    """Every person's regional flags: the people known to one return a chunk of records at a
    time (from PARALLEL_FROM records in worker processes, as a whole authority's recompute),
    then the few known to several returns, read together at the end in this process."""
    region = _region_people(conn)
    total = len(region.ids)
    flags: list[Flag] = []

    def report(number: int) -> None:
        if progress is not None:
            progress(min(number * _CHILDREN_PER_BATCH, total), total)

    def here() -> Iterator[list[Flag]]:
        return (chunk_flags(conn, c, authority, settings, as_of) for c in region.chunks())

    for number, raised in enumerate(
        evaluate_chunks(
            db, authority, settings, as_of, worker_count(total),
            chunks=region.chunks, work=_chunk_flags_in_worker, here=here,
        ),
        start=1,
    ):  # fmt: skip
        flags += raised
        report(number)
    joined_people = sorted(region.several)
    dates = _Dates()
    for start in range(0, len(joined_people), 2_000):
        group = set(joined_people[start : start + 2_000])
        child_ids = [c for c, p in region.people.items() if p in group]
        found = _records(ws.records_of(conn, child_ids), region.people, dates)
        for p in sorted(group):
            record = joined_record(p, region.births[p], found.get(p, ([], [], [])))
            flags += evaluate_child(build_history(record, authority, as_of), authority, settings)
    return flags


def refresh_region(
    db: Database, *, account: str, progress: Progress | None = None
) -> RefreshSummary:
    """Link every child record into people and recompute every regional flag, in one
    transaction, as of the region's date."""
    settings: RuleSettings = rule_settings(get_settings(db, "rules."))
    # A region's millions of records and histories hold no cycles (bulk_work).
    with without_cycle_collector(), db.write() as conn:
        returns = ws.current_returns(conn)
        as_of = region_as_of(returns)
        people_rows, joined = link_people(ws.pseudonym_rows(conn))
        ws.replace_people(conn, people_rows, joined)
        flags: list[Flag] = []
        if as_of is not None:
            authority = region_authority(conn, as_of)
            flags = regional_flags(db, conn, authority, settings, as_of, progress)
        listed = {row[0] for row in people_rows}
        rows = [
            (x.child_id, x.rule, x.rule_version, x.as_of, x.reason, x.evidence)
            for x in flags
            if x.child_id in listed
        ]
        ws.save_flags(conn, rows)
        ws.save_refresh_state(conn, _state(returns), account)
    by_rule: dict[str, int] = {}
    for x in flags:
        by_rule[x.rule] = by_rule.get(x.rule, 0) + 1
    return RefreshSummary(
        as_of,
        len(people_rows),
        sum(1 for row in people_rows if "," in row[2]),
        len({x.child_id for x in flags}),
        dict(sorted(by_rule.items())),
    )
