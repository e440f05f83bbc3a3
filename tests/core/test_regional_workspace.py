"""The regional workspace on both engines: two authorities' returns of children built by hand,
linked by pseudonym, with regional flags that neither authority raises on its own data, a later
return replacing an earlier one, and returns refused for the reasons the region refuses them."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from exclusion_monitor import flag_evaluation
from exclusion_monitor.errors import InvalidInputError, NotFoundError
from exclusion_monitor.flagging import evaluate_flags
from exclusion_monitor.regional import workspace
from exclusion_monitor.regional.journeys import child_journey, regional_children
from exclusion_monitor.regional.keys import RegionalKey, create_key_file, load_key_file
from exclusion_monitor.regional.lookup import find_child
from exclusion_monitor.regional.workspace import ensure_region_current, import_return
from exclusion_monitor.store import Database, open_database
from exclusion_monitor.store import regional_workspace as ws
from exclusion_monitor.upn import check_letter
from imports.regional_return import open_return, write_return
from tests.core.builders import Builder
from tests.support.workers import NO_WORKERS

AUTUMN, SPRING, SUMMER = dt.date(2023, 10, 5), dt.date(2024, 1, 18), dt.date(2024, 5, 16)
AUTUMN2, SPRING2 = dt.date(2024, 10, 3), dt.date(2025, 1, 16)
BORN = dt.date(2010, 5, 14)  # Year 8 in 2023/24


def _upn(la: str, n: int, *, temporary: bool = False) -> str:
    body = f"{la}4001{'23'}{n:03d}" if not temporary else f"{la}4001{'23'}{n:02d}A"
    return check_letter(body) + body


@pytest.fixture
def key(tmp_path: Path) -> RegionalKey:
    return create_key_file(tmp_path / "region.key", "Test Region")


def _authority(path: Path, la: str) -> tuple[Database, Builder, list[int]]:
    db = open_database(path)
    b = Builder(db)
    schools = [
        b.school(f"School {la}-{i}", "secondary", laestab=f"{la}40{i:02d}", low_age=11, high_age=16)
        for i in range(1, 4)
    ]
    return db, b, schools


def _return(db: Database, key: RegionalKey, out: Path, la: str, as_of: dt.date) -> Path:
    write_return(db, out, key, as_of=as_of, la_code=la, la_name=f"Authority {la}")
    return out


def _import(region: Database, path: Path) -> str:
    with open_return(path) as source:
        return import_return(region, source, file_name=path.name, account="tester").status


def test_children_join_across_authorities_and_flags_follow_the_joined_history(
    db: Database, key: RegionalKey, tmp_path: Path
) -> None:
    a, ba, sa_ = _authority(tmp_path / "a.db", "330")
    b, bb, sb = _authority(tmp_path / "b.db", "333")
    # Jo: two secondaries in 330, then two in 333 (her UPN was temporary in 330 at first).
    temp, jo_upn = _upn("330", 1, temporary=True), _upn("330", 1)
    jo_a = ba.child("Jo", "Walker", born=BORN, upn=jo_upn, former=[temp])
    ba.census(jo_a, sa_[0], AUTUMN, "8")
    ba.census(jo_a, sa_[1], SPRING, "8")
    jo_b = bb.child("Jo", "Walker", born=BORN, upn=jo_upn)
    bb.census(jo_b, sb[0], SUMMER, "8")
    bb.census(jo_b, sb[1], AUTUMN2, "9")
    bb.census(jo_b, sb[1], SPRING2, "9")
    # Sam: on 330's roll in the spring, gone from it at the summer census, on 333's roll then.
    sam_upn = _upn("330", 2)
    sam_a = ba.child("Sam", "Idris", born=BORN, upn=sam_upn, sex="M")
    ba.census(sam_a, sa_[2], AUTUMN, "8")
    ba.census(sam_a, sa_[2], SPRING, "8")
    ba.census(sam_a, sa_[0], AUTUMN2, "9")  # the school Sam left still returns censuses
    ba.census(sam_a, sa_[0], SPRING2, "9")
    sam_b = bb.child("Sam", "Idris", born=BORN, upn=sam_upn, sex="M")
    bb.census(sam_b, sb[2], SUMMER, "8")
    # Kit stays in 333 all along, with three suspensions at one school.
    kit = bb.child("Kit", "Moss", born=BORN, upn=_upn("333", 3))
    for day in (AUTUMN, SPRING, SUMMER, AUTUMN2, SPRING2):
        bb.census(kit, sb[2], day, "8" if day < AUTUMN2 else "9")
    for day in (dt.date(2024, 10, 8), dt.date(2024, 11, 12), dt.date(2025, 1, 20)):
        bb.exclusion(kit, sb[2], day)
    # Sam's 330 record ends on the roll of sa_[0]; fill 330's summer census for others.
    other = ba.child("Lee", "Park", born=BORN, upn=_upn("330", 4))
    for day in (AUTUMN, SPRING, SUMMER, AUTUMN2, SPRING2):
        ba.census(other, sa_[2], day, "8" if day < AUTUMN2 else "9")
    as_of = dt.date(2025, 1, 31)
    local_a = evaluate_flags(a, as_of=as_of)
    local_b = evaluate_flags(b, as_of=as_of)
    assert "many_secondary_schools" not in {f.rule for f in local_a.get(jo_a, [])}
    assert "many_secondary_schools" not in {f.rule for f in local_b.get(jo_b, [])}

    _import(db, _return(a, key, tmp_path / "a.zip", "330", as_of))
    _import(db, _return(b, key, tmp_path / "b.zip", "333", as_of))
    ensure_region_current(db, "tester")
    rows = {r.pseudonym: r for r in regional_children(db)}
    assert len(rows) == 4  # Jo and Sam are one child each across the two authorities
    jo = rows[key.pseudonym(jo_upn)]
    assert jo.authorities == ("330", "333")
    assert "many_secondary_schools" in jo.regional_flags
    assert "many_secondary_schools" in jo.seen_only_regionally
    assert set(jo.schools) == {"3304001", "3304002", "3334001", "3334002"}
    kit_row = rows[key.pseudonym(_upn("333", 3))]
    assert kit_row.regional_flags == kit_row.local_flags["333"]
    assert "repeated_suspensions" in kit_row.regional_flags
    journey = child_journey(db, key.pseudonym(temp).lower())  # a former UPN finds Jo too
    assert journey["pseudonym"] == key.pseudonym(jo_upn)
    assert any(m["crosses_border"] for m in journey["moves"])
    assert {x["school_laestab"] for x in journey["census"]} >= {"3304001", "3334002"}
    # The authority that holds the child finds her; the other cannot, and the region holds no
    # name to find.
    found = find_child(a, key, jo.pseudonym)
    assert (found.child.surname, found.child.upn) == ("Walker", jo_upn)
    with pytest.raises(NotFoundError):
        find_child(a, key, rows[key.pseudonym(_upn("333", 3))].pseudonym)
    for database in (a, b):
        database.close()


def test_missing_from_roll_clears_when_the_child_turns_up_in_another_authority(
    db: Database, key: RegionalKey, tmp_path: Path
) -> None:
    a, ba, sa_ = _authority(tmp_path / "a.db", "330")
    b, bb, sb = _authority(tmp_path / "b.db", "333")
    upn = _upn("330", 7)
    child_a = ba.child("Ray", "Dunn", born=BORN, upn=upn)
    ba.census(child_a, sa_[0], AUTUMN, "8")
    ba.census(child_a, sa_[0], SPRING, "8")
    stay = ba.child("Ada", "Hale", born=BORN, upn=_upn("330", 8))
    for day in (AUTUMN, SPRING, SUMMER):
        ba.census(stay, sa_[0], day, "8")
    child_b = bb.child("Ray", "Dunn", born=BORN, upn=upn)
    bb.census(child_b, sb[0], SUMMER, "8")
    as_of = dt.date(2024, 6, 30)
    assert "missing_from_roll" in {f.rule for f in evaluate_flags(a, as_of=as_of)[child_a]}
    _import(db, _return(a, key, tmp_path / "a.zip", "330", as_of))
    ensure_region_current(db, "tester")
    alone = {r.pseudonym: r for r in regional_children(db)}[key.pseudonym(upn)]
    assert "missing_from_roll" in alone.regional_flags  # with only 330's return, still missing
    _import(db, _return(b, key, tmp_path / "b.zip", "333", as_of))
    ensure_region_current(db, "tester")
    joined = {r.pseudonym: r for r in regional_children(db)}[key.pseudonym(upn)]
    assert "missing_from_roll" not in joined.regional_flags
    assert joined.local_flags["330"] == ("missing_from_roll",)
    for database in (a, b):
        database.close()


def test_a_later_return_replaces_the_earlier_one_and_bad_returns_are_refused(
    db: Database, key: RegionalKey, tmp_path: Path
) -> None:
    a, ba, sa_ = _authority(tmp_path / "a.db", "330")
    child = ba.child("Max", "Orr", born=BORN, upn=_upn("330", 9))
    ba.census(child, sa_[0], AUTUMN, "8")
    first = _return(a, key, tmp_path / "first.zip", "330", dt.date(2023, 12, 31))
    ba.census(child, sa_[0], SPRING, "8")
    later = _return(a, key, tmp_path / "later.zip", "330", dt.date(2024, 3, 31))
    assert _import(db, first) == "imported"
    assert _import(db, later) == "imported"
    assert _import(db, later) == "already_imported"
    with db.read() as conn:
        held = ws.current_returns(conn)
        assert [(r.la_code, r.as_of) for r in held] == [("330", dt.date(2024, 3, 31))]
        assert held[0].census_rows == 2
    with pytest.raises(InvalidInputError, match="later return"):
        _import(db, first)
    other_key = create_key_file(tmp_path / "other.key", "Elsewhere")
    b, bb, sb = _authority(tmp_path / "b.db", "333")
    kid = bb.child("Zed", "Fox", born=BORN, upn=_upn("333", 1))
    bb.census(kid, sb[0], AUTUMN, "8")
    wrong = _return(b, other_key, tmp_path / "wrong.zip", "333", dt.date(2024, 3, 31))
    with pytest.raises(InvalidInputError, match="different key"):
        _import(db, wrong)
    with pytest.raises(InvalidInputError, match="named records"):
        _import(a, later)  # an authority's own database is never a regional workspace
    with pytest.raises(InvalidInputError, match="not the one"):
        from exclusion_monitor.store.settings import set_setting

        set_setting(a, "regional.key_fingerprint", key.fingerprint)
        find_child(a, other_key, key.pseudonym(_upn("330", 9)))
    for database in (a, b):
        database.close()


def test_a_tampered_return_is_refused_whole(db: Database, key: RegionalKey, tmp_path: Path) -> None:
    import zipfile

    a, ba, sa_ = _authority(tmp_path / "a.db", "330")
    child = ba.child("Max", "Orr", born=BORN, upn=_upn("330", 9))
    ba.census(child, sa_[0], AUTUMN, "8")
    good = _return(a, key, tmp_path / "good.zip", "330", dt.date(2023, 12, 31))
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "census.csv":
                data = data.replace(b"3304001", b"3304002")
            dst.writestr(info.filename, data)
    with pytest.raises(InvalidInputError, match="altered or damaged"):
        _import(db, bad)
    with db.read() as conn:
        assert ws.current_returns(conn) == []
        assert not ws.holds_returns(conn)
    a.close()


@pytest.mark.sqlite_only
def test_key_files_are_private_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    key = create_key_file(path, "West Midlands")
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_key_file(path).fingerprint == key.fingerprint
    assert key.pseudonym("b801200005001") == key.pseudonym(" B8012 00005001")
    assert "secret" not in repr(key) and key.secret.hex() not in repr(key)
    with pytest.raises(InvalidInputError, match="never replaced"):
        create_key_file(path, "Again")
    path.chmod(0o644)
    with pytest.raises(InvalidInputError, match="other accounts"):
        load_key_file(path)
    with pytest.raises(InvalidInputError, match="no key file"):
        load_key_file(tmp_path / "missing.key")
    path.chmod(0o600)
    text = path.read_text().replace("fingerprint: ", "fingerprint: 0")
    damaged = tmp_path / "d.key"
    damaged.write_text(text)
    damaged.chmod(0o600)
    with pytest.raises(InvalidInputError, match="altered"):
        load_key_file(damaged)


def _region_of_two(db: Database, key: RegionalKey, tmp_path: Path) -> None:
    """Two authorities' returns imported into `db`: 21 child records, a third of the first
    authority's children moved across the border into the second."""
    a, ba, sa_ = _authority(tmp_path / "a.db", "330")
    b, bb, sb = _authority(tmp_path / "b.db", "333")
    for n in range(1, 13):
        upn = _upn("330", n)
        child = ba.child(f"Kid{n}", "Walker", born=BORN, upn=upn)
        ba.census(child, sa_[n % 3], AUTUMN, "8")
        ba.census(child, sa_[(n + n % 2) % 3], SPRING, "8")
        for day in (dt.date(2023, 11, 7), dt.date(2024, 1, 23))[: n % 3]:
            ba.exclusion(child, sa_[n % 3], day, sessions=10.0)
        if n % 4 == 0:  # a third of them then turn up in 333 (a move across the border)
            moved = bb.child(f"Kid{n}", "Walker", born=BORN, upn=upn)
            bb.census(moved, sb[n % 3], SUMMER, "8")
            bb.census(moved, sb[(n + 1) % 3], AUTUMN2, "9")
    for n in range(20, 26):
        stays = bb.child(f"Kid{n}", "Moss", born=BORN, upn=_upn("333", n))
        for day in (AUTUMN, SPRING, SUMMER, AUTUMN2):
            bb.census(stays, sb[0], day, "8" if day < AUTUMN2 else "9")
    as_of = dt.date(2025, 1, 31)
    _import(db, _return(a, key, tmp_path / "a.zip", "330", as_of))
    _import(db, _return(b, key, tmp_path / "b.zip", "333", as_of))
    for database in (a, b):
        database.close()


