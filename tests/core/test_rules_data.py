"""The data the mobility rules read: GIAS link types and successor chains, census collections and
coverage, leaving-reason wordings, a child's place, and families at shared addresses."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from exclusion_monitor.census_collections import collection_of, collections_of
from exclusion_monitor.census_coverage import coverage
from exclusion_monitor.families import (
    ChildFamilyFacts,
    CommunalRules,
    FamilyDecision,
    Suggestion,
    _communal_suggestions,
    _join_references,
    address_key,
    communal_rules,
    plan_by_address,
    plan_families,
    reload_communal_list,
)
from exclusion_monitor.history import Authority
from exclusion_monitor.leaving_reasons import (
    LEAVING_REASONS_FILE,
    Whereabouts,
    read_leaving,
    read_wording,
    reload_phrases,
)
from exclusion_monitor.places import Status, child_place
from exclusion_monitor.records import School
from exclusion_monitor.school_links import (
    LINK_TYPES_FILE,
    StoredLink,
    Succession,
    link_types,
    reload_link_types,
    succession_edges,
)
from exclusion_monitor.terms import Season, Term
from tests.core.builders import autumn, spring, summer
from tests.core.pure import ASH, OAK, PRU, D, enrol, history, roll

# --- school links -------------------------------------------------------------------------------

GIAS_TYPES = [
    "Closure", "Expansion", "Merged - change in age range",
    "Merged - expansion in school capacity and changer in age range",
    "Merged - expansion of school capacity", "Other", "Predecessor - amalgamated",
    "Predecessor - merged", "Predecessor - Split School", "Predecessor", "Result of Amalgamation",
    "Sixth Form Centre Link", "Sixth Form Centre School", "Successor - amalgamated",
    "Successor - merged", "Successor - Split School", "Successor", "Children's Centre Link",
]  # fmt: skip


def test_every_gias_link_type_is_known_and_says_whether_two_schools_are_one() -> None:
    known = link_types()
    for name in GIAS_TYPES:
        assert name.lower().replace(" ", "").replace("-", "").replace("'", "") in known, name
    one = {t.name for t in known.values() if t.one_school}
    assert "Predecessor - Split School" in one and "Result of Amalgamation" in one
    assert not {"Sixth Form Centre Link", "Other", "Children's Centre Link"} & one


def test_edges_point_from_the_earlier_school_to_the_later() -> None:
    closed = {1: dt.date(2020, 8, 31), 2: None, 3: None, 4: dt.date(2021, 8, 31)}
    rows = [
        StoredLink(2, 1, "predecessor"),  # 1 became 2 (stored in lower case, as the intake does)
        StoredLink(1, 2, "Successor"),  # the same link from the other side
        StoredLink(3, 2, "Predecessor - amalgamated"),  # 2 amalgamated into 3
        StoredLink(3, 4, "Merged - expansion of school capacity"),  # 4 closed into 3
        StoredLink(3, 9, "Sixth Form Centre Link"),
        StoredLink(3, 8, "Twinned"),  # not in the list: links nothing
    ]
    assert succession_edges(rows, closed) == {(1, 2), (2, 3), (4, 3)}


def test_a_chain_is_one_school_but_a_split_or_an_amalgamation_is_not_one_sideways() -> None:
    # 1 became 2 became 3; 4 split into 5 and 6; 7 and 8 amalgamated into 9.
    chain = Succession([(1, 2), (2, 3), (4, 5), (4, 6), (7, 9), (8, 9)])
    assert chain.same_school(1, 3) and chain.same_school(3, 1)
    assert chain.same_school(4, 5) and chain.same_school(4, 6)
    assert not chain.same_school(5, 6)
    assert chain.same_school(7, 9) and not chain.same_school(7, 8)
    assert chain.later(1) == {2, 3} and not chain.same_school(1, None)


def test_an_admin_can_add_a_link_type(private_home: Path) -> None:
    (private_home / "data").mkdir(exist_ok=True)
    (private_home / "data" / LINK_TYPES_FILE).write_text(
        "link_type,one_school,link_is,orient_by_dates,why\nFederated,yes,successor,no,\n"
    )
    reload_link_types()
    try:
        assert succession_edges([StoredLink(1, 2, "federated")], {}) == {(1, 2)}
    finally:
        (private_home / "data" / LINK_TYPES_FILE).unlink()
        reload_link_types()


# --- census collections -------------------------------------------------------------------------


def test_censuses_of_one_term_are_one_collection() -> None:
    summer_2025 = Term(2024, Season.SUMMER)
    for day in (D(2025, 5, 15), D(2025, 5, 16), D(2025, 6, 18)):
        assert collection_of(day) == summer_2025
    assert collections_of([D(2025, 6, 18), D(2025, 5, 15), D(2025, 1, 16)]) == {
        Term(2024, Season.SPRING): D(2025, 1, 16),
        summer_2025: D(2025, 5, 15),
    }


def _authority(returns: dict[int, list[dt.date]], **kwargs: object) -> Authority:
    schools = {s.id: s for s in (OAK, ASH, PRU)}
    schools.update(kwargs.pop("schools", {}))  # type: ignore[arg-type]
    dates = sorted({d for days in returns.values() for d in days})
    return Authority(
        schools,
        census_dates=tuple(dates),
        returns={s: collections_of(days) for s, days in returns.items()},
        **kwargs,  # type: ignore[arg-type]
    )


def test_coverage_counts_the_schools_still_to_send_a_collection() -> None:
    closed = School(20, "3304020", "Old School", "secondary", close_date=D(2025, 3, 31))
    authority = _authority(
        {
            OAK.id: [D(2025, 1, 16), D(2025, 6, 18)],
            ASH.id: [D(2025, 1, 16)],
            PRU.id: [D(2025, 1, 16)],
            closed.id: [D(2025, 1, 16)],
        },
        schools={closed.id: closed},
    )
    found = coverage(authority, Term(2024, Season.SUMMER), [OAK.id])
    assert (found.schools_in_file, found.schools_returned, found.previous_schools) == (1, 1, 4)
    assert found.awaited == (PRU.laestab, ASH.laestab)  # the closed school is not waited for
    assert found.warning() == (
        "this census (summer 2025) covers 1 school of the 4 that returned the spring 2025 census;"
        " children of the others are not counted missing until their school's census arrives"
    )
    first = coverage(authority, Term(2024, Season.SPRING), [OAK.id, ASH.id])
    assert first.previous is None and first.warning() is None


def test_a_school_that_closed_with_no_successor_counts_every_later_collection() -> None:
    closed = School(20, "3304020", "Old School", "secondary", close_date=D(2025, 3, 31))
    authority = _authority(
        {closed.id: [D(2025, 1, 16)], OAK.id: [D(2025, 1, 16), D(2025, 5, 15)]},
        schools={closed.id: closed},
    )
    assert list(authority.returned(closed.id)) == [
        Term(2024, Season.SPRING),
        Term(2024, Season.SUMMER),
    ]


# --- leaving reasons ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wording", "meaning"),
    [
        ("Whereabouts unknown", Whereabouts.NO_DESTINATION),
        ("WHEREABOUTS UNKNOWN.", Whereabouts.NO_DESTINATION),
        ("Referred to C.M.E.", Whereabouts.NO_DESTINATION),
        ("Referred to CME", Whereabouts.NO_DESTINATION),
        ("Not known", Whereabouts.NO_DESTINATION),
        ("Missing", Whereabouts.NO_DESTINATION),
        ("Lost pupil", Whereabouts.NO_DESTINATION),
        ("XXX / XXXX", Whereabouts.NO_DESTINATION),
        ("Transferred to another school - whereabouts unknown", Whereabouts.NO_DESTINATION),
        ("Transferred to another school", Whereabouts.DESTINATION),
        ("transferred to another school (St Anne's)", Whereabouts.DESTINATION),
        ("Elective Home Education", Whereabouts.DESTINATION),
        ("EHE", Whereabouts.DESTINATION),
        ("Left England - moved to Poland", Whereabouts.DESTINATION),
        ("Not transferred to another school", Whereabouts.UNRECOGNISED),
        ("Gone travelling", Whereabouts.UNRECOGNISED),
        ("Left", Whereabouts.NO_DESTINATION),
        ("   ", Whereabouts.BLANK),
    ],
)
def test_leaving_wordings(wording: str, meaning: Whereabouts) -> None:
    assert read_wording(wording) is meaning


def test_a_destination_field_names_a_place_but_an_unknown_reason_is_no_destination() -> None:
    assert read_leaving(None, "St Anne's Academy, Walsall").is_destination
    assert not read_leaving("Gone travelling", None).is_destination
    assert not read_leaving("Transferred", "Not known").is_destination
    assert read_leaving("Whereabouts unknown", "St Anne's").meaning is Whereabouts.NO_DESTINATION
    assert read_leaving(None, None).meaning is Whereabouts.BLANK


def test_an_admin_adds_a_wording(private_home: Path) -> None:
    (private_home / "data").mkdir(exist_ok=True)
    extra = private_home / "data" / LEAVING_REASONS_FILE
    extra.write_text("phrase,meaning,match,note\nGone travelling,destination,exact,\n")
    reload_phrases()
    try:
        assert read_wording("gone travelling!") is Whereabouts.DESTINATION
        assert read_wording("Gone travelling, whereabouts unknown") is Whereabouts.NO_DESTINATION
    finally:
        extra.unlink()
        reload_phrases()


# --- a child's place ----------------------------------------------------------------------------


def test_a_childs_place() -> None:
    on_roll = history(census=roll(OAK, autumn(2021), summer(2024), "7"))
    assert child_place(on_roll, _pure()) == child_place(on_roll, _pure())
    place = child_place(on_roll, _pure())
    assert (place.status, place.school_id, place.date) == (Status.ON_ROLL, OAK.id, summer(2024))
    missing = child_place(history(census=roll(OAK, autumn(2021), spring(2024), "7")), _pure())
    assert (missing.status, missing.date) == (Status.MISSING, spring(2024))
    gone = history(
        census=roll(OAK, autumn(2021), spring(2024), "7"),
        enrolments=[enrol(OAK, D(2021, 9, 2), D(2024, 2, 9), destination="Home educated")],
    )
    assert (child_place(gone, _pure()).status, child_place(gone, _pure()).date) == (
        Status.LEFT,
        D(2024, 2, 9),
    )
    placed = history(census=roll(PRU, autumn(2023), summer(2024), "9"))
    assert child_place(placed, _pure()).status is Status.PLACEMENT
    leaver = history(census=roll(ASH, autumn(2018), summer(2023), "7"), born=D(2007, 3, 1))
    assert child_place(leaver, _pure()).status is Status.LEFT
    assert child_place(history(), _pure()).status is Status.NO_SCHOOL


def test_the_place_of_a_child_without_a_date_of_birth_goes_by_year_group() -> None:
    """Without a date of birth, compulsory school age is Years 1 to 11, each year group taken
    from the censuses (moved on by the years since the last)."""
    missing = history(census=roll(OAK, autumn(2021), spring(2024), "7"), born=None)
    assert child_place(missing, _pure()).status is Status.MISSING  # Year 9 when gone and now
    leaver = history(census=roll(ASH, autumn(2018), summer(2023), "7"), born=None)
    assert child_place(leaver, _pure()).status is Status.LEFT  # gone in Year 12
    past_age = history(census=roll(OAK, autumn(2019), spring(2023), "8"), born=None)
    assert child_place(past_age, _pure()).status is Status.NO_SCHOOL  # gone in 11, now 12


def _pure() -> Authority:
    from tests.core.pure import AUTHORITY

    return AUTHORITY


# --- families -----------------------------------------------------------------------------------


def _facts(ref: str | None, address: str | None, surname: str) -> ChildFamilyFacts:
    return ChildFamilyFacts(ref, address, surname)


HOME = address_key("12 Elm Road", "B1 1AA") or ""
FLATS = address_key("Tower Court", "B2 2BB") or ""
MILL = address_key("4 Mill Lane", "B4 4DD") or ""


def test_a_childrens_home_links_nobody_and_suggests_the_children_of_one_surname() -> None:
    surnames = ["adams", "adams", "baker", "clark", "davis", "evans", "fisher", "green"]
    facts = {i: _facts(None, HOME, s) for i, s in enumerate(surnames, 1)}
    plan = plan_families(facts, [], CommunalRules())
    assert plan.groups == []
    assert [(sorted(s.members), s.why) for s in plan.suggestions] == [
        ([1, 2], "one surname at a communal address (8 children of 7 surnames live there)")
    ]
    # An officer kept them apart: the suggestion goes.
    assert plan_families(facts, [FamilyDecision(1, 2, "unlink")], CommunalRules()).suggestions == []


def test_thresholds_and_the_listed_words() -> None:
    seven = {i: _facts(None, MILL, "patel") for i in range(1, 8)}
    assert plan_families(seven, [], CommunalRules(max_children=6)).groups == []
    assert len(plan_families(seven, [], CommunalRules(max_children=7)).groups) == 1
    hostel = address_key("Park View Hostel, 3 Park Road", "B6 6FF") or ""
    two = {1: _facts(None, hostel, "ng"), 2: _facts(None, hostel, "ng")}
    rules = communal_rules()
    assert plan_families(two, [], rules).groups == []
    assert 'the address line says "hostel"' in plan_families(two, [], rules).suggestions[0].why


def test_a_child_without_a_reference_joins_the_reference_family_of_their_surname() -> None:
    facts = {
        1: _facts("ref:F1", MILL, "patel"),
        2: _facts("ref:F1", MILL, "patel"),
        3: _facts(None, MILL, "patel"),  # joins
        4: _facts(None, MILL, "brown"),  # another surname: a suggestion
        5: _facts(None, FLATS, "khan"),
    }
    plan = plan_families(facts, [], CommunalRules())
    assert [(g.key, sorted(g.members)) for g in plan.groups] == [("ref:F1", [1, 2, 3])]
    assert [sorted(s.members) for s in plan.suggestions] == [[1, 2, 3, 4]]
    linked = plan_families(facts, [FamilyDecision(4, 1, "link")], CommunalRules())
    assert [sorted(g.members) for g in linked.groups] == [[1, 2, 3, 4]]
    assert linked.suggestions == []


def test_the_plan_by_address_streams_is_the_plan_in_any_order_of_addresses() -> None:
    """The whole-authority regroup reads references, then one address at a time, in address
    order: the families are the same as from all the facts at once, whatever the order."""
    facts = {
        1: _facts("ref:F1", MILL, "patel"),
        2: _facts("ref:F1", HOME, "patel"),  # one reference family over two addresses
        3: _facts(None, MILL, "patel"),
        4: _facts(None, HOME, "patel"),
        5: _facts(None, FLATS, "khan"),
        6: _facts(None, FLATS, "khan"),
        7: _facts("ref:F2", None, "ng"),  # a reference and no address
        8: _facts("ref:F2", FLATS, "ng"),
    }
    whole = plan_families(facts, [FamilyDecision(5, 6, "unlink")], CommunalRules())
    references = [(c, f.reference) for c, f in facts.items() if f.reference]
    by_address: dict[str, dict[int, ChildFamilyFacts]] = {}
    for child, found in facts.items():
        if found.address:
            by_address.setdefault(found.address, {})[child] = found
    for addresses in (sorted(by_address.items()), sorted(by_address.items(), reverse=True)):
        streamed = plan_by_address(
            iter(references), iter(addresses), [FamilyDecision(5, 6, "unlink")], CommunalRules()
        )
        assert streamed.groups == whole.groups
        assert {s.members for s in streamed.suggestions} == {s.members for s in whole.suggestions}
    assert [sorted(g.members) for g in whole.groups] == [[1, 2, 3, 4], [7, 8]]


def test_the_listed_addresses_file(private_home: Path) -> None:
    (private_home / "data").mkdir(exist_ok=True)
    listed = private_home / "data" / "communal_addresses.csv"
    listed.write_text("address_line1,postcode,note\n4 mill lane,b44dd,a refuge\n")
    reload_communal_list()
    try:
        facts = {1: _facts(None, MILL, "ng"), 2: _facts(None, MILL, "ng")}
        plan = plan_families(facts, [], communal_rules())
        assert plan.groups == [] and "listed as communal" in plan.suggestions[0].why
    finally:
        listed.unlink()
        reload_communal_list()


@pytest.mark.parametrize("seed", range(40))
def test_addresses_of_one_child_make_nothing_so_a_stream_may_leave_them_out(seed: int) -> None:
    """Random households (references, addresses, surnames, officers' decisions): an address of
    one child, given to the very steps the plan takes for every address, makes no suggestion,
    joins nobody and leaves no group of two; and the plan from every address, from the addresses
    of two or more children only, and from all the facts at once are the same."""
    rng = random.Random(seed)
    rules = CommunalRules(max_children=rng.choice([0, 3]), max_surnames=rng.choice([0, 2]))
    for address in (HOME, address_key("Park View Hostel, 3 Park Road", "B6 6FF") or ""):
        alone = {1: _facts(rng.choice([None, "ref:F1"]), address, "patel")}
        groups = {"ref:F1": {1, 2}, "ref:F2": {3}}
        offered: list[Suggestion] = []
        why = communal_rules().why_communal(address, alone) or rules.why_communal(address, alone)
        if why is not None:
            assert _communal_suggestions(address, alone, why) == []
        assert len(_join_references(address, alone, groups, offered)) < 2
        assert offered == [] and groups == {"ref:F1": {1, 2}, "ref:F2": {3}}
    streets = [address_key(f"{n} Elm Road", "B1 1AA") or "" for n in range(1, 7)]
    facts = {
        child: _facts(
            rng.choice([None, None, "ref:F1", "ref:F2", "ref:F3"]),
            rng.choice([None, *streets]),
            rng.choice(["patel", "khan", "smith"]),
        )
        for child in range(1, rng.randint(3, 14))
    }
    children = sorted(facts)
    decisions = [
        FamilyDecision(*rng.sample(children, 2), rng.choice(["link", "unlink"]))
        for _ in range(rng.randint(0, 3))
    ]
    rules = CommunalRules(max_children=rng.choice([3, 6]), max_surnames=rng.choice([2, 4]))
    whole = plan_families(facts, decisions, rules)
    references = [(c, f.reference) for c, f in facts.items() if f.reference]
    by_address: dict[str, dict[int, ChildFamilyFacts]] = {}
    for child, found in facts.items():
        if found.address:
            by_address.setdefault(found.address, {})[child] = found
    shared = [(a, people) for a, people in by_address.items() if len(people) > 1]
    for addresses in (list(by_address.items()), shared):
        streamed = plan_by_address(iter(references), iter(addresses), decisions, rules)
        assert streamed.groups == whole.groups
        assert sorted(s.members for s in streamed.suggestions) == sorted(
            s.members for s in whole.suggestions
        )
