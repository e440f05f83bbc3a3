from __future__ import annotations

from pathlib import Path

import pytest

from exclusion_monitor import codelists
from exclusion_monitor.codelists import (
    CATEGORIES,
    ENROL_STATUS,
    ETHNICITY,
    REASONS,
    SEN,
    codelist,
    counts_for_history,
    is_primary_year,
    nc_year,
)


@pytest.mark.parametrize(
    "text",
    [
        "SUSP",
        "FIXD",
        "FIX",
        "Fix",
        "FT",
        "Suspension",
        "fixed term",
        "Fixed period",
        "FIXED-PERIOD",
    ],
)
def test_suspension_has_many_names(text: str) -> None:
    found = codelist(CATEGORIES).match(text)
    assert found is not None and found.code == "SUSP"


@pytest.mark.parametrize(("text", "code"), [("Permanent", "PERM"), ("lunchtime", "LNCH")])
def test_other_categories(text: str, code: str) -> None:
    found = codelist(CATEGORIES).match(text)
    assert found is not None and found.code == code


def test_unknown_category_is_none() -> None:
    assert codelist(CATEGORIES).match("Detention") is None


def test_reasons_include_current_legacy_and_new_codes() -> None:
    reasons = codelist(REASONS)
    for code in [
        "PP",
        "PA",
        "VP",
        "VA",
        "BU",
        "RA",
        "SM",
        "DA",
        "DM",
        "TH",
        "DB",
        "OW",
        "DS",
        "LG",
        "MT",
        "PH",
        "OT",
        "BW",
        "OS",
    ]:
        assert code in reasons
    assert reasons.get("OT") is not None and reasons.get("OT").extra["status"] == "legacy"  # type: ignore[union-attr]
    assert reasons.match("persistent disruptive behaviour").code == "DB"  # type: ignore[union-attr]


@pytest.mark.parametrize(("legacy", "current"), [("S", "E"), ("A", "K"), ("P", "K"), ("K", "K")])
def test_legacy_sen_codes_map(legacy: str, current: str) -> None:
    assert codelist(SEN).match(legacy).code == current  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("R", "R"),
        ("Reception", "R"),
        ("Year 7", "7"),
        ("Y7", "7"),
        ("y 7", "7"),
        ("7", "7"),
        ("07", "7"),
        ("7.0", "7"),
        ("N1", "N1"),
        ("Nursery 2", "N2"),
        ("X", "X"),
        ("Year 11", "11"),
        ("Year 15", None),
        ("", None),
        ("banana", None),
    ],
)
def test_nc_year(text: str, code: str | None) -> None:
    assert nc_year(text) == code


def test_primary_years_are_reception_to_6() -> None:
    assert [y for y in ["N1", "N2", "R", "1", "6", "7", "X"] if is_primary_year(y)] == [
        "R",
        "1",
        "6",
    ]


def test_only_current_and_main_registrations_make_history() -> None:
    assert [s for s in "CMSGFOP" if counts_for_history(s)] == ["C", "M"]
    statuses = codelist(ENROL_STATUS)
    # F, O and P are known codes (never blanks, which count as a main registration).
    assert [statuses.match(s).code for s in "FOP"] == ["F", "O", "P"]  # type: ignore[union-attr]
    assert statuses.match("Previous").code == "P"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("written", "recorded", "main"),
    [
        ("WBRI", "WBRI", "WBRI"),
        ("WENG", "WENG", "WBRI"),
        ("wsco", "WSCO", "WBRI"),
        ("WWEL", "WWEL", "WBRI"),
        ("WCOR", "WCOR", "WBRI"),
        ("AMPK", "AMPK", "APKN"),
        ("AKPA", "AKPA", "APKN"),
        ("AOPK", "AOPK", "APKN"),
        ("BSOM", "BSOM", "BAFR"),
        ("BGHA", "BGHA", "BAFR"),
        ("BNGN", "BNGN", "BAFR"),
        ("WROG", "WROG", "WROM"),
        ("WROR", "WROR", "WROM"),
        ("MWAP", "MWAP", "MWAS"),
        ("OKRD", "OKRD", "OOTH"),
        ("CHKC", "CHKC", "CHNE"),
        ("Black - Somali", "BSOM", "BAFR"),
        ("White - English", "WENG", "WBRI"),
        ("REFU", "REFU", "REFU"),
    ],
)
def test_extended_ethnicity_codes_are_their_own_codes_and_roll_up_to_a_main_code(
    written: str, recorded: str, main: str
) -> None:
    assert codelists.ethnicity_code(written).code == recorded  # type: ignore[union-attr]
    assert codelists.main_ethnicity(written).code == main  # type: ignore[union-attr]
    assert codelists.ethnicity(written).code == main  # type: ignore[union-attr]


def test_ethnicity_never_rolls_up_by_cutting_characters() -> None:
    for text in ("ZZZZ", "BCRBx", "WENGLISH", "W", ""):
        assert codelists.ethnicity_code(text) is None
        assert codelists.main_ethnicity(text) is None


def test_every_extended_ethnicity_code_has_a_main_code_of_the_twenty() -> None:
    codes = list(codelist(ETHNICITY))
    mains = [c for c in codes if not c.extra.get("main")]
    assert [c.code for c in mains] == [
        "WBRI",
        "WIRI",
        "WIRT",
        "WOTH",
        "WROM",
        "MWBC",
        "MWBA",
        "MWAS",
        "MOTH",
        "AIND",
        "APKN",
        "ABAN",
        "AOTH",
        "BCRB",
        "BAFR",
        "BOTH",
        "CHNE",
        "OOTH",
        "REFU",
        "NOBT",
    ]
    extended = [c for c in codes if c.extra.get("main")]
    assert len(extended) >= 80
    assert all(c.extra["main"] in {m.code for m in mains} for c in extended)
    assert all(len(c.code) == 4 and c.code.isupper() for c in codes)


