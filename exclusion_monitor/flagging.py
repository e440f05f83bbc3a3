"""The flagging service: recompute every child's flags as a set-based job (bulk loads, pure rules
per child, bulk writes), evaluate flags as of another date without storing them, and the flag
list that the `flags` command, printed reports and the app show."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from exclusion_monitor import bulk_work
from exclusion_monitor.bulk_work import whole_is_quicker, without_cycle_collector
from exclusion_monitor.flag_evaluation import (
    WORKER_CHUNK,
    ChunkResult,
    evaluate_chunks,
    evaluate_loaded,
    evaluate_range,
    rule_files,
    worker_count,
)
from exclusion_monitor.history import Authority, ChildHistory, build_history
from exclusion_monitor.records import Flag
from exclusion_monitor.rules import (
    RULES,
    RuleSettings,
    evaluate_child,
    rule_label,
    rule_settings,
)
from exclusion_monitor.store import Database, histories, profiles
from exclusion_monitor.store import families as family_store
from exclusion_monitor.store import flags as flag_store
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.bulk import id_batches
from exclusion_monitor.store.children import save_child_status
from exclusion_monitor.store.dialect import settle_statistics
from exclusion_monitor.store.owed_work import OwedWork
from exclusion_monitor.store.settings import get_settings, settings_in

log = logging.getLogger(__name__)

CHUNK = 10_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class RecomputeSummary:
    """What a recompute did: as of which date, how many children and flags, what changed."""

    as_of: dt.date | None
    children: int = 0
    flags_held: int = 0
    raised: int = 0
    seen_again: int = 0
    cleared: int = 0
    reopened: int = 0
    families: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FlagView:
    """A flag as people see it: the rule, its reason and evidence, and its child's case (status
    and officer, shared by all the child's flags) and whether an officer has reviewed it."""

    rule: str
    label: str
    rule_version: int
    as_of: dt.date
    reason: str
    evidence: dict[str, Any]
    flag_id: int | None = None
    status: str = "new"
    assigned_to: str | None = None
    first_raised: dt.date | None = None
    last_seen: dt.date | None = None
    cleared_on: dt.date | None = None
    reviewed_by: str | None = None  # who marked this flag read, and when
    reviewed_at: dt.datetime | None = None
    last_action_at: dt.datetime | None = None  # the child's case's last action


@dataclass(frozen=True, slots=True)
class FlaggedChild:
    """One row of the flag list: a child with at least one flag as of the date."""

    child_id: int
    upn: str
    surname: str
    forename: str
    date_of_birth: dt.date | None
    school_laestab: str | None
    school_name: str | None
    family_id: int | None
    family_size: int
    flags: tuple[FlagView, ...]

    @property
    def rules(self) -> list[str]:
        return [f.rule for f in self.flags]

    @property
    def reasons(self) -> list[str]:
        return [f.reason for f in self.flags]


def data_fingerprint(conn: sa.Connection) -> str:
    """The stored data's fingerprint and the admin's rule files."""
    return flag_store.data_fingerprint(conn) + json.dumps(rule_files())


def _census_dates_text(conn: sa.Connection) -> str:
    return json.dumps([d.isoformat() for d in histories.census_dates(conn)])


def _current_state(conn: sa.Connection, as_of: dt.date) -> flag_store.FlagState:
    data = flag_store.data_fingerprint(conn)
    return flag_store.FlagState(
        as_of, data + json.dumps(rule_files()), data, _census_dates_text(conn)
    )


def current_rule_settings(db: Database) -> RuleSettings:
    return rule_settings(get_settings(db, "rules."))


def rule_settings_in(conn: sa.Connection) -> RuleSettings:
    """`current_rule_settings` read on a connection already open."""
    return rule_settings(settings_in(conn, "rules."))


def default_as_of(db: Database) -> dt.date | None:
    """The latest date in the data (censuses, exclusions, enrolment entries and leavings)."""
    with db.read() as conn:
        return histories.latest_data_date(conn)


def _chunks(
    conn: sa.Connection, child_ids: Collection[int] | None, size: int = CHUNK
) -> Iterator[tuple[int, int, list[int] | None]]:
    """The children in chunks of `size`, in id order: (first id, last id, the ids) of the named
    children, or (first, last, None) for every child, a range of ids holding `size` children
    (histories.id_ranges: an authority's ids are never fetched to make the chunks)."""
    if child_ids is None:
        for first, last in histories.id_ranges(conn, size):
            yield first, last, None
        return
    yield from id_batches(child_ids, size)


