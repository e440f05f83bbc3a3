"""Incremental flags hold equal to a whole recompute: seeded random sequences of imports and undos
of the demo's returns, of near matches of its children and officers' merges, keep-aparts, family
links, unlinks and answers to family suggestions, each followed by the product's own follow-up
(which recomputes only the children the change touched when it can), and after each step a whole
recompute must find nothing to change in the stored flags, the children's status or the families;
on both engines (docs/architecture.md#incremental-flags)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from exclusion_monitor import flagging, identity
from exclusion_monitor.store import Database
from exclusion_monitor.store import flags as flag_store
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.batches import list_batches
from exclusion_monitor.store.families import family_ids_of, family_suggestions, members_of
from exclusion_monitor.store.identity import list_identity_reviews, resolve_identity_review
from exclusion_monitor.upn import check_letter
from imports.demo import DemoManifest, build_demo_returns
from operations import admin
from operations.imports import ImportRequest, run_imports, undo_import
from operations.people import answer_family_suggestion, change_family, decide_identity_review

ACCOUNT = "LA\\admin1"
RECORDS = {"census", "exclusions", "enrolments"}  # undoing the school register is not tried


@pytest.fixture(autouse=True)
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "os_account", lambda: ACCOUNT)


_WHOLE = flagging.recompute_flags  # the real recompute, for the tests' own whole runs


def _count_recomputes(monkeypatch: pytest.MonkeyPatch, module: Any = flagging) -> list[bool]:
    """Note each recompute the product asks for through `module` (True: of some children only;
    False: of every child), and still run it."""
    calls: list[bool] = []

    def counted(database: Database, **kwargs: Any) -> flagging.RecomputeSummary:
        calls.append(kwargs.get("child_ids") is not None)
        return _WHOLE(database, **kwargs)

    monkeypatch.setattr(module, "recompute_flags", counted)
    return calls


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return build_demo_returns(tmp_path_factory.mktemp("returns"), 240, seed=17)


def _stored(db: Database) -> dict[str, Any]:
    """Everything a recompute writes, without row times."""
    f = t.flags
    with db.read() as conn:
        return {
            "flags": sorted(
                conn.execute(
                    sa.select(
                        f.c.id,
                        f.c.child_id,
                        f.c.rule,
                        f.c.rule_version,
                        f.c.as_of,
                        f.c.reason,
                        f.c.evidence,
                        f.c.first_raised,
                        f.c.last_seen,
                        f.c.cleared_on,
                        f.c.reviewed_by,
                    )
                ).all()
            ),
            "status": sorted(conn.execute(sa.select(t.child_status)).all()),
            "families": sorted(
                conn.execute(sa.select(t.families.c.id, t.families.c.family_key)).all()
            ),
            "members": sorted(conn.execute(sa.select(t.family_members)).all()),
            "keys": sorted(conn.execute(sa.select(t.child_family_keys)).all()),
        }


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_recompute_equals_a_whole_one(
    db: Database,
    manifest: DemoManifest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    seed: int,
) -> None:
    calls = _count_recomputes(monkeypatch)
    rng = random.Random(seed)
    files = list(manifest.files)
    steps = 0
    decided: list[str] = []  # the officers' decisions made, in order
    while files and steps < 60:
        steps += 1
        live = [b.id for b in list_batches(db) if b.status != "undone" and b.kind in RECORDS]
        first_call = len(calls)
        decision = _decide(db, rng, steps) if live and rng.random() < 0.4 else None
        if decision is not None:
            decided.append(decision)
            # A merge or a family decision is followed by a recompute of its children only;
            # keeping a pair apart changes nothing the flags rest on.
            assert calls[first_call:] == ([] if decision == "keep_apart" else [True]), (
                steps,
                decision,
            )
        elif live and rng.random() < 0.15:
            _import_near_matches(db, rng, tmp_path / f"near_{steps}.csv")
        elif live and rng.random() < 0.3:
            undo_import(db, rng.choice(live), account=ACCOUNT)
        else:
            file = files.pop(0)
            run_imports(
                db,
                [ImportRequest(file.path, file.kind, file.census_date)],
                account=ACCOUNT,
            )
        assert flagging.flags_are_current(db), (
            steps,
            [(b.id, b.status, b.kind) for b in list_batches(db)],
        )
        after_step = _stored(db)
        summary = _WHOLE(db)  # a whole recompute straight after changes nothing
        assert (summary.raised, summary.cleared, summary.reopened) == (0, 0, 0), (steps, decided)
        assert _stored(db) == after_step, (steps, decided)
    assert sum(calls) >= 5, "too few steps were followed by an incremental recompute"
    assert {"merge", "link", "unlink"} <= set(decided), decided


def _decide(db: Database, rng: random.Random, step: int) -> str | None:
    """One officer's decision through the operations, chosen at random among those the data
    allows: merge or keep apart a near match, link two children, unlink one from their family,
    answer a family suggestion. Returns what was decided (None: nothing could be)."""
    with db.read() as conn:
        children = sorted(conn.execute(sa.select(t.children.c.id)).scalars())
        families = members_of(conn, conn.execute(sa.select(t.families.c.id)).scalars())
    reviews = list_identity_reviews(db)
    suggestions = family_suggestions(db)
    choices = [
        *(["merge", "merge", "keep_apart"] if reviews else []),
        *(["link"] if len(children) >= 2 else []),
        *(["unlink"] if families else []),
        *(["suggestion"] if suggestions else []),
    ]
    if not choices:
        return None
    choice = rng.choice(choices)
    if choice in ("merge", "keep_apart"):
        decide_identity_review(db, ACCOUNT, rng.choice(reviews).id, choice)
    elif choice == "link":
        one, other = rng.sample(children, 2)
        change_family(db, ACCOUNT, "link", one, other)
    elif choice == "unlink":
        one, other = rng.sample(families[rng.choice(sorted(families))], 2)
        change_family(db, ACCOUNT, "unlink", one, other)
    else:
        suggestion = rng.choice(suggestions)
        answer_family_suggestion(db, ACCOUNT, suggestion.children, is_family=rng.random() < 0.5)
    return choice


NEAR_HEADERS = [
    "UPN", "Surname", "Forename", "Date of birth", "Sex", "NC year", "LAESTAB", "Enrol status",
    "Address line 1", "Postcode",
]  # fmt: skip


def _import_near_matches(db: Database, rng: random.Random, path: Path) -> None:
    """A census on a date already in the data with near matches of one to three children: each
    a new UPN with the child's name, birth date and school, living at the child's address or at
    another child's (so merging it changes that household's family too)."""
    co, c = t.census_observations.c, t.children.c
    with db.read() as conn:
        rows = conn.execute(
            sa.select(
                c.surname,
                c.forename,
                c.date_of_birth,
                c.sex,
                co.nc_year,
                t.schools.c.laestab,
                co.census_date,
                co.address_line1,
                co.postcode,
            )
            .join(t.children, c.id == co.child_id)
            .join(t.schools, t.schools.c.id == co.school_id)
            .order_by(co.id)
        ).all()
        serial = conn.execute(sa.select(sa.func.count()).select_from(t.child_identifiers))
        first = int(serial.scalar_one())
    if not rows:
        return
    census_date = rng.choice(rows).census_date
    on_the_day = [r for r in rows if r.census_date == census_date]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(NEAR_HEADERS)
        for n, row in enumerate(rng.sample(on_the_day, min(3, len(on_the_day)))):
            home = row if rng.random() < 0.5 else rng.choice(on_the_day)
            body = f"99999{(first + n) % 10_000_000:07d}"
            writer.writerow([
                check_letter(body) + body, row.surname, row.forename,
                row.date_of_birth.strftime("%d/%m/%Y") if row.date_of_birth else "",
                row.sex or "", row.nc_year or "", row.laestab, "C",
                home.address_line1 or "", home.postcode or "",
            ])  # fmt: skip
    (result,) = run_imports(db, [ImportRequest(path, "census", census_date)], account=ACCOUNT).value
    assert result.status == "imported", result.message


CENSUS_HEADERS = ["UPN", "Surname", "Forename", "Date of birth", "Sex", "NC year", "LAESTAB"]


def _census(path: Path, pupils: list[tuple[int, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CENSUS_HEADERS)
        for number, laestab in pupils:
            body = f"330400215{number:03d}"
            writer.writerow([check_letter(body) + body, "Tester", f"Kid{number}", "01/03/2013", "M",
                             "4", laestab])  # fmt: skip
    return path


def test_a_school_return_recomputes_the_children_it_leaves_out(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One school's census, on a date another school already returned, without a child it had:
    that child is in no row of the import, yet is now missing from the school's roll."""
    calls = _count_recomputes(monkeypatch)
    autumn, spring = dt.date(2023, 10, 5), dt.date(2024, 1, 18)
    steps = [
        (_census(tmp_path / "autumn.csv", [(1, "3304001"), (2, "3304002")]), autumn),
        (_census(tmp_path / "spring_b.csv", [(2, "3304002")]), spring),
        (_census(tmp_path / "spring_a.csv", [(3, "3304001")]), spring),
    ]
    for path, day in steps:
        (result,) = run_imports(db, [ImportRequest(path, "census", day)], account=ACCOUNT).value
        assert result.status == "imported", result.message
    assert calls == [False, False, True]
    with db.read() as conn:
        statuses = [row.status for row in conn.execute(sa.select(t.child_status))]
    assert "missing" in statuses
    after = _stored(db)
    summary = _WHOLE(db)
    assert (summary.raised, summary.cleared, summary.reopened) == (0, 0, 0)
    assert _stored(db) == after


