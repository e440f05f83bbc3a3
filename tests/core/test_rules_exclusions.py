"""The exclusion rules at their thresholds (just below, at, just above), at the edges of the
as-of window and around Easter, where the spring term ends."""

from __future__ import annotations

import pytest

from exclusion_monitor.rules import RULES
from tests.core.builders import autumn, summer
from tests.core.pure import AS_OF, ASH, OAK, PRIMARY, D, check, excl, history, roll

# as of 16 May 2024 the last 3 terms are Autumn 2023 (from 1 August 2023) to Summer 2024.
WINDOW_START = D(2023, 8, 1)


def test_the_registry_has_the_nine_rules_of_the_domain_brief() -> None:
    assert list(RULES) == [
        "permanent_exclusion",
        "repeated_suspensions",
        "escalating_exclusion",
        "primary_exclusion",
        "statutory_limit",
        "high_mobility",
        "many_secondary_schools",
        "exit_after_suspension",
        "missing_from_roll",
    ]
    for rule in RULES.values():
        assert rule.label and rule.description and rule.version >= 1
        assert all(p.default >= p.minimum for p in rule.params)


@pytest.mark.parametrize(
    ("day", "flagged"),
    [(D(2023, 7, 31), False), (WINDOW_START, True), (AS_OF, True), (D(2024, 5, 17), False)],
)
def test_permanent_exclusion_within_the_last_three_terms(day: D, flagged: bool) -> None:
    found = check("permanent_exclusion", history(exclusions=[excl(day, category="PERM")]))
    assert (found is not None) is flagged
    if found:
        assert "Permanently excluded from Oak High (3304002)" in found.reason
        assert found.evidence["exclusions"][0]["start_date"] == day.isoformat()


@pytest.mark.parametrize(("count", "flagged"), [(2, False), (3, True), (4, True)])
def test_repeated_suspensions_threshold(count: int, flagged: bool) -> None:
    days = [D(2023, 9, 12), D(2023, 11, 6), D(2024, 2, 5), D(2024, 4, 22)][:count]
    found = check("repeated_suspensions", history(exclusions=[excl(d) for d in days]))
    assert (found is not None) is flagged
    if found:
        assert found.reason.startswith(f"{count} suspensions in the last 3 terms")
        assert "12 September 2023" in found.reason and "Oak High (3304002)" in found.reason


def test_repeated_suspensions_outside_the_window_do_not_count_and_threshold_is_a_setting() -> None:
    days = [D(2023, 7, 20), D(2023, 9, 12), D(2024, 2, 5)]
    found = history(exclusions=[excl(d) for d in days])
    assert check("repeated_suspensions", found) is None
    assert check("repeated_suspensions", found, min_suspensions=2) is not None


def test_lunchtime_exclusions_are_not_suspensions_for_the_count() -> None:
    days = [D(2023, 9, 12), D(2023, 11, 6)]
    found = history(exclusions=[excl(d) for d in days] + [excl(D(2024, 2, 5), category="LNCH")])
    assert check("repeated_suspensions", found) is None


def test_escalating_suspensions_over_three_terms() -> None:
    rising = [D(2023, 6, 1), D(2023, 9, 20), D(2023, 10, 20), D(2024, 1, 10), D(2024, 2, 10)]
    found = check("escalating_exclusion", history(exclusions=[excl(d) for d in rising]))
    assert found is not None and found.evidence["kind"] == "rising"
    assert "1 suspension (2 sessions) in Summer 2023" in found.reason
    assert "2 suspensions (4 sessions) in Spring 2024" in found.reason


@pytest.mark.parametrize(
    ("per_term", "flagged"),
    [
        ((1, 1, 1), False),  # never falls but does not end higher
        ((0, 1, 1), False),  # ends higher but only 1 in the last term
        ((1, 1, 2), True),  # at the threshold
        ((1, 0, 2), False),  # falls in the middle
        ((0, 0, 3), True),
    ],
)
def test_escalation_by_counts(per_term: tuple[int, int, int], flagged: bool) -> None:
    term_days = [D(2023, 9, 1), D(2024, 1, 8), D(2024, 4, 15)]
    exclusions = [
        excl(term_days[i] + D.resolution * (7 * k), sessions=2)
        for i, n in enumerate(per_term)
        for k in range(n)
    ]
    found = check("escalating_exclusion", history(exclusions=exclusions))
    assert (found is not None) is flagged


def test_escalation_by_sessions_lost_when_counts_stay_level() -> None:
    exclusions = [
        excl(D(2023, 9, 4), sessions=1),
        excl(D(2023, 9, 18), sessions=1),
        excl(D(2024, 1, 8), sessions=2),
        excl(D(2024, 1, 22), sessions=2),
        excl(D(2024, 4, 15), sessions=6),
        excl(D(2024, 4, 29), sessions=6),
    ]
    found = check("escalating_exclusion", history(exclusions=exclusions))
    assert found is not None and "12 sessions) in Summer 2024" in found.reason


