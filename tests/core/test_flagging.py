"""The flag store: recompute raises, refreshes, clears and re-raises flags without losing
cases; subset recomputes; the flag list and its filters; cases and notes; families."""

from __future__ import annotations

import pytest

from exclusion_monitor.errors import InvalidInputError, NotFoundError
from exclusion_monitor.flagging import flag_list, flags_are_current, recompute_flags
from exclusion_monitor.profile import child_profile
from exclusion_monitor.store import Database
from exclusion_monitor.store.children import child_id_for_upn
from exclusion_monitor.store.families import link_children, list_families, unlink_children
from exclusion_monitor.store.settings import set_setting
from tests.core.builders import Builder, D, autumn, censuses, make_upn, spring, summer
from tests.support.cases import case_of, history_of, notes_of, officer, set_case


@pytest.fixture
def town(db: Database) -> tuple[Builder, dict[str, int]]:
    b = Builder(db)
    ids = {
        "primary": b.school("Elm Primary", "primary", low_age=4, high_age=11),
        "oak": b.school("Oak High", "secondary", low_age=11, high_age=16),
        "ash": b.school("Ash Academy", "secondary", low_age=11, high_age=16),
    }
    ids["amy"] = b.child("Amy", "Brookfield", born=D(2010, 3, 1))
    b.on_roll(
        ids["amy"], ids["oak"], censuses(2021, 2024), "7", address="4 Mill Lane", postcode="B2 2BB"
    )
    for day in (D(2023, 9, 12), D(2024, 2, 5), D(2024, 4, 22)):
        b.exclusion(ids["amy"], ids["oak"], day)
    ids["sam"] = b.child("Sam", "Brookfield", born=D(2015, 6, 1))
    b.on_roll(
        ids["sam"],
        ids["primary"],
        censuses(2019, 2024),
        "R",
        address="4 Mill Ln.",
        postcode="b22bb",
    )
    ids["kit"] = b.child("Kit", "Daleford", born=D(2010, 5, 1))
    b.on_roll(
        ids["kit"],
        ids["ash"],
        censuses(2021, 2024),
        "7",
        address="9 Rose Street",
        postcode="B3 3CC",
    )
    return b, ids


def _rules(db: Database, child_id: int) -> list[str]:
    return [f.rule for f in child_profile(db, child_id).flags]


def test_recompute_raises_then_refreshes_without_duplicates(
    db: Database, town: tuple[Builder, dict[str, int]]
) -> None:
    first = recompute_flags(db)
    assert first.as_of == summer(2024)
    assert (first.raised, first.by_rule) == (1, {"repeated_suspensions": 1})
    again = recompute_flags(db)
    assert (again.raised, again.seen_again, again.cleared) == (0, 1, 0)
    listed = flag_list(db)
    assert [(c.forename, c.rules, c.school_laestab) for c in listed] == [
        ("Amy", ["repeated_suspensions"], "3302002")
    ]
    assert flags_are_current(db)


def test_a_flag_that_no_longer_holds_is_cleared_and_keeps_its_case(
    db: Database, town: tuple[Builder, dict[str, int]]
) -> None:
    b, ids = town
    recompute_flags(db)
    flag_id = flag_list(db)[0].flags[0].flag_id
    assert flag_id is not None
    officer(db, "officer.two")
    set_case(db, ids["amy"], "officer.one", status="under review")
    set_case(db, ids["amy"], "officer.one", officer="officer.two")
    set_case(db, ids["amy"], "officer.two", note="Spoke to the school; a support plan is in place.")
    # A year on, the suspensions are outside the last three terms: the flag is cleared.
    for day in (autumn(2024), spring(2025), summer(2025)):
        b.census(ids["amy"], ids["oak"], day, "10")
        b.census(ids["sam"], ids["primary"], day, "4")
        b.census(ids["kit"], ids["ash"], day, "10")
    later = recompute_flags(db)
    assert later.cleared == 1 and flag_list(db) == []
    profile = child_profile(db, ids["amy"])
    assert profile.flags == () and [f.rule for f in profile.cleared_flags] == [
        "repeated_suspensions"
    ]
    assert profile.cleared_flags[0].cleared_on == summer(2025)
    # A new run of suspensions raises the same flag again, the case and its notes intact.
    for day in (D(2024, 11, 4), D(2025, 2, 3), D(2025, 5, 1)):
        b.exclusion(ids["amy"], ids["oak"], day)
    back = recompute_flags(db)
    assert back.reopened == 1 and back.raised == 0
    row = flag_list(db)[0].flags[0]
    assert (row.flag_id, row.status, row.assigned_to, row.cleared_on) == (
        flag_id,
        "under_review",
        "officer.two",
        None,
    )
    assert row.first_raised == summer(2024) and row.last_seen == D(2025, 5, 16)
    assert [n.text for n in notes_of(db, ids["amy"])] == [
        "Spoke to the school; a support plan is in place."
    ]
    assert [(e.what, e.new_value) for e in history_of(db, ids["amy"])] == [
        ("status", "under_review"),
        ("officer", "officer.two"),
        ("note", None),
    ]