def _regional_flags(db: Database) -> list[tuple[object, ...]]:
    with db.read() as conn:
        found = conn.execute(ws.flags.select()).all()
    return sorted(tuple(row) for row in found)


def _region_in_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make a refresh use two workers and chunks of four records; note the chunks handed out."""
    given: list[int] = []
    real = flag_evaluation.evaluate_in_workers

    def noted(db: Database, chunks: Any, *args: Any, **kw: Any) -> Any:
        handed = list(chunks)
        given.append(len(handed))
        return real(db, handed, *args, **kw)

    monkeypatch.setattr(workspace, "worker_count", lambda records: 2)
    monkeypatch.setattr(workspace, "_CHILDREN_PER_BATCH", 4)
    monkeypatch.setattr(flag_evaluation, "evaluate_in_workers", noted)
    return given


def test_worker_processes_flag_the_region_as_one_process_does(
    db: Database, key: RegionalKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large region's records are flagged in worker processes, a few at a time here; the
    people linked across returns in this refresh (not yet committed) are handed to them."""
    _region_of_two(db, key, tmp_path)
    alone = workspace.refresh_region(db, account="tester")
    expected = _regional_flags(db)
    assert alone.flagged >= 3 and alone.cross_border == 3, alone
    given = _region_in_workers(monkeypatch)
    shared = workspace.refresh_region(db, account="tester")
    assert given == [6]  # 21 child records (12 + 3 + 6), four a chunk
    assert shared == alone
    assert _regional_flags(db) == expected


@pytest.mark.parametrize("how", sorted(NO_WORKERS))
def test_a_machine_that_keeps_the_workers_from_working_gets_the_same_regional_flags(
    db: Database,
    key: RegionalKey,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    how: str,
) -> None:
    _region_of_two(db, key, tmp_path)
    alone = workspace.refresh_region(db, account="tester")
    expected = _regional_flags(db)
    given = _region_in_workers(monkeypatch)
    monkeypatch.setattr(flag_evaluation, *NO_WORKERS[how])
    assert workspace.refresh_region(db, account="tester") == alone
    assert given  # the workers were asked for
    assert "worker processes could not be used" in caplog.text
    assert _regional_flags(db) == expected
    assert multiprocessing.active_children() == []
