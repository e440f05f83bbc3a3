"""The planted stories carry the features their flag rules need (docs/rules.md#the-rules)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from exclusion_monitor.terms import last_terms, term_of
from imports.demo import DemoAuthority, PlantedStory, census_rows, generate_authority


@pytest.fixture(scope="module")
def authority() -> DemoAuthority:
    return generate_authority(1_500, seed=11)


def _story(authority: DemoAuthority, prefix: str) -> PlantedStory:
    return next(s for s in authority.stories if s.key.startswith(prefix))


def _last_three(authority: DemoAuthority) -> list[int]:
    return [t.index for t in last_terms(authority.as_of, 3)]


def test_every_story_is_in_the_manifest_with_rules(authority: DemoAuthority) -> None:
    keys = [s.key[:2] for s in authority.stories]
    assert keys == ["a_", "d_", "b_", "c_", "e_", "f_"]
    rules = {rule for s in authority.stories for e in s.expected for rule in e.rules}
    assert {
        "permanent_exclusion",
        "repeated_suspensions",
        "escalating_exclusion",
        "primary_exclusion",
        "high_mobility",
        "many_secondary_schools",
        "exit_after_suspension",
        "statutory_limit",
        "missing_from_roll",
    } <= rules
    for story in authority.stories:
        assert authority.pupil(story.pid).upn == story.upn


def test_a_primary_exclusions_then_escalation_then_permanent(authority: DemoAuthority) -> None:
    story = _story(authority, "a_")
    mine = [e for e in authority.exclusions if e.pid == story.pid]
    phase = {s.laestab: s.phase for s in authority.schools}
    primary = [e for e in mine if phase[e.laestab] == "primary"]
    assert sorted(e.nc_year for e in primary) == [5, 6]
    last3 = _last_three(authority)
    per_term = Counter(term_of(e.start_date).index for e in mine if e.category == "SUSP")
    assert [per_term[last3[0] - 1], per_term[last3[0]], per_term[last3[1]]] == [1, 2, 3]
    permanent = [e for e in mine if e.category == "PERM"]
    assert len(permanent) == 1
    assert permanent[0].start_date > max(e.start_date for e in mine if e.category == "SUSP")
    assert term_of(permanent[0].start_date).index in last3
    regs = sorted(
        (r for r in authority.registrations if r.pid == story.pid), key=lambda r: r.entry_date
    )
    assert authority.school(regs[-1].laestab).kind == "pru"
    assert regs[-2].leaving_reason == "Permanently excluded"


def test_d_is_a_sibling_suspended_in_year_6(authority: DemoAuthority) -> None:
    a, d = _story(authority, "a_"), _story(authority, "d_")
    pa, pd = authority.pupil(a.pid), authority.pupil(d.pid)
    assert (pa.address, pa.postcode, pa.family_ref) == (pd.address, pd.postcode, pd.family_ref)
    assert d.upn in a.sibling_upns
    mine = [e for e in authority.exclusions if e.pid == d.pid]
    assert len(mine) == 2 and all(e.nc_year == 6 for e in mine)
    assert all(term_of(e.start_date).index in _last_three(authority) for e in mine)


def test_b_five_secondary_schools_in_two_years(authority: DemoAuthority) -> None:
    story = _story(authority, "b_")
    regs = [r for r in authority.registrations if r.pid == story.pid]
    secondary = {r.laestab for r in regs if authority.school(r.laestab).kind == "secondary"}
    assert len(secondary) == 5
    moves = [r.leaving_date for r in regs if r.leaving_reason == "Transferred to another school"]
    assert len(moves) == 4
    assert all(d and d > authority.as_of - dt.timedelta(days=730) for d in moves)


def test_c_left_within_90_days_of_a_suspension_without_permanent(
    authority: DemoAuthority,
) -> None:
    story = _story(authority, "c_")
    mine = [e for e in authority.exclusions if e.pid == story.pid]
    assert {e.category for e in mine} == {"SUSP"}
    school = mine[0].laestab
    left = next(r for r in authority.registrations if r.pid == story.pid and r.laestab == school)
    assert left.leaving_date is not None
    assert 0 < (left.leaving_date - max(e.start_date for e in mine)).days <= 90


def test_e_over_30_sessions_in_a_term(authority: DemoAuthority) -> None:
    story = _story(authority, "e_")
    sessions = Counter()
    for e in authority.exclusions:
        if e.pid == story.pid and e.category == "SUSP":
            sessions[term_of(e.start_date).index] += e.sessions or 0
    assert max(sessions.values()) > 30


def test_f_on_the_spring_roll_and_on_none_in_summer(authority: DemoAuthority) -> None:
    story = _story(authority, "f_")
    rows = census_rows(authority)
    spring, summer = authority.census_dates[-2], authority.census_dates[-1]
    assert any(r.pupil.pid == story.pid for r in rows[spring])
    assert not any(r.pupil.pid == story.pid for r in rows[summer])
    regs = [r for r in authority.registrations if r.pid == story.pid]
    assert regs[-1].leaving_reason == ""
