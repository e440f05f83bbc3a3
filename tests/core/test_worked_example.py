"""The worked example: a small authority whose flagged children are exactly those its story
names, each for the stated reasons, with the one family that needs whole-family support."""

from __future__ import annotations

from exclusion_monitor.flagging import flag_list, recompute_flags
from exclusion_monitor.profile import child_profile
from exclusion_monitor.records import MoveKind
from exclusion_monitor.store import Database
from exclusion_monitor.store.families import list_families
from tests.core import example_authority as story


def test_exactly_the_children_of_the_story_are_flagged_for_its_reasons(db: Database) -> None:
    example = story.build(db)
    summary = recompute_flags(db)
    assert summary.as_of == story.AS_OF
    flagged = {c.forename: set(c.rules) for c in flag_list(db)}
    assert flagged == story.EXPECTED
    reasons = {c.forename: " ".join(c.reasons) for c in flag_list(db)}
    assert "Permanently excluded from Ash Academy (3304002) on 20 February 2024" in reasons["Cara"]
    assert "3 suspensions in the last 3 terms (Autumn 2023 to Summer 2024)" in reasons["Dan"]
    assert "Elm Primary (3302001) on 12 March 2024 while in Year 3" in reasons["Ella"]
    assert "2 non-standard moves in the 24 months to 16 May 2024" in reasons["Finn"]
    assert "3 different secondary schools" in reasons["Finn"]
    assert (
        "Left Ash Academy (3304002) on 12 January 2024, 53 days after a suspension"
        in (reasons["Gia"])
    )
    assert (
        "On the roll of Oak High Academy (3304101) at the spring 2024 census (18 January 2024)"
        in (reasons["Hal"])
    )
    assert (
        "32 sessions of suspension at Ash Academy (3304002) in Spring 2024, over the 30"
        in (reasons["Kai"])
    )
    assert (
        "1 suspension (2 sessions) in Spring 2024, 2 suspensions (4 sessions) in Summer 2024"
        in (reasons["Lee"])
    )
    assert all(c.school_laestab for c in flag_list(db))
    assert example.ids["Aisha"] not in {c.child_id for c in flag_list(db)}


def test_the_moves_of_the_story_are_classified_as_it_says(db: Database) -> None:
    example = story.build(db)
    kinds = {
        name: [m.kind for m in child_profile(db, example.ids[name]).moves]
        for name in ("Aisha", "Ben", "Cara", "Finn", "Lee")
    }
    assert kinds == {
        "Aisha": [MoveKind.STANDARD, MoveKind.CONVERSION],
        "Ben": [MoveKind.STANDARD],
        "Cara": [MoveKind.PLACEMENT],
        "Finn": [MoveKind.NON_STANDARD, MoveKind.NON_STANDARD],
        "Lee": [MoveKind.CONVERSION],
    }


def test_the_family_at_canal_street_is_a_whole_family_case(db: Database) -> None:
    example = story.build(db)
    recompute_flags(db)
    flagged = list_families(db, flagged_only=True)
    assert [sorted(m.forename for m in f.members) for f in flagged] == [["Dan", "Ella"]]
    assert flagged[0].flagged_children == 2
    assert flagged[0].rule_counts == [("primary_exclusion", 1), ("repeated_suspensions", 1)]
    in_family = {c.forename: c.family_id for c in flag_list(db, family_only=True)}
    assert in_family == {"Dan": flagged[0].id, "Ella": flagged[0].id}
    dan = child_profile(db, example.ids["Dan"])
    assert [(m.forename, [f.rule for f in m.flags]) for m in dan.family] == [
        ("Ella", ["primary_exclusion"])
    ]
    assert dan.family_flagged == (
        2,
        2,
        [("primary_exclusion", 1), ("repeated_suspensions", 1)],
    )
