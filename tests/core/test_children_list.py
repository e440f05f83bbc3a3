"""The children list in the store: search, filters, sort orders, positions and summaries."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.children import (
    SORT_KEYS,
    ChildFilter,
    child_list_position,
    child_schools,
    child_summaries_stale,
    child_year_groups,
    count_children,
    ensure_child_summaries,
    list_children,
    refresh_child_summaries,
    search_children,
)
from tests.builders import Authority, make_upn


@pytest.fixture
def town(db: Database) -> Authority:
    town = Authority(db)
    elm = town.school("Elm Primary")
    oak = town.school("Oak Academy", phase="secondary")
    town.child(
        "Ashdown",
        "Alfie",
        dt.date(2016, 2, 1),
        school=elm,
        nc_year="2",
        upn=make_upn("330", "2001", "16", 1),
        former_upns=["X00180001701A"],
    )
    town.child("ashdown", "Bethan", dt.date(2012, 9, 1), school=oak, nc_year="7", flags=["moves"])
    town.child("O'Hallan", "Zoë", dt.date(2017, 1, 5), school=elm, nc_year="R")
    town.child("Carraway", "Ashley", None, school=None, nc_year=None)
    town.child(
        "Dunmore",
        "Callum",
        dt.date(2010, 3, 3),
        school=oak,
        nc_year="9",
        flags=["escalation", "moves"],
        census=[(dt.date(2023, 1, 19), elm, "8")],
    )
    town.done()
    return town


def names(rows: list) -> list[str]:
    return [f"{r.surname}, {r.forename}" for r in rows]


def test_list_shows_latest_census_school_year_and_open_flags(db: Database, town: Authority) -> None:
    rows = {r.forename: r for r in list_children(db)}
    assert rows["Callum"].school_name == "Oak Academy"
    assert rows["Callum"].nc_year == "9"
    assert rows["Callum"].flag_count == 2
    assert rows["Ashley"].school_name is None
    assert count_children(db) == 5
    assert count_children(db, ChildFilter()) == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ash", ["Ashdown, Alfie", "ashdown, Bethan", "Carraway, Ashley"]),
        ("ASHDOWN, b", ["ashdown, Bethan"]),
        ("alfie ashdown", ["Ashdown, Alfie"]),
        ("ohal", ["O'Hallan, Zoë"]),
        ("zoe", ["O'Hallan, Zoë"]),
        ("x0018 0001", ["Ashdown, Alfie"]),
        ("nobody", []),
    ],
)
def test_search_by_name_or_upn(
    db: Database, town: Authority, text: str, expected: list[str]
) -> None:
    assert names(list_children(db, ChildFilter(search=text))) == expected
    assert count_children(db, ChildFilter(search=text)) == len(expected)


def test_search_by_full_current_upn_in_lower_case(db: Database, town: Authority) -> None:
    upn = make_upn("330", "2001", "16", 1)
    hits = search_children(db, upn.lower())
    assert [(h.child.forename, h.former_upn) for h in hits] == [("Alfie", None)]


def test_search_by_former_upn_says_which_upn_matched(db: Database, town: Authority) -> None:
    hits = search_children(db, "X00180001701A")
    assert [(h.child.forename, h.former_upn) for h in hits] == [("Alfie", "X00180001701A")]


def test_filters_combine(db: Database, town: Authority) -> None:
    oak = town.schools["Oak Academy"]
    assert names(list_children(db, ChildFilter(school_id=oak))) == [
        "ashdown, Bethan",
        "Dunmore, Callum",
    ]
    assert names(list_children(db, ChildFilter(school_id=oak, nc_year="9"))) == ["Dunmore, Callum"]
    assert names(list_children(db, ChildFilter(flagged_only=True, search="ash"))) == [
        "ashdown, Bethan"
    ]
    assert list_children(db, ChildFilter(school_id=oak, nc_year="R")) == []


def test_each_sort_order_and_its_reverse(db: Database, town: Authority) -> None:
    by = {key: [r.forename for r in list_children(db, order_by=key)] for key in SORT_KEYS}
    assert by["name"] == ["Alfie", "Bethan", "Ashley", "Callum", "Zoë"]
    assert by["date_of_birth"] == ["Ashley", "Callum", "Bethan", "Alfie", "Zoë"]
    assert by["nc_year"] == ["Ashley", "Zoë", "Alfie", "Bethan", "Callum"]
    assert by["school"] == ["Ashley", "Alfie", "Zoë", "Bethan", "Callum"]
    assert by["flags"] == ["Alfie", "Ashley", "Zoë", "Bethan", "Callum"]
    upns = [r.upn for r in list_children(db, order_by="upn")]
    assert upns == sorted(upns)
    for key in SORT_KEYS:
        reverse = [r.forename for r in list_children(db, order_by=key, descending=True)]
        assert reverse == list(
            reversed(by.get(key) or [r.forename for r in list_children(db, order_by=key)])
        )


def test_paging_with_limit_and_offset(db: Database, town: Authority) -> None:
    assert [r.forename for r in list_children(db, limit=2, offset=2)] == ["Ashley", "Callum"]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("key", SORT_KEYS)
def test_position_of_a_child_matches_its_row(
    db: Database, town: Authority, key: str, descending: bool
) -> None:
    rows = list_children(db, order_by=key, descending=descending)
    for row_number, row in enumerate(rows):
        assert child_list_position(db, row.id, order_by=key, descending=descending) == row_number


def test_position_is_none_when_the_filter_hides_the_child(db: Database, town: Authority) -> None:
    alfie = list_children(db, ChildFilter(search="alfie"))[0]
    assert child_list_position(db, alfie.id, ChildFilter(flagged_only=True)) is None


def test_filter_choices(db: Database, town: Authority) -> None:
    assert [name for _, name in child_schools(db)] == ["Elm Primary", "Oak Academy"]
    assert child_year_groups(db) == ["R", "2", "7", "9"]


def test_summaries_notice_changes_and_refresh(db: Database, town: Authority) -> None:
    assert not child_summaries_stale(db)
    new = town.child("Ellery", "Grace", school=town.schools["Elm Primary"])
    assert child_summaries_stale(db)
    assert count_children(db, ChildFilter()) == 5
    refresh_child_summaries(db, [new])
    assert count_children(db, ChildFilter()) == 6
    assert ensure_child_summaries(db) is True
    assert ensure_child_summaries(db) is False
    with db.write() as conn:
        conn.execute(t.flags.update().values(cleared_on=dt.date(2024, 2, 1)))
    assert child_summaries_stale(db)
    ensure_child_summaries(db)
    assert count_children(db, ChildFilter(flagged_only=True)) == 0
    # A whole refresh builds the list's indexes after its rows: they are all back.
    with db.read() as conn:
        found = sorted(str(i["name"]) for i in sa.inspect(conn).get_indexes("child_summaries"))
    assert found == sorted(str(i.name) for i in t.child_summaries.indexes)


def test_the_flags_of_a_closed_case_are_no_longer_counted_as_open(
    db: Database, town: Authority
) -> None:
    from tests.support.cases import set_case

    callum = next(r for r in list_children(db) if r.forename == "Callum")
    assert callum.flag_count == 2
    set_case(db, callum.id, "LA\\officer", status="closed", note="Support in place.")
    ensure_child_summaries(db)
    callum = next(r for r in list_children(db) if r.forename == "Callum")
    assert callum.flag_count == 0  # the case is closed: none of its flags is waiting
    assert "Dunmore, Callum" not in names(list_children(db, ChildFilter(flagged_only=True)))
    set_case(db, callum.id, "LA\\officer", status="under review")  # reopened
    ensure_child_summaries(db)
    callum = next(r for r in list_children(db) if r.forename == "Callum")
    assert callum.flag_count == 2
    flagged = names(list_children(db, ChildFilter(flagged_only=True)))
    assert flagged == ["ashdown, Bethan", "Dunmore, Callum"]
