"""One record across returns (docs/rules.md): a late Former UPN merges two held children and undo
splits them; an amended return's values win with the earlier kept as history; one exclusion
across an academy conversion, whether the links come before the returns or after them. Each with
invented returns shaped as they arrive, undone in every order and compared table by table."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from exclusion_monitor.profile import child_profile
from exclusion_monitor.refresh import refresh_derived
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.batches import undo_batch
from exclusion_monitor.store.checks import run_checks
from exclusion_monitor.store.children import child_id_for_upn
from exclusion_monitor.store.families import link_children
from exclusion_monitor.store.flags import stored_flags
from exclusion_monitor.store.identity import list_identity_reviews, resolve_identity_review
from imports import import_files
from tests.support.cases import case_of, history_of, notes_of, set_case

from . import arriving_returns as returns
from .undo_orders import check_every_undo_order, exact, import_in_order


@pytest.fixture
def new_location(
    db_engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], str]]:
    """Addresses of new, empty databases on the test's engine (for undo in every order)."""
    count = itertools.count()
    if db_engine == "sqlite":
        yield lambda: str(tmp_path / f"orders{next(count)}.db")
        return
    from tests.support.postgres import TEMPLATE

    server = request.getfixturevalue("pg_server")
    made: list[str] = []

    def make() -> str:
        made.append(server.create_database(template=TEMPLATE))
        return str(server.url(made[-1]))

    yield make
    for name in made:
        server.drop_database(name)


def _import(db: Any, path: Path) -> Any:
    (result,) = import_files(db, [path], account="liaison1")
    assert result.status == "imported", result.message
    return result


def _count(db: Any, table: sa.Table) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _exclusions(db: Any, upn: str) -> list[tuple[Any, ...]]:
    child_id = child_id_for_upn(db, upn)
    e = t.exclusions.c
    with db.read() as conn:
        rows = conn.execute(
            sa.select(
                t.schools.c.laestab, e.category, e.start_date, e.sessions, e.reason1, e.reason2,
                e.end_date, e.review_outcome,
            )
            .join(t.schools, t.schools.c.id == e.school_id)
            .where(e.child_id == child_id)
            .order_by(e.start_date)
        )  # fmt: skip
        return [tuple(r) for r in rows]


# -- a late Former UPN ----------------------------------------------------------------------------
def test_a_late_former_upn_merges_the_two_children_and_undo_splits_them_back(
    tmp_path: Path, db: Any
) -> None:
    files = returns.late_former_upn(tmp_path)
    for path in files.files[:3]:
        _import(db, path)
    assert child_id_for_upn(db, returns.TEMPORARY) != child_id_for_upn(db, returns.PERMANENT)
    (near,) = list_identity_reviews(db)
    assert near.why == "same surname and date of birth, similar forename"
    before = exact(db)

    spring = _import(db, files.spring_census)
    kept = child_id_for_upn(db, returns.TEMPORARY)
    assert child_id_for_upn(db, returns.PERMANENT) == kept
    assert spring.warnings == [
        f"UPN {returns.PERMANENT} and its Former UPN {returns.TEMPORARY} are held as two "
        "children: merged into one child on this Former UPN (undoing this import separates "
        "them again) (row 2)"
    ]
    assert spring.merges == [
        {"kept_child": kept, "merged_child": kept + 2, "upn": returns.PERMANENT,
         "former_upn": returns.TEMPORARY, "row": 2}
    ]  # fmt: skip
    # The suspension both exclusions returns gave, under each UPN, is one exclusion with both
    # returns as its sources; the permanent UPN is current, the temporary one former.
    assert _exclusions(db, returns.PERMANENT) == [
        ("3304002", "SUSP", dt.date(2023, 11, 10), 2.0, "VA", None, dt.date(2023, 11, 10), None),
        ("3304002", "SUSP", dt.date(2024, 2, 5), 6.0, "PA", None, dt.date(2024, 2, 7), None),
    ]
    profile = child_profile(db, kept)
    assert profile.child.upn == returns.PERMANENT
    assert profile.child.former_upns == (returns.TEMPORARY,)
    assert [c.census_date for c in profile.census] == [dt.date(2023, 10, 5), dt.date(2024, 1, 18)]
    assert list_identity_reviews(db) == []  # the merge answered the near match
    assert all(check.ok for check in run_checks(db))

    undo_batch(db, spring.batch_id, "liaison1")
    assert exact(db) == before
    assert child_id_for_upn(db, returns.TEMPORARY) != child_id_for_upn(db, returns.PERMANENT)
    assert [r.why for r in list_identity_reviews(db)] == [near.why]
    assert len(_exclusions(db, returns.TEMPORARY)) == 1
    assert len(_exclusions(db, returns.PERMANENT)) == 2