def _load(
    conn: sa.Connection, first: int, last: int, ids: list[int] | None
) -> histories.LoadedChildren:
    if ids is None:
        return histories.load_children_between(conn, first, last)
    return histories.load_children(conn, ids)


def _evaluated(
    db: Database,
    conn: sa.Connection,
    child_ids: Collection[int] | None,
    total: int,
    authority: Authority,
    settings: RuleSettings,
    as_of: dt.date,
) -> Iterator[ChunkResult]:
    """Every chunk of the children (all, or `child_ids`) evaluated, in id order: a large whole
    recompute in worker processes, anything else in this process on `conn`."""
    workers = 1 if child_ids is not None else worker_count(total)

    def ranges() -> Iterator[tuple[int, int]]:
        return ((first, last) for first, last, _ in _chunks(conn, None, WORKER_CHUNK))

    def here() -> Iterator[ChunkResult]:
        for first, last, ids in _chunks(conn, child_ids):
            loaded = _load(conn, first, last, ids)
            yield evaluate_loaded(loaded, authority, settings, as_of, first, last, ids)

    return evaluate_chunks(
        db, authority, settings, as_of, workers, chunks=ranges, work=evaluate_range, here=here
    )


def recompute_flags(
    db: Database,
    *,
    as_of: dt.date | None = None,
    child_ids: Collection[int] | None = None,
    progress: Progress | None = None,
) -> RecomputeSummary:
    """Recompute and store the flags of every child (or of `child_ids`) as of a date (default:
    the latest date in the data), and regroup families.

    New flags are inserted, flags that still hold are refreshed (reason, evidence, version,
    last seen), flags that no longer hold are marked cleared and cleared ones that hold again
    are un-cleared. Nothing is deleted; reviews and notes are untouched.

    For every child, when the stored flags were computed as of the same date on the data as it
    is now (same fingerprint), there is nothing to do: the stored results are summarised.
    """
    settings = current_rule_settings(db)
    with db.write() as conn:
        as_of = as_of or histories.latest_data_date(conn)
        if as_of is None:  # no dated records (all undone, say): nothing to flag, and up to date
            flag_store.clear_state(conn)
            return RecomputeSummary(None)
        state = _current_state(conn, as_of)
        previous = flag_store.load_state(conn)
        if (
            child_ids is None
            and previous is not None
            and previous.fingerprint == state.fingerprint
            and previous.as_of == as_of
        ):
            return _stored_summary(conn, as_of)
        settle_statistics(conn)  # an import or undo just before can leave them saying empty
        # The one kept for profiles when the data is as it was (one school's recompute, a
        # merge's), and kept for the next profile after this one (an import's follow-up).
        authority = authority_as_of(db, conn, as_of, state.fingerprint)
        total = histories.count_children(conn) if child_ids is None else len(set(child_ids))
        # Whose families the children's new keys can change, taken while their old keys stand:
        # a child moving out can leave an address an ordinary home again.
        regroup = None if child_ids is None else family_store.regroup_scope(conn, child_ids)
        done = 0
        by_rule: Counter[str] = Counter()
        changes = flag_store.FlagChanges()
        keys = family_store.writing_keys(conn, total) if child_ids is None else nullcontext()
        with without_cycle_collector():  # histories hold no cycles: see bulk_work
            with keys:  # the keys' indexes, when most keys are new: see writing_keys
                for chunk in _evaluated(db, conn, child_ids, total, authority, settings, as_of):
                    by_rule.update(f.rule for f in chunk.flags)
                    batch = chunk.child_ids
                    step = flag_store.write_flags(
                        conn,
                        chunk.flags,
                        as_of=as_of,
                        first_id=chunk.first_id,
                        last_id=chunk.last_id,
                        child_ids=batch,
                    )
                    changes = flag_store.FlagChanges(
                        changes.raised + step.raised,
                        changes.seen_again + step.seen_again,
                        changes.cleared + step.cleared,
                        changes.reopened + step.reopened,
                    )
                    family_store.save_family_keys(
                        conn,
                        chunk.keys,
                        first_id=chunk.first_id,
                        last_id=chunk.last_id,
                        child_ids=batch,
                    )
                    save_child_status(
                        conn,
                        chunk.places,
                        first_id=chunk.first_id,
                        last_id=chunk.last_id,
                        child_ids=batch,
                    )
                    done += len(chunk.keys) if batch is None else len(batch)
                    if progress is not None:
                        progress(done, total)
            settle_statistics(conn)  # the keys, statuses and flags were just written
            families = family_store.regroup_families(conn, regroup)
        if child_ids is None or (previous is not None and previous.as_of == as_of):
            flag_store.save_state(conn, state)
    log.info(
        "recomputed flags as of %s for %d children: %d held, %d raised, %d cleared",
        as_of,
        total,
        sum(by_rule.values()),
        changes.raised,
        changes.cleared,
    )
    return RecomputeSummary(
        as_of,
        total,
        sum(by_rule.values()),
        changes.raised,
        changes.seen_again,
        changes.cleared,
        changes.reopened,
        families,
        dict(sorted(by_rule.items())),
    )


