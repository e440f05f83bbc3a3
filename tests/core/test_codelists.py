from __future__ import annotations

from pathlib import Path

import pytest

from exclusion_monitor import codelists
from exclusion_monitor.codelists import (
    CATEGORIES,
    ETHNICITY,
    REASONS,
    SEN,
    codelist,
    counts_for_history,
    is_primary_year,
    nc_year,
)


@pytest.mark.parametrize(
    "text", ["SUSP", "FIXD", "Suspension", "fixed term", "Fixed period", "FIXED-PERIOD"]
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
    assert [s for s in "CMSG" if counts_for_history(s)] == ["C", "M"]


def test_ethnicity_extended_codes_roll_up() -> None:
    assert codelists.ethnicity("WBRI").code == "WBRI"  # type: ignore[union-attr]
    assert codelists.ethnicity("ZZZZ") is None
    assert codelists.ethnicity("BCRBx").code == "BCRB"  # type: ignore[union-attr]
    assert len(codelist(ETHNICITY)) == 20


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
