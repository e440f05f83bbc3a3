"""Census collections, leaving reasons, leaving soon after a suspension and the children list's
status, through the real command line on both engines, with returns as an authority gets them:
one school's 3-pupil summer census dated 18 June arrives before the others, another school's
census has one row dated a day off, leavers' reasons typed by schools ("Whereabouts unknown",
"Lost pupil", "Gone travelling", "Elective home education"), a pupil back from the PRU."""

from __future__ import annotations

from pathlib import Path

import pytest

from exclusion_monitor.leaving_reasons import LEAVING_REASONS_FILE, reload_phrases
from tests.cli.returns_kit import (
    CensusRow,
    D,
    Pupil,
    School,
    census,
    cli,
    cli_json,
    exclusions,
    flags_by_upn,
    imported,
    leavers,
    register,
    uk,
    write_csv,
)

OAK = School("100002", "3304002", "Oak High")
ASH = School("100003", "3304003", "Ash Academy")
BEECH = School("100004", "3304004", "Beech School", kind="Foundation school")
PRU = School("100099", "3301100", "Hawthorn Centre", "Not applicable", "Pupil referral unit")
SPRING, OAK_SUMMER, SUMMER = D(2025, 1, 16), D(2025, 6, 18), D(2025, 5, 15)

OAKS = [Pupil(i, "Oakes", name) for i, name in enumerate(["Ada", "Ben", "Cal", "Dee", "Eli"], 1)]
ASHES = [Pupil(i, "Ashby", name) for i, name in enumerate(["Fay", "Gus", "Hal", "Ida"], 11)]
BIRCHES = [Pupil(i, "Birch", name) for i, name in enumerate(["Jo", "Kit", "Lux", "Mo"], 21)]
PIKES = [Pupil(i, "Pike", name) for i, name in enumerate(["Ned", "Ora"], 31)]


@pytest.fixture
def location(db: object, db_location: str) -> str:
    """The database the command line is pointed at (a SQLite file or a PostgreSQL URL)."""
    return db_location


def _spring(tmp_path: Path) -> list[Path]:
    rows = [CensusRow(p, OAK, SPRING) for p in OAKS] + [CensusRow(p, ASH, SPRING) for p in ASHES]
    rows += [CensusRow(p, BEECH, SPRING) for p in BIRCHES] + [
        CensusRow(p, PRU, SPRING) for p in PIKES
    ]
    return [
        register(tmp_path / "register.csv", [OAK, ASH, BEECH, PRU]),
        census(tmp_path / "spring_census.csv", rows),
        exclusions(
            tmp_path / "exclusions.csv",
            [(OAKS[4], OAK, D(2025, 3, 3), 4, "PA"), (PIKES[0], PRU, D(2025, 2, 10), 2, "DB")],
        ),
        leavers(
            tmp_path / "leavers.csv",
            [
                (ASHES[2], ASH, D(2021, 9, 2), D(2025, 3, 14), "Elective home education"),
                (ASHES[3], ASH, D(2021, 9, 2), D(2025, 3, 21), "Lost pupil"),
                (BIRCHES[2], BEECH, D(2021, 9, 2), D(2025, 2, 7), "Whereabouts unknown"),
                (BIRCHES[3], BEECH, D(2021, 9, 2), D(2025, 4, 25), "Gone travelling"),
            ],
        ),
    ]