def test_a_late_former_upn_undone_in_every_order(
    tmp_path: Path, db: Any, db_engine: str, new_location: Callable[[], str]
) -> None:
    files = returns.late_former_upn(tmp_path).files
    orders = None if db_engine == "sqlite" else [(3, 2, 1, 0), (0, 1, 2, 3), (3, 0, 2, 1)]
    assert check_every_undo_order(files, new_location, orders=orders) == (
        24 if orders is None else 3
    )


def test_one_return_giving_a_suspension_under_both_upns_comes_apart_again_in_every_order(
    tmp_path: Path, db: Any, db_engine: str, new_location: Callable[[], str]
) -> None:
    """The school's system listed the same suspension under the temporary and the permanent
    UPN in one return: once the Former UPN makes the two children one, one return gives the
    exclusion twice (the first row is kept); undoing the census brings both back."""
    files = returns.late_former_upn(tmp_path)
    both = returns.write(
        tmp_path,
        "oakfield_exclusions_both_upns.csv",
        returns.EXCLUSIONS,
        f"""
        {returns.TEMPORARY},Khan,Amelia-Rose,14/03/2012,3304002,Suspension,10/11/2023,,2,VA,,
        {returns.PERMANENT},Khan,Amelia,14/03/2012,3304002,Suspension,10/11/2023,,3,VA,,
        """,
    )
    _import(db, files.autumn_census)
    _import(db, both)
    _import(db, files.spring_census)
    assert [e[3] for e in _exclusions(db, returns.PERMANENT)] == [2.0]
    orders = None if db_engine == "sqlite" else [(2, 1, 0)]
    check_every_undo_order(
        [files.autumn_census, both, files.spring_census], new_location, orders=orders
    )


def test_a_former_upn_joining_children_who_disagree_waits_for_an_officer(
    tmp_path: Path, db: Any
) -> None:
    files = returns.late_former_upn(tmp_path, spring_dob="14/03/2013")
    for path in files.files[:2]:
        _import(db, path)
    # The summer return gives her permanent UPN with the spring census's date of birth.
    summer = files.summer_exclusions
    summer.write_text(summer.read_text().replace("14/03/2012", "14/03/2013"))
    _import(db, summer)
    assert list_identity_reviews(db) == []  # born a year apart: not even a near match
    spring = _import(db, files.spring_census)
    assert child_id_for_upn(db, returns.TEMPORARY) != child_id_for_upn(db, returns.PERMANENT)
    reason = (
        f"Former UPN: row 2 gives UPN {returns.PERMANENT} with Former UPN {returns.TEMPORARY}, "
        "but their dates of birth differ"
    )
    (review,) = list_identity_reviews(db)
    assert review.why == reason and review.former_upn_reason == reason
    assert {review.child.upns[0], review.candidate.upns[0]} == {
        returns.PERMANENT, returns.TEMPORARY,
    }  # fmt: skip
    assert (
        "their dates of birth differ: not merged; the pair waits for an officer"
        in (spring.warnings[0])
    )
    detail = {c.name: c for c in run_checks(db)}["identity reviews"]
    assert detail.ok and detail.detail.startswith("1 pair of children waits")
    assert "joined by a Former UPN" in detail.detail

    # The officer merges them: one child, and undoing the spring census leaves the decision.
    resolve_identity_review(db, review.id, "merge", "officer1")
    assert child_id_for_upn(db, returns.TEMPORARY) == child_id_for_upn(db, returns.PERMANENT)
    undo_batch(db, spring.batch_id, "liaison1")
    assert child_id_for_upn(db, returns.TEMPORARY) == child_id_for_upn(db, returns.PERMANENT)


