"""Normalising values: UK dates, Excel serials (1900 and 1904), LAESTAB, codes, days to sessions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from imports import normalise as nz

from .conftest import CENSUS_HEADERS, EXCLUSION_HEADERS, census_row, upn, write_csv, write_xlsx


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/10/2023", dt.date(2023, 10, 5)),
        ("5/10/23", dt.date(2023, 10, 5)),
        ("05-10-2023", dt.date(2023, 10, 5)),
        ("05.10.2023", dt.date(2023, 10, 5)),
        ("2023-10-05", dt.date(2023, 10, 5)),
        ("2023-10-05 00:00:00", dt.date(2023, 10, 5)),
        ("5 October 2023", dt.date(2023, 10, 5)),
        ("5-Oct-2023", dt.date(2023, 10, 5)),
        (45204.0, dt.date(2023, 10, 5)),
        ("45204", dt.date(2023, 10, 5)),
        (dt.datetime(2023, 10, 5, 9, 30), dt.date(2023, 10, 5)),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_read_day_first(value: object, expected: dt.date | None) -> None:
    assert nz.parse_date(value) == expected


def test_serials_in_a_1904_workbook() -> None:
    assert nz.parse_date(43742.0, date1904=True) == dt.date(2023, 10, 5)


@pytest.mark.parametrize("value", ["10/25/2023", "31/02/2023", "next week", "2023/99/01", True])
def test_impossible_dates_say_why(value: object) -> None:
    with pytest.raises(ValueError, match="date"):
        nz.parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3304002", "3304002"),
        (3304002.0, "3304002"),
        ("330/4002", "3304002"),
        ("330-4002", "3304002"),
        ("330 4002", "3304002"),
        ("330/12", "3300012"),
    ],
)
def test_laestab_forms(value: object, expected: str) -> None:
    assert nz.laestab(value) == expected


@pytest.mark.parametrize("value", ["33040", "Oakfield", "3304002X"])
def test_bad_laestab(value: object) -> None:
    with pytest.raises(ValueError, match="LAESTAB"):
        nz.laestab(value)


def test_postcode_and_names() -> None:
    assert nz.postcode(" b1  1aa ") == "B1 1AA"
    assert nz.postcode("wv11aa") == "WV1 1AA"
    assert nz.name("MCDONALD") == "McDonald"
    assert nz.name("O'NEIL-SMITH") == "O'Neil-Smith"
    assert nz.name("van der Berg ") == "van der Berg"
    assert nz.name("DeSouza") == "DeSouza"


def test_1904_workbook_serial_numbers_import_as_the_right_dates(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    row = census_row(1, dob=41186.0, census_date=43742.0)  # 1904 serials: 05/10/2016, 05/10/2023
    path = write_xlsx(tmp_path / "mac.xlsx", CENSUS_HEADERS, [row], date1904=True)
    assert import_one(path).rows_imported == 1
    with db.read() as conn:
        dob = conn.execute(sa.select(t.children.c.date_of_birth)).scalar_one()
        census = conn.execute(sa.select(t.census_observations.c.census_date)).scalar_one()
    assert (dob, census) == (dt.date(2016, 10, 5), dt.date(2023, 10, 5))


def test_census_codes_and_sex_from_gender(tmp_path: Path, db: Any, import_one: Any) -> None:
    headers = [
        "Pupil UPN", "Legal Surname", "Given name", "DOB", "Gender", "Year group", "DfE number",
        "Census date", "Enrolment status", "Ethnicity", "FSM eligible", "SEN provision",
        "Post code", "Address line 1", "Family reference",
    ]  # fmt: skip
    rows = [
        [upn(1), "Smith", "Ann", "01/02/2012", "Girl", "Reception", "330-4002", "05/10/2023",
         "Current", "WBRI", "Yes", "EHCP", "b1 1aa", "1  High St", "FAM1"],
        [upn(2), "Jones", "Bo", "01/03/2012", "male", "Y7", "3304002", "05/10/2023", "M",
         "ABAN1", "N", "S", "B1 1AA", "1 High St", "FAM1"],
        [upn(3), "Khan", "Cy", "01/04/2012", "X", "Year 12", "3304002", "05/10/2023", "Q",
         "ZZZZ", "maybe", "K", "", "", ""],
    ]  # fmt: skip
    result = import_one(write_csv(tmp_path / "c.csv", headers, rows))
    assert result.kind == "census" and result.rows_imported == 3
    with db.read() as conn:
        obs = conn.execute(
            sa.select(
                t.children.c.sex, t.census_observations.c.nc_year,
                t.census_observations.c.enrol_status, t.census_observations.c.ethnicity,
                t.census_observations.c.fsm, t.census_observations.c.sen,
                t.census_observations.c.postcode, t.census_observations.c.address_line1,
            )
            .join(t.children, t.children.c.id == t.census_observations.c.child_id)
            .order_by(t.children.c.surname)
        ).all()  # fmt: skip
    # An unknown ethnicity is kept as written (never cut down to a code it starts with).
    assert [tuple(r) for r in obs] == [
        ("M", "7", "M", "ABAN1", False, "E", "B1 1AA", "1 High St"),
        (None, "12", None, "ZZZZ", None, "K", None, None),
        ("F", "R", "C", "WBRI", True, "E", "B1 1AA", "1 High St"),
    ]
    text = " ".join(result.warnings)
    assert "sex 'X' is not a known code" in text
    assert "enrol status 'Q'" in text
    assert "ethnicity 'ZZZZ' is not a known code; it was kept as written" in text
    assert "ethnicity 'ABAN1' is not a known code; it was kept as written" in text
    assert "'maybe' is not yes or no for FSM eligible" in text


def test_exclusion_categories_reasons_and_sessions(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    headers = [*EXCLUSION_HEADERS[:7], "Days", "Reason 1", "Reason 2"]
    base = [upn(1), "Smith", "Ann", "01/02/2012", "3304002"]
    rows = [
        [*base, "Fixed period", "02/10/2023", "2.5", "Persistent disruptive behaviour", "VA"],
        [*base, "FIXD", "09/10/2023", "1", "DB", ""],
        [*base, "Suspension", "16/10/2023", "0.5", "zz", ""],
        [*base, "SUSP", "23/10/2023", "3", "DB, PA", ""],
        [*base, "Lunchtime", "30/10/2023", "", "DB", ""],
        [*base, "Permanent", "06/11/2023", "", "PA", ""],
        [*base, "Banished", "13/11/2023", "1", "DB", ""],
    ]
    result = import_one(write_csv(tmp_path / "x.csv", headers, rows))
    assert result.kind == "exclusions"
    assert result.rows_imported == 6
    assert [(r.row, r.reason) for r in result.rejected] == [
        (8, "category 'Banished' is not an exclusion category")
    ]
    with db.read() as conn:
        got = conn.execute(
            sa.select(
                t.exclusions.c.category, t.exclusions.c.sessions, t.exclusions.c.reason1,
                t.exclusions.c.reason2,
            ).order_by(t.exclusions.c.start_date)
        ).all()  # fmt: skip
    assert [tuple(r) for r in got] == [
        ("SUSP", 5.0, "DB", "VA"),
        ("SUSP", 2.0, "DB", None),
        ("SUSP", 1.0, "ZZ", None),
        ("SUSP", 6.0, "DB", "PA"),
        ("LNCH", 1.0, "DB", None),
        ("PERM", 0.0, "PA", None),
    ]
    assert any(
        "reason 'zz' is not a DfE reason code or a wording the reason list knows; it was kept "
        "as written and is counted as 'not a DfE reason code' (row 4)" in w
        for w in result.warnings
    )


def test_implausible_values_are_rejected_with_reasons(tmp_path: Path, import_one: Any) -> None:
    rows = [
        census_row(1, dob="01/01/1960"),
        census_row(2, dob="01/01/2031"),
        census_row(3, dob="31/02/2012"),
        census_row(4, surname=""),
        census_row(5, the_upn="B80120000500"),
        census_row(6, laestab="Oakfield"),
        census_row(7),
    ]
    result = import_one(write_csv(tmp_path / "c.csv", CENSUS_HEADERS, rows))
    reasons = {r.row: r.reason for r in result.rejected}
    assert result.rows_imported == 1
    assert "not plausible for a pupil" in reasons[2]
    assert "in the future" in reasons[3]
    assert reasons[4] == "date of birth: '31/02/2012' is not a real date"
    assert reasons[5] == "the surname is missing"
    assert "13 characters" in reasons[6]
    assert reasons[7] == "school: 'Oakfield' is not a LAESTAB (LA number and establishment number)"