def _stored_summary(conn: sa.Connection, as_of: dt.date) -> RecomputeSummary:
    """What a recompute that changed nothing reports: the stored flags and families counted."""
    held = t.flags.c.cleared_on.is_(None)
    by_rule = {
        str(rule): int(n)
        for rule, n in conn.execute(
            sa.select(t.flags.c.rule, sa.func.count()).where(held).group_by(t.flags.c.rule)
        )
    }
    children = histories.count_children(conn)
    families = conn.execute(sa.select(sa.func.count()).select_from(t.families)).scalar_one()
    seen = sum(by_rule.values())
    log.info("flags as of %s already up to date for %d children", as_of, children)
    return RecomputeSummary(
        as_of, children, seen, 0, seen, 0, 0, int(families), dict(sorted(by_rule.items()))
    )


@dataclass(frozen=True, slots=True)
class DataCheck:
    """One read's look at the data the flags rest on: its fingerprint (`data_fingerprint`, the
    admin's rule files included), its latest date, and whether the stored flags were computed on
    exactly that data as of that date."""

    fingerprint: str
    latest: dt.date | None
    flags_current: bool


def check_data(conn: sa.Connection) -> DataCheck:
    """What `flags_are_current` asks, on a connection already open, with the fingerprint it
    computed given back for the rest of the same read (the key of the authority kept between
    profiles, `authority_as_of`): the fingerprint counts whole tables, tens of milliseconds on a
    server at an authority's size, so a profile computes it once."""
    fingerprint = data_fingerprint(conn)
    latest = histories.latest_data_date(conn)
    state = flag_store.load_state(conn)
    if state is None:
        current = latest is None
    else:
        current = state.fingerprint == fingerprint and state.as_of == latest
    return DataCheck(fingerprint, latest, current)


def flags_are_current(db: Database) -> bool:
    """Whether the stored flags were computed on the data as it is now, as of its latest date."""
    with db.read() as conn:
        return check_data(conn).flags_current


def changed_children(db: Database, changes: Sequence[OwedWork]) -> set[int] | None:
    """The children whose flags can differ from the stored ones, when the owed `changes` account
    for everything that changed since the flags were stored: each change lists its children and
    the data's fingerprint before and after it, and they follow on one from another, from the
    stored flags' data to the data now, with the same as-of date, census dates, rule settings
    and rule files. None when they do not (then only a whole recompute is sure)."""
    if not changes or any(c.children is None for c in changes):
        return None
    with db.read() as conn:
        state = flag_store.load_state(conn)
        if state is None or state.data is None:
            return None
        chain = state.data
        for change in changes:
            if change.data_before != chain or change.data_after is None:
                return None
            chain = change.data_after
        if (
            chain != flag_store.data_fingerprint(conn)
            or state.fingerprint != state.data + json.dumps(rule_files())
            or state.as_of != histories.latest_data_date(conn)
            or state.census_dates != _census_dates_text(conn)
        ):
            return None
    return {child for change in changes for child in change.children or ()}


def ensure_flags_current(
    db: Database, progress: Progress | None = None, changes: Sequence[OwedWork] = ()
) -> bool:
    """Bring the flags up to date if the data changed since the last recompute; True if it did.
    When the owed `changes` account for every change since (`changed_children`), only their
    children are recomputed, unless they are more than a third of the authority (a term's whole
    census, say: recomputing everyone in one ordered pass is then the quicker way to the same
    flags); otherwise every child is."""
    if flags_are_current(db):
        return False
    children = changed_children(db, changes)
    if children is not None and len(children) > bulk_work.WHOLE_FLOOR:  # else never worth it
        with db.read() as conn:
            if whole_is_quicker(len(children), histories.count_children(conn)):
                children = None
    recompute_flags(db, child_ids=children, progress=progress)
    return True


def stored_as_of(db: Database) -> dt.date | None:
    with db.read() as conn:
        state = flag_store.load_state(conn)
    return state.as_of if state else None