def test_a_former_upn_added_to_an_open_near_match_shows_both_reasons_until_undone(
    tmp_path: Path, db: Any
) -> None:
    files = returns.late_former_upn(tmp_path)
    for path in files.files[:3]:
        _import(db, path)
    (near,) = list_identity_reviews(db)
    # The spring census gives the permanent UPN's child (held without a sex: exclusions returns
    # carry none) as a boy: not the girl of the temporary UPN, whatever the Former UPN says.
    spring_census = files.spring_census
    spring_census.write_text(spring_census.read_text().replace("14/03/2012,F", "14/03/2012,M", 1))
    spring = _import(db, spring_census)
    assert child_id_for_upn(db, returns.TEMPORARY) != child_id_for_upn(db, returns.PERMANENT)
    (review,) = list_identity_reviews(db)
    assert review.id == near.id
    assert review.why == (
        f"Former UPN: row 2 gives UPN {returns.PERMANENT} with Former UPN {returns.TEMPORARY}, "
        "but their recorded sex differs; also same surname and date of birth, similar forename"
    )
    undo_batch(db, spring.batch_id, "liaison1")
    (review,) = list_identity_reviews(db)
    assert review.why == near.why and review.former_upn_reason is None


def test_two_pupils_on_one_census_are_never_merged_on_a_former_upn(tmp_path: Path, db: Any) -> None:
    one, two, three = (
        returns.upn("330400216001"),
        returns.upn("330400216002"),
        returns.upn("330400216003"),
    )
    head = returns.CENSUS
    autumn = returns.write(tmp_path, "autumn.csv", head, [
        [one, "", "LEE", "Sam", "01/01/2012", "M", "7", "3304002", "05/10/2023", "C", "N", "N"],
        [two, "", "LEE", "Sami", "01/01/2012", "M", "7", "3302001", "05/10/2023", "C", "N", "N"],
        [three, "", "LEIGH", "Sam", "01/01/2012", "M", "7", "3301100", "05/10/2023", "S", "N",
         "N"],
    ])  # fmt: skip
    spring = returns.write(tmp_path, "spring.csv", head, [
        # A typed Former UPN naming another pupil held at another school at the same census.
        [two, one, "LEE", "Sami", "01/01/2012", "M", "7", "3302001", "18/01/2024", "C", "N", "N"],
        # Subsidiary at one school and main at another: a dual registration, so one child.
        [three, two, "LEIGH", "Sam", "01/01/2012", "M", "7", "3301100", "18/01/2024", "S", "N",
         "N"],
        # A Former UPN that is the pupil's own UPN says nothing.
        [one, one, "LEE", "Sam", "01/01/2012", "M", "7", "3304002", "18/01/2024", "C", "N", "N"],
    ])  # fmt: skip
    _import(db, autumn)
    result = _import(db, spring)
    assert child_id_for_upn(db, one) != child_id_for_upn(db, two)
    assert child_id_for_upn(db, two) == child_id_for_upn(db, three)
    assert result.warnings == [
        "the Former UPN is the pupil's own UPN and was ignored (row 4)",
        f"UPN {two} and its Former UPN {one} are held as two children, but both were on the "
        "rolls of schools 3302001 and 3304002 in the census of 05/10/2023: not merged; the pair "
        "waits for an officer in the identity reviews (row 2)",
        f"UPN {three} and its Former UPN {two} are held as two children: merged into one child "
        "on this Former UPN (undoing this import separates them again) (row 3)",
    ]


