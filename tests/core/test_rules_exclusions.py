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


def test_lunchtime_suspensions_count_toward_repeated_suspensions_and_are_named() -> None:
    # In law a lunchtime exclusion is a suspension of one session.
    days = [D(2023, 9, 12), D(2023, 11, 6)]
    found = check(
        "repeated_suspensions",
        history(exclusions=[excl(d) for d in days] + [excl(D(2024, 2, 5), category="LNCH")]),
    )
    assert found is not None
    assert found.reason.startswith("3 suspensions (1 at lunchtime) in the last 3 terms")
    assert "5 sessions lost in all" in found.reason
    assert "5 February 2024 (lunchtime)" in found.reason
    assert found.evidence["lunchtime_suspensions"] == 1
    lunches = [excl(d, category="LNCH", sessions=0) for d in [*days, D(2024, 2, 5)]]
    found = check("repeated_suspensions", history(exclusions=lunches))
    assert found is not None
    assert found.reason.startswith("3 lunchtime suspensions in the last 3 terms")
    assert "3 sessions lost in all" in found.reason


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
        ((0, 1, 2), True),  # suspensions in two of the three terms, rising
        ((0, 0, 2), False),  # a burst in one term is not escalation
        ((0, 0, 3), False),
        ((2, 1, 2), False),  # falls, and ends no higher than it began
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
        "a lunchtime suspension from Oak High (3304002) on 1 November 2023, then a suspension of "
        "4 sessions from Oak High (3304002) on 1 February 2024." in found.reason
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
    # A Year 7 suspension is not a primary exclusion; a lunchtime suspension in Year 4 is one.
    secondary = roll(OAK, autumn(2023), summer(2024), "7")
    assert (
        check(
            "primary_exclusion",
            history(census=secondary, exclusions=[excl(D(2024, 3, 5))], born=D(2012, 3, 1)),
        )
        is None
    )
    lunch = [excl(D(2024, 3, 5), PRIMARY, "LNCH")]
    found = check("primary_exclusion", history(census=census, exclusions=lunch, born=D(2015, 3, 1)))
    assert found is not None
    assert "a lunchtime suspension from Elm Primary (3302001) on 5 March 2024 while in Year 4" in (
        found.reason
    )


def test_primary_exclusion_in_reception_and_at_the_window_edge() -> None:
    census = roll(PRIMARY, autumn(2023), summer(2024), "R")
    inside = history(census=census, exclusions=[excl(WINDOW_START, PRIMARY)], born=D(2019, 3, 1))
    found = check("primary_exclusion", inside)
    assert found is not None and "while in Reception" in found.reason
    outside = history(census=census, exclusions=[excl(D(2023, 7, 31), PRIMARY)], born=D(2019, 3, 1))
    assert check("primary_exclusion", outside) is None


@pytest.mark.parametrize(("sessions", "flagged"), [(29.0, False), (30.0, False), (31.0, True)])
def test_statutory_limit_in_a_term_at_one_school(sessions: float, flagged: bool) -> None:
    exclusions = [
        excl(D(2024, 1, 15), sessions=sessions - 10),
        excl(D(2024, 3, 1), sessions=10),
    ]
    found = check("statutory_limit", history(exclusions=exclusions))
    assert (found is not None) is flagged
    if found:
        assert found.reason == (
            "31 sessions of suspension at Oak High (3304002) in Spring 2024, over the 30 in a "
            "term at one school at which its governing board must consider reinstatement."
        )
        assert found.evidence["totals"] == [
            {"term": "Spring 2024", "school_laestab": "3304002", "sessions": 31.0, "limit": 30}
        ]


def test_statutory_limit_term_trigger_is_counted_per_school() -> None:
    # 21 sessions at one school and 10 at another: no governing board has a duty.
    exclusions = [excl(D(2024, 1, 15), sessions=21), excl(D(2024, 3, 1), ASH, sessions=10)]
    assert check("statutory_limit", history(exclusions=exclusions)) is None


def test_statutory_limit_counts_sessions_in_the_term_of_their_school_days() -> None:
    # Easter Sunday 2024 was 31 March (it ends the spring term) and the default Easter holiday
    # runs from 23 March to 8 April. 20 sessions from Wednesday 20 March are 6 sessions in
    # spring (20 to 22 March) and 14 in summer (from 9 April), not 20 in spring.
    early = excl(D(2024, 3, 4), sessions=20)  # 4 to 15 March: all spring
    late = excl(D(2024, 3, 20), sessions=20)
    assert check("statutory_limit", history(exclusions=[early, late])) is None
    # The same suspension with an end date of 22 March: the dates say it all fell in spring, so
    # the sessions the three days cannot hold are counted on the end date.
    ended = excl(D(2024, 3, 20), sessions=20, end=D(2024, 3, 22))
    found = check("statutory_limit", history(exclusions=[early, ended]))
    assert found is not None and found.reason.startswith(
        "40 sessions of suspension at Oak High (3304002) in Spring 2024"
    )