def test_escalation_by_a_step_up_in_severity() -> None:
    lunch_then_suspension = [
        excl(D(2023, 11, 1), category="LNCH", sessions=1),
        excl(D(2024, 2, 1), sessions=4),
    ]
    found = check("escalating_exclusion", history(exclusions=lunch_then_suspension))
    assert found is not None and found.evidence["kind"] == "step_up"
    assert (
        "a lunchtime exclusion from Oak High (3304002) on 1 November 2023, then a suspension"
        in (found.reason)
    )
    suspension_then_permanent = [excl(D(2024, 1, 10)), excl(D(2024, 3, 1), ASH, "PERM")]
    found = check("escalating_exclusion", history(exclusions=suspension_then_permanent))
    assert found is not None and "then a permanent exclusion from Ash Academy" in found.reason
    # A step down, or a step up that began before the window, is not escalation.
    assert (
        check(
            "escalating_exclusion",
            history(exclusions=[excl(D(2024, 1, 10)), excl(D(2024, 2, 1), category="LNCH")]),
        )
        is None
    )
    before = [excl(D(2023, 7, 10), category="LNCH"), excl(D(2023, 9, 10))]
    assert check("escalating_exclusion", history(exclusions=before)) is None


def test_primary_exclusion_uses_the_year_group_at_the_time() -> None:
    census = roll(PRIMARY, autumn(2019), summer(2024), "R")  # Year 4 in 2023/24
    found = check(
        "primary_exclusion",
        history(census=census, exclusions=[excl(D(2024, 3, 5), PRIMARY)], born=D(2015, 3, 1)),
    )
    assert found is not None
    assert "while in Year 4" in found.reason and "Elm Primary (3302001)" in found.reason
    # A Year 7 suspension is not a primary exclusion; nor is a lunchtime exclusion in Year 4.
    secondary = roll(OAK, autumn(2023), summer(2024), "7")
    assert (
        check(
            "primary_exclusion",
            history(census=secondary, exclusions=[excl(D(2024, 3, 5))], born=D(2012, 3, 1)),
        )
        is None
    )
    lunch = [excl(D(2024, 3, 5), PRIMARY, "LNCH")]
    assert (
        check("primary_exclusion", history(census=census, exclusions=lunch, born=D(2015, 3, 1)))
        is None
    )


def test_primary_exclusion_in_reception_and_at_the_window_edge() -> None:
    census = roll(PRIMARY, autumn(2023), summer(2024), "R")
    inside = history(census=census, exclusions=[excl(WINDOW_START, PRIMARY)], born=D(2019, 3, 1))
    found = check("primary_exclusion", inside)
    assert found is not None and "while in Reception" in found.reason
    outside = history(census=census, exclusions=[excl(D(2023, 7, 31), PRIMARY)], born=D(2019, 3, 1))
    assert check("primary_exclusion", outside) is None


@pytest.mark.parametrize(("sessions", "flagged"), [(29.0, False), (30.0, False), (31.0, True)])
def test_statutory_limit_in_a_term(sessions: float, flagged: bool) -> None:
    exclusions = [
        excl(D(2024, 1, 15), sessions=sessions - 10),
        excl(D(2024, 3, 1), ASH, sessions=10),
    ]
    found = check("statutory_limit", history(exclusions=exclusions))
    assert (found is not None) is flagged
    if found:
        assert found.reason.startswith("31 sessions of suspension in Spring 2024, over the 30")
        assert "(across all schools)" in found.reason


def test_statutory_limit_term_boundary_is_easter() -> None:
    # Easter Sunday 2024 was 31 March: it ends the spring term; Easter Monday starts summer.
    split = [excl(D(2024, 3, 31), sessions=20), excl(D(2024, 4, 1), sessions=12)]
    assert check("statutory_limit", history(exclusions=split)) is None
    together = [excl(D(2024, 3, 28), sessions=20), excl(D(2024, 3, 31), sessions=12)]
    found = check("statutory_limit", history(exclusions=together))
    assert found is not None and "32 sessions of suspension in Spring 2024" in found.reason


@pytest.mark.parametrize(("sessions", "flagged"), [(89.0, False), (90.0, False), (91.0, True)])
def test_statutory_limit_in_an_academic_year_across_schools(sessions: float, flagged: bool) -> None:
    per_term = sessions / 3
    exclusions = [
        excl(D(2023, 10, 2), OAK, sessions=per_term),
        excl(D(2024, 2, 5), ASH, sessions=per_term),
        excl(D(2024, 4, 22), ASH, sessions=per_term),
    ]
    found = check("statutory_limit", history(exclusions=exclusions))
    assert (found is not None) is flagged
    if found:
        assert "91 sessions of suspension in 2023/24, over the 90 allowed" in found.reason


def test_statutory_limit_lunchtime_exclusions_count_one_session_each() -> None:
    exclusions = [excl(D(2024, 1, 15), sessions=30), excl(D(2024, 2, 1), OAK, "LNCH", sessions=0)]
    assert check("statutory_limit", history(exclusions=exclusions)) is not None


def test_exclusions_after_the_as_of_date_are_not_seen() -> None:
    days = [D(2024, 1, 8), D(2024, 2, 8), D(2024, 3, 8)]
    found = history(exclusions=[excl(d) for d in days], as_of=D(2024, 3, 7))
    assert check("repeated_suspensions", found) is None
    assert check(
        "repeated_suspensions", history(exclusions=[excl(d) for d in days], as_of=D(2024, 3, 8))
    )
