"""The whole GIAS extract as downloaded (139 columns, Windows-1252, dd-mm-yyyy dates) and its
links file with every link type, through the real command line: the register's status, closure
reason and previous LAESTAB are read, and a converted academy's previous number makes its
predecessor link, so a pupil who stayed through the conversion made no move."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from exclusion_monitor.school_links import link_type_key, link_types
from exclusion_monitor.store import open_database
from exclusion_monitor.store import schema as t
from exclusion_monitor.upn import check_letter
from tests.support.gias import HEADER, write_gias, write_links
from ui.cli.main import main

SCHOOLS = [
    {"URN": "900001", "LA (code)": "330", "LA (name)": "Larkwood", "EstablishmentNumber": "4002",
     "EstablishmentName": "Larkwood High School", "TypeOfEstablishment (name)": "Community school",
     "EstablishmentStatus (name)": "Closed",
     "ReasonEstablishmentClosed (name)": "Academy Converter", "OpenDate": "",
     "CloseDate": "31-08-2019", "PhaseOfEducation (name)": "Secondary",
     "StatutoryLowAge": "11", "StatutoryHighAge": "16"},
    {"URN": "900002", "LA (code)": "330", "LA (name)": "Larkwood", "EstablishmentNumber": "4101",
     "EstablishmentName": "Larkwood Academy", "TypeOfEstablishment (name)": "Academy converter",
     "EstablishmentStatus (name)": "Open", "OpenDate": "01-09-2019",
     "PhaseOfEducation (name)": "Secondary", "StatutoryLowAge": "11", "StatutoryHighAge": "16",
     "PreviousLA (code)": "330", "PreviousLA (name)": "Larkwood",
     "PreviousEstablishmentNumber": "4002"},
    {"URN": "900003", "LA (code)": "330", "LA (name)": "Larkwood", "EstablishmentNumber": "3001",
     "EstablishmentName": "St Anne\u2019s Catholic Primary School",
     "TypeOfEstablishment (name)": "Voluntary aided school", "EstablishmentStatus (name)": "Open",
     "PhaseOfEducation (name)": "Primary", "StatutoryLowAge": "4", "StatutoryHighAge": "11",
     "Town": "Larkwood", "Postcode": "LK1 2AB"},
    {"URN": "900004", "LA (code)": "330", "LA (name)": "Larkwood", "EstablishmentNumber": "1100",
     "EstablishmentName": "Larkwood Pupil Referral Unit",
     "TypeOfEstablishment (name)": "Pupil referral unit", "EstablishmentStatus (name)": "Open",
     "StatutoryLowAge": "5", "StatutoryHighAge": "16"},
    {"URN": "900005", "LA (code)": "330", "LA (name)": "Larkwood", "EstablishmentNumber": "2004",
     "EstablishmentName": "Old Mill Infants", "TypeOfEstablishment (name)": "Community school",
     "EstablishmentStatus (name)": "Closed", "PhaseOfEducation (name)": "Primary",
     "StatutoryLowAge": "4", "StatutoryHighAge": "7"},
]  # fmt: skip


def _upn(serial: int) -> str:
    body = f"330400216{serial:03d}"
    return check_letter(body) + body


def test_the_whole_extract_is_read_as_downloaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert len(HEADER) == 139
    db = str(tmp_path / "t.db")
    extract = write_gias(tmp_path / "edubasealldata20240901.csv", SCHOOLS)
    assert main(["--db", db, "import", str(extract), "--format", "json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["kind"] == "schools" and result["rows_imported"] == 5, result
    warnings = " | ".join(result["warnings"])
    assert "1 school(s) had a previous LAESTAB in the register" in warnings
    assert "closed but gives no close date" in warnings and "(row 6)" in warnings
    assert "closed to carry on as another school" not in warnings  # its successor is linked
    assert "TelephoneNum" in result["not_used"] and "Postcode" in result["not_used"]
    assert result["proposed"] == []
    with open_database(db) as database, database.read() as conn:
        s = t.schools.c
        rows = {
            r.laestab: r
            for r in conn.execute(
                sa.select(s.laestab, s.name, s.la_code, s.phase, s.open_date, s.close_date,
                          s.low_age, s.high_age)
            )
        }  # fmt: skip
        links = conn.execute(
            sa.select(t.school_links.c.school_id, t.school_links.c.linked_school_id,
                      t.school_links.c.link_type)
        ).all()  # fmt: skip
        ids = dict(conn.execute(sa.select(s.laestab, s.id)).all())
    assert rows["3303001"].name == "St Anne\u2019s Catholic Primary School"  # Windows-1252
    assert str(rows["3304002"].close_date) == "2019-08-31"  # dd-mm-yyyy
    assert str(rows["3304101"].open_date) == "2019-09-01"
    assert rows["3301100"].phase == "pru_ap" and rows["3304101"].phase == "secondary"
    assert (rows["3303001"].low_age, rows["3303001"].high_age) == (4, 11)
    assert links == [(ids["3304101"], ids["3304002"], "predecessor")]


def test_a_pupil_who_stayed_through_the_conversion_made_no_move(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    assert main(["--db", db, "import", str(write_gias(tmp_path / "gias.csv", SCHOOLS))]) == 0
    census = tmp_path / "census.csv"
    census.write_text(
        "UPN,Surname,Forename,DOB,Sex,NC Year,LAESTAB,Census date\n"
        f"{_upn(1)},Tester,Ria,01/03/2007,F,7,3304002,17/01/2019\n"
        f"{_upn(1)},Tester,Ria,01/03/2007,F,8,3304101,16/01/2020\n",
        encoding="utf-8",
    )
    assert main(["--db", db, "import", str(census)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "child", _upn(1), "--format", "json"]) == 0
    ria = json.loads(capsys.readouterr().out)
    assert ria["moves"] == [] or all(m["kind"] == "conversion" for m in ria["moves"])


def test_a_conversion_with_no_known_successor_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    alone = [SCHOOLS[0], SCHOOLS[2]]
    assert main(["--db", db, "import", str(write_gias(tmp_path / "g.csv", alone))]) == 0
    out = capsys.readouterr().out
    assert "school 3304002 closed to carry on as another school, but no link" in out


LINK_TYPES = [
    "Predecessor", "Successor", "Closure", "Expansion", "Predecessor - amalgamated",
    "Successor - amalgamated", "Result of Amalgamation", "Predecessor - merged",
    "Successor - merged", "Merged - expansion of school capacity",
    "Merged - change in age range",
    "Merged - expansion in school capacity and changer in age range",
    "Predecessor - Split School", "Successor - Split School", "Sixth Form Centre Link",
    "Sixth Form Centre School", "Children's Centre Link", "Other",
]  # fmt: skip


def test_the_links_file_with_every_link_type_the_register_uses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    assert main(["--db", db, "import", str(write_gias(tmp_path / "g.csv", SCHOOLS))]) == 0
    capsys.readouterr()
    links = [("900003", "900005", "Old Mill Infants", kind, "01-09-2015") for kind in LINK_TYPES]
    assert main(["--db", db, "import", str(write_links(tmp_path / "links.csv", links)),
                 "--format", "json"]) == 0  # fmt: skip
    (result,) = json.loads(capsys.readouterr().out)
    assert result["rejected"] == []
    assert result["kind"] == "school_links" and result["rows_imported"] == len(LINK_TYPES), result
    known = link_types()
    for kind in LINK_TYPES:
        assert link_type_key(kind) in known, kind  # every type is one the rules know


def test_the_whole_register_with_reused_numbers_and_establishments_without_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The extract of every establishment in England holds rows no return can name (children's
    centres, universities, online providers: no establishment number) and LAESTABs used twice
    (a school that closed and reopened as an academy under the same number, the closed one
    first, by URN). Neither is a rejected row: the first are left out, the second keep the
    current establishment, each with one warning naming the rows."""
    db = str(tmp_path / "t.db")
    extract = [
        *SCHOOLS,
        {"URN": "900010", "LA (code)": "330", "EstablishmentNumber": "5001",
         "EstablishmentName": "Brook Secondary School",
         "TypeOfEstablishment (name)": "Foundation school",
         "EstablishmentStatus (name)": "Closed",
         "ReasonEstablishmentClosed (name)": "Academy Converter",
         "OpenDate": "01-01-1974", "CloseDate": "31-08-2012",
         "PhaseOfEducation (name)": "Secondary"},
        {"URN": "900011", "LA (code)": "330", "EstablishmentNumber": "5001",
         "EstablishmentName": "Brook Academy", "TypeOfEstablishment (name)": "Academy converter",
         "EstablishmentStatus (name)": "Open", "OpenDate": "01-09-2012",
         "PhaseOfEducation (name)": "Secondary", "PreviousLA (code)": "330",
         "PreviousEstablishmentNumber": "5001"},
        {"URN": "900020", "LA (code)": "330", "LA (name)": "Larkwood", "EstablishmentNumber": "",
         "EstablishmentName": "Larkwood Children's Centre",
         "TypeOfEstablishment (name)": "Children's centre", "EstablishmentStatus (name)": "Open"},
        {"URN": "900021", "LA (code)": "000", "LA (name)": "Does not apply",
         "EstablishmentNumber": "", "EstablishmentName": "University of Nowhere",
         "TypeOfEstablishment (name)": "Higher education institutions",
         "EstablishmentStatus (name)": "Open"},
    ]  # fmt: skip
    path = write_gias(tmp_path / "edubasealldata20240901.csv", extract)
    assert main(["--db", db, "import", str(path), "--format", "json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert result["rejected"] == []
    assert (result["rows_read"], result["rows_imported"]) == (9, 6)
    warnings = " | ".join(result["warnings"])
    assert "were left out: the current establishment's details were kept (row 7)" in warnings
    assert "are not schools a return can name; they were left out (rows 9, 10)" in warnings
    assert "school 3305001 closed to carry on" not in warnings
    with open_database(db) as database, database.read() as conn:
        s = t.schools.c
        brook = conn.execute(
            sa.select(s.urn, s.name, s.close_date).where(s.laestab == "3305001")
        ).one()
        names = set(conn.execute(sa.select(s.name)).scalars())
        links = conn.execute(sa.select(sa.func.count()).select_from(t.school_links)).scalar()
    assert tuple(brook) == ("900011", "Brook Academy", None)
    assert not names & {"Larkwood Children's Centre", "University of Nowhere"}
    assert links == 1  # the 4002 -> 4101 conversion; Brook kept its number, so no link

    # Next month's download, one school newer: still nothing rejected, Brook still the academy.
    newer = {**SCHOOLS[2], "URN": "900030", "EstablishmentNumber": "3002",
             "EstablishmentName": "Meadow Primary"}  # fmt: skip
    again = write_gias(tmp_path / "edubasealldata20241001.csv", [*extract, newer])
    assert main(["--db", db, "import", str(again), "--format", "json"]) == 0
    (second,) = json.loads(capsys.readouterr().out)
    assert second["rejected"] == [] and second["rows_imported"] == 7
    with open_database(db) as database, database.read() as conn:
        s = t.schools.c
        brook = conn.execute(sa.select(s.urn, s.name).where(s.laestab == "3305001")).one()
    assert tuple(brook) == ("900011", "Brook Academy")
