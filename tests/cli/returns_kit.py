"""Invented returns in the shapes an authority receives them (a GIAS-style register and links
file, census extracts, an admissions extract of leavers, an exclusions return), written as CSV
with headers as people type them, and the command line run on them. No real child or school."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from exclusion_monitor.upn import check_letter
from ui.cli.main import main

D = dt.date
BORN = D(2010, 3, 1)


def upn(serial: int) -> str:
    """A valid permanent UPN of LA 330 (school 4002, allocated in 2015)."""
    body = f"330400215{serial:03d}"
    return check_letter(body) + body


def uk(day: D | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class School:
    urn: str
    laestab: str
    name: str
    phase: str = "Secondary"
    kind: str = "Academy converter"
    low: int = 11
    high: int = 16
    opened: D | None = None
    closed: D | None = None


@dataclass(frozen=True)
class Pupil:
    serial: int
    surname: str
    forename: str
    born: D = BORN
    sex: str = "F"

    @property
    def upn(self) -> str:
        return upn(self.serial)


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    return path


def register(path: Path, schools: Iterable[School]) -> Path:
    """A Get Information About Schools extract (its own column names, dates dd-mm-yyyy)."""
    return write_csv(
        path,
        [
            "URN",
            "LA (code)",
            "EstablishmentNumber",
            "EstablishmentName",
            "TypeOfEstablishment (name)",
            "PhaseOfEducation (name)",
            "StatutoryLowAge",
            "StatutoryHighAge",
            "OpenDate",
            "CloseDate",
        ],
        (
            [
                s.urn,
                s.laestab[:3],
                s.laestab[3:],
                s.name,
                s.kind,
                s.phase,
                s.low,
                s.high,
                s.opened.strftime("%d-%m-%Y") if s.opened else "",
                s.closed.strftime("%d-%m-%Y") if s.closed else "",
            ]
            for s in schools
        ),
    )


def links(path: Path, rows: Iterable[tuple[str, str, str, str, D | None]]) -> Path:
    """The GIAS links file: URN, LinkURN, LinkName, LinkType, LinkEstablishedDate."""
    return write_csv(
        path,
        ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"],
        ([a, b, name, kind, uk(day)] for a, b, name, kind, day in rows),
    )


@dataclass(frozen=True)
class CensusRow:
    pupil: Pupil
    school: School
    census_date: D
    year: str = "10"
    entry: D | None = None
    status: str = "C"
    address: str = ""
    postcode: str = ""
    family_ref: str = ""


def census(path: Path, rows: Iterable[CensusRow], *, family_column: bool = True) -> Path:
    """A census extract as a census team sends it: one row per pupil with its census date."""
    headers = [
        "Pupil UPN",
        "Legal Surname",
        "Forename",
        "Date of Birth",
        "Gender",
        "NC Year Actual",
        "Date of admission",
        "Enrol Status",
        "DfE number",
        "Census Date",
        "Address Line 1",
        "Post code",
    ]
    if family_column:
        headers.append("Family Reference")
    out = []
    for r in rows:
        line = [
            r.pupil.upn,
            r.pupil.surname,
            r.pupil.forename,
            uk(r.pupil.born),
            r.pupil.sex,
            r.year,
            uk(r.entry),
            r.status,
            f"{r.school.laestab[:3]}/{r.school.laestab[3:]}",
            uk(r.census_date),
            r.address,
            r.postcode,
        ]
        if family_column:
            line.append(r.family_ref)
        out.append(line)
    return write_csv(path, headers, out)


def leavers(path: Path, rows: Iterable[tuple[Pupil, School, D, D, str]]) -> Path:
    """An admissions extract of leavers: entry and leaving dates with the reason typed."""
    return write_csv(
        path,
        [
            "UPN",
            "Surname",
            "Forename",
            "DOB",
            "LAESTAB",
            "Date of admission",
            "Date of leaving",
            "Reason for leaving",
            "Enrolment status",
        ],
        (
            [p.upn, p.surname, p.forename, uk(p.born), s.laestab, uk(entry), uk(left), why, "C"]
            for p, s, entry, left, why in rows
        ),
    )


def exclusions(path: Path, rows: Iterable[tuple[Pupil, School, D, int, str]]) -> Path:
    """An exclusions return: one suspension per row (category, start date, sessions, reason)."""
    return write_csv(
        path,
        [
            "UPN",
            "Surname",
            "Forename",
            "DOB",
            "LAESTAB",
            "Category",
            "Start Date",
            "Sessions",
            "Reason 1",
        ],
        (
            [p.upn, p.surname, p.forename, uk(p.born), s.laestab, "SUSP", uk(day), sessions, why]
            for p, s, day, sessions, why in rows
        ),
    )


def cli(capsys: pytest.CaptureFixture[str], location: str, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", location, *argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: pytest.CaptureFixture[str], location: str, *argv: str) -> Any:
    code, out, err = cli(capsys, location, *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def imported(
    capsys: pytest.CaptureFixture[str], location: str, *files: Path
) -> list[dict[str, Any]]:
    """Import the files through the command line; every one must be imported."""
    results = cli_json(capsys, location, "import", *(str(f) for f in files))
    assert [r["status"] for r in results] == ["imported"] * len(files), results
    return list(results)


def flags_by_upn(capsys: pytest.CaptureFixture[str], location: str, *argv: str) -> dict[str, Any]:
    return {row["upn"]: row for row in cli_json(capsys, location, "flags", *argv)}
