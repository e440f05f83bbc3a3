"""A child's profile as of a date: identity and former UPNs, school history, placements, census
history, classified moves, exclusions with term and year totals, flags with their reviews, and
the family with each member's own flags. Used by the `child` command and the app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.codelists import main_ethnicity
from exclusion_monitor.errors import NotFoundError
from exclusion_monitor.exclusion_kinds import category_words, is_reversed, outcome_words
from exclusion_monitor.exclusion_terms import (
    ExclusionTotals,
    TermTotals,
    YearTotals,
    term_totals,
    year_totals,
)
from exclusion_monitor.flagging import (
    FlagView,
    Progress,
    check_data,
    ensure_flags_current,
    histories_in,
    rule_settings_in,
    stored_view,
    views_for,
)
from exclusion_monitor.history import Authority, ChildHistory, Spell
from exclusion_monitor.places import Place, child_place, spell_is_current
from exclusion_monitor.record_history import EarlierReturn, earlier_returns
from exclusion_monitor.records import Child, MoveKind
from exclusion_monitor.rules import evaluate_child, rule_label
from exclusion_monitor.rules.wording import count
from exclusion_monitor.rules.wording import suspensions as suspensions_words
from exclusion_monitor.store import Database, histories, profiles, sightings
from exclusion_monitor.store import families as family_store
from exclusion_monitor.store import flags as flag_store
from exclusion_monitor.terms import term_of


@dataclass(frozen=True, slots=True)
class SpellView:
    school_laestab: str
    school_name: str
    phase: str | None
    start: dt.date
    end: dt.date | None
    current: bool
    enrol_status: str | None
    first_year: str | None
    last_year: str | None
    destination: str | None = None
    leaving_reason: str | None = None


@dataclass(frozen=True, slots=True)
class MoveView:
    date: dt.date
    from_laestab: str | None
    from_name: str | None
    to_laestab: str | None
    to_name: str | None
    kind: MoveKind


@dataclass(frozen=True, slots=True)
class ExclusionView:
    school_laestab: str | None
    school_name: str | None
    category: str
    start_date: dt.date
    term: str
    sessions: float
    reasons: tuple[str, ...]
    review_outcome: str | None = None  # as the school wrote it
    end_date: dt.date | None = None
    category_words: str = ""  # 'suspension', 'lunchtime suspension', 'permanent exclusion'
    outcome_words: str | None = None  # 'reinstated on review', ...
    reversed: bool = False  # a permanent exclusion reversed on review: counted nowhere
    # What earlier returns said where the later ones amended it (docs/rules.md, "One record
    # across returns"), oldest first; empty when every return agreed.
    earlier: tuple[EarlierReturn, ...] = ()


@dataclass(frozen=True, slots=True)
class CensusView:
    census_date: dt.date
    school_laestab: str | None
    school_name: str | None
    nc_year: str | None
    enrol_status: str | None
    fsm: bool | None
    sen: str | None
    ethnicity: str | None  # as recorded: a main or an extended code, or unknown text
    looked_after: bool | None
    ethnicity_group: str | None = None  # the main code it rolls up to
    earlier: tuple[EarlierReturn, ...] = ()


@dataclass(frozen=True, slots=True)
class FamilyMemberView:
    child_id: int
    upn: str
    surname: str
    forename: str
    exclusions: int
    non_standard_moves: int
    flags: tuple[FlagView, ...]


@dataclass(frozen=True, slots=True)
class PlaceView:
    """Where the child is as of the profile's date (see `places`)."""

    status: str
    school_laestab: str | None
    school_name: str | None
    date: dt.date | None
    leaving_wording: str | None = None

    def sentence(self) -> str:
        """'On roll at Oak High (3304002) (last seen on its roll on 15 May 2025).' and the
        like: the profile and the `child` command say where the child is in these words."""
        where = f"{self.school_name} ({self.school_laestab})" if self.school_name else None
        day = f"{self.date.day} {self.date:%B %Y}" if self.date else "a date not known"
        said = (
            f' (leaving reason recorded: "{self.leaving_wording}")' if self.leaving_wording else ""
        )
        if self.status in ("on_roll", "placement"):
            kind = "On roll" if self.status == "on_roll" else "In a placement"
            return f"{kind} at {where} (last seen on its roll on {day})."
        if self.status == "left":
            return f"Left {where}; last known there on {day}{said}."
        if self.status == "missing":
            return (
                f"Missing: last known at {where} on {day}, on no school's roll since and no "
                f"destination recorded{said}."
            )
        if where:
            return f"No current school: last known at {where} on {day}{said}."
        return "No current school: no registration on record."


