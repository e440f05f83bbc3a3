"""Invented returns for the exclusion rules, shaped as an authority receives them: a GIAS-style
school list, census returns with typed headers (one CSV, one workbook) and an exclusions workbook
from a school's system, each child's story named by their forename."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from exclusion_monitor.upn import check_letter

D = dt.date
OAK, ASH, ELM = "3304001", "3304002", "3302001"
AUTUMN, SPRING, SUMMER = D(2023, 10, 5), D(2024, 1, 18), D(2024, 5, 16)

SCHOOL_HEADERS = [
    "URN", "LA (code)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (name)",
    "PhaseOfEducation (name)",
]  # fmt: skip
SCHOOLS = [
    ["100001", "330", "4001", "Oak High School", "Community school", "Secondary"],
    ["100002", "330", "4002", "Ash Academy", "Academy converter", "Secondary"],
    ["100003", "330", "2001", "Elm Primary School", "Community school", "Primary"],
]
CENSUS_HEADERS = [
    "Pupil UPN", "Legal Surname", "Forename", "D.O.B.", "Gender", "Year group", "DfE number",
    "Census date", "Enrolment status", "Ethnicity",
]  # fmt: skip
EXCLUSION_HEADERS = [
    "UPN", "Surname", "Forename", "DOB", "School", "Exclusion type", "Start date", "End date",
    "Sessions", "Reason 1", "Reason 2", "Review outcome",
]  # fmt: skip


@dataclass
class Pupil:
    forename: str
    school: str
    year: str
    born: dt.date
    ethnicity: str = "WBRI"
    serial: int = 0
    censuses: tuple[dt.date, ...] = (AUTUMN, SPRING, SUMMER)
    exclusions: list[list[object]] = field(default_factory=list)

    @property
    def upn(self) -> str:
        body = f"330400223{self.serial:03d}"
        return check_letter(body) + body


def _uk(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def susp(
    day: dt.date,
    sessions: float = 2,
    *,
    school: str | None = None,
    end: dt.date | None = None,
    reasons: Sequence[str] = ("DB",),
) -> tuple[object, ...]:
    return ("Suspension", day, end, sessions, list(reasons), "", school)


def lunch(day: dt.date, reasons: Sequence[str] = ("VP",)) -> tuple[object, ...]:
    return ("Lunchtime", day, None, "", list(reasons), "", None)


def perm(day: dt.date, outcome: str = "", reasons: Sequence[str] = ("PA",)) -> tuple[object, ...]:
    return ("Permanent", day, None, "", list(reasons), outcome, None)


SECONDARY_BORN = D(2009, 11, 20)  # Year 9 in 2023/24
PRIMARY_BORN = D(2015, 2, 3)  # Year 4 in 2023/24

REINSTATED_WORDING = [
    "Reinstated",
    "Governing board reinstated pupil",
    "IRP - reconsider, reinstated",
    "Withdrawn by head",
    "reinstated by governors.",
]
STANDING_WORDING = ["Upheld", "Decision upheld", "", "IRP upheld", "Governors met 12/3"]


def pupils() -> dict[str, Pupil]:
    """Every child of the returns, by forename, with their exclusions."""
    found: list[Pupil] = []

    def add(name: str, *events: tuple[object, ...], **kw: object) -> None:
        pupil = Pupil(name, str(kw.pop("school", OAK)), str(kw.pop("year", "9")),
                      kw.pop("born", SECONDARY_BORN), **kw)  # type: ignore[arg-type]  # fmt: skip
        for category, day, end, sessions, reasons, outcome, school in events:
            pupil.exclusions.append(
                [category, day, end, sessions, reasons, outcome, school or pupil.school]
            )
        found.append(pupil)

    for i, wording in enumerate(REINSTATED_WORDING):
        add(f"Rein{i}", susp(D(2024, 1, 9)), perm(D(2024, 3, 4), wording), ethnicity="WENG")
    for i, wording in enumerate(STANDING_WORDING):
        add(f"Held{i}", susp(D(2024, 1, 9)), perm(D(2024, 3, 4), wording), ethnicity="BSOM")
    add("Lunchie", *[lunch(d) for d in (D(2023, 10, 2), D(2023, 11, 6), D(2024, 1, 15),
                                         D(2024, 2, 5))], ethnicity="AMPK")  # fmt: skip
    add("Mixed", susp(D(2023, 10, 2)), susp(D(2023, 11, 6)), lunch(D(2024, 2, 5)), ethnicity="WROG")
    add("Burst", susp(D(2024, 4, 22)), susp(D(2024, 4, 29)), ethnicity="White - Scottish")
    add("Rising", susp(D(2023, 10, 2)), susp(D(2024, 1, 15)), susp(D(2024, 4, 22)),
        susp(D(2024, 4, 29)), ethnicity="WENG")  # fmt: skip
    add("Climb", susp(D(2024, 1, 15)), susp(D(2024, 4, 22)), susp(D(2024, 4, 29)), ethnicity="WENG")
    add("Twoschools", susp(D(2023, 11, 6), 20), susp(D(2023, 12, 4), 12, school=ASH))
    add("Oneschool", susp(D(2023, 11, 6), 26), susp(D(2023, 12, 4), 6))
    add("Christmas", susp(D(2023, 11, 6), 16), susp(D(2023, 12, 15), 20))
    add("Dated", susp(D(2023, 11, 6), 16), susp(D(2023, 12, 15), 20, end=D(2023, 12, 19)))
    add("Yearlong", susp(D(2023, 10, 2), 30), susp(D(2024, 2, 5), 30, school=ASH),
        susp(D(2024, 4, 22), 16, school=ASH), susp(D(2024, 5, 13), 16))  # fmt: skip
    add("Primo", lunch(D(2024, 2, 7)), school=ELM, year="4", born=PRIMARY_BORN, ethnicity="XQZ1")
    for i in range(5):  # last year's persistent disruption, coded DB before the split
        add(f"Lastyear{i}", susp(D(2023, 3, 6), reasons=("DB",)), ethnicity="WENG")
    for i, code in enumerate(["LD", "LD", "CB", "CB", "LD"]):  # this year's, split into LD / CB
        add(f"Thisyear{i}", susp(D(2023, 11, 13), reasons=(code, "VR")), ethnicity="WENG")
    add("Late", censuses=(SPRING, SUMMER), ethnicity="WBRI")
    add("Fecoll", ethnicity="WBRI")  # also on the roll of Ash as an FE / other registration
    for i, pupil in enumerate(found, start=1):
        pupil.serial = i
    return {p.forename: p for p in found}


EXTRA_REGISTRATIONS = [("Fecoll", ASH, SPRING, "F"), ("Fecoll", ASH, SUMMER, "O")]


def write_returns(folder: Path) -> list[Path]:
    """The school list, the three census returns and the exclusions return, as files."""
    folder.mkdir(parents=True, exist_ok=True)
    everyone = pupils()
    schools = folder / "edubase_extract.csv"
    with schools.open("w", newline="", encoding="cp1252") as handle:
        writer = csv.writer(handle)
        writer.writerow(SCHOOL_HEADERS)
        writer.writerows(SCHOOLS)
    files = [schools]
    for census in (AUTUMN, SPRING, SUMMER):
        rows = []
        for p in everyone.values():
            if census in p.censuses:
                school = p.school[:3] + "/" + p.school[3:]  # as a person types a LAESTAB
                rows.append([p.upn, "Testpupil", p.forename, _uk(p.born), "M", p.year, school,
                             _uk(census), "C", p.ethnicity])  # fmt: skip
        for name, school, day, status in EXTRA_REGISTRATIONS:
            p = everyone[name]
            if day == census:
                rows.append([p.upn, "Testpupil", p.forename, _uk(p.born), "M", p.year, school,
                             _uk(census), status, p.ethnicity])  # fmt: skip
        if census == SPRING:
            path = folder / f"census_{census:%Y%m%d}.xlsx"
            book = Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.append(["Spring census return"])  # a title row above the header
            sheet.append(CENSUS_HEADERS)
            for row in rows:
                sheet.append(row)
            book.save(path)
        else:
            path = folder / f"census_{census:%Y%m%d}.csv"
            with path.open("w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(CENSUS_HEADERS)
                writer.writerows(rows)
        files.append(path)
    exclusions = folder / "exclusions_return.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(EXCLUSION_HEADERS)
    for p in everyone.values():
        for category, day, end, sessions, reasons, outcome, school in p.exclusions:
            assert isinstance(day, dt.date) and isinstance(reasons, list)
            sheet.append([p.upn, "Testpupil", p.forename, _uk(p.born), school, category,
                          _uk(day), _uk(end) if isinstance(end, dt.date) else "", sessions,
                          *[*reasons, "", ""][:2], outcome])  # fmt: skip
    book.save(exclusions)
    files.append(exclusions)
    return files
