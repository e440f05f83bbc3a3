"""Write a generated authority as the returns an authority receives: GIAS register and links,
census files, exclusion returns (each exclusion twice) and schools' admissions extracts."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.terms import term_of
from exclusion_monitor.upn import CHECK_LETTERS, check_letter
from imports.demo.generator import DemoAuthority, census_rows, reported_exclusions
from imports.demo.manifest import DemoManifest, MarkedRow, ReturnFile
from imports.demo.records import CensusRow, DemoExclusion, DemoSchool, Pupil, Registration
from imports.demo.schools import PHASE_NAMES
from imports.demo.sheet_writer import Cell, uk_date, write_csv, write_xlsx

XLSX, CSV_BOM, CSV_1252 = "xlsx", "csv-utf8-bom", "csv-cp1252"
_ENCODING = {CSV_BOM: "utf-8-sig", CSV_1252: "cp1252"}
_SEN_WORDS = {"N": "None", "K": "SEN Support", "E": "EHC plan"}
_CATEGORY_WORDS = {"SUSP": "Suspension", "PERM": "Permanent", "LNCH": "Lunchtime"}


@dataclass(frozen=True, slots=True)
class Style:
    """A header style: field -> header, and how year groups and schools are written."""

    name: str
    file_format: str
    headers: dict[str, str]
    nc_year: str = "code"  # code ('R', '7'), number (7, 'R'), words ('Year 7'), y ('Y7')
    school: str = "laestab"  # laestab (text), laestab_number, dfe ('335/2001'), urn
    titled: bool = False


def _headers(fields: str, headers: str) -> dict[str, str]:
    """Field names (space separated) to the headers a file uses (separated by '|')."""
    return dict(zip(fields.split(), headers.split("|"), strict=True))


CENSUS_FIELDS = (
    "upn former_upn surname forename dob sex nc_year entry_date enrol_status school school_name "
    "ethnicity fsm sen postcode address family_ref"
)
CENSUS_TEAM = Style(
    "census_team",
    XLSX,
    _headers(
        CENSUS_FIELDS,
        "UPN|Former UPN|Legal Surname|Legal Forename|DOB|Gender|NCyearActual|Entry Date|"
        "Enrol Status|LAESTAB|School Name|Ethnicity|FSM Eligible|SEN Provision|Postcode|"
        "Address Line 1|Family Reference",
    ),
    nc_year="number",
    school="laestab_number",
    titled=True,
)
SIMS_EXPORT = Style(
    "sims_export",
    CSV_BOM,
    _headers(
        CENSUS_FIELDS.removesuffix(" family_ref"),
        "Pupil UPN|Former UPN|Surname|Forename|Date of birth|Sex|Year group|Date of admission|"
        "Enrol status|DfE number|School|Ethnicity|FSM|SEN provision|Postcode|Address line 1",
    ),
    nc_year="words",
    school="dfe",
)
LEGACY_CSV = Style(
    "legacy_cp1252",
    CSV_1252,
    _headers(
        "upn former_upn surname forename dob sex nc_year entry_date enrol_status school "
        "ethnicity fsm sen",
        "Unique Pupil Number|Former UPN|Last name|First name|DOB|Gender|NC year|Entry date|"
        "Enrol status|URN|Ethnicity|FSM eligible|SEN",
    ),
    school="urn",
)
SCHOOL_RETURN = Style(
    "school_return",
    XLSX,
    _headers(
        "upn former_upn surname forename dob sex nc_year entry_date enrol_status school "
        "school_name",
        "UPN|Former UPN|Surname|Forename|Date of birth|Sex|Year group|Entry date|"
        "Enrol status|LAESTAB|School",
    ),
    nc_year="y",
    titled=True,
)
EXCLUSIONS_TEAM = Style(
    "census_team",
    XLSX,
    _headers(
        "upn surname forename dob school nc_year category start end sessions reason1 reason2 "
        "reason3",
        "UPN|Legal Surname|Legal Forename|DOB|LAESTAB|NCyearActual|Category|Start Date|"
        "End Date|Sessions|Reason 1|Reason 2|Reason 3",
    ),
    titled=True,
)
EXCLUSIONS_CSV = Style(
    "la_exclusions_csv",
    CSV_BOM,
    _headers(
        "upn surname forename dob school category start end days reason1 reason2 reason3",
        "Pupil UPN|Surname|Forename|Date of birth|DfE number|Type|Start date|End date|Days|"
        "Reason|Reason 2|Reason 3",
    ),
    school="dfe",
)
ENROLMENT_FIELDS = (
    "upn surname forename dob school entry_date leaving_date leaving_reason enrol_status"
)
ADMISSIONS_XLSX = Style(
    "admissions_xlsx",
    XLSX,
    _headers(
        ENROLMENT_FIELDS,
        "UPN|Surname|Forename|DOB|LAESTAB|Entry date|Leaving date|Leaving reason|Enrol status",
    ),
)
ADMISSIONS_CSV = Style(
    "admissions_csv",
    CSV_1252,
    _headers(
        ENROLMENT_FIELDS,
        "Unique Pupil Number|Legal Surname|Legal Forename|Date of Birth|DfE number|"
        "Date of admission|Date of leaving|Reason for leaving|Enrolment status",
    ),
    school="dfe",
)


def nc_year_cell(nc_year: int, how: str) -> Cell:
    if how == "number":
        return "R" if nc_year == 0 else nc_year
    if how == "words":
        return "Reception" if nc_year == 0 else f"Year {nc_year}"
    if how == "y":
        return "R" if nc_year == 0 else f"Y{nc_year}"
    return "R" if nc_year == 0 else str(nc_year)


def school_cell(school: DemoSchool, how: str) -> Cell:
    if how == "laestab_number":
        return int(school.laestab)
    if how == "dfe":
        return f"{school.laestab[:3]}/{school.laestab[3:]}"
    if how == "urn":
        return school.urn
    return school.laestab


def _style_headers(style: Style, day: dt.date) -> list[str]:
    headers = list(style.headers.values())
    if "sex" in style.headers and style.headers["sex"] in ("Gender", "Sex"):
        # Sex replaced Gender in the 2023/24 census.
        word = "Sex" if term_of(day).year >= 2023 else "Gender"
        headers[list(style.headers).index("sex")] = word
    return headers


class ReturnsWriter:
    """Writes every file for one authority into `out_dir`, recording them in a manifest."""

    def __init__(self, authority: DemoAuthority, out_dir: Path, pupils: int) -> None:
        self.a = authority
        self.out = out_dir
        self.pupils = pupils
        self.files: list[ReturnFile] = []
        self.bad: list[MarkedRow] = []
        self.totals: list[MarkedRow] = []
        self.schools = {s.laestab: s for s in authority.schools}

    # -- low level -------------------------------------------------------------------------
    def _write(
        self,
        name: str,
        kind: str,
        style: Style,
        day: dt.date | None,
        headers: Sequence[str],
        rows: list[list[Cell]],
        titles: Sequence[str] = (),
        laestab: str | None = None,
    ) -> ReturnFile:
        path = self.out / f"{name}.{'xlsx' if style.file_format == XLSX else 'csv'}"
        if style.file_format == XLSX:
            count = write_xlsx(path, headers, rows, title_rows=titles, expected_rows=len(rows))
        else:
            text_rows = [[uk_date(v) if isinstance(v, dt.date) else v for v in r] for r in rows]
            encoding = _ENCODING[style.file_format]
            count = write_csv(path, headers, text_rows, title_rows=titles, encoding=encoding)
        written = ReturnFile(path, kind, day, count, style.file_format, style.name, laestab)
        self.files.append(written)
        return written

    def _mark(self, into: list[MarkedRow], name: str, style: Style, titles: int, index: int,
              problem: str, upn: str = "") -> None:  # fmt: skip
        suffix = "xlsx" if style.file_format == XLSX else "csv"
        row = titles + 1 + index + 1  # titles, the header, then 1-based data rows
        into.append(MarkedRow(self.out / f"{name}.{suffix}", row, problem, upn))

    # -- registers -------------------------------------------------------------------------
    def write_registers(self) -> None:
        headers = [
            "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
            "TypeOfEstablishment (name)", "EstablishmentStatus (name)", "PhaseOfEducation (name)",
            "StatutoryLowAge", "StatutoryHighAge", "OpenDate", "CloseDate",
        ]  # fmt: skip
        rows: list[list[Cell]] = [
            [
                s.urn, s.laestab[:3], self.a.la_name, s.laestab[3:], s.name, s.type_name,
                "Closed" if s.close_date else "Open", PHASE_NAMES[s.phase],
                str(s.low_year + 4), str(s.high_year + 5), s.open_date, s.close_date,
            ]
            for s in sorted(self.a.schools, key=lambda s: s.laestab)
        ]  # fmt: skip
        register = Style("gias", CSV_1252, {})
        self._write("000_schools_register", "schools", register, None, headers, rows)
        names = {s.urn: s.name for s in self.a.schools}
        link_rows: list[list[Cell]] = [
            [link.urn, link.link_urn, names[link.link_urn], link.link_type, link.established]
            for link in self.a.links
        ]
        link_headers = ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"]
        links = Style("gias_links", CSV_BOM, {})
        self._write("001_school_links", "school_links", links, None, link_headers, link_rows)

    # -- census ----------------------------------------------------------------------------
    def census_row(self, row: CensusRow, style: Style) -> list[Cell]:
        p = row.pupil
        upn, former = p.upn_on(row.census_date)
        csv_style = style.file_format != XLSX
        values: dict[str, Cell] = {
            "upn": upn,
            "former_upn": former,
            "surname": p.surname,
            "forename": p.forename,
            "dob": p.date_of_birth,
            "sex": p.sex,
            "nc_year": nc_year_cell(row.nc_year, style.nc_year),
            "entry_date": row.entry_date,
            "enrol_status": row.enrol_status,
            "school": school_cell(row.school, style.school),
            "school_name": row.school.name,
            "ethnicity": p.ethnicity,
            "fsm": ("Yes" if p.fsm else "No") if csv_style else ("Y" if p.fsm else "N"),
            "sen": _SEN_WORDS[p.sen] if style.name == "sims_export" else p.sen,
            "postcode": p.postcode,
            "address": p.address,
            "family_ref": p.family_ref,
        }
        return [values[field] for field in style.headers]

    def write_census(self, index: int, day: dt.date, rows: list[CensusRow]) -> None:
        style = {3: SIMS_EXPORT, 5: LEGACY_CSV}.get(index % 7, CENSUS_TEAM)
        own_returns: list[str] = []
        if index in (4, 13):  # a few schools send their own census file that term
            own_returns = sorted({r.school.laestab for r in rows if r.school.kind == "primary"})[:3]
        name = f"{day.isoformat()}_1_census"
        titles = (
            [f"{self.a.la_name} Council - School Census extract", f"Census date: {uk_date(day)}"]
            if style.titled
            else []
        )
        body = [self.census_row(r, style) for r in rows if r.school.laestab not in own_returns]
        if index == 1:
            body.append(self._bad_census_row(style, day, "wrong_check"))
            self._mark(self.bad, name, style, len(titles), len(body) - 1,
                       "wrong UPN check letter", str(body[-1][0]))  # fmt: skip
        if index == 3:
            body.append(self._bad_census_row(style, day, "impossible_dob"))
            self._mark(self.bad, name, style, len(titles), len(body) - 1,
                       "impossible date of birth 31/02/2014", str(body[-1][0]))  # fmt: skip
        self._write(name, "census", style, day, _style_headers(style, day), body, titles)
        for laestab in own_returns:
            school = self.schools[laestab]
            mine = [self.census_row(r, SCHOOL_RETURN) for r in rows if r.school.laestab == laestab]
            self._write(
                f"{day.isoformat()}_1_census_{laestab}",
                "census",
                SCHOOL_RETURN,
                day,
                _style_headers(SCHOOL_RETURN, day),
                mine,
                [f"{school.name} - census return {uk_date(day)}"],
                laestab,
            )

    def _bad_census_row(self, style: Style, day: dt.date, problem: str) -> list[Cell]:
        la = self.a.la
        body = f"{la}2001{day.year % 100:02d}9{'87' if problem == 'wrong_check' else '86'}"
        letter = check_letter(body)
        if problem == "wrong_check":
            letter = CHECK_LETTERS[(CHECK_LETTERS.index(letter) + 5) % 23]
        pupil = Pupil(
            pid=-1, upn=letter + body, surname="Example", forename="Bad Row",
            date_of_birth=dt.date(2014, 2, 28), sex="F", ethnicity="WBRI", fsm=False, sen="N",
            reception_year=term_of(day).year - 5, household=-1, address="1 Test Street",
            postcode="WS1 1AA", family_ref="",
        )  # fmt: skip
        school = next(s for s in self.a.schools if s.kind == "secondary" and s.open_on(day))
        row = self.census_row(CensusRow(pupil, school, day, 5, dt.date(2018, 9, 4), "C"), style)
        if problem == "impossible_dob":
            row[list(style.headers).index("dob")] = "31/02/2014"
        return row

    # -- exclusions ------------------------------------------------------------------------
    def exclusion_row(self, e: DemoExclusion, style: Style, day: dt.date) -> list[Cell]:
        p = self.a.pupils[e.pid]
        upn, _ = p.upn_on(day)
        if style.name == "census_team":
            # FIXD until the 2021/22 returns, SUSP after (docs/domain.md#codes).
            category = "FIXD" if e.category == "SUSP" and term_of(day).year < 2021 else e.category
        else:
            category = _CATEGORY_WORDS[e.category]
        reasons = [*e.reasons, "", "", ""][:3]
        values: dict[str, Cell] = {
            "upn": upn,
            "surname": p.surname,
            "forename": p.forename,
            "dob": p.date_of_birth,
            "school": school_cell(self.schools[e.laestab], style.school),
            "nc_year": nc_year_cell(e.nc_year, style.nc_year),
            "category": category,
            "start": e.start_date,
            "end": e.end_date,
            "sessions": e.sessions,
            "days": None if e.sessions is None else e.sessions / 2,
            "reason1": reasons[0],
            "reason2": reasons[1],
            "reason3": reasons[2],
        }
        return [values[field] for field in style.headers]

    def write_exclusions(self, index: int, day: dt.date, found: list[DemoExclusion]) -> None:
        style = EXCLUSIONS_CSV if index % 4 == 2 else EXCLUSIONS_TEAM
        name = f"{day.isoformat()}_2_exclusions"
        titles = (
            [f"{self.a.la_name} Council - exclusions reported in the census of {uk_date(day)}"]
            if style.titled
            else []
        )
        ordered = sorted(found, key=lambda e: (e.laestab, e.start_date, e.pid, e.category))
        body = [self.exclusion_row(e, style, day) for e in ordered]
        if index == 5:
            row = list(body[0]) if body else []
            if row:
                row[list(style.headers).index("start")] = "30/02/2021"
                body.append(row)
                self._mark(self.bad, name, style, len(titles), len(body) - 1,
                           "impossible start date 30/02/2021", str(row[0]))  # fmt: skip
        if index == 4 and style is EXCLUSIONS_TEAM:
            total: list[Cell] = [""] * len(style.headers)
            total[0] = "Total"
            total[list(style.headers).index("sessions")] = sum(e.sessions or 0 for e in ordered)
            body.append(total)
            self._mark(self.totals, name, style, len(titles), len(body) - 1, "totals row")
        self._write(name, "exclusions", style, day, list(style.headers.values()), body, titles)

    # -- enrolments ------------------------------------------------------------------------
    def write_enrolments(
        self, index: int, day: dt.date, previous: dt.date | None, laestabs: Sequence[str]
    ) -> None:
        """Starters and leavers since the previous census, from the schools that send them."""
        by_school: dict[str, list[Registration]] = {code: [] for code in laestabs}
        for reg in self.a.registrations:
            if reg.laestab not in by_school:
                continue
            started = (previous is None or reg.entry_date > previous) and reg.entry_date <= day
            left = reg.leaving_date is not None and (
                (previous is None or reg.leaving_date > previous) and reg.leaving_date <= day
            )
            if started or left:
                by_school[reg.laestab].append(reg)
        for position, laestab in enumerate(laestabs):
            regs = by_school[laestab]
            if not regs:
                continue
            style = ADMISSIONS_CSV if (index + position) % 3 == 0 else ADMISSIONS_XLSX
            rows = [self.enrolment_row(r, style, day) for r in regs]
            self._write(
                f"{day.isoformat()}_3_enrolments_{laestab}",
                "enrolments",
                style,
                day,
                list(style.headers.values()),
                rows,
                laestab=laestab,
            )

    def enrolment_row(self, reg: Registration, style: Style, day: dt.date) -> list[Cell]:
        p = self.a.pupils[reg.pid]
        upn, _ = p.upn_on(day)
        known = reg.leaving_date is not None and reg.leaving_date <= day
        values: dict[str, Cell] = {
            "upn": upn,
            "surname": p.surname,
            "forename": p.forename,
            "dob": p.date_of_birth,
            "school": school_cell(self.schools[reg.laestab], style.school),
            "entry_date": reg.entry_date,
            "leaving_date": reg.leaving_date if known else None,
            "leaving_reason": reg.leaving_reason if known else "",
            "enrol_status": reg.enrol_status,
        }
        return [values[field] for field in style.headers]


def enrolment_schools(authority: DemoAuthority, rng_pick: Callable[[list[str]], str]) -> list[str]:
    """Schools that send admissions extracts: the secondaries of the planted stories c and f
    (whose leaving dates matter to the rules), the pupil referral units and one primary."""
    story_pids = {s.pid for s in authority.stories if s.key[:2] in ("c_", "f_")}
    kinds = {s.laestab: s.kind for s in authority.schools}
    chosen = {r.laestab for r in authority.registrations if r.pid in story_pids}
    chosen = {code for code in chosen if kinds[code] == "secondary"}
    chosen |= {code for code, kind in kinds.items() if kind == "pru"}
    primaries = sorted(
        s.laestab for s in authority.schools if s.kind == "primary" and not s.close_date
    )
    return sorted([*chosen, rng_pick(primaries)])


def check_out_dir(out_dir: Path) -> None:
    """Refuse a folder holding anything but an earlier demo's returns: the demo writes its files by
    fixed names, and must never overwrite a file it did not write (a real return, say)."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise InvalidInputError(
            f"{out_dir} is a file, not a folder; choose a folder for the returns."
        )
    present = {p.name for p in out_dir.iterdir()}
    if not present:
        return
    earlier: set[str] = set()
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        earlier = {str(f["file"]) for f in manifest["files"]} | {"manifest.json"}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    others = present - earlier
    if others:
        raise InvalidInputError(
            f"{out_dir} already holds {len(others)} file(s) the demo did not write; the demo "
            "overwrites files by name, so choose an empty folder for --out (nothing was written)."
        )


def write_returns(authority: DemoAuthority, out_dir: Path, pupils: int = 0) -> DemoManifest:
    """Write every return into `out_dir` (created if needed) and a manifest.json beside them.

    Files come back in import order: schools, links, then per census date the census, the
    exclusions and the enrolments.
    """
    check_out_dir(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    writer = ReturnsWriter(authority, out_dir, pupils)
    writer.write_registers()
    rows = census_rows(authority)
    reported = reported_exclusions(authority)
    pick = random.Random(authority.seed).choice
    senders = enrolment_schools(authority, pick)
    previous: dt.date | None = None
    for index, day in enumerate(authority.census_dates):
        writer.write_census(index, day, rows[day])
        writer.write_exclusions(index, day, reported[day])
        writer.write_enrolments(index, day, previous, senders)
        previous = day
    manifest = DemoManifest(
        seed=authority.seed,
        pupils=pupils or len(rows[authority.census_dates[-1]]),
        la=authority.la,
        out_dir=out_dir,
        as_of=authority.as_of,
        files=tuple(writer.files),
        stories=authority.stories,
        bad_rows=tuple(writer.bad),
        totals_rows=tuple(writer.totals),
    )
    manifest.save()
    return manifest