# The authority last read through each open database: ((as of, fingerprint), Authority).
# Held weakly: a database opened again (a restore, another file) starts afresh. One thread reads
# it at a time: a profile opened while the app is reading it ahead waits for that read.
_authorities: weakref.WeakKeyDictionary[Database, tuple[tuple[dt.date, str], Authority]] = (
    weakref.WeakKeyDictionary()
)
_authority_lock = threading.Lock()


def authority_as_of(
    db: Database, conn: sa.Connection, as_of: dt.date, fingerprint: str | None = None
) -> Authority:
    """The authority as of a date, kept for the next call while the data is as it was: the same
    `data_fingerprint`, which covers the schools, their links, every record table, the rule
    settings (the school calendar among them) and the admin's rule files (the school link types
    among them). `fingerprint` is that fingerprint when the caller computed it in the same read
    (`check_data`); without it, it is computed here. Reading the authority is most of the time
    of opening a profile in a large authority (the pairs of school and census date), and one
    officer opens profile after profile; the app reads it ahead when it starts
    (`read_authority_ahead`)."""
    key = (as_of, fingerprint if fingerprint is not None else data_fingerprint(conn))
    with _authority_lock:
        kept = _authorities.get(db)
        if kept is not None and kept[0] == key:
            return kept[1]
        authority = histories.load_authority(conn, as_of=as_of)
        _authorities[db] = (key, authority)
        return authority


def read_authority_ahead(db: Database) -> None:
    """Read the authority a profile opened now would use (as of the data's latest date) into the
    one `authority_as_of` keeps, so that the officer's first profile does not wait for it."""
    with db.read() as conn:
        check = check_data(conn)
        if check.latest is not None:
            authority_as_of(db, conn, check.latest, check.fingerprint)


def load_histories(
    db: Database, child_ids: Iterable[int], as_of: dt.date
) -> tuple[Authority, dict[int, ChildHistory]]:
    """The named children's histories as of a date, with the authority they were built against."""
    with db.read() as conn:
        return histories_in(db, conn, child_ids, as_of)


def histories_in(
    db: Database,
    conn: sa.Connection,
    child_ids: Iterable[int],
    as_of: dt.date,
    fingerprint: str | None = None,
) -> tuple[Authority, dict[int, ChildHistory]]:
    """`load_histories` read on a connection already open (`fingerprint`: see
    `authority_as_of`)."""
    authority = authority_as_of(db, conn, as_of, fingerprint)
    loaded = histories.load_children(conn, child_ids)
    return authority, {r.child_id: build_history(r, authority, as_of) for r in loaded.records}


def evaluate_flags(
    db: Database, *, as_of: dt.date, child_ids: Collection[int] | None = None
) -> dict[int, list[Flag]]:
    """The flags that hold as of a date, computed without storing anything (child id -> flags,
    only children with at least one)."""
    settings = current_rule_settings(db)
    found: dict[int, list[Flag]] = {}
    with db.read() as conn:
        authority = authority_as_of(db, conn, as_of)
        for first, last, ids in _chunks(conn, child_ids):
            loaded = _load(conn, first, last, ids)
            for record in loaded.records:
                flags = evaluate_child(build_history(record, authority, as_of), authority, settings)
                if flags:
                    found[record.child_id] = flags
    return found


def views_for(
    flags: dict[int, list[Flag]], stored: Iterable[flag_store.StoredFlag]
) -> dict[int, list[FlagView]]:
    """Evaluated flags joined with their stored review (status, officer, dates) when stored."""
    reviews = {(s.child_id, s.rule): s for s in stored}
    views: dict[int, list[FlagView]] = {}
    for child, child_flags in flags.items():
        for f in child_flags:
            s = reviews.get((child, f.rule))
            views.setdefault(child, []).append(
                FlagView(
                    f.rule,
                    rule_label(f.rule),
                    f.rule_version,
                    f.as_of,
                    f.reason,
                    dict(f.evidence),
                    s.id if s else None,
                    s.status if s else "new",
                    s.assigned_to if s else None,
                    s.first_raised if s else None,
                    s.last_seen if s else None,
                    None,
                    s.reviewed_by if s else None,
                    s.reviewed_at if s else None,
                    s.last_action_at if s else None,
                )
            )
    return views


def stored_view(s: flag_store.StoredFlag) -> FlagView:
    return FlagView(
        s.rule,
        rule_label(s.rule),
        s.rule_version,
        s.as_of,
        s.reason,
        s.evidence,
        s.id,
        s.status,
        s.assigned_to,
        s.first_raised,
        s.last_seen,
        s.cleared_on,
        s.reviewed_by,
        s.reviewed_at,
        s.last_action_at,
    )