def test_former_upn_chains_and_a_child_merged_before(tmp_path: Path, db: Any) -> None:
    """A Former UPN that is another child's current UPN in a chain (C was B was A), and one
    that names a UPN whose child was merged into another since: the merges follow the UPNs."""
    a, b, c, d = (returns.upn(f"33040021700{n}") for n in range(1, 5))
    head = returns.CENSUS

    def pupil(the_upn: str, former: str, census: str, forename: str = "Kai") -> list[str]:
        return [the_upn, former, "OKORO", forename, "09/09/2011", "M", "8", "3304002", census,
                "C", "N", "N"]  # fmt: skip

    first = returns.write(tmp_path, "one.csv", head, [pupil(a, "", "05/10/2023")])
    second = returns.write(tmp_path, "two.csv", head, [pupil(b, a, "18/01/2024")])
    third = returns.write(tmp_path, "three.csv", head, [pupil(c, "", "16/05/2024", "Kaiden")])
    fourth = returns.write(tmp_path, "four.csv", head, [pupil(d, "", "06/06/2024", "K")])
    fifth = returns.write(tmp_path, "five.csv", head, [
        pupil(c, b, "03/10/2024", "Kaiden"),  # C's Former UPN B is the first child's current UPN
        pupil(d, a, "02/10/2024", "K"),  # A belongs to the first child, now merged with C
    ])  # fmt: skip
    for path in (first, second, third, fourth):
        _import(db, path)
    assert len({child_id_for_upn(db, x) for x in (a, b, c, d)}) == 3
    result = _import(db, fifth)
    assert len({child_id_for_upn(db, x) for x in (a, b, c, d)}) == 1
    assert [m["row"] for m in result.merges] == [2, 3]
    profile = child_profile(db, child_id_for_upn(db, a))
    assert profile.child.upn == a  # of permanent UPNs, the one known first stays current
    assert sorted(profile.child.former_upns) == sorted([b, c, d])
    undo_batch(db, result.batch_id, "liaison1")
    assert len({child_id_for_upn(db, x) for x in (a, b, c, d)}) == 3
    assert child_id_for_upn(db, a) == child_id_for_upn(db, b)


def test_a_merge_carries_flags_reviews_notes_and_family_decisions_and_undo_takes_them_back(
    tmp_path: Path, db: Any
) -> None:
    files = returns.late_former_upn(tmp_path)
    returns.add_suspensions(
        files.spring_exclusions, returns.TEMPORARY, "Amelia-Rose", ["20/11/2023", "27/11/2023"]
    )
    returns.add_suspensions(files.summer_exclusions, returns.PERMANENT, "Amelia", ["12/03/2024"])
    for path in files.files[:3]:
        _import(db, path)
    refresh_derived(db)
    permanent = child_id_for_upn(db, returns.PERMANENT)
    temporary = child_id_for_upn(db, returns.TEMPORARY)
    tom = child_id_for_upn(db, returns.TOM)
    assert permanent is not None and temporary is not None and tom is not None
    with db.read() as conn:
        flags = {(f.child_id, f.rule): f for f in stored_flags(conn)}
    kept_flag = flags[(temporary, "repeated_suspensions")]
    merged_flag = flags[(permanent, "repeated_suspensions")]
    set_case(db, permanent, "officer1", status="referred", note="Referred to early help.")
    set_case(db, temporary, "officer2", note="Parent meeting booked.")
    link_children(db, permanent, tom, "officer1")

    spring = _import(db, files.spring_census)
    refresh_derived(db)
    assert child_id_for_upn(db, returns.PERMANENT) == temporary
    with db.read() as conn:
        held = {f.id: f for f in stored_flags(conn)}
        decisions = conn.execute(
            sa.select(t.family_decisions.c.child_id, t.family_decisions.c.other_child_id)
        ).all()
    # One flag for the rule: the kept child's; one case, with both children's notes and history.
    assert merged_flag.id not in held
    assert held[kept_flag.id].child_id == temporary
    assert sorted(n.text for n in notes_of(db, temporary)) == [
        "Parent meeting booked.", "Referred to early help.",
    ]  # fmt: skip
    assert len(history_of(db, temporary)) == 3
    assert [tuple(d) for d in decisions] == [(temporary, tom)]

    undo_batch(db, spring.batch_id, "liaison1")
    refresh_derived(db)
    with db.read() as conn:
        held = {f.id: f for f in stored_flags(conn)}
        decisions = conn.execute(
            sa.select(t.family_decisions.c.child_id, t.family_decisions.c.other_child_id)
        ).all()
    assert (held[merged_flag.id].child_id, held[merged_flag.id].status) == (permanent, "referred")
    assert [n.text for n in notes_of(db, permanent)] == ["Referred to early help."]
    assert [n.text for n in notes_of(db, temporary)] == ["Parent meeting booked."]
    assert (case_of(db, temporary).status, len(history_of(db, temporary))) == ("new", 1)
    assert [tuple(d) for d in decisions] == [(permanent, tom)]