def test_a_merge_changes_the_data_fingerprint(db: Database, tmp_path: Path) -> None:
    """A merge only re-points rows and deletes one child: the fingerprint must see it, or the
    flags would be taken to be current on data that changed under them."""
    path = tmp_path / "near.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CENSUS_HEADERS)
        for number, forename, born in (
            (1, "Jon", "01/03/2013"),
            (2, "John", "01/03/2013"),
            (3, "Zed", "05/06/2012"),
        ):
            body = f"330400215{number:03d}"
            writer.writerow([check_letter(body) + body, "Tester", forename, born, "M", "4",
                             "3304001"])  # fmt: skip
    run_imports(db, [ImportRequest(path, "census", dt.date(2023, 10, 5))], account=ACCOUNT)
    assert flagging.flags_are_current(db)
    (review,) = list_identity_reviews(db)
    newest = sa.select(
        sa.select(sa.func.max(t.children.c.id)).scalar_subquery(),
        sa.select(sa.func.max(t.child_identifiers.c.id)).scalar_subquery(),
    )
    with db.read() as conn:
        before = flag_store.data_fingerprint(conn)
        ids_before = conn.execute(newest).one()
    resolve_identity_review(db, review.id, "merge", ACCOUNT)
    with db.read() as conn:
        assert conn.execute(newest).one() == ids_before  # Zed is newer than both
        assert flag_store.data_fingerprint(conn) != before
    assert not flagging.flags_are_current(db)