@dataclass(frozen=True, slots=True)
class ChildProfile:
    child: Child
    as_of: dt.date
    enrolments: tuple[SpellView, ...]
    placements: tuple[SpellView, ...]
    census: tuple[CensusView, ...]
    moves: tuple[MoveView, ...]
    exclusions: tuple[ExclusionView, ...]
    term_totals: tuple[TermTotals, ...]
    year_totals: tuple[YearTotals, ...]
    flags: tuple[FlagView, ...]
    cleared_flags: tuple[FlagView, ...]
    family_id: int | None
    family_basis: str | None
    family: tuple[FamilyMemberView, ...]
    place: PlaceView | None = None

    @property
    def family_flagged(self) -> tuple[int, int, list[tuple[str, int]]]:
        """Of the family (this child included): how many children are flagged, how many there
        are, and each rule they are flagged for with how many children, most first."""
        holders = [self.flags, *(m.flags for m in self.family)]
        counts: dict[str, int] = {}
        for flags in holders:
            for rule in {f.rule for f in flags}:
                counts[rule] = counts.get(rule, 0) + 1
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return sum(1 for flags in holders if flags), len(holders), ranked


def flagged_for(rules: list[tuple[str, int]]) -> str:
    """'Repeated suspensions (2 children), Primary exclusion (1 child)'."""
    return ", ".join(f"{rule_label(rule)} ({count(n, 'child', 'children')})" for rule, n in rules)


def family_flag_summary(flagged: int, total: int, rules: list[tuple[str, int]]) -> str:
    """'2 of 3 children flagged: Repeated suspensions (2 children), Primary exclusion (1 child)'
    (the Families page, the profile, the `child` command and the printed list say it so)."""
    if not flagged:
        return f"none of its {total} children flagged"
    return f"{flagged} of {total} children flagged: {flagged_for(rules)}"


def profile_summary(p: ChildProfile) -> str:
    """One sentence on the child's schools, non-standard moves and exclusions (the profile page
    and the `child` command both show it)."""
    moves = sum(1 for m in p.moves if m.kind is MoveKind.NON_STANDARD)
    suspensions = sum(t.totals.suspensions for t in p.term_totals)
    lunchtimes = sum(t.totals.lunchtimes for t in p.term_totals)
    sessions = sum(t.totals.sessions for t in p.term_totals)
    permanent = sum(t.totals.permanents for t in p.term_totals)
    reversed_ = sum(t.totals.reversed_permanents for t in p.term_totals)
    schools = len({s.school_laestab for s in p.enrolments})
    if not reversed_:
        perms = count(permanent, "permanent exclusion") if permanent else "no permanent exclusion"
    elif not permanent:
        perms = f"{count(reversed_, 'permanent exclusion')}, reversed on review"
    else:
        perms = f"{count(permanent, 'permanent exclusion')} and {reversed_} more reversed on review"
    had = suspensions_words(suspensions, lunchtimes)
    return (
        f"{p.child.forename} has been on the roll of {count(schools, 'school')}, made "
        f"{count(moves, 'non-standard move')}, and has had {had} "
        f"({count(sessions, 'session')} lost in all) and {perms}."
    )


def totals_words(t: ExclusionTotals) -> str:
    """'3 suspensions (1 at lunchtime), 7 sessions lost, 1 permanent exclusion reversed on review
    (not counted)'; a term with sessions but no new exclusion says where they came from."""
    parts = []
    if t.suspensions:
        parts.append(suspensions_words(t.suspensions, t.lunchtimes))
    elif not (t.permanents or t.reversed_permanents):
        parts.append("no new exclusion")
    if t.sessions:
        lost = f"{count(t.sessions, 'session')} lost"
        if t.sessions_carried == t.sessions:
            lost += " (all from a suspension that began earlier)"
        elif t.sessions_carried:
            lost += (
                f" ({count(t.sessions_carried, 'session')} from a suspension that began earlier)"
            )
        parts.append(lost)
    if t.permanents:
        parts.append(count(t.permanents, "permanent exclusion"))
    if t.reversed_permanents:
        reversed_ = count(t.reversed_permanents, "permanent exclusion")
        parts.append(f"{reversed_} reversed on review (not counted)")
    return ", ".join(parts)


