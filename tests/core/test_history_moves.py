"""School histories (spells from censuses and enrolment records, placements apart) and the
classification of moves: standard transitions at every phase boundary, conversions, placements."""

from __future__ import annotations

import pytest

from exclusion_monitor.codelists import nc_year_order
from exclusion_monitor.history import compulsory_school_age, year_from_birth
from exclusion_monitor.records import MoveKind, School
from tests.core.builders import autumn, spring, summer
from tests.core.pure import (
    ASH,
    BEECH,
    FIRST,
    INFANT,
    JUNIOR,
    MIDDLE,
    NURSERY,
    OAK,
    OAK_ACADEMY,
    PRIMARY,
    PRIMARY2,
    PRU,
    UPPER,
    D,
    enrol,
    history,
    roll,
)


def test_censuses_at_one_school_make_one_spell_and_a_new_school_a_move() -> None:
    found = history(
        census=roll(PRIMARY, autumn(2014), summer(2021), "R")
        + roll(OAK, autumn(2021), summer(2022), "7")
        + roll(ASH, spring(2023), summer(2024), "8")
    )
    assert [(s.school_id, s.first_year, s.last_year) for s in found.spells] == [
        (PRIMARY.id, "R", "6"),
        (OAK.id, "7", "7"),
        (ASH.id, "8", "9"),
    ]
    assert [(m.from_school_id, m.to_school_id, m.kind) for m in found.moves] == [
        (PRIMARY.id, OAK.id, MoveKind.STANDARD),
        (OAK.id, ASH.id, MoveKind.NON_STANDARD),
    ]
    assert found.moves[1].date == spring(2023)


def test_enrolment_dates_bound_a_spell_that_censuses_confirm() -> None:
    found = history(
        census=roll(OAK, autumn(2021), spring(2023), "7")
        + roll(ASH, summer(2023), summer(2024), "8"),
        enrolments=[enrol(OAK, D(2021, 9, 2), D(2023, 2, 10)), enrol(ASH, D(2023, 2, 27))],
    )
    oak, ash = found.spells
    assert (oak.start, oak.end, oak.last_census) == (D(2021, 9, 2), D(2023, 2, 10), spring(2023))
    assert (ash.start, ash.end, ash.first_census) == (D(2023, 2, 27), None, summer(2023))
    assert [(m.date, m.kind) for m in found.moves] == [(D(2023, 2, 27), MoveKind.NON_STANDARD)]


def test_subsidiary_and_guest_registrations_are_placements_not_moves() -> None:
    found = history(
        census=roll(OAK, autumn(2022), summer(2024), "8")
        + roll(PRU, autumn(2023), spring(2024), "9", status="S")
        + roll(ASH, summer(2024), summer(2024), "9", status="G")
    )
    assert [s.school_id for s in found.spells] == [OAK.id]
    assert [s.school_id for s in found.placements] == [PRU.id, ASH.id]
    assert found.moves == ()


def test_a_move_into_or_out_of_a_pupil_referral_unit_is_a_placement() -> None:
    found = history(
        census=roll(OAK, autumn(2022), autumn(2023), "8")
        + roll(PRU, spring(2024), spring(2024), "9")
        + roll(ASH, summer(2024), summer(2024), "9")
    )
    assert [m.kind for m in found.moves] == [MoveKind.PLACEMENT, MoveKind.PLACEMENT]


def test_an_academy_conversion_is_not_a_move() -> None:
    found = history(
        census=roll(OAK, autumn(2021), summer(2023), "7")
        + roll(OAK_ACADEMY, autumn(2023), summer(2024), "9")
    )
    assert [m.kind for m in found.moves] == [MoveKind.CONVERSION]


@pytest.mark.parametrize(
    ("old", "new", "from_year"),
    [
        (NURSERY, PRIMARY, "N2"),  # into Reception
        (INFANT, JUNIOR, "2"),  # infant Y2 to junior Y3
        (PRIMARY, OAK, "6"),  # primary Y6 to secondary Y7
        (FIRST, MIDDLE, "4"),  # first Y4 to middle Y5
        (MIDDLE, UPPER, "8"),  # middle Y8 to upper Y9
    ],
)
def test_standard_transitions_at_each_phase_boundary_in_the_summer_window(
    old: School, new: School, from_year: str
) -> None:
    order = ["N1", "N2", "R", *[str(n) for n in range(1, 15)]]
    to_year = order[order.index(from_year) + 1]
    born = D(2017 - nc_year_order(from_year), 3, 1)
    census = roll(old, autumn(2021), summer(2022), from_year)
    census += roll(new, autumn(2022), summer(2023), to_year)
    inside = history(census=census, born=born, enrolments=[enrol(new, D(2022, 9, 1))])
    assert [m.kind for m in inside.moves] == [MoveKind.STANDARD]
    # The same transfer on 1 October, after the window, is not standard.
    late = history(census=census, born=born, enrolments=[enrol(new, D(2022, 10, 1))])
    assert [m.kind for m in late.moves] == [MoveKind.NON_STANDARD]


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        (D(2022, 5, 31), MoveKind.NON_STANDARD),
        (D(2022, 6, 1), MoveKind.STANDARD),
        (D(2022, 9, 30), MoveKind.STANDARD),
        (D(2022, 10, 1), MoveKind.NON_STANDARD),
    ],
)
def test_window_edges_for_primary_to_secondary(entry: D, kind: MoveKind) -> None:
    found = history(
        census=roll(PRIMARY, autumn(2015), spring(2022), "R")
        + roll(OAK, autumn(2022), summer(2023), "7"),
        enrolments=[enrol(OAK, entry)],
        born=D(2011, 3, 1),
    )
    assert [m.kind for m in found.moves] == [kind]