def test_a_partial_census_flags_only_the_children_of_the_schools_that_returned_it(
    location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(capsys, location, *_spring(tmp_path))
    # Oak's summer census comes first: 3 of its 5 pupils, dated 18 June.
    oak = census(tmp_path / "oak_summer.csv", [CensusRow(p, OAK, OAK_SUMMER) for p in OAKS[:3]])
    (result,) = imported(capsys, location, oak)
    note = (
        "this census (summer 2025) covers 1 school of the 4 that returned the spring 2025 "
        "census; children of the others are not counted missing until their school's census "
        "arrives"
    )
    assert note in result["warnings"]
    assert result["census_coverage"] == [
        {
            "collection": "Summer 2025",
            "schools_in_file": 1,
            "schools_returned": 1,
            "previous_collection": "Spring 2025",
            "previous_schools": 4,
            "schools_awaited": ["3301100", "3304003", "3304004"],
        }
    ]
    code, out, _ = cli(capsys, location, "import", str(oak), "--kind", "census")
    assert code == 0 and "already imported" in out
    # Only Oak's children are judged: Dee and Eli are on no roll Oak returned.
    flagged = flags_by_upn(capsys, location)
    assert {u: f["rules"] for u, f in flagged.items()} == {
        OAKS[3].upn: ["missing_from_roll"],
        OAKS[4].upn: ["missing_from_roll"],
    }
    assert (
        "On the roll of Oak High (3304002) at the spring 2025 census (16 January 2025) but on "
        "no school's roll at the summer 2025 census, which their school returned (18 June 2025)"
        in flagged[OAKS[3].upn]["reasons"][0]
    )

    # The others' summer census: Beech's pupil Jo in a row dated a day off, Eli now at Beech,
    # Ned back from the PRU at Ash; the text output shows the coverage of each file.
    rest = [CensusRow(p, ASH, SUMMER) for p in ASHES[:2]] + [CensusRow(PIKES[0], ASH, SUMMER)]
    rest += [
        CensusRow(BIRCHES[0], BEECH, SUMMER + D.resolution),
        CensusRow(BIRCHES[1], BEECH, SUMMER),
    ]
    rest += [CensusRow(OAKS[4], BEECH, SUMMER), CensusRow(PIKES[1], PRU, SUMMER)]
    code, out, _ = cli(capsys, location, "import", str(census(tmp_path / "summer.csv", rest)))
    assert code == 0 and "warning: this census" not in out

    flagged = flags_by_upn(capsys, location)
    assert {u: sorted(f["rules"]) for u, f in flagged.items()} == {
        OAKS[3].upn: ["missing_from_roll"],  # no leaving reason at all
        ASHES[3].upn: ["missing_from_roll"],  # "Lost pupil": a CTF to the lost-pupil database
        BIRCHES[2].upn: ["missing_from_roll"],  # "Whereabouts unknown"
        BIRCHES[3].upn: ["missing_from_roll"],  # "Gone travelling": a wording the list lacks
        OAKS[4].upn: ["exit_after_suspension"],  # from Oak to Beech 73 days after a suspension
    }
    reasons = {u: " ".join(f["reasons"]) for u, f in flagged.items()}
    assert 'the leaving reason recorded, "Lost pupil", is no destination' in reasons[ASHES[3].upn]
    assert '"Whereabouts unknown", is no destination' in reasons[BIRCHES[2].upn]
    assert (
        'the leaving reason recorded, "Gone travelling", is not a wording the tool reads as a '
        "destination" in reasons[BIRCHES[3].upn]
    )
    assert "left on 21 March 2025" in reasons[ASHES[3].upn]
    assert reasons[OAKS[4].upn] == (
        "First seen at Beech School (3304004) at the summer 2025 census (15 May 2025), 73 days "
        "after a suspension at Oak High (3304002) on 3 March 2025, without a permanent "
        "exclusion; no leaving date was recorded at Oak High (3304002), where the child was last "
        "known on 3 March 2025."
    )
    assert "Left " not in reasons[OAKS[4].upn]
    # Ned's return from the PRU to Ash after a suspension at the PRU is a placement ending.
    ned = cli_json(capsys, location, "child", PIKES[0].upn)
    assert [m["kind"] for m in ned["moves"]] == ["placement"] and ned["flags"] == []

    # The children list: each child's status, with the school and date it is about.
    rows = {r["upn"]: r for r in cli_json(capsys, location, "children")}
    seen = {u: (r["status"], r["school_laestab"], r["status_date"]) for u, r in rows.items()}
    assert seen[OAKS[0].upn] == ("on_roll", "3304002", "2025-06-18")
    assert seen[BIRCHES[0].upn] == ("on_roll", "3304004", "2025-05-16")
    assert seen[OAKS[3].upn] == ("missing", "3304002", "2025-01-16")
    assert seen[ASHES[2].upn] == ("left", "3304003", "2025-03-14")  # elective home education
    assert seen[BIRCHES[2].upn] == ("missing", "3304004", "2025-02-07")
    assert seen[PIKES[0].upn] == ("on_roll", "3304003", "2025-05-15")
    assert seen[PIKES[1].upn] == ("placement", "3301100", "2025-05-15")
    assert all(r["flags"] == len(flagged.get(u, {}).get("rules", [])) for u, r in rows.items())
    code, out, _ = cli(capsys, location, "children")
    dee = next(line for line in out.splitlines() if OAKS[3].upn in line)
    assert "Missing" in dee and "Oak High" in dee and "2025-01-16" in dee
    story = cli(capsys, location, "child", OAKS[3].upn)[1]
    assert "Missing: last known at Oak High (3304002) on 16 January 2025" in story


def test_an_admin_adds_a_leaving_wording_and_the_flags_follow(
    location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], private_home: Path
) -> None:
    spring = [CensusRow(p, BEECH, SPRING) for p in BIRCHES]
    summer = [CensusRow(p, BEECH, SUMMER) for p in BIRCHES[:2]]
    gone = [
        (BIRCHES[2], BEECH, D(2021, 9, 2), D(2025, 2, 7), "Left for Ireland (Dublin)"),
        (
            BIRCHES[3],
            BEECH,
            D(2021, 9, 2),
            D(2025, 4, 25),
            "Whereabouts unknown - Left for Ireland",
        ),
    ]
    imported(
        capsys,
        location,
        register(tmp_path / "register.csv", [BEECH]),
        census(tmp_path / "spring.csv", spring),
        census(tmp_path / "summer.csv", summer),
        leavers(tmp_path / "leavers.csv", gone),
    )
    assert set(flags_by_upn(capsys, location)) == {BIRCHES[2].upn, BIRCHES[3].upn}
    extra = private_home / "data" / LEAVING_REASONS_FILE
    extra.write_text("phrase,meaning,match,note\nLeft for Ireland,destination,within,\n")
    try:
        # "Whereabouts unknown" still wins over the destination the admin added.
        assert set(flags_by_upn(capsys, location)) == {BIRCHES[3].upn}
        assert {r["upn"]: r["status"] for r in cli_json(capsys, location, "children")}[
            BIRCHES[2].upn
        ] == "left"
    finally:
        extra.unlink()
        reload_phrases()