def _main_code(ethnicity: str | None) -> str | None:
    found = main_ethnicity(ethnicity)
    return found.code if found else None


def _school(authority: Authority, school_id: int | None) -> tuple[str | None, str | None]:
    found = authority.schools.get(school_id) if school_id is not None else None
    return (found.laestab, found.name) if found else (None, None)


def _spell_views(
    history: ChildHistory, authority: Authority, spells: tuple[Spell, ...]
) -> tuple[SpellView, ...]:
    views = []
    last_exclusion = _last_exclusions(history, authority, spells)
    for i, spell in enumerate(spells):
        later = i + 1 < len(spells)
        current = not later and spell_is_current(spell, history, authority)
        end = spell.end or (None if current else spell.last_census)
        if end is not None and i in last_exclusion:
            # An exclusion from the school shows the child was there that day.
            end = max(end, last_exclusion[i])
        if end is not None and later and spell.end is None:
            nxt = spells[i + 1]
            if authority.is_conversion(spell.school_id, nxt.school_id):
                # The school became the next one: the child stayed on its roll until then.
                end = max(end, nxt.start - dt.timedelta(days=1))
        school = authority.schools.get(spell.school_id)
        views.append(
            SpellView(
                school.laestab if school else "",
                school.name if school else "an unknown school",
                school.phase if school else None,
                spell.start,
                end,
                current,
                spell.enrol_status,
                spell.first_year,
                spell.last_year,
                spell.destination,
                spell.leaving_reason,
            )
        )
    return tuple(views)


def _last_exclusions(
    history: ChildHistory, authority: Authority, spells: tuple[Spell, ...]
) -> dict[int, dt.date]:
    """Spell index -> the date of the last exclusion from its school (or a school it was one
    with through school links) while it was the child's latest spell at that school."""
    found: dict[int, dt.date] = {}
    for e in history.exclusions:
        owner = None
        for i, spell in enumerate(spells):
            if spell.start <= e.start_date and authority.same_school(spell.school_id, e.school_id):
                owner = i
        if owner is not None and e.start_date > found.get(owner, dt.date.min):
            found[owner] = e.start_date
    return found


def _amended(
    conn: sa.Connection, child_id: int
) -> dict[tuple[Any, ...], tuple[EarlierReturn, ...]]:
    """The child's exclusions and census rows that later returns amended, with what the earlier
    returns said."""
    found = {
        ("exclusion", *key): versions
        for key, versions in sightings.child_histories(
            conn, "exclusions", child_id, ("school_id", "category", "start_date")
        ).items()
    }
    found.update(
        {
            ("census", *key): versions
            for key, versions in sightings.child_histories(
                conn, "census_observations", child_id, ("school_id", "census_date")
            ).items()
        }
    )
    labels = sightings.batch_labels(conn, {b for _, vs in found.values() for b, _, _ in vs})
    return {key: earlier_returns(row, versions, labels) for key, (row, versions) in found.items()}


def child_profile(db: Database, child_id: int, *, as_of: dt.date | None = None) -> ChildProfile:
    """Everything the tool knows about one child as of a date (default: the latest in the data),
    read in one snapshot.

    Raises NotFoundError when there is no such child.
    """
    with db.read() as conn:
        as_of = as_of or histories.latest_data_date(conn) or dt.date.today()
        return _profile_in(db, conn, child_id, as_of)


# Reads of a profile that each found the stored flags out of date (a colleague's import landing
# each time they were brought up to date) before it is read as the flags then stand.
_CURRENT_ATTEMPTS = 3


