"""The mobility rules at their thresholds: high mobility, many secondary schools, leaving soon
after a suspension, and missing from roll."""

from __future__ import annotations

import pytest

from tests.core.builders import autumn, spring, summer
from tests.core.pure import (
    ASH,
    BEECH,
    OAK,
    OAK_ACADEMY,
    PRIMARY,
    PRIMARY2,
    PRU,
    D,
    check,
    enrol,
    excl,
    history,
    roll,
)


def _moves_on(*days: D) -> list:
    """Enrolments at Oak, then Ash, Beech, Oak... entering on each of `days`."""
    schools = [OAK, ASH, BEECH, OAK, ASH]
    entries = [D(2021, 9, 2), *days]
    return [
        enrol(schools[i], entry, entries[i + 1] if i + 1 < len(entries) else None)
        for i, entry in enumerate(entries)
    ]


@pytest.mark.parametrize(
    ("first_move", "flagged"), [(D(2022, 5, 16), False), (D(2022, 5, 17), True)]
)
def test_high_mobility_two_moves_in_24_months(first_move: D, flagged: bool) -> None:
    found = check("high_mobility", history(enrolments=_moves_on(first_move, D(2023, 11, 6))))
    assert (found is not None) is flagged
    if found:
        assert found.reason.startswith("2 non-standard moves in the 24 months to 16 May 2024")
        assert "from Oak High (3304002) to Ash Academy (3304003) on 17 May 2022" in found.reason


def test_high_mobility_one_move_is_not_enough() -> None:
    assert check("high_mobility", history(enrolments=_moves_on(D(2023, 11, 6)))) is None


@pytest.mark.parametrize(("moves", "flagged"), [(2, False), (3, True)])
def test_high_mobility_since_reception(moves: int, flagged: bool) -> None:
    schools = [PRIMARY, PRIMARY2, PRIMARY, PRIMARY2]
    entries = [D(2014, 9, 3), D(2016, 1, 11), D(2017, 2, 6), D(2018, 11, 5)][: moves + 1]
    enrolments = [
        enrol(schools[i], e, entries[i + 1] if i + 1 < len(entries) else None)
        for i, e in enumerate(entries)
    ]
    found = check("high_mobility", history(enrolments=enrolments))
    assert (found is not None) is flagged
    if found:
        assert found.reason.startswith("3 non-standard moves since Reception")


def test_standard_transitions_conversions_and_placements_are_not_mobility() -> None:
    census = (
        roll(PRIMARY, autumn(2014), summer(2021), "R")
        + roll(OAK, autumn(2021), summer(2022), "7")
        + roll(OAK_ACADEMY, autumn(2022), autumn(2022), "8")
        + roll(PRU, spring(2023), spring(2023), "8")
        + roll(ASH, summer(2023), summer(2024), "8")
    )
    found = history(census=census)
    assert [m.kind.value for m in found.moves] == [
        "standard",
        "conversion",
        "placement",
        "placement",
    ]
    assert check("high_mobility", found) is None


def test_many_secondary_schools() -> None:
    three = (
        roll(OAK, autumn(2021), summer(2022), "7")
        + roll(ASH, autumn(2022), summer(2023), "8")
        + roll(BEECH, autumn(2023), summer(2024), "9")
    )
    found = check("many_secondary_schools", history(census=three))
    assert found is not None
    assert found.reason.startswith("3 different secondary schools: Oak High (3304002) from")
    converted = (
        roll(OAK, autumn(2021), summer(2022), "7")
        + roll(OAK_ACADEMY, autumn(2022), summer(2023), "8")
        + roll(ASH, autumn(2023), summer(2024), "9")
    )
    assert check("many_secondary_schools", history(census=converted)) is None
    with_pru = (
        roll(OAK, autumn(2021), summer(2022), "7")
        + roll(PRU, autumn(2022), summer(2023), "8")
        + roll(ASH, autumn(2023), summer(2024), "9")
    )
    assert check("many_secondary_schools", history(census=with_pru)) is None
    assert check("many_secondary_schools", history(census=converted), min_schools=2) is not None


@pytest.mark.parametrize(("days_before", "flagged"), [(89, True), (90, True), (91, False)])
def test_exit_after_suspension_within_90_days(days_before: int, flagged: bool) -> None:
    left = D(2024, 3, 1)
    enrolments = [enrol(OAK, D(2021, 9, 2), left), enrol(ASH, D(2024, 3, 4))]
    suspension = excl(left - D.resolution * days_before, OAK)
    found = check("exit_after_suspension", history(enrolments=enrolments, exclusions=[suspension]))
    assert (found is not None) is flagged
    if found:
        assert found.reason.startswith(
            f"Left Oak High (3304002) on 1 March 2024, {days_before} days after a suspension"
        )
        assert "next on roll at Ash Academy (3304003)" in found.reason