def test_cases_refuse_unknown_children_statuses_officers_and_a_close_without_a_note(
    db: Database, town: tuple[Builder, dict[str, int]]
) -> None:
    _, ids = town
    recompute_flags(db)
    with pytest.raises(InvalidInputError, match="not a case status"):
        set_case(db, ids["amy"], "officer.one", status="ignored")
    with pytest.raises(NotFoundError):
        set_case(db, 10_000, "officer.one", status="closed", note="x")
    with pytest.raises(InvalidInputError, match="is not a user"):
        set_case(db, ids["amy"], "officer.one", officer="Someone Typed")
    with pytest.raises(InvalidInputError, match="A note is needed for closing"):
        set_case(db, ids["amy"], "officer.one", status="closed")
    with pytest.raises(InvalidInputError, match="A note is needed"):
        set_case(db, ids["amy"], "officer.one", status="no further action", note="   ")
    assert case_of(db, ids["amy"]).id is None  # nothing was written by the refusals
    assert set_case(db, ids["amy"], "officer.one", status="referred").changed == ("status",)
    assert set_case(db, ids["amy"], "officer.one", status="referred").changed == ()
    assert [c.forename for c in flag_list(db, statuses=["referred"])] == ["Amy"]
    assert flag_list(db, statuses=["closed"]) == []


def test_thresholds_come_from_settings(db: Database, town: tuple[Builder, dict[str, int]]) -> None:
    recompute_flags(db)
    set_setting(db, "rules.repeated_suspensions.min_suspensions", 4)
    assert not flags_are_current(db)
    summary = recompute_flags(db)
    assert summary.cleared == 1 and flag_list(db) == []
    set_setting(db, "rules.repeated_suspensions.min_suspensions", 2)
    set_setting(db, "rules.repeated_suspensions.enabled", False)
    assert recompute_flags(db).flags_held == 0


def test_flags_as_of_an_earlier_date_are_evaluated_without_changing_the_store(
    db: Database, town: tuple[Builder, dict[str, int]]
) -> None:
    recompute_flags(db)
    assert flag_list(db, as_of=D(2023, 12, 31)) == []  # only 2 suspensions by then
    assert [c.forename for c in flag_list(db, as_of=D(2024, 4, 22))] == ["Amy"]
    assert [c.forename for c in flag_list(db)] == ["Amy"]


def test_recompute_of_some_children_leaves_the_others_alone(
    db: Database, town: tuple[Builder, dict[str, int]]
) -> None:
    b, ids = town
    recompute_flags(db)
    for day in (D(2023, 10, 10), D(2024, 2, 10), D(2024, 4, 25)):
        b.exclusion(ids["kit"], ids["ash"], day)
    part = recompute_flags(db, child_ids=[ids["kit"]])
    assert part.children == 1 and part.raised == 1
    assert [c.forename for c in flag_list(db)] == ["Amy", "Kit"]
    assert [c.forename for c in flag_list(db, school_laestab="3302003")] == ["Kit"]
    assert [c.forename for c in flag_list(db, rules=["permanent_exclusion"])] == []


def test_families_by_address_with_flags_and_officer_decisions(
    db: Database, town: tuple[Builder, dict[str, int]]
) -> None:
    b, ids = town
    recompute_flags(db)
    families = list_families(db)
    assert [sorted(m.forename for m in f.members) for f in families] == [["Amy", "Sam"]]
    assert families[0].basis == "address"
    assert families[0].rule_counts == [("repeated_suspensions", 1)]
    amy = child_profile(db, ids["amy"])
    assert [m.forename for m in amy.family] == ["Sam"] and amy.family_id == families[0].id
    sam = child_profile(db, ids["sam"])
    assert [(m.forename, [f.rule for f in m.flags]) for m in sam.family] == [
        ("Amy", ["repeated_suspensions"])
    ]
    assert [c.forename for c in flag_list(db, family_only=True)] == ["Amy"]
    # The officer links Kit (another address) and unlinks Sam; both survive a re-import.
    link_children(db, ids["kit"], ids["amy"], "officer.one")
    unlink_children(db, ids["sam"], ids["amy"], "officer.one")
    b.census(
        ids["sam"], ids["primary"], autumn(2024), "4", address="4 Mill Lane", postcode="B2 2BB"
    )
    recompute_flags(db, child_ids=[ids["sam"]])
    assert [sorted(m.forename for m in f.members) for f in list_families(db)] == [["Amy", "Kit"]]
    recompute_flags(db)
    assert [sorted(m.forename for m in f.members) for f in list_families(db)] == [["Amy", "Kit"]]
    with pytest.raises(InvalidInputError):
        link_children(db, ids["kit"], ids["kit"], "officer.one")