def current_child_profile(
    db: Database, child_id: int, progress: Progress | None = None
) -> ChildProfile:
    """The child's profile as of the latest date in the data, as the app's profile page opens it:
    with the stored flags current, so every flag shown has its stored review and no stored flag
    of older data is shown as current. It is read in one snapshot in which the stored flags were
    found computed on the data as it is, the data's fingerprint computed once there, for that
    check and for the authority kept between profiles (`flagging.authority_as_of`). Stored
    flags found out of date are brought up to date (`progress` follows that) and the profile is
    read again.

    Raises NotFoundError when there is no such child.
    """
    for _attempt in range(_CURRENT_ATTEMPTS):
        with db.read() as conn:
            check = check_data(conn)
            if check.flags_current:
                as_of = check.latest or dt.date.today()
                return _profile_in(db, conn, child_id, as_of, check.fingerprint)
        ensure_flags_current(db, progress)
    return child_profile(db, child_id)


def _profile_in(
    db: Database,
    conn: sa.Connection,
    child_id: int,
    as_of: dt.date,
    fingerprint: str | None = None,
) -> ChildProfile:
    """The profile read on `conn` (`fingerprint`: the data's, computed in the same read)."""
    child = profiles.child_identities(conn, [child_id]).get(child_id)
    if child is None:
        raise NotFoundError(f"There is no child with id {child_id}.")
    family = family_store.family_of(conn, child_id)
    census_rows = profiles.census_details(conn, child_id)
    amended = _amended(conn, child_id)
    member_ids = [m.child_id for m in family.members] if family else []
    stored = flag_store.stored_flags(conn, child_ids=[child_id, *member_ids], include_cleared=True)
    authority, found = histories_in(db, conn, [child_id, *member_ids], as_of, fingerprint)
    settings = rule_settings_in(conn)
    evaluated = {c: evaluate_child(h, authority, settings) for c, h in found.items()}
    views = views_for(evaluated, stored)
    history = found[child_id]
    holding = {f.rule for f in evaluated.get(child_id, [])}
    cleared = tuple(
        stored_view(s)
        for s in stored
        if s.child_id == child_id and s.rule not in holding and s.cleared_on is not None
    )
    members = []
    for member in family.members if family else ():
        if member.child_id == child_id:
            continue
        member_history = found.get(member.child_id)
        members.append(
            FamilyMemberView(
                member.child_id,
                member.upn,
                member.surname,
                member.forename,
                len(member_history.exclusions) if member_history else 0,
                sum(1 for m in member_history.moves if m.kind is MoveKind.NON_STANDARD)
                if member_history
                else 0,
                tuple(views.get(member.child_id, ())),
            )
        )
    return ChildProfile(
        child=child,
        as_of=as_of,
        enrolments=_spell_views(history, authority, history.spells),
        placements=_spell_views(history, authority, history.placements),
        census=tuple(
            CensusView(
                r.census_date,
                *_school(authority, r.school_id),
                r.nc_year,
                r.enrol_status,
                r.fsm,
                r.sen,
                r.ethnicity,
                r.looked_after,
                _main_code(r.ethnicity),
                amended.get(("census", r.school_id, r.census_date), ()),
            )
            for r in census_rows
            if r.census_date <= as_of
        ),
        moves=tuple(
            MoveView(
                m.date,
                *_school(authority, m.from_school_id),
                *_school(authority, m.to_school_id),
                m.kind,
            )
            for m in history.moves
        ),
        exclusions=tuple(
            ExclusionView(
                *_school(authority, e.school_id),
                str(e.category),
                e.start_date,
                term_of(e.start_date).label,
                1.0 if e.category == "LNCH" else e.sessions,
                e.reasons,
                e.review_outcome,
                e.end_date,
                category_words(e.category),
                outcome_words(e),
                is_reversed(e),
                amended.get(("exclusion", e.school_id, str(e.category), e.start_date), ()),
            )
            for e in history.exclusions
        ),
        term_totals=tuple(term_totals(history.exclusions, authority.calendar)),
        year_totals=tuple(year_totals(history.exclusions, authority.calendar)),
        flags=tuple(views.get(child_id, ())),
        cleared_flags=cleared,
        family_id=family.id if family else None,
        family_basis=family.basis if family else None,
        family=tuple(members),
        place=_place_view(child_place(history, authority), authority),
    )


def _place_view(place: Place, authority: Authority) -> PlaceView:
    laestab, name = _school(authority, place.school_id)
    return PlaceView(
        str(place.status),
        laestab,
        name,
        place.date,
        place.leaving.wording if place.leaving is not None else None,
    )