def test_exit_after_a_permanent_exclusion_or_a_suspension_elsewhere_is_not_off_rolling() -> None:
    enrolments = [enrol(OAK, D(2021, 9, 2), D(2024, 3, 1)), enrol(ASH, D(2024, 3, 4))]
    permanent = [excl(D(2024, 1, 15), OAK), excl(D(2024, 2, 20), OAK, "PERM")]
    assert (
        check("exit_after_suspension", history(enrolments=enrolments, exclusions=permanent)) is None
    )
    elsewhere = [excl(D(2024, 1, 15), ASH)]
    assert (
        check("exit_after_suspension", history(enrolments=enrolments, exclusions=elsewhere)) is None
    )


def test_exit_after_a_lunchtime_suspension_names_it() -> None:
    enrolments = [enrol(OAK, D(2021, 9, 2), D(2024, 3, 1)), enrol(ASH, D(2024, 3, 4))]
    found = check(
        "exit_after_suspension",
        history(enrolments=enrolments, exclusions=[excl(D(2024, 2, 20), OAK, "LNCH", 1.0)]),
    )
    assert found is not None
    assert found.reason.startswith(
        "Left Oak High (3304002) on 1 March 2024, 10 days after a lunchtime suspension there on "
        "20 February 2024, without a permanent exclusion;"
    )
    assert found.evidence["exclusions"][0]["category"] == "LNCH"


@pytest.mark.parametrize(
    ("outcome", "flagged"),
    [("Reinstated by governors", True), ("IRP - reconsider - reinstated", True),
     ("Upheld", False), ("Pending", False), (None, False), ("Parents appealed", False)],
)  # fmt: skip
def test_exit_after_a_permanent_exclusion_reversed_on_review_is_off_rolling_again(
    outcome: str | None, flagged: bool
) -> None:
    """Reinstated on review, then gone within weeks: the permanent exclusion no longer explains
    the leaving. One that stands (upheld, pending, an unknown wording) still does."""
    enrolments = [enrol(OAK, D(2021, 9, 2), D(2024, 3, 1)), enrol(ASH, D(2024, 3, 4))]
    exclusions = [
        excl(D(2024, 1, 15), OAK),
        excl(D(2024, 1, 29), OAK, "PERM", 0.0, outcome=outcome),
    ]
    found = check("exit_after_suspension", history(enrolments=enrolments, exclusions=exclusions))
    assert (found is not None) is flagged
    if found:
        assert (
            "46 days after a suspension there on 15 January 2024, without a permanent exclusion "
            "that stood (the permanent exclusion of 29 January 2024 reversed on review); next on "
            "roll at Ash Academy (3304003)."
        ) in found.reason
        assert [e["start_date"] for e in found.evidence["reversed_permanent"]] == ["2024-01-29"]


def test_exit_after_suspension_uses_the_census_move_when_there_is_no_leaving_date() -> None:
    census = roll(OAK, autumn(2021), autumn(2023), "7") + roll(
        BEECH, spring(2024), summer(2024), "9"
    )
    found = check(
        "exit_after_suspension", history(census=census, exclusions=[excl(D(2023, 11, 20))])
    )
    assert found is not None
    assert found.reason == (
        "First seen at Beech School (3304004) at the spring 2024 census (18 January 2024), 59 "
        "days after a suspension at Oak High (3304002) on 20 November 2023, without a permanent "
        "exclusion; no leaving date was recorded at Oak High (3304002), where the child was last "
        "known on 20 November 2023."
    )
    assert "Left " not in found.reason and found.evidence["left"] is None
    assert found.evidence["first_seen_next"] == "2024-01-18"


def test_missing_from_roll() -> None:
    census = roll(OAK, autumn(2021), spring(2024), "7")
    found = check("missing_from_roll", history(census=census))
    assert found is not None
    assert found.reason.startswith(
        "On the roll of Oak High (3304002) at the spring 2024 census (18 January 2024) but on no "
        "school's roll at the summer 2024 census, which their school returned (16 May 2024); no "
        "leaving destination recorded"
    )
    assert "(Year 9)" in found.reason


def test_not_missing_with_a_destination_a_new_registration_or_past_school_age() -> None:
    census = roll(OAK, autumn(2021), spring(2024), "7")
    gone = [enrol(OAK, D(2021, 9, 2), D(2024, 2, 9), destination="Moved to Wales")]
    assert check("missing_from_roll", history(census=census, enrolments=gone)) is None
    moved = [enrol(OAK, D(2021, 9, 2), D(2024, 2, 9)), enrol(ASH, D(2024, 4, 22))]
    assert check("missing_from_roll", history(census=census, enrolments=moved)) is None
    # Year 11 in 2022/23: past compulsory school age by the autumn 2023 census.
    leaver = roll(OAK, autumn(2018), summer(2023), "7")
    assert check("missing_from_roll", history(census=leaver, born=D(2007, 3, 1))) is None
    # On the roll at the latest census: not missing.
    assert (
        check("missing_from_roll", history(census=roll(OAK, autumn(2021), summer(2024), "7")))
        is None
    )


def test_missing_long_ago_is_not_a_new_flag() -> None:
    """Missing from the census of spring 2023, seen nowhere since: as of summer 2024 that gap
    is older than the last 3 terms (the rule's window) and raises no flag."""
    census = roll(OAK, autumn(2021), autumn(2022), "7")
    assert check("missing_from_roll", history(census=census)) is None
    assert check("missing_from_roll", history(census=census), terms=5) is not None
