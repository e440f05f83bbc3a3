"""Common Transfer Files for tests, written as schools' systems write them (invented pupils)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape


@dataclass(frozen=True, slots=True)
class CtfSchool:
    la: str
    estab: str
    name: str
    entry: dt.date | None
    leaving: dt.date | None = None
    reason: str | None = None
    last: bool = False


@dataclass(frozen=True, slots=True)
class CtfPupil:
    upn: str
    surname: str
    forename: str
    born: dt.date
    sex: str
    schools: tuple[CtfSchool, ...]
    former_upn: str | None = None
    more_former_upns: tuple[str, ...] = ()  # a child renumbered more than once
    nc_year: str | None = None
    enrol_status: str | None = "C"


@dataclass(slots=True)
class CtfFile:
    source: tuple[str, str, str]  # LEA, Estab, school name
    dest: tuple[str, str]  # LEA, Estab ('XXX', 'XXXX': a lost pupil)
    pupils: list[CtfPupil] = field(default_factory=list)
    version: str = "24.0"
    sent: dt.datetime = dt.datetime(2024, 7, 19, 14, 30)
    gender_tag: bool = False  # older files: <Gender> instead of <Sex>


def _tag(name: str, value: object | None) -> str:
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return f"<{name}>{escape(text)}</{name}>"


def write_ctf(path: Path, ctf: CtfFile) -> Path:
    sex = "Gender" if ctf.gender_tag else "Sex"
    pupils = []
    for p in ctf.pupils:
        schools = "".join(
            "<School>"
            + _tag("LEA", s.la) + _tag("Estab", s.estab) + _tag("SchoolName", s.name)
            + _tag("EntryDate", s.entry) + _tag("LeavingDate", s.leaving)
            + _tag("LeavingReason", s.reason) + _tag("LastSchool", "true" if s.last else None)
            + "</School>"
            for s in p.schools
        )  # fmt: skip
        pupils.append(
            "<Pupil>"
            + _tag("UPN", p.upn) + _tag("Surname", p.surname) + _tag("Forename", p.forename)
            + _tag("DOB", p.born) + _tag(sex, p.sex)
            + "<BasicDetails>" + _tag("FormerUPN", p.former_upn)
            + "".join(_tag("FormerUPN", f) for f in p.more_former_upns)
            + _tag("NCyearActual", p.nc_year) + _tag("EnrolStatus", p.enrol_status)
            + "</BasicDetails>"
            + f"<SchoolHistory>{schools}</SchoolHistory>"
            + "</Pupil>"
        )  # fmt: skip
    la, estab, name = ctf.source
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<CTfile><Header>'
        + _tag("DocumentName", "Common Transfer File") + _tag("CTFversion", ctf.version)
        + _tag("DateTime", ctf.sent.isoformat()) + _tag("DocumentQualifier", "full")
        + _tag("SupplierID", "Invented MIS")
        + "<SourceSchool>" + _tag("LEA", la) + _tag("Estab", estab) + _tag("SchoolName", name)
        + _tag("AcademicYear", "2023") + "</SourceSchool>"
        + "<DestSchool>" + _tag("LEA", ctf.dest[0]) + _tag("Estab", ctf.dest[1])
        + "</DestSchool></Header>"
        + "<CTFpupilData>" + "".join(pupils) + "</CTFpupilData></CTfile>\n"
    )  # fmt: skip
    path.write_text(text, encoding="utf-8")
    return path
