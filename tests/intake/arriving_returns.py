"""Invented returns shaped as an authority receives them, for the tests of one record across
returns: headers typed by people, UK dates, a temporary UPN in the autumn, a school's summer
return amending its spring one, a school that converted to an academy, the GIAS links file
arriving last. No real person anywhere."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exclusion_monitor.upn import check_letter


def upn(body: str) -> str:
    return check_letter(body) + body


# A Year 7 girl at Oakfield Academy (3304002): a temporary UPN at her first census, her
# permanent UPN in the school's later returns.
TEMPORARY = upn("33040022310A")
PERMANENT = upn("330400223105")
# Two Year 8 pupils of the same school whose exclusions the summer return amends.
TOM = upn("330400221101")
IVY = upn("330400221102")
# A pupil of Northfield Community School (3304010), an academy (3304020) from 1 September 2023.
ZAK = upn("330401021201")
MIA = upn("330401021202")

CENSUS = [
    "UPN", "Former UPN", "Legal Surname", "Legal Forename", "Date of Birth", "Gender",
    "NCyearActual", "LAESTAB", "Census Date", "Enrol Status", "FSM Eligible", "SEN Provision",
]  # fmt: skip
EXCLUSIONS = [
    "UPN", "Surname", "Forename", "DOB", "LAESTAB", "Category", "Start Date", "End Date",
    "Sessions", "Reason 1", "Reason 2", "Review outcome",
]  # fmt: skip
GIAS = [
    "URN", "LA (code)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (name)",
    "PhaseOfEducation (name)", "OpenDate", "CloseDate",
]  # fmt: skip
LINKS = ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"]


def write(
    folder: Path, name: str, headers: Sequence[str], rows: str | Sequence[Sequence[Any]]
) -> Path:
    """A CSV file as a school or the census team sends it; `rows` as lines of comma-separated
    text (or as lists)."""
    if isinstance(rows, str):
        rows = [line.strip().split(",") for line in rows.strip().splitlines()]
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


@dataclass(frozen=True, slots=True)
class LateFormerUpn:
    """Autumn census (temporary UPN), spring exclusions return (temporary UPN), summer exclusions
    return (permanent UPN, the same suspension and a new one), spring census (permanent UPN with
    the temporary one as Former UPN)."""

    autumn_census: Path
    spring_exclusions: Path
    summer_exclusions: Path
    spring_census: Path

    @property
    def files(self) -> list[Path]:
        return [
            self.autumn_census,
            self.spring_exclusions,
            self.summer_exclusions,
            self.spring_census,
        ]


def late_former_upn(folder: Path, *, spring_dob: str = "14/03/2012") -> LateFormerUpn:
    t, p = TEMPORARY, PERMANENT
    return LateFormerUpn(
        write(
            folder,
            "oakfield_census_autumn_2023.csv",
            CENSUS,
            f"""
            {t},,KHAN,Amelia-Rose,14/03/2012,F,7,3304002,05/10/2023,C,N,N
            {TOM},,ASHBY,Tom,01/02/2011,M,8,3304002,05/10/2023,C,N,N
        """,
        ),
        write(
            folder,
            "oakfield_exclusions_spring_2024.csv",
            EXCLUSIONS,
            f"""
            {t},Khan,Amelia-Rose,14/03/2012,3304002,Suspension,10/11/2023,10/11/2023,2,VA,,
        """,
        ),
        write(
            folder,
            "oakfield_exclusions_summer_2024.csv",
            EXCLUSIONS,
            f"""
            {p},Khan,Amelia,14/03/2012,3304002,Suspension,10/11/2023,10/11/2023,2,VA,,
            {p},Khan,Amelia,14/03/2012,3304002,Suspension,05/02/2024,07/02/2024,6,PA,,
        """,
        ),
        write(
            folder,
            "oakfield_census_spring_2024.csv",
            CENSUS,
            f"""
            {p},{t},KHAN,Amelia,{spring_dob},F,7,3304002,18/01/2024,C,N,N
            {TOM},,ASHBY,Tom,01/02/2011,M,8,3304002,18/01/2024,C,N,N
        """,
        ),
    )


@dataclass(frozen=True, slots=True)
class AmendedReturn:
    """An autumn census and its corrected copy (one pupil's free school meals), a spring
    exclusions return and the summer return that amends two of its exclusions (more sessions
    and a second reason for Tom's suspension; Ivy's permanent exclusion reinstated on review)."""

    autumn_census: Path
    spring_exclusions: Path
    corrected_census: Path
    summer_exclusions: Path

    @property
    def files(self) -> list[Path]:
        return [
            self.autumn_census, self.spring_exclusions, self.corrected_census,
            self.summer_exclusions,
        ]  # fmt: skip


def amended_return(folder: Path) -> AmendedReturn:
    census = """
        {TOM},,ASHBY,Tom,01/02/2011,M,8,3304002,05/10/2023,C,{fsm},N
        {IVY},,BROOK,Ivy,02/03/2011,F,8,3304002,05/10/2023,C,Y,K
    """
    return AmendedReturn(
        write(folder, "census_autumn_2023.csv", CENSUS, census.format(TOM=TOM, IVY=IVY, fsm="N")),
        write(
            folder,
            "exclusions_spring_2024.csv",
            EXCLUSIONS,
            f"""
            {TOM},Ashby,Tom,01/02/2011,3304002,Suspension,06/11/2023,,4,VA,,
            {IVY},Brook,Ivy,02/03/2011,3304002,Permanent,20/11/2023,,,PA,,
            {TOM},Ashby,Tom,01/02/2011,3304002,Suspension,04/12/2023,,2,DB,,
        """,
        ),
        write(
            folder,
            "census_autumn_2023_corrected.csv",
            CENSUS,
            census.format(TOM=TOM, IVY=IVY, fsm="Y"),
        ),
        write(
            folder,
            "exclusions_summer_2024.csv",
            EXCLUSIONS,
            f"""
            {TOM},Ashby,Tom,01/02/2011,3304002,Suspension,06/11/2023,09/11/2023,6,VA,PA,
            {IVY},Brook,Ivy,02/03/2011,3304002,Permanent,20/11/2023,,,PA,,Reinstated
            {TOM},Ashby,Tom,01/02/2011,3304002,Suspension,04/12/2023,,2,,,
        """,
        ),
    )


@dataclass(frozen=True, slots=True)
class Conversion:
    """The GIAS extract (predecessor closed 31/08/2023, academy open 01/09/2023), the summer
    return of the predecessor, the autumn return of the academy (the same July suspension under
    its new LAESTAB, with one more session, and a new one), and the GIAS links file."""

    gias: Path
    summer_return: Path
    autumn_return: Path
    links: Path


def conversion(folder: Path) -> Conversion:
    return Conversion(
        write(
            folder,
            "gias_extract.csv",
            GIAS,
            """
            110010,330,4010,Northfield Community School,Community school,Secondary,01/09/1975,\
31/08/2023
            140020,330,4020,Northfield Academy,Academy converter,Secondary,01/09/2023,
        """,
        ),
        write(
            folder,
            "northfield_exclusions_summer_2023.csv",
            EXCLUSIONS,
            f"""
            {ZAK},Carter,Zak,05/05/2010,3304010,Suspension,03/07/2023,,2,DB,,
            {MIA},Dunn,Mia,06/06/2010,3304010,Suspension,04/07/2023,,2,VA,,
        """,
        ),
        write(
            folder,
            "northfield_academy_exclusions_autumn_2023.csv",
            EXCLUSIONS,
            f"""
            {ZAK},Carter,Zak,05/05/2010,3304020,Suspension,03/07/2023,,3,DB,,
            {ZAK},Carter,Zak,05/05/2010,3304020,Suspension,02/10/2023,,2,DB,,
        """,
        ),
        write(
            folder,
            "gias_links.csv",
            LINKS,
            """
            140020,110010,Northfield Community School,Predecessor,01/09/2023
            110010,140020,Northfield Academy,Successor,01/09/2023
        """,
        ),
    )


def add_suspensions(path: Path, upn: str, forename: str, days: Sequence[str]) -> None:
    """More one-session suspensions at Oakfield Academy in an exclusions return."""
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for day in days:
            pupil = [upn, "Khan", forename, "14/03/2012"]
            writer.writerow([*pupil, "3304002", "Suspension", day, "", "1", "DB", "", ""])