# -- an amended return --------------------------------------------------------------------------
def test_a_later_return_amends_an_exclusion_and_keeps_the_earlier_values_as_history(
    tmp_path: Path, db: Any
) -> None:
    files = returns.amended_return(tmp_path)
    _import(db, files.autumn_census)
    spring = _import(db, files.spring_exclusions)
    before_summer = exact(db)
    summer = _import(db, files.summer_exclusions)
    name = files.spring_exclusions.name
    assert summer.warnings == [
        f"amends this exclusion as returned in batch {spring.batch_id} ({name}): sessions 4 -> "
        "6; reasons VA -> VA, PA; end date blank -> 09/11/2023; this return's values are kept "
        "and the earlier ones stay in its history (row 2)",
        f"amends this exclusion as returned in batch {spring.batch_id} ({name}): review outcome "
        "blank -> Reinstated; this return's values are kept and the earlier ones stay in its "
        "history (row 3)",
    ]
    assert summer.rows_imported == 3
    assert _exclusions(db, returns.TOM) == [
        ("3304002", "SUSP", dt.date(2023, 11, 6), 6.0, "VA", "PA", dt.date(2023, 11, 9), None),
        # The summer return left the reasons blank: a blank never erases.
        ("3304002", "SUSP", dt.date(2023, 12, 4), 2.0, "DB", None, None, None),
    ]
    profile = child_profile(db, child_id_for_upn(db, returns.TOM))
    amended, plain = profile.exclusions
    (earlier,) = amended.earlier
    assert (earlier.batch_id, earlier.file_name, earlier.row_number) == (
        spring.batch_id,
        name,
        None,
    )
    assert earlier.said == (("sessions", "4"), ("reasons", "VA"), ("end date", "blank"))
    assert plain.earlier == ()
    (ivy,) = _exclusions(db, returns.IVY)
    assert ivy[-1] == "Reinstated"

    # Undoing the summer return gives back the spring values and nothing else.
    undo_batch(db, summer.batch_id, "liaison1")
    assert exact(db) == before_summer


def test_undoing_the_earlier_return_keeps_the_amended_values(tmp_path: Path, db: Any) -> None:
    files = returns.amended_return(tmp_path)
    _import(db, files.autumn_census)
    spring = _import(db, files.spring_exclusions)
    _import(db, files.summer_exclusions)
    undo_batch(db, spring.batch_id, "liaison1")
    assert _exclusions(db, returns.TOM) == [
        ("3304002", "SUSP", dt.date(2023, 11, 6), 6.0, "VA", "PA", dt.date(2023, 11, 9), None),
        ("3304002", "SUSP", dt.date(2023, 12, 4), 2.0, None, None, None, None),
    ]
    assert _count(db, t.record_versions) == 0  # one return left: nothing to tell apart


