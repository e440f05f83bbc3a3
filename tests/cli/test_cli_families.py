"""Families from census addresses, through the real command line on both engines: a children's
home with ten children of eight surnames, a block of flats recorded without flat numbers, an
address an admin listed as communal, brothers and sisters with and without a family reference,
and an ordinary home. Only a real family ever shows its members' names and flags."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from exclusion_monitor.families import COMMUNAL_FILE, MAX_SURNAMES_SETTING
from exclusion_monitor.flagging import recompute_flags
from exclusion_monitor.store import Database
from exclusion_monitor.store.families import family_suggestions, link_children
from exclusion_monitor.store.settings import set_setting
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
    register,
)

OAK = School("100002", "3304002", "Oak High")
ELM = School("100010", "3302010", "Elm Primary", "Primary", "Community school", 4, 11)
AUTUMN = D(2024, 10, 3)

HOME = ("12 Elm Road", "B1 1AA")  # a children's home: nothing in the line says so
FLATS = ("Tower Court, Hill Street", "B2 2BB")  # a block, no flat numbers
LISTED = ("7 Quiet Lane", "B3 3CC")  # listed by the admin as a refuge
MILL = ("4 Mill Lane", "b4 4dd")
CANAL = ("9, Canal St.", "B5 5EE")

HOME_CHILDREN = [
    Pupil(51 + i, surname, name)
    for i, (surname, name) in enumerate(
        [("Adams", "Amy"), ("Adams", "Alf"), ("Baker", "Bea"), ("Baker", "Bob"),
         ("Clark", "Cy"), ("Davis", "Di"), ("Evans", "Ed"), ("Fisher", "Flo"),
         ("Green", "Gil"), ("Hughes", "Hal")]
    )
]  # fmt: skip
FLAT_CHILDREN = [
    Pupil(71 + i, surname, name)
    for i, (surname, name) in enumerate(
        [("Khan", "Ali"), ("Khan", "Aya"), ("Smith", "Sid"), ("Smith", "Sue"), ("Jones", "Jay")]
    )
]
MOSS = [Pupil(81, "Moss", "Max"), Pupil(82, "Moss", "Meg")]
RAVI, PRIYA = Pupil(91, "Patel", "Ravi"), Pupil(92, "Patel", "Priya")
ARJUN = Pupil(93, "PATEL", "Arjun", D(2016, 2, 1))  # at primary: no family reference there
LEO = Pupil(94, "Brown", "Leo", D(2016, 6, 1))  # a stepbrother, another surname, no reference
NOWAK = [Pupil(95, "Nowak", "Nel"), Pupil(96, "Nowak", "Ola")]


@pytest.fixture
def location(db: object, db_location: str) -> str:
    return db_location


def _row(pupil: Pupil, where: tuple[str, str], school: School = OAK, ref: str = "") -> CensusRow:
    year = "10" if school is OAK else "4"
    return CensusRow(
        pupil, school, AUTUMN, year, address=where[0], postcode=where[1], family_ref=ref
    )


def _returns(tmp_path: Path) -> list[Path]:
    secondary = [_row(p, HOME) for p in HOME_CHILDREN] + [_row(p, FLATS) for p in FLAT_CHILDREN]
    secondary += [_row(p, LISTED) for p in MOSS] + [_row(p, CANAL) for p in NOWAK]
    secondary += [_row(RAVI, MILL, ref="FAM-77"), _row(PRIYA, MILL, ref="fam-77 ")]
    primary = [_row(ARJUN, MILL, ELM), _row(LEO, MILL, ELM)]
    clark, ravi = HOME_CHILDREN[4], RAVI
    return [
        register(tmp_path / "register.csv", [OAK, ELM]),
        census(tmp_path / "oak_autumn.csv", secondary),
        census(tmp_path / "elm_autumn.csv", primary, family_column=False),
        exclusions(
            tmp_path / "exclusions.csv",
            # One suspension a term: repeated, and neither a burst nor escalating.
            [(clark, OAK, day, 2, "DB") for day in (D(2024, 2, 5), D(2024, 5, 6), D(2024, 9, 16))]
            + [(ravi, OAK, day, 2, "VA") for day in (D(2024, 2, 6), D(2024, 5, 7), D(2024, 9, 17))],
        ),
    ]


def test_only_real_families_show_each_others_records(
    location: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    private_home: Path,
) -> None:
    (private_home / "data").mkdir(exist_ok=True)
    (private_home / "data" / COMMUNAL_FILE).write_text(
        "address_line1,postcode,note\n7 Quiet Lane,B3 3CC,a refuge\n", encoding="utf-8"
    )
    imported(capsys, location, *_returns(tmp_path))
    flagged = flags_by_upn(capsys, location)
    clark = HOME_CHILDREN[4]
    assert set(flagged) == {clark.upn, RAVI.upn}
    assert flagged[clark.upn]["family_id"] is None
    assert flagged[RAVI.upn]["family_id"] is not None

    # Nobody at the home, the block or the refuge has a family, so nobody sees another's name.
    for pupil in [*HOME_CHILDREN, *FLAT_CHILDREN, *MOSS]:
        child = cli_json(capsys, location, "child", pupil.upn)
        assert (child["family_id"], child["family"]) == (None, []), pupil.forename
    code, out, _ = cli(capsys, location, "child", HOME_CHILDREN[0].upn)
    assert code == 0 and "Clark" not in out and "Baker" not in out

    # Arjun (no reference at his primary school) joins Ravi and Priya at the same address and
    # surname; Leo, another surname, does not.
    ravi = cli_json(capsys, location, "child", RAVI.upn)
    assert ravi["family_basis"] == "reference"
    assert sorted((m["forename"], m["flags"]) for m in ravi["family"]) == [
        ("Arjun", []),
        ("Priya", []),
    ]
    assert cli_json(capsys, location, "child", LEO.upn)["family"] == []
    assert [m["forename"] for m in cli_json(capsys, location, "child", NOWAK[0].upn)["family"]] == [
        "Ola"
    ]
    story = cli(capsys, location, "child", ARJUN.upn)[1]
    assert (
        "Family (linked by family reference): 1 of 3 children flagged: Repeated suspensions "
        "(1 child)" in story
    )

    # The detailed flag list by family: Ravi's family whole, the home's child in no family.
    pdf = tmp_path / "families.pdf"
    code, _, err = cli(
        capsys, location, "report", "flags", "--group-by", "family", "--layout", "detailed",
        "--out", str(pdf),
    )  # fmt: skip
    assert code == 0, err
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "1 of 3 children flagged" in text and "Arjun" in text and "Priya" in text
    for name in ("Adams", "Baker", "Clark", "Khan", "Moss", "Brown"):
        assert name not in text


def test_shared_addresses_are_suggestions_an_officer_decides(
    db: Database, location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported(capsys, location, *_returns(tmp_path))
    found = {
        (s.address, tuple(c.forename for c in s.children)): s.why for s in family_suggestions(db)
    }
    assert found == {
        ("12 ELM RD, B11AA", ("Alf", "Amy")): (
            "one surname at a communal address (10 children of 8 surnames live there)"
        ),
        ("12 ELM RD, B11AA", ("Bea", "Bob")): (
            "one surname at a communal address (10 children of 8 surnames live there)"
        ),
        ("TOWER CT HILL ST, B22BB", ("Ali", "Aya")): (
            "one surname at a communal address (5 children of 3 surnames live there)"
        ),
        ("TOWER CT HILL ST, B22BB", ("Sid", "Sue")): (
            "one surname at a communal address (5 children of 3 surnames live there)"
        ),
        ("4 MILL LN, B44DD", ("Leo", "Arjun", "Priya", "Ravi")): (
            "the child lives at the family's address but has another surname and no family "
            "reference"
        ),
    }
    # Without the admin's list, 7 Quiet Lane is an ordinary home: the Mosses are a family.
    assert [m["forename"] for m in cli_json(capsys, location, "child", MOSS[0].upn)["family"]] == [
        "Meg"
    ]
    # An officer confirms the Khans: they become a family; the suggestion goes.
    khans = [c for s in family_suggestions(db) for c in s.children if c.surname == "Khan"]
    link_children(db, khans[0].child_id, khans[1].child_id, "officer.one")
    assert [m["forename"] for m in cli_json(capsys, location, "child", khans[0].upn)["family"]] == [
        khans[1].forename
    ]
    assert all("Khan" not in {c.surname for c in s.children} for s in family_suggestions(db))
    # With a threshold of 3 surnames, the block is an ordinary address: one family of five.
    set_setting(db, MAX_SURNAMES_SETTING, 3)
    recompute_flags(db)
    sid = cli_json(capsys, location, "child", FLAT_CHILDREN[2].upn)
    assert sorted(m["forename"] for m in sid["family"]) == ["Ali", "Aya", "Jay", "Sue"]
