"""Write a database's records back out as the returns schools and the census team send (a
GIAS-style register and links file, one census workbook per census date, an exclusions return,
an admissions extract), so a story built in one database can be told again through the intake."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import openpyxl
import sqlalchemy as sa

from exclusion_monitor.codelists import PHASES, codelist
from exclusion_monitor.store import Database
from exclusion_monitor.store import schema as t
from operations import ImportRequest

CENSUS_HEADERS = [
    "UPN",
    "Former UPN",
    "Legal Surname",
    "Legal Forename",
    "DOB",
    "Sex",
    "NCyearActual",
    "Enrol status",
    "LAESTAB",
    "Census date",
    "Entry date",
    "Address line 1",
    "Postcode",
    "Family reference",
]


def _urn(school_id: int) -> str:
    return str(140000 + school_id)


def write_returns(db: Database, folder: Path) -> list[ImportRequest]:
    """Every return, in the order a liaison officer would import them."""
    folder.mkdir(parents=True, exist_ok=True)
    with db.read() as conn:
        schools = conn.execute(sa.select(t.schools)).all()
        links = conn.execute(sa.select(t.school_links)).all()
        children = {r.id: r for r in conn.execute(sa.select(t.children))}
        identifiers = conn.execute(
            sa.select(t.child_identifiers).order_by(t.child_identifiers.c.id)
        ).all()
        census = conn.execute(
            sa.select(t.census_observations).order_by(t.census_observations.c.census_date)
        ).all()
        exclusions = conn.execute(sa.select(t.exclusions)).all()
        enrolments = conn.execute(sa.select(t.enrolments)).all()
    laestab = {s.id: s.laestab for s in schools}
    current = {i.child_id: i.upn for i in identifiers if i.kind == "current"}
    temporary = {i.child_id: i.upn for i in identifiers if i.kind == "former" and i.temporary}
    requests: list[ImportRequest] = []

    register = folder / "schools.csv"
    with register.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "URN",
                "LAESTAB",
                "EstablishmentName",
                "PhaseOfEducation (name)",
                "StatutoryLowAge",
                "StatutoryHighAge",
            ]
        )
        for s in schools:
            phase = codelist(PHASES).get(s.phase or "")
            out.writerow(
                [
                    _urn(s.id),
                    s.laestab,
                    s.name,
                    phase.label if phase else "",
                    s.low_age or "",
                    s.high_age or "",
                ]
            )
    requests.append(ImportRequest(register, "schools"))
    if links:
        linked = folder / "links.csv"
        with linked.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(["URN", "LinkURN", "LinkType", "LinkEstablishedDate"])
            for link in links:
                out.writerow(
                    [
                        _urn(link.school_id),
                        _urn(link.linked_school_id),
                        link.link_type.capitalize(),
                        "",
                    ]
                )
        requests.append(ImportRequest(linked, "school_links"))

    by_date: dict[dt.date, list[sa.Row[tuple[object, ...]]]] = defaultdict(list)
    for row in census:
        by_date[row.census_date].append(row)
    seen: set[int] = set()
    for day in sorted(by_date):
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append([f"School census {day:%d/%m/%Y}"])  # a title row above the header
        sheet.append(CENSUS_HEADERS)
        for row in by_date[day]:
            child = children[row.child_id]
            first_time = row.child_id not in seen
            seen.add(row.child_id)
            # A temporary UPN on the child's first census, the permanent one after it.
            if first_time and row.child_id in temporary:
                upn, former = temporary[row.child_id], None
            else:
                upn, former = current[row.child_id], temporary.get(row.child_id)
            sheet.append(
                [
                    upn,
                    former,
                    child.surname,
                    child.forename,
                    child.date_of_birth,
                    child.sex,
                    row.nc_year,
                    row.enrol_status,
                    laestab[row.school_id],
                    day,
                    row.entry_date,
                    row.address_line1,
                    row.postcode,
                    row.family_ref,
                ]
            )
        path = folder / f"census-{day:%Y-%m-%d}.xlsx"
        book.save(path)
        requests.append(ImportRequest(path, "census"))

    if enrolments:
        admissions = folder / "admissions.csv"
        with admissions.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(
                [
                    "UPN",
                    "Surname",
                    "Forename",
                    "Date of birth",
                    "LAESTAB",
                    "Date of admission",
                    "Date of leaving",
                    "Reason for leaving",
                    "Destination",
                    "Enrolment status",
                ]
            )
            for e in enrolments:
                child = children[e.child_id]
                out.writerow(
                    [
                        current[e.child_id],
                        child.surname,
                        child.forename,
                        f"{child.date_of_birth:%d/%m/%Y}",
                        laestab[e.school_id],
                        f"{e.entry_date:%d/%m/%Y}" if e.entry_date else "",
                        f"{e.leaving_date:%d/%m/%Y}" if e.leaving_date else "",
                        e.leaving_reason or "",
                        e.destination or "",
                        e.enrol_status or "",
                    ]
                )
        requests.append(ImportRequest(admissions, "enrolments"))

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [
            "UPN",
            "Surname",
            "Forename",
            "DOB",
            "LAESTAB",
            "Category",
            "Start date",
            "Sessions",
            "Reason 1",
            "Reason 2",
            "Reason 3",
        ]
    )
    for e in exclusions:
        child = children[e.child_id]
        sheet.append(
            [
                current[e.child_id],
                child.surname,
                child.forename,
                child.date_of_birth,
                laestab[e.school_id],
                e.category,
                e.start_date,
                e.sessions,
                e.reason1,
                e.reason2,
                e.reason3,
            ]
        )
    returned = folder / "exclusions.xlsx"
    book.save(returned)
    requests.append(ImportRequest(returned, "exclusions"))
    return requests