def test_a_corrected_census_changes_the_value_with_a_warning_and_keeps_the_first(
    tmp_path: Path, db: Any
) -> None:
    files = returns.amended_return(tmp_path)
    first = _import(db, files.autumn_census)
    corrected = _import(db, files.corrected_census)
    assert corrected.rows_imported == 2
    assert corrected.warnings == [
        f"amends this pupil's census details as returned in batch {first.batch_id} "
        f"({files.autumn_census.name}): free school meals no -> yes; this return's values are "
        "kept and the earlier ones stay in its history (row 2)"
    ]
    profile = child_profile(db, child_id_for_upn(db, returns.TOM))
    (census,) = profile.census
    assert census.fsm is True
    assert [r.said for r in census.earlier] == [(("free school meals", "no"),)]
    undo_batch(db, corrected.batch_id, "liaison1")
    (census,) = child_profile(db, child_id_for_upn(db, returns.TOM)).census
    assert census.fsm is False and census.earlier == ()


def test_amended_returns_undone_in_every_order(
    tmp_path: Path, db: Any, db_engine: str, new_location: Callable[[], str]
) -> None:
    files = returns.amended_return(tmp_path).files
    orders = None if db_engine == "sqlite" else [(3, 2, 1, 0), (1, 3, 0, 2)]
    check_every_undo_order(files, new_location, orders=orders)


# -- one exclusion across a conversion ------------------------------------------------------
def test_the_same_suspension_under_the_predecessor_and_the_academy_is_one_exclusion(
    tmp_path: Path, db: Any
) -> None:
    files = returns.conversion(tmp_path)
    _import(db, files.gias)
    _import(db, files.links)
    summer = _import(db, files.summer_return)
    autumn = _import(db, files.autumn_return)
    assert autumn.warnings == [
        f"amends this exclusion as returned in batch {summer.batch_id} "
        f"({files.summer_return.name}): sessions 2 -> 3; this return's values are kept and the "
        "earlier ones stay in its history (row 2)"
    ]
    # Excluded in July, before the conversion: the predecessor, open then, keeps it.
    assert _exclusions(db, returns.ZAK) == [
        ("3304010", "SUSP", dt.date(2023, 7, 3), 3.0, "DB", None, None, None),
        ("3304020", "SUSP", dt.date(2023, 10, 2), 2.0, "DB", None, None, None),
    ]


def test_a_links_file_arriving_last_joins_the_twins_and_undo_separates_them(
    tmp_path: Path, db: Any
) -> None:
    files = returns.conversion(tmp_path)
    for path in (files.gias, files.summer_return, files.autumn_return):
        _import(db, path)
    assert len(_exclusions(db, returns.ZAK)) == 3
    before = exact(db)
    links = _import(db, files.links)
    assert links.warnings == [
        "1 exclusion was returned under both a predecessor's and its successor's LAESTAB "
        "(3304010 and 3304020), which these links make one school: each is now one exclusion "
        "(undoing this import separates them)"
    ]
    assert _exclusions(db, returns.ZAK) == [
        ("3304010", "SUSP", dt.date(2023, 7, 3), 3.0, "DB", None, None, None),
        ("3304020", "SUSP", dt.date(2023, 10, 2), 2.0, "DB", None, None, None),
    ]
    with db.read() as conn:
        (merge,) = conn.execute(sa.select(t.record_merges)).all()
    assert merge.record_type == "exclusions" and json.loads(merge.detail)["dropped"] == []
    undo_batch(db, links.batch_id, "liaison1")
    assert exact(db) == before


@pytest.mark.parametrize("links_last", [True, False])
def test_a_conversion_undone_in_every_order(
    tmp_path: Path,
    db: Any,
    db_engine: str,
    new_location: Callable[[], str],
    links_last: bool,
) -> None:
    files = returns.conversion(tmp_path)
    middle = [files.summer_return, files.autumn_return]
    order = [files.gias, *middle, files.links] if links_last else [files.gias, files.links, *middle]
    orders = None if db_engine == "sqlite" else [(3, 2, 1, 0), (1, 2, 3, 0)]
    check_every_undo_order(order, new_location, orders=orders, register_first=True)


def test_import_in_order_names_each_batch(tmp_path: Path, db: Any) -> None:
    files = returns.conversion(tmp_path)
    batches = import_in_order(db, [files.gias, files.links])
    assert sorted(batches) == ["gias_extract.csv", "gias_links.csv"]