def test_leaving_a_primary_school_in_year_4_for_another_primary_is_not_standard() -> None:
    found = history(
        census=roll(PRIMARY, autumn(2020), summer(2022), "3")
        + roll(PRIMARY2, autumn(2022), summer(2023), "5"),
        born=D(2013, 3, 1),
    )
    assert [m.kind for m in found.moves] == [MoveKind.NON_STANDARD]


def test_census_only_transfer_over_the_summer_counts_as_in_the_window() -> None:
    found = history(
        census=roll(PRIMARY, autumn(2015), summer(2022), "R")
        + roll(OAK, autumn(2022), summer(2023), "7"),
        born=D(2011, 3, 1),
    )
    assert [m.kind for m in found.moves] == [MoveKind.STANDARD]


def test_as_of_hides_later_records_and_leaving_dates() -> None:
    census = roll(OAK, autumn(2021), summer(2023), "7") + roll(
        BEECH, autumn(2023), summer(2024), "9"
    )
    found = history(
        census=census,
        enrolments=[enrol(OAK, D(2021, 9, 2), D(2023, 7, 20), destination="Beech School")],
        as_of=D(2023, 6, 1),
    )
    assert [s.school_id for s in found.spells] == [OAK.id]
    assert found.spells[0].end is None and found.spells[0].destination is None
    assert found.moves == ()


def test_year_group_and_compulsory_school_age_from_date_of_birth() -> None:
    assert year_from_birth(D(2010, 8, 31), D(2014, 9, 10)) == "R"
    assert year_from_birth(D(2010, 9, 1), D(2014, 9, 10)) == "N2"
    assert year_from_birth(D(2010, 3, 1), D(2024, 5, 16)) == "9"
    # Compulsory from the term after the fifth birthday (5 on 1 March 2015 -> summer term).
    assert not compulsory_school_age(D(2010, 3, 1), D(2015, 3, 20))
    assert compulsory_school_age(D(2010, 3, 1), D(2015, 4, 20))
    # Until the last Friday of June in the school year they turn 16 (2025/26: 26 June 2026).
    assert compulsory_school_age(D(2010, 3, 1), D(2026, 6, 26))
    assert not compulsory_school_age(D(2010, 3, 1), D(2026, 6, 27))


def test_a_child_born_in_august_leaves_compulsory_age_in_the_june_they_turn_16() -> None:
    # Born 29 August 2005: Year 11 in 2020/21, turns 16 before 1 September 2021.
    assert compulsory_school_age(D(2005, 8, 29), D(2021, 6, 25))
    assert not compulsory_school_age(D(2005, 8, 29), D(2021, 10, 7))
    # Born 1 September 2005: a year younger in school terms, compulsory until June 2022.
    assert compulsory_school_age(D(2005, 9, 1), D(2021, 10, 7))


def test_a_school_known_only_by_its_number_leaves_the_year_groups_to_decide() -> None:
    """A school from another authority's Common Transfer File has no phase or age range: moving
    from its Year 6 into a secondary's Year 7 in the summer is the usual transfer, not a move an
    officer must explain; a phase that is known and wrong still makes it non-standard."""
    from exclusion_monitor.moves import is_phase_boundary

    unknown = School(1, "8862001", "Oak Primary (Kent)")
    secondary = School(2, "3304002", "Larkwood Academy", "secondary", low_age=11, high_age=16)
    here_unknown = School(3, "3304003", "School 3304003")
    assert is_phase_boundary("6", "7", unknown, secondary)
    assert is_phase_boundary("6", "7", unknown, here_unknown)
    assert is_phase_boundary("2", "3", unknown, here_unknown)  # infants to juniors
    assert not is_phase_boundary("4", "5", unknown, secondary)  # not a boundary year at all
    primary = School(4, "3302001", "Elm Primary", "primary", low_age=4, high_age=11)
    assert not is_phase_boundary("6", "7", unknown, primary)  # a known phase that is wrong
    assert not is_phase_boundary("6", "7", None, secondary)  # no school at all: not standard