def test_a_merge_regroups_the_family_of_the_child_merged_away(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A near match of Ben, seen in the spring at Amy's address, makes a family with her; merged
    into Ben (who lives elsewhere) it leaves her alone. Nothing of Amy's changed, and the child
    merged away is gone with its keys and family rows: only the merge's note can name her."""
    calls = _count_recomputes(monkeypatch)
    amy_home, ben_home = ("1 High Street", "AB1 2CD"), ("2 Low Road", "AB1 3EF")
    autumn = _near_census(
        tmp_path / "autumn.csv",
        [(1, "Able", "Amy", "02/02/2013", amy_home), (2, "Baker", "Ben", "03/03/2013", ben_home)],
    )
    spring = _near_census(tmp_path / "spring.csv", [(3, "Baker", "Ben", "03/03/2013", amy_home)])
    for path, day in ((autumn, dt.date(2023, 10, 5)), (spring, dt.date(2023, 5, 18))):
        (result,) = run_imports(db, [ImportRequest(path, "census", day)], account=ACCOUNT).value
        assert result.status == "imported", result.message
    (review,) = list_identity_reviews(db)
    amy = _child_with_forename(db, "Amy")
    with db.read() as conn:
        (family,) = members_of(conn, [family_ids_of(conn, [amy])[amy]]).values()
    spring_ben = max(review.child.id, review.candidate.id)  # the later child is merged away
    assert family == sorted([amy, spring_ben])
    calls.clear()
    decide_identity_review(db, ACCOUNT, review.id, "merge")
    assert calls == [True]
    with db.read() as conn:
        assert family_ids_of(conn) == {}
    after = _stored(db)
    summary = _WHOLE(db)
    assert (summary.raised, summary.cleared, summary.reopened) == (0, 0, 0)
    assert _stored(db) == after


def _near_census(path: Path, pupils: list[tuple[int, str, str, str, tuple[str, str]]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(NEAR_HEADERS)
        for number, surname, forename, born, (line, postcode) in pupils:
            body = f"330400215{number:03d}"
            writer.writerow([check_letter(body) + body, surname, forename, born, "M", "4",
                             "3304001", "C", line, postcode])  # fmt: skip
    return path


def _child_with_forename(db: Database, forename: str) -> int:
    with db.read() as conn:
        query = sa.select(t.children.c.id).where(t.children.c.forename == forename)
        return int(conn.execute(query).scalar_one())


def test_a_child_moving_out_of_a_communal_address_regroups_those_left(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three surnames at one address make it communal (more than two); when one school's census
    moves its pupil out, the two left at another school are an ordinary household again, though
    the import touched neither of them."""
    calls = _count_recomputes(monkeypatch)
    shared, elsewhere = ("3 Mill Lane", "AB1 4GH"), ("4 Far Close", "AB1 5JK")
    pupils = {
        "x": (1, "Smith", "Xan", "02/02/2013", "3304002"),
        "y": (2, "Jones", "Yan", "03/03/2013", "3304001"),
        "z": (3, "Brown", "Zan", "04/04/2012", "3304001"),
    }
    steps = [
        (dt.date(2023, 10, 5), [("x", shared), ("y", shared), ("z", shared)]),
        (dt.date(2024, 1, 18), [("y", shared), ("z", shared)]),
        (dt.date(2024, 1, 18), [("x", elsewhere)]),
    ]
    for n, (day, rows) in enumerate(steps):
        path = tmp_path / f"census_{n}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(NEAR_HEADERS)
            for who, (line, postcode) in rows:
                number, surname, forename, born, laestab = pupils[who]
                body = f"330400215{number:03d}"
                writer.writerow([check_letter(body) + body, surname, forename, born, "M", "4",
                                 laestab, "C", line, postcode])  # fmt: skip
        (result,) = run_imports(db, [ImportRequest(path, "census", day)], account=ACCOUNT).value
        assert result.status == "imported", result.message
    assert calls[-1] is True  # the last census was followed by a recompute of its children only
    with db.read() as conn:
        families = list(members_of(conn, set(family_ids_of(conn).values())).values())
    assert families == [[_child_with_forename(db, "Yan"), _child_with_forename(db, "Zan")]]
    after = _stored(db)
    summary = _WHOLE(db)
    assert (summary.raised, summary.cleared, summary.reopened) == (0, 0, 0)
    assert _stored(db) == after


def test_a_rule_setting_changed_recomputes_every_child(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the issue asks: a rule's setting changed is followed by a whole recompute."""
    path = _census(tmp_path / "autumn.csv", [(1, "3304001"), (2, "3304002")])
    run_imports(db, [ImportRequest(path, "census", dt.date(2023, 10, 5))], account=ACCOUNT)
    calls = _count_recomputes(monkeypatch, admin)
    saved = admin.change_settings(db, ACCOUNT, {"rules.families.max_surnames": 3}).value
    assert saved.changed == ["rules.families.max_surnames"]
    assert calls == [False]
    assert flagging.flags_are_current(db)


def _census_at_home(path: Path, pupils: list[tuple[int, str]]) -> Path:
    """A census like _census, three children to an address (number // 3)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CENSUS_HEADERS, "Address line 1", "Postcode"])
        for number, laestab in pupils:
            body = f"330400215{number:03d}"
            writer.writerow([check_letter(body) + body, "Tester", f"Kid{number}", "01/03/2013", "M",
                             "4", laestab, f"{number // 3} Test Street", "ZZ9 9ZZ"])  # fmt: skip
    return path


def test_a_return_covering_most_of_the_authority_recomputes_everyone(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past a third of the children (a term's whole census), every child is recomputed in one
    pass, and a regroup whose families reach past a third takes every family: the same flags and
    families as the named way, sooner. Under the floor (lowered here to this small authority's
    size) and under a third, the named way stays."""
    from exclusion_monitor import bulk_work
    from exclusion_monitor.store import families as family_store

    monkeypatch.setattr(bulk_work, "WHOLE_FLOOR", 2)
    calls = _count_recomputes(monkeypatch)
    autumn, spring = dt.date(2023, 10, 5), dt.date(2024, 1, 18)
    a = [(n, "3304001") for n in range(3, 12)]
    b = [(n, "3304002") for n in range(12, 15)]
    steps = [
        (_census_at_home(tmp_path / "autumn.csv", [*a, *b]), autumn),
        (_census_at_home(tmp_path / "spring_b.csv", b), spring),
        (_census_at_home(tmp_path / "spring_a.csv", a), spring),  # 9 of 12: everyone
        # School B again, a newcomer added: at most four of thirteen.
        (_census_at_home(tmp_path / "spring_b2.csv", [*b, (15, "3304002")]), spring),
    ]
    for path, day in steps:
        (result,) = run_imports(db, [ImportRequest(path, "census", day)], account=ACCOUNT).value
        assert result.status == "imported", result.message
    assert calls == [False, False, False, True]
    with db.read() as conn:
        ids = dict(conn.execute(sa.select(t.children.c.forename, t.children.c.id)).all())
        one_home = family_store.regroup_scope(conn, [ids["Kid3"]])
        two_homes = family_store.regroup_scope(conn, [ids["Kid3"], ids["Kid6"]])
    assert one_home == {ids["Kid3"], ids["Kid4"], ids["Kid5"]}  # 3 of 13 children with keys
    assert two_homes is None  # 6 of 13: every family
    after = _stored(db)
    summary = _WHOLE(db)
    assert (summary.raised, summary.cleared, summary.reopened) == (0, 0, 0)
    assert _stored(db) == after


def test_the_whole_way_is_taken_only_past_a_third_and_past_the_floor() -> None:
    from exclusion_monitor.bulk_work import WHOLE_FLOOR, whole_is_quicker

    assert not whole_is_quicker(WHOLE_FLOOR, WHOLE_FLOOR)  # at the floor: by name
    assert whole_is_quicker(WHOLE_FLOOR + 1, WHOLE_FLOOR + 1)
    assert not whole_is_quicker(100_000, 300_000)  # a third exactly: by name
    assert whole_is_quicker(100_001, 300_000)