@dataclass(frozen=True, slots=True)
class FlagFilter:
    """What the flag list is restricted to: the one filter of the Flags page on screen, the
    printed list, the export and the `flags` and `report flags` commands. A flag is kept when it
    matches the rules, statuses and officer together (officer "" is the flags nobody has been
    given); a child when a flag is kept, at the school, and (asked) in a family of two or more."""

    as_of: dt.date | None = None
    rules: Collection[str] | None = None
    school_laestab: str | None = None
    statuses: Collection[str] | None = None
    officer: str | None = None
    family_only: bool = False

    def keeps_flag(self, view: FlagView) -> bool:
        """Whether the flag matches the rule, status and officer asked for."""
        if self.rules is not None and view.rule not in self.rules:
            return False
        if self.statuses is not None and view.status not in {s.lower() for s in self.statuses}:
            return False
        return self.officer is None or (view.assigned_to or "").lower() == self.officer.lower()

    def keeps_child(
        self, flags: Iterable[FlagView], school_laestab: str | None, family_size: int
    ) -> bool:
        """Whether a child with these flags, at this school (None: none), in a family of this
        many children (1: no family) stays on the list."""
        if self.school_laestab is not None and school_laestab != self.school_laestab:
            return False
        if self.family_only and family_size < 2:
            return False
        return any(self.keeps_flag(view) for view in flags)

    def describe(self) -> str:
        parts = []
        if self.rules:
            parts.append("rules: " + ", ".join(sorted(self.rules)))
        if self.school_laestab:
            parts.append(f"school: {self.school_laestab}")
        if self.statuses:
            parts.append("status: " + ", ".join(sorted(self.statuses)))
        if self.officer:
            parts.append(f"officer: {self.officer}")
        elif self.officer == "":
            parts.append("unassigned")
        if self.family_only:
            parts.append("whole-family cases only")
        return "; ".join(parts) or "all flagged children"


def flag_list(
    db: Database,
    *,
    as_of: dt.date | None = None,
    rules: Collection[str] | None = None,
    school_laestab: str | None = None,
    statuses: Collection[str] | None = None,
    officer: str | None = None,
    family_only: bool = False,
) -> list[FlaggedChild]:
    """Every child with at least one flag as of a date, with the filters of the review queue.

    Without `as_of` (or with the date the stored flags were computed for) the stored flags are
    read; for another date the flags are evaluated as of that date (reviews joined where the
    same flag is stored). Filters on rule, status and officer keep the matching flags only.
    """
    with db.read() as conn:
        state = flag_store.load_state(conn)
    views: dict[int, list[FlagView]] = {}
    if as_of is None or (state is not None and state.as_of == as_of):
        with db.read() as conn:
            for s in flag_store.stored_flags(conn):
                views.setdefault(s.child_id, []).append(stored_view(s))
        as_of = state.as_of if state else (default_as_of(db) or dt.date.today())
    else:
        evaluated = evaluate_flags(db, as_of=as_of)
        with db.read() as conn:
            stored = flag_store.stored_flags(conn, child_ids=evaluated, include_cleared=True)
        views = views_for(evaluated, stored)
    order = {rule_id: i for i, rule_id in enumerate(RULES)}
    for child_views in views.values():
        child_views.sort(key=lambda v: order.get(v.rule, len(order)))
    wanted = FlagFilter(as_of, rules, school_laestab, statuses, officer, family_only)
    for child in list(views):
        kept = [v for v in views[child] if wanted.keeps_flag(v)]
        if kept:
            views[child] = kept
        else:
            del views[child]
    with db.read() as conn:
        people = profiles.child_identities(conn, views)
        schools = profiles.current_schools(conn, views, as_of)
        family_ids = family_store.family_ids_of(conn, views)
        sizes = family_store.family_sizes(conn, family_ids.values())
    result = []
    for child, child_views in views.items():
        person = people.get(child)
        if person is None:
            continue
        school = schools.get(child)
        fid = family_ids.get(child)
        size = sizes.get(fid, 1) if fid is not None else 1
        if not wanted.keeps_child(child_views, school[1] if school else None, size):
            continue
        result.append(
            FlaggedChild(
                child,
                person.upn,
                person.surname,
                person.forename,
                person.date_of_birth,
                school[1] if school else None,
                school[2] if school else None,
                fid,
                size,
                tuple(child_views),
            )
        )
    result.sort(key=lambda r: (r.surname.lower(), r.forename.lower(), r.upn))
    return result