def test_leaving_after_a_lunchtime_suspension_or_a_reversed_permanent_exclusion(
    location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A school's exclusions return with its own category and review wording: Quin left Oak
    three weeks after a lunchtime suspension; Ros was reinstated on review, then left; Sid's
    permanent exclusion was upheld, so his leaving is explained."""
    quin, ros, sid = (Pupil(i, "Quarry", n) for i, n in [(41, "Quin"), (42, "Ros"), (43, "Sid")])
    returns = write_csv(
        tmp_path / "oak_exclusions.csv",
        ["UPN", "Surname", "Forename", "DOB", "LAESTAB", "Exclusion type", "Start date",
         "Sessions", "Reason 1", "Review outcome"],
        [
            [p.upn, p.surname, p.forename, uk(p.born), OAK.laestab, kind, uk(day), sessions,
             why, outcome]
            for p, kind, day, sessions, why, outcome in [
                (quin, "Lunchtime", D(2025, 2, 20), "", "VP", ""),
                (ros, "Suspension", D(2025, 1, 20), 4, "DB", ""),
                (ros, "Permanent", D(2025, 2, 3), "", "PA", "Reinstated by governors"),
                (sid, "Suspension", D(2025, 1, 20), 4, "DB", ""),
                (sid, "Permanent", D(2025, 2, 3), "", "PA", "Governors upheld"),
            ]
        ],
    )  # fmt: skip
    left = [
        (quin, OAK, D(2021, 9, 2), D(2025, 3, 14), "Transferred to another school"),
        (ros, OAK, D(2021, 9, 2), D(2025, 3, 21), "Transferred to another school"),
        (sid, OAK, D(2021, 9, 2), D(2025, 2, 10), "Transferred to another school"),
    ]
    imported(
        capsys,
        location,
        register(tmp_path / "register.csv", [OAK, ASH]),
        census(tmp_path / "spring.csv", [CensusRow(p, OAK, SPRING) for p in (quin, ros, sid)]),
        returns,
        leavers(tmp_path / "leavers.csv", left),
        census(tmp_path / "summer.csv", [CensusRow(p, ASH, SUMMER) for p in (quin, ros, sid)]),
    )
    flagged = flags_by_upn(capsys, location)
    exits = {u: f for u, f in flagged.items() if "exit_after_suspension" in f["rules"]}
    assert set(exits) == {quin.upn, ros.upn}
    assert (
        "Left Oak High (3304002) on 14 March 2025, 22 days after a lunchtime suspension there on "
        "20 February 2025, without a permanent exclusion; next on roll at Ash Academy (3304003)."
        in exits[quin.upn]["reasons"]
    )
    assert (
        "Left Oak High (3304002) on 21 March 2025, 60 days after a suspension there on 20 "
        "January 2025, without a permanent exclusion that stood (the permanent exclusion of 3 "
        "February 2025 reversed on review); next on roll at Ash Academy (3304003)."
        in exits[ros.upn]["reasons"]
    )
    assert "permanent_exclusion" in flagged[sid.upn]["rules"]
    assert "permanent_exclusion" not in exits[ros.upn]["rules"]