def test_a_family_reference_wins_over_the_address(db: Database) -> None:
    b = Builder(db)
    school = b.school("Elm Primary", "primary")
    one, two = b.child("Rae"), b.child("Tom")
    b.on_roll(
        one, school, [summer(2024)], "3", address="1 A Road", postcode="B1 1AA", family_ref="FAM-7"
    )
    b.on_roll(
        two,
        school,
        [summer(2024)],
        "5",
        address="77 Far Road",
        postcode="B9 9ZZ",
        family_ref="fam-7 ",
    )
    recompute_flags(db)
    families = list_families(db)
    assert len(families) == 1 and families[0].basis == "reference" and len(families[0].members) == 2


def test_a_former_or_temporary_upn_finds_the_same_child(db: Database) -> None:
    b = Builder(db)
    temporary, former, current = make_upn(temporary=True), make_upn(), make_upn()
    child = b.child("Lou", upn=current, former=[temporary, former])
    assert {child_id_for_upn(db, u) for u in (temporary, former, current)} == {child}
    profile = child_profile(db, child)
    assert profile.child.upn == current and set(profile.child.former_upns) == {temporary, former}


def test_the_authority_kept_between_profiles_is_read_again_when_the_data_changes(
    db: Database, town: tuple[Builder, dict[str, int]]
) -> None:
    """Opening profile after profile reads the authority (schools, links, which censuses each
    school returned) once; any change to the data, or another as-of date, reads it again."""
    from exclusion_monitor.census_collections import collection_of
    from exclusion_monitor.flagging import authority_as_of

    b, _ = town
    as_of = summer(2024)
    with db.read() as conn:
        first = authority_as_of(db, conn, as_of)
        assert authority_as_of(db, conn, as_of) is first  # nothing changed: kept
        assert authority_as_of(db, conn, spring(2024)) is not first  # another date
        first = authority_as_of(db, conn, as_of)
    birch = b.school("Birch Primary", "primary", low_age=4, high_age=11)
    zed = b.child("Zed", "Ormley", born=D(2016, 2, 1))
    b.on_roll(zed, birch, [summer(2024)], "2")
    with db.read() as conn:
        again = authority_as_of(db, conn, as_of)
    assert again is not first
    assert collection_of(summer(2024)) in again.returned(birch)
    assert birch not in first.schools


ADMIN = "LA\\admin1"


