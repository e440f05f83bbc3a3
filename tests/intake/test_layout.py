"""Messy layouts: title rows, several sheets, blank and totals rows, header variants, kinds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from imports import inspect_file, save_mapping_profile

from .conftest import (
    CENSUS_HEADERS,
    EXCLUSION_HEADERS,
    SCHOOL_HEADERS,
    census_row,
    schools_rows,
    upn,
    write_csv,
    write_xlsx,
)


def test_picks_the_sheet_with_the_header_below_title_rows(tmp_path: Path, import_one: Any) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        CENSUS_HEADERS,
        [census_row(1), [], census_row(2), ["Total", "", "", "", "", "", "", "", 2]],
        title_rows=["Oakfield Academy", "Autumn census", ""],
        sheet="Pupils",
        first_sheets={"Notes": [["Please return by Friday"], ["Thanks"]]},
        extra_sheets={"Summary": [["Year", "Count"], ["7", 2]]},
    )
    preview = inspect_file(path)
    assert (preview.sheet, preview.header_row, preview.kind) == ("Pupils", 4, "census")
    assert preview.sheets == ["Notes", "Pupils", "Summary"]
    assert len(preview.rows) == 2
    result = import_one(path)
    assert (result.sheet, result.rows_read, result.rows_imported) == ("Pupils", 2, 2)
    assert "row 8 looks like a totals row and was skipped" in result.warnings


def test_header_variants_trailing_spaces_and_capitals(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    headers = ["UNIQUE PUPIL NUMBER ", " last name", "First Name", "D.O.B.", "GENDER",
               "NCyearActual", "LA Estab", "Census_Date"]  # fmt: skip
    rows = [[f" {upn(1).lower()[:5]} {upn(1)[5:]} ", "SMITH ", "  ann", "01/02/2012", "F",
             "7", "3304002", "05/10/2023"]]  # fmt: skip
    result = import_one(write_csv(tmp_path / "c.csv", headers, rows))
    assert result.rows_imported == 1, result
    with db.read() as conn:
        child = conn.execute(sa.select(t.children.c.surname, t.children.c.forename)).one()
        ident = conn.execute(sa.select(t.child_identifiers.c.upn)).scalar_one()
    assert tuple(child) == ("Smith", "Ann")
    assert ident == upn(1)


def test_kind_detection_for_each_kind(tmp_path: Path) -> None:
    files = {
        "census": (CENSUS_HEADERS, [census_row(1)]),
        "exclusions": (EXCLUSION_HEADERS, []),
        "enrolments": (
            [
                "UPN",
                "Surname",
                "Forename",
                "LAESTAB",
                "Entry date",
                "Leaving date",
                "Leaving reason",
            ],
            [],
        ),
        "schools": (SCHOOL_HEADERS, schools_rows()),
        "school_links": (["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"], []),
    }
    for kind, (headers, rows) in files.items():
        preview = inspect_file(write_csv(tmp_path / f"{kind}.csv", headers, rows))
        assert preview.kind == kind, (kind, preview)
        assert preview.missing == [], kind


def test_no_recognisable_header_is_refused(tmp_path: Path, import_one: Any) -> None:
    path = write_csv(tmp_path / "shopping.csv", ["Item", "Price"], [["Milk", "1"]])
    result = import_one(path)
    assert result.status == "refused"
    assert result.message.startswith("shopping.csv: no recognisable header")


def test_missing_required_column_is_refused_naming_it(tmp_path: Path, import_one: Any) -> None:
    headers = ["UPN", "Surname", "Forename", "NC year", "LAESTAB", "Census date"]
    result = import_one(write_csv(tmp_path / "c.csv", headers, [census_row(1)[:6]]))
    assert result.status == "refused"
    assert result.message == (
        "c.csv: the census file has no column for Date of birth (header row 1 of sheet 'c')."
    )


def test_census_without_a_census_date_needs_one(tmp_path: Path, db: Any, import_one: Any) -> None:
    headers = CENSUS_HEADERS[:7]
    path = write_csv(tmp_path / "c.csv", headers, [census_row(1)[:7]])
    refused = import_one(path)
    assert refused.status == "refused"
    assert "Census date (or give the census date: --census-date YYYY-MM-DD)" in refused.message
    import datetime as dt

    result = import_one(path, census_date=dt.date(2024, 1, 18))
    assert result.rows_imported == 1
    with db.read() as conn:
        got = conn.execute(sa.select(t.census_observations.c.census_date)).scalar_one()
    assert got == dt.date(2024, 1, 18)


def test_kind_override_and_mapping_profile(tmp_path: Path, db: Any, import_one: Any) -> None:
    headers = ["Pupil ref", "Family name", "Given", "Born", "Sex", "Yr", "Setting", "When"]
    path = write_csv(tmp_path / "odd.csv", headers, [census_row(1)[:8]])
    preview = inspect_file(path, db=db)
    assert preview.message is not None or preview.missing
    mapping = {
        "Pupil ref": "upn", "Family name": "surname", "Given": "forename", "Born": "date_of_birth",
        "Yr": "nc_year", "Setting": "laestab", "When": "census_date",
    }  # fmt: skip
    save_mapping_profile(db, headers, "census", mapping, name="Odd school export")
    again = inspect_file(path, db=db)
    assert again.profile_name == "Odd school export"
    assert again.kind == "census" and again.missing == []
    assert again.mapping["Setting"] == "laestab"
    result = import_one(path)
    assert result.status == "imported" and result.rows_imported == 1


def test_explicit_mapping_overrides_synonyms(tmp_path: Path, db: Any, import_one: Any) -> None:
    headers = [*CENSUS_HEADERS, "Notes"]
    rows = [[*census_row(1), "keep"]]
    path = write_csv(tmp_path / "c.csv", headers, rows)
    result = import_one(path, mapping={"Notes": "family_ref", "Sex": ""})
    assert result.rows_imported == 1
    with db.read() as conn:
        assert conn.execute(sa.select(t.census_observations.c.family_ref)).scalar_one() == "keep"
        assert conn.execute(sa.select(t.children.c.sex)).scalar_one() is None