def test_newer_reason_codes_have_their_labels_and_trend_groups() -> None:
    reasons = codelist(REASONS)
    labels = {
        "BW": "Brought a weapon or prohibited item into school",
        "TB": "Cyber-bullying or threatening behaviour online",
        "SB": "Harmful sexual behaviour",
        "MB": "Misogynistic behaviour",
        "AB": "Misandry behaviour",
        "DR": "Drug related",
        "AR": "Alcohol related",
        "SR": "Smoking related",
        "VR": "Vape related",
        "LD": "Persistent disruptive behaviour - low level disruption",
        "CB": "Persistent disruptive behaviour - challenging behaviour",
        "MP": "Use of mobile phone",
        "OS": "Misbehaviour outside school",
    }
    for code, label in labels.items():
        assert reasons.get(code).label == label  # type: ignore[union-attr]
    groups = {c: codelists.reason_trend_group(c) for c in labels}
    assert [c for c, g in groups.items() if g == "DB"] == ["LD", "CB"]
    assert [c for c, g in groups.items() if g == "DA"] == ["DR", "AR", "SR", "VR"]
    assert codelists.reason_trend_group("PP") == "PP"
    # A reason kept as a school wrote it is never a group (a new code) of its own.
    assert codelists.reason_trend_group("QQ") == codelists.NOT_A_REASON_CODE
    assert codelists.reason_trend_group("Fighting") == codelists.NOT_A_REASON_CODE
    assert not any("unverified" in c.label.lower() for c in reasons)


@pytest.mark.parametrize(
    ("wording", "code", "reverses"),
    [
        ("Reinstated", "REINSTATED", True),
        ("Governing board reinstated pupil", "REINSTATED", True),
        ("governors reinstated the pupil.", "REINSTATED", True),
        ("IRP - reconsider, reinstated", "IRP_REINSTATED", True),
        ("Withdrawn by head", "CANCELLED", True),
        ("Upheld", "UPHELD", False),
        ("Decision upheld", "UPHELD", False),
        ("Not reinstated", "UPHELD", False),
        ("IRP - reconsider", "IRP_RECONSIDER", False),
        ("IRP upheld", "IRP_UPHELD", False),
        ("Awaiting review", "PENDING", False),
    ],
)
def test_review_outcomes_are_read_from_the_schools_wording(
    wording: str, code: str, reverses: bool
) -> None:
    found = codelists.review_outcome(wording)
    assert found is not None and found.code == code
    assert (found.extra["reverses"] == "yes") is reverses


def test_unknown_review_outcome_wording_is_none() -> None:
    for wording in ("Governors met", "reinstated?? see notes on file", "", "   "):
        assert codelists.review_outcome(wording) is None


def test_admin_can_extend_a_list(private_home: Path) -> None:
    folder = private_home / "data" / "codelists"
    folder.mkdir(parents=True)
    (folder / "exclusion_reasons.csv").write_text(
        "code,label,status,synonyms\nZZ,Local reason,local,Local one\n", encoding="utf-8"
    )
    codelists.reload_codelists()
    reasons = codelist(REASONS)
    assert reasons.match("local one").code == "ZZ"  # type: ignore[union-attr]
    assert "PP" in reasons


def test_an_admin_year_code_without_an_order_is_no_year_group(private_home: Path) -> None:
    """A blank order in an admin's NC year file makes that code no year group; every other code
    keeps its order (the orders are read all at once, so one bad row must not stop them all)."""
    folder = private_home / "data" / "codelists"
    folder.mkdir(parents=True)
    (folder / "nc_years.csv").write_text(
        "code,label,synonyms,order\nN3,Nursery 3,,\nY15,Year fifteen,,fifteen\n", encoding="utf-8"
    )
    codelists.reload_codelists()
    try:
        assert codelists.nc_year_order("N3") == 99
        assert codelists.nc_year_order("Y15") == 99
        assert codelists.nc_year_order("5") == 5
        assert codelists.nc_year_order("R") < codelists.nc_year_order("1")
    finally:
        (folder / "nc_years.csv").unlink()
        codelists.reload_codelists()


def test_the_regional_return_reads_outcomes_through_the_same_list() -> None:
    from exclusion_monitor.regional.return_format import outcome_phrase

    assert outcome_phrase("Governing board reinstated pupil") == "Reinstated"
    assert outcome_phrase("Withdrawn by head") == "Reinstated"
    assert outcome_phrase("Not reinstated") == "Upheld"  # no keyword reading
    assert outcome_phrase("IRP upheld") == "Upheld"
    assert outcome_phrase("IRP - reconsider") == "Other outcome recorded"
    assert outcome_phrase("Governors met") == "Other outcome recorded"
    assert outcome_phrase("") == ""


def test_a_year_group_reads_the_same_everywhere() -> None:
    label = codelists.year_group_label
    assert [label(c) for c in ("R", "7", "N1", "X", "13")] == [
        "Reception", "Year 7", "Nursery 1", "National curriculum not followed", "Year 13",
    ]  # fmt: skip
    assert [label(c, short=True) for c in ("R", "7", "N2")] == ["R", "Y7", "N2"]
    assert label(None) == "" and label(None, unknown="year not known") == "year not known"
    assert label("Q9") == "Q9"  # a code the list does not know, as given (never 'Year Q9')
