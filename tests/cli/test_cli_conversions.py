"""Schools that became other schools, through the real command line on both engines: a chain of
conversions (Oak High became an academy, which was amalgamated into a trust academy) with
exclusions and moves either side, a school split in two, a sixth-form link that joins nothing,
and a census returned by a successor school, as the GIAS links file gives them."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    links,
    register,
)

OAK = School("100002", "3304002", "Oak High", closed=D(2023, 8, 31))
OAK_ACADEMY = School(
    "140002", "3304005", "Oak High Academy", opened=D(2023, 9, 1), closed=D(2024, 8, 31)
)
OAK_TRUST = School("150002", "3304006", "Oak Trust Academy", opened=D(2024, 9, 1))
ASH = School("100003", "3304003", "Ash Academy")
BEECH = School("100004", "3304004", "Beech School", kind="Foundation school")
ELM = School(
    "100010", "3304010", "Elm School", "All-through", low=4, high=16, closed=D(2023, 8, 31)
)
ELM_NORTH = School("140010", "3304011", "Elm North Academy", opened=D(2023, 9, 1))
ELM_SOUTH = School("140011", "3304012", "Elm South Academy", opened=D(2023, 9, 1))
CEDAR = School("100020", "3304020", "Cedar Sixth Form", "16 plus", low=16, high=19)
SCHOOLS = [OAK, OAK_ACADEMY, OAK_TRUST, ASH, BEECH, ELM, ELM_NORTH, ELM_SOUTH, CEDAR]

KIT = Pupil(41, "Kerr", "Kit", D(2010, 3, 1))
SAM = Pupil(42, "Stone", "Sam", D(2010, 5, 1))
MIA = Pupil(43, "Moss", "Mia", D(2009, 6, 1))
ZED = Pupil(44, "Zane", "Zed", D(2010, 7, 1))


def _autumn(year: int) -> D:
    return D(year, 10, 6)


def _spring(year: int) -> D:
    return D(year, 1, 19)


def _summer(year: int) -> D:
    return D(year, 5, 18)


def _year_of(day: D) -> str:
    """Year group of a child born in 2009/10 (Year 7 in 2021/22)."""
    start = day.year if day.month >= 8 else day.year - 1
    return str(start - 2014)


@pytest.fixture
def location(db: object, db_location: str) -> str:
    return db_location


def _returns(tmp_path: Path) -> list[Path]:
    at = [
        (KIT, OAK, [_autumn(2022), _spring(2023), _summer(2023)]),
        (KIT, OAK_ACADEMY, [_autumn(2023), _spring(2024), _summer(2024)]),
        (KIT, OAK_TRUST, [_autumn(2024)]),
        (KIT, ASH, [_spring(2025)]),
        (KIT, BEECH, [_summer(2025)]),
        (SAM, ELM, [_autumn(2022), _spring(2023), _summer(2023)]),
        (SAM, ELM_NORTH, [_autumn(2023)]),
        (SAM, ELM_SOUTH, [_spring(2024), _summer(2024), _autumn(2024), _spring(2025)]),
        (SAM, ELM_SOUTH, [_summer(2025)]),
        (MIA, OAK, [_autumn(2022), _spring(2023), _summer(2023)]),
        (ZED, ASH, [_autumn(2024), _spring(2025), _summer(2025)]),
    ]
    rows = [
        CensusRow(pupil, school, day, _year_of(day)) for pupil, school, days in at for day in days
    ]
    # The census team's extracts, one per collection, each as the schools returned it.
    files = [
        register(tmp_path / "edubase.csv", SCHOOLS),
        links(
            tmp_path / "links_edubase.csv",
            [
                (OAK.urn, OAK_ACADEMY.urn, OAK_ACADEMY.name, "Successor", D(2023, 9, 1)),
                (OAK_ACADEMY.urn, OAK.urn, OAK.name, "Predecessor", D(2023, 9, 1)),
                (
                    OAK_TRUST.urn,
                    OAK_ACADEMY.urn,
                    OAK_ACADEMY.name,
                    "Predecessor - amalgamated",
                    D(2024, 9, 1),
                ),
                (ELM.urn, ELM_NORTH.urn, ELM_NORTH.name, "Successor - Split School", D(2023, 9, 1)),
                (ELM.urn, ELM_SOUTH.urn, ELM_SOUTH.name, "Successor - Split School", D(2023, 9, 1)),
                (ELM_NORTH.urn, ELM.urn, ELM.name, "Predecessor - Split School", D(2023, 9, 1)),
                (ASH.urn, CEDAR.urn, CEDAR.name, "Sixth Form Centre Link", None),
            ],
        ),
    ]
    for day in sorted({r.census_date for r in rows}):
        files.append(
            census(tmp_path / f"census_{day}.csv", [r for r in rows if r.census_date == day])
        )
    files.append(
        exclusions(
            tmp_path / "exclusions.csv",
            [
                (KIT, OAK, D(2023, 7, 10), 2, "DB"),  # weeks before Oak High converted
                (KIT, OAK_ACADEMY, D(2024, 7, 8), 2, "VA"),  # weeks before the amalgamation
                (KIT, OAK_TRUST, D(2024, 11, 12), 4, "PP"),  # then off to Ash Academy
                (SAM, ELM, D(2023, 7, 3), 2, "DB"),  # weeks before Elm School split
            ],
        )
    )
    return files


def test_a_chain_of_conversions_is_one_school_and_a_split_makes_two(
    location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(capsys, location, *_returns(tmp_path))
    kit = cli_json(capsys, location, "child", KIT.upn)
    assert [(m["from_laestab"], m["to_laestab"], m["kind"]) for m in kit["moves"]] == [
        ("3304002", "3304005", "conversion"),
        ("3304005", "3304006", "conversion"),
        ("3304006", "3304003", "non_standard"),
        ("3304003", "3304004", "non_standard"),
    ]
    rules = {f["rule"]: f for f in kit["flags"]}
    # Oak High, its academy and the trust academy are one school: 3 schools, not 5.
    assert rules["many_secondary_schools"]["reason"].startswith(
        "3 different secondary schools: Oak High (3304002) from 6 October 2022, which became "
        "Oak High Academy (3304005) and Oak Trust Academy (3304006), Ash Academy (3304003) from "
        "19 January 2025 and Beech School (3304004) from 18 May 2025."
    )
    assert [
        s["school_laestab"] for s in rules["many_secondary_schools"]["evidence"]["schools"]
    ] == [
        "3304002",
        "3304003",
        "3304004",
    ]
    # Suspended weeks before each conversion: no "left soon after a suspension" for those.
    assert rules["exit_after_suspension"]["evidence"]["school_laestab"] == "3304006"
    assert rules["high_mobility"]["evidence"]["moves"] == [
        {"date": "2025-01-19", "from_laestab": "3304006", "to_laestab": "3304003",
         "kind": "non_standard"},
        {"date": "2025-05-18", "from_laestab": "3304003", "to_laestab": "3304004",
         "kind": "non_standard"},
    ]  # fmt: skip
    story = cli(capsys, location, "child", KIT.upn)[1]
    assert "academy conversion (not a move)" in story

    # Elm School split in two: Sam's move with the split is none, his move between the two
    # new schools is a real move, and they are two schools.
    sam = cli_json(capsys, location, "child", SAM.upn)
    assert [m["kind"] for m in sam["moves"]] == ["conversion", "non_standard"]
    assert "exit_after_suspension" not in {f["rule"] for f in sam["flags"]}

    flagged = flags_by_upn(capsys, location)
    assert set(flagged) == {KIT.upn}
    assert flagged[KIT.upn]["rules"] == [
        "high_mobility",
        "many_secondary_schools",
        "exit_after_suspension",
    ]


def test_a_successor_school_returns_its_predecessors_census(
    location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Mia was on Oak High's summer 2023 roll; Oak High closed and its successor returned the
    autumn 2023 census without her: she is missing from that census, her own school's."""
    imported(capsys, location, *_returns(tmp_path))
    flagged = flags_by_upn(capsys, location, "--as-of", "2023-12-31")
    assert flagged[MIA.upn]["rules"] == ["missing_from_roll"]
    assert (
        "On the roll of Oak High (3304002) at the summer 2023 census (18 May 2023) but on no "
        "school's roll at the autumn 2023 census, which their school returned (6 October 2023)"
        in flagged[MIA.upn]["reasons"][0]
    )
    rows = {r["upn"]: r for r in cli_json(capsys, location, "children")}
    assert (rows[MIA.upn]["status"], rows[MIA.upn]["school_laestab"]) == ("missing", "3304002")
    assert (rows[KIT.upn]["status"], rows[KIT.upn]["school_laestab"]) == ("on_roll", "3304004")