def test_a_profile_is_opened_on_one_computation_of_the_fingerprint(
    db: Database, town: tuple[Builder, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a profile checks the stored flags against the data's fingerprint and keys the
    authority kept between profiles by it, in one read: the fingerprint counts whole tables
    (tens of milliseconds on a server at an authority's size), so it is computed once."""
    from exclusion_monitor.store import flags as flag_store
    from exclusion_monitor.store.users import claim_first_admin
    from operations.viewing import open_child

    _, ids = town
    claim_first_admin(db, ADMIN)
    recompute_flags(db)
    real = flag_store.data_fingerprint
    calls: list[int] = []

    def counted(conn: object) -> str:
        calls.append(1)
        return real(conn)  # type: ignore[arg-type]

    monkeypatch.setattr(flag_store, "data_fingerprint", counted)
    for child in (ids["amy"], ids["kit"]):
        calls.clear()
        open_child(db, ADMIN, child)
        assert len(calls) == 1


def test_a_profile_opened_on_changed_data_is_read_with_the_flags_brought_up_to_date(
    db: Database, town: tuple[Builder, dict[str, int]]
) -> None:
    """Data changed since the profile before (a new school, Kit excluded three times): the
    stored flags are brought up to date before the profile is read, so each flag shown is a
    stored one with its review, and the kept authority is read again (it knows the new school)."""
    from exclusion_monitor.store.users import claim_first_admin
    from operations.viewing import open_child

    b, ids = town
    claim_first_admin(db, ADMIN)
    recompute_flags(db)
    assert open_child(db, ADMIN, ids["kit"]).value.flags == ()
    birch = b.school("Birch Primary", "primary", low_age=4, high_age=11)
    zed = b.child("Zed", "Ormley", born=D(2016, 2, 1))
    b.on_roll(zed, birch, [summer(2024)], "2")
    for day in (D(2023, 9, 12), D(2024, 2, 5), D(2024, 4, 22)):
        b.exclusion(ids["kit"], ids["ash"], day)
    assert not flags_are_current(db)
    kit = open_child(db, ADMIN, ids["kit"]).value
    assert flags_are_current(db)
    assert [f.rule for f in kit.flags] == ["repeated_suspensions"]
    assert all(f.flag_id is not None for f in kit.flags)
    zed_profile = open_child(db, ADMIN, zed).value
    assert [c.school_name for c in zed_profile.census] == ["Birch Primary"]


def test_the_kept_authority_is_read_again_when_the_school_link_types_change(
    db: Database, town: tuple[Builder, dict[str, int]]
) -> None:
    """The admin's school link types decide which linked schools are one school: a change to
    the file makes the flags out of date, and the authority kept between profiles with them."""
    from exclusion_monitor import config
    from exclusion_monitor.flagging import authority_as_of

    b, ids = town
    b.link(ids["oak"], ids["ash"], "Invented Link")  # a type the shipped list does not know
    with db.read() as conn:
        first = authority_as_of(db, conn, summer(2024))
    assert not first.same_school(ids["oak"], ids["ash"])
    extra = config.data_dir() / "school_link_types.csv"
    extra.parent.mkdir(parents=True, exist_ok=True)
    extra.write_text(
        "link_type,one_school,link_is,orient_by_dates,why\n"
        "Invented Link,yes,successor,no,Made up for this test.\n",
        encoding="utf-8",
    )
    with db.read() as conn:
        again = authority_as_of(db, conn, summer(2024))
    assert again.same_school(ids["oak"], ids["ash"])


def _count_authority_reads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    from exclusion_monitor import flagging

    real = flagging.histories.load_authority
    reads: list[object] = []

    def counted(conn: object, *, as_of: object = None) -> object:
        reads.append(as_of)
        return real(conn, as_of=as_of)  # type: ignore[arg-type]

    monkeypatch.setattr(flagging.histories, "load_authority", counted)
    return reads


def test_the_authority_read_ahead_or_by_a_recompute_is_the_one_the_first_profile_uses(
    db: Database, town: tuple[Builder, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app reads the authority ahead when it starts, and a recompute leaves the one it read:
    the first profile opened after either reads no authority of its own."""
    from exclusion_monitor.flagging import read_authority_ahead
    from exclusion_monitor.store import open_database
    from exclusion_monitor.store.users import claim_first_admin
    from operations.viewing import open_child

    _, ids = town
    claim_first_admin(db, ADMIN)
    reads = _count_authority_reads(monkeypatch)
    recompute_flags(db)
    assert len(reads) == 1
    open_child(db, ADMIN, ids["amy"])
    assert len(reads) == 1
    started = open_database(db.location)  # the app started again: nothing kept yet
    try:
        read_authority_ahead(started)
        assert len(reads) == 2
        open_child(started, ADMIN, ids["amy"])
        open_child(started, ADMIN, ids["kit"])
        assert len(reads) == 2
    finally:
        started.close()


def test_a_profile_waits_for_the_authority_being_read_ahead_rather_than_reading_it_too(
    db: Database, town: tuple[Builder, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from exclusion_monitor import flagging
    from exclusion_monitor.store import open_database
    from exclusion_monitor.store.users import claim_first_admin
    from operations.viewing import open_child

    _, ids = town
    claim_first_admin(db, ADMIN)
    recompute_flags(db)
    db = open_database(db.location)  # the app started again: nothing kept yet
    started = threading.Event()
    release = threading.Event()
    real = flagging.histories.load_authority
    reads: list[object] = []

    def slow(conn: object, *, as_of: object = None) -> object:
        reads.append(as_of)
        started.set()
        assert release.wait(20)
        return real(conn, as_of=as_of)  # type: ignore[arg-type]

    monkeypatch.setattr(flagging.histories, "load_authority", slow)
    ahead = threading.Thread(target=flagging.read_authority_ahead, args=(db,))
    ahead.start()
    assert started.wait(20)
    shown: list[object] = []
    opening = threading.Thread(target=lambda: shown.append(open_child(db, ADMIN, ids["amy"])))
    opening.start()
    opening.join(0.3)  # the profile is waiting, not reading the authority itself
    release.set()
    ahead.join(20)
    opening.join(20)
    db.close()
    assert len(shown) == 1 and len(reads) == 1