@pytest.mark.parametrize(("sessions", "flagged"), [(89.0, False), (90.0, False), (91.0, True)])
def test_statutory_limit_in_an_academic_year_across_schools(sessions: float, flagged: bool) -> None:
    exclusions = [
        excl(D(2023, 10, 2), OAK, sessions=30),
        excl(D(2024, 2, 5), ASH, sessions=30),
        excl(D(2024, 4, 22), ASH, sessions=sessions - 75),
        excl(D(2024, 5, 13), OAK, sessions=15),
    ]
    found = check("statutory_limit", history(exclusions=exclusions))
    assert (found is not None) is flagged
    if found:
        assert found.reason == (
            "91 sessions of suspension in 2023/24 across Ash Academy (3304003) and Oak High "
            "(3304002), over the 90 allowed in an academic year (counted across schools)."
        )
        (total,) = found.evidence["totals"]
        assert total["sessions"] == 91.0 and total["limit"] == 90


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


def test_statutory_limit_year_follows_the_school_days_over_the_summer() -> None:
    # 20 sessions from Friday 19 July 2024: 2 sessions in 2023/24 (the last school day), then
    # 18 from the first school day of 2024/25 (3 September), in the next academic year.
    exclusions = [excl(D(2023, 10, 2), sessions=30), excl(D(2024, 2, 5), ASH, sessions=30)]
    exclusions += [excl(D(2024, 4, 22), ASH, sessions=28), excl(D(2024, 7, 19), sessions=20)]
    as_of = D(2024, 7, 20)
    assert check("statutory_limit", history(exclusions=exclusions, as_of=as_of)) is None
    exclusions[-1] = excl(D(2024, 7, 19), sessions=20, end=D(2024, 7, 31))  # no school after
    found = check("statutory_limit", history(exclusions=exclusions, as_of=as_of))
    assert found is not None and "108 sessions of suspension in 2023/24" in found.reason


def test_a_half_day_start_moves_one_session_into_the_next_term() -> None:
    # 3 sessions from Thursday 19 December 2023 (the last school day before Christmas): from the
    # morning, 2 fall in autumn and 1 in spring; from the afternoon, 1 and 2.
    base = [excl(D(2023, 11, 6), sessions=29)]
    morning = [*base, excl(D(2023, 12, 19), sessions=3)]
    afternoon = [*base, excl(D(2023, 12, 19), sessions=3, start_session="PM")]
    found = check("statutory_limit", history(exclusions=morning))
    assert found is not None and found.reason.startswith("31 sessions of suspension at Oak High")
    assert check("statutory_limit", history(exclusions=afternoon)) is None


REINSTATED = ["Reinstated", "Governing board reinstated pupil", "IRP - reconsider, reinstated"]


@pytest.mark.parametrize("outcome", [*REINSTATED, "Withdrawn by head", "REINSTATED."])
def test_a_permanent_exclusion_reversed_on_review_raises_nothing(outcome: str) -> None:
    perm = excl(D(2024, 3, 1), category="PERM", sessions=0, outcome=outcome)
    reversed_only = history(exclusions=[excl(D(2024, 1, 10)), perm])
    assert check("permanent_exclusion", reversed_only) is None
    assert check("escalating_exclusion", reversed_only) is None  # no step up to it
    assert reversed_only.exclusions[-1].review_outcome == outcome  # kept in the history


@pytest.mark.parametrize(
    "outcome", ["Upheld", "Decision upheld", "IRP upheld", "Governors considered it", None]
)
def test_an_upheld_or_unknown_outcome_leaves_the_permanent_exclusion_standing(
    outcome: str | None,
) -> None:
    perm = excl(D(2024, 3, 1), category="PERM", sessions=0, outcome=outcome)
    found = check("permanent_exclusion", history(exclusions=[excl(D(2024, 1, 10)), perm]))
    assert found is not None and "1 March 2024" in found.reason
    step = check("escalating_exclusion", history(exclusions=[excl(D(2024, 1, 10)), perm]))
    assert step is not None and step.evidence["kind"] == "step_up"
    if outcome and outcome.startswith("Governors"):
        assert (
            "a permanent exclusion from Oak High (3304002) on 1 March 2024, review outcome "
            "'Governors considered it' (wording the tool does not know; not a reversal)."
        ) in step.reason


def test_a_reversed_primary_permanent_exclusion_is_no_primary_exclusion() -> None:
    census = roll(PRIMARY, autumn(2019), summer(2024), "R")
    perm = excl(D(2024, 3, 5), PRIMARY, "PERM", 0, outcome="Reinstated")
    found = history(census=census, exclusions=[perm], born=D(2015, 3, 1))
    assert check("primary_exclusion", found) is None


def test_escalation_counts_lunchtime_suspensions_and_names_them() -> None:
    exclusions = [
        excl(D(2023, 10, 2), category="LNCH"),
        excl(D(2024, 1, 15)),
        excl(D(2024, 4, 22)),
        excl(D(2024, 5, 1), category="LNCH"),
    ]
    found = check("escalating_exclusion", history(exclusions=exclusions))
    assert found is not None and found.evidence["kind"] == "rising"
    assert found.reason == (
        "Suspensions rising over 3 terms: 1 lunchtime suspension (1 session) in Autumn 2023, "
        "1 suspension (2 sessions) in Spring 2024, 2 suspensions (1 at lunchtime; 3 sessions) in "
        "Summer 2024."
    )
