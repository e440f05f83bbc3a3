"""Incremental flags hold equal to a whole recompute: seeded random sequences of imports and undos
of the demo's returns, each followed by the product's own follow-up (which recomputes only the
children the change touched when it can), and after each step a whole recompute must find nothing
to change in the stored flags, the children's status or the families; on both engines
(docs/architecture.md#incremental-flags)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from exclusion_monitor import flagging, identity
from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.batches import list_batches
from exclusion_monitor.upn import check_letter
from imports.demo import DemoManifest, build_demo_returns
from operations.imports import ImportRequest, run_imports, undo_import

ACCOUNT = "LA\\admin1"
RECORDS = {"census", "exclusions", "enrolments"}  # undoing the school register is not tried


@pytest.fixture(autouse=True)
def as_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identity, "os_account", lambda: ACCOUNT)


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
    db: Database, manifest: DemoManifest, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    calls: list[bool] = []  # True for a recompute of some children only
    whole = flagging.recompute_flags

    def counted(database: Database, **kwargs: Any) -> flagging.RecomputeSummary:
        ids: Collection[int] | None = kwargs.get("child_ids")
        calls.append(ids is not None)
        return whole(database, **kwargs)

    monkeypatch.setattr(flagging, "recompute_flags", counted)
    rng = random.Random(seed)
    files = list(manifest.files)
    steps = 0
    while files and steps < 40:
        steps += 1
        live = [b.id for b in list_batches(db) if b.status != "undone" and b.kind in RECORDS]
        if live and rng.random() < 0.3:
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
        summary = whole(db)  # a whole recompute straight after changes nothing
        assert (summary.raised, summary.cleared, summary.reopened) == (0, 0, 0)
        assert _stored(db) == after_step
    assert sum(calls) >= 5, "too few steps were followed by an incremental recompute"


@pytest.mark.parametrize("seed", [3, 4])
def test_merges_and_family_decisions_recompute_only_their_children(
    db: Database,
    manifest: DemoManifest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    seed: int,
) -> None:
    """The same, with an officer's decisions among the imports and undos: merging the pair of an
    identity review or keeping them apart, linking two children into a family and unlinking
    one. Each is followed by a recompute of its children only, and a whole recompute straight
    after finds nothing to change."""
    from exclusion_monitor.errors import ExclusionMonitorError
    from exclusion_monitor.store.identity import list_identity_reviews
    from operations.people import change_family, decide_identity_review

    calls: list[int | None] = []  # how many children each recompute took (None: all)
    whole = flagging.recompute_flags

    def counted(database: Database, **kwargs: Any) -> flagging.RecomputeSummary:
        ids: Collection[int] | None = kwargs.get("child_ids")
        calls.append(None if ids is None else len(ids))
        return whole(database, **kwargs)

    monkeypatch.setattr(flagging, "recompute_flags", counted)
    rng = random.Random(seed)
    for file in manifest.files:  # the whole demo first: the decisions act on its children
        run_imports(db, [ImportRequest(file.path, file.kind, file.census_date)], account=ACCOUNT)
    with db.read() as conn:
        children = list(conn.execute(sa.select(t.children.c.id)).scalars())
        people = conn.execute(
            sa.select(t.children.c.surname, t.children.c.forename, t.children.c.date_of_birth)
            .order_by(t.children.c.id)
            .limit(8)
        ).all()
        laestab, day = conn.execute(
            sa.select(t.schools.c.laestab, t.census_observations.c.census_date)
            .join(t.schools, t.schools.c.id == t.census_observations.c.school_id)
            .order_by(t.census_observations.c.census_date.desc())
        ).first()
    # A return that names eight of them under new UPNs: each is a pair to review.
    twins = tmp_path / "twins.csv"
    with twins.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CENSUS_HEADERS)
        for number, (surname, forename, born) in enumerate(people):
            body = f"99900{number + 1:07d}"
            born_text = dt.date.fromisoformat(str(born)).strftime("%d/%m/%Y")
            writer.writerow([check_letter(body) + body, surname, forename, born_text, "", "5",
                             laestab])  # fmt: skip
    census_day = dt.date.fromisoformat(str(day))
    run_imports(db, [ImportRequest(twins, "census", census_day)], account=ACCOUNT)
    assert list_identity_reviews(db), "the return leaves pairs to review"
    decided: list[str] = []
    for step in range(24):
        calls.clear()
        reviews = list_identity_reviews(db)
        with db.read() as conn:
            linked = conn.execute(
                sa.select(t.family_members.c.family_id, t.family_members.c.child_id)
            ).all()
        pick = rng.random()
        try:
            if reviews and pick < 0.3:
                review = rng.choice(reviews)
                decision = rng.choice(["merge", "merge", "keep_apart"])
                decide_identity_review(db, ACCOUNT, review.id, decision)
            elif linked and pick < 0.5:
                family, child = rng.choice(linked)
                others = [c for f, c in linked if f == family and c != child]
                if not others:
                    continue
                decision = "unlink"
                change_family(db, ACCOUNT, "unlink", child, rng.choice(others))
            else:
                decision = "link"
                a, b = rng.sample(children, 2)
                change_family(db, ACCOUNT, "link", a, b)
        except ExclusionMonitorError:  # a child merged away earlier, say: nothing was done
            continue
        decided.append(decision)
        assert flagging.flags_are_current(db), (step, decision)
        assert None not in calls, (step, decision, calls)  # no whole recompute
        after_step = _stored(db)
        summary = whole(db)
        assert (summary.raised, summary.cleared, summary.reopened) == (0, 0, 0), (step, decision)
        assert _stored(db) == after_step, (step, decision)
    assert {"link", "unlink"} <= set(decided), decided
    assert "merge" in decided and "keep_apart" in decided, decided


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
    calls: list[bool] = []
    whole = flagging.recompute_flags

    def counted(database: Database, **kwargs: Any) -> flagging.RecomputeSummary:
        calls.append(kwargs.get("child_ids") is not None)
        return whole(database, **kwargs)

    monkeypatch.setattr(flagging, "recompute_flags", counted)
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
    summary = whole(db)
    assert (summary.raised, summary.cleared, summary.reopened) == (0, 0, 0)
    assert _stored(db) == after
