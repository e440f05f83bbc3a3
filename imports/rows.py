"""Checking and normalising each data row of a file into a clean record, or a reason to reject it.

The result keeps every row accounted for: a row is either a record (to load) or a rejection with
its row number and a plain reason. Problems that do not stop a row are collected as warnings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from exclusion_monitor import codelists
from exclusion_monitor.upn import UpnKind, check_upn
from imports import normalise as nz
from imports.kinds import Kind

Record = dict[str, Any]
Row = dict[str, object]  # field -> non-blank cell value
_REASON_SPLIT = re.compile(r"\s*[,;/+&]\s*|\s+and\s+")
_TERM = re.compile(r"(autumn|spring|summer)\D*(\d{4})(?:\s*[/\-]\s*(\d{2,4}))?", re.IGNORECASE)
_TOTAL_WORDS = ("total", "totals", "grand total", "count", "sum")
MAX_AGE_YEARS = 25
MAX_SESSIONS = 400
MEMO_LIMIT = 200_000


class RowRejected(ValueError):
    """A row cannot be imported; the message is the reason shown to the school."""


@dataclass(slots=True)
class Warnings:
    """Warnings grouped by message, each with the rows it applies to."""

    by_message: dict[str, list[int]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, message: str, row: int | None = None) -> None:
        if row is None:
            if message not in self.general:
                self.general.append(message)
            return
        self.by_message.setdefault(message, []).append(row)

    def render(self) -> list[str]:
        out = list(self.general)
        for message, rows in self.by_message.items():
            shown = ", ".join(str(r) for r in rows[:10])
            more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
            label = "row" if len(rows) == 1 else "rows"
            out.append(f"{message} ({label} {shown}{more})")
        return out


@dataclass(frozen=True, slots=True)
class RowContext:
    """What the row checks need to know about the file and the import options."""

    kind: Kind
    columns: dict[str, int]  # field -> column index
    date1904: bool
    census_date: dt.date | None
    today: dt.date


def census_day(term_text: str) -> dt.date | None:
    """An approximate census day from 'Autumn 2023', 'Spring 2024', 'Summer 2023/24'."""
    match = _TERM.search(term_text)
    if not match:
        return None
    season, year = match.group(1).lower(), int(match.group(2))
    if match.group(3) and season != "autumn":
        year += 1
    month, nth = {"autumn": (10, 1), "spring": (1, 3), "summer": (5, 3)}[season]
    first = dt.date(year, month, 1)
    first_thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + dt.timedelta(weeks=nth - 1)


def is_blank(row: list[object]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in row)


def is_totals(row: list[object], upn_col: int | None) -> bool:
    """A 'Total' row at the bottom: a cell saying total and no UPN."""
    if upn_col is not None and upn_col < len(row) and nz.text(row[upn_col]):
        upn_text = str(nz.text(row[upn_col])).casefold()
        if not upn_text.startswith(_TOTAL_WORDS):
            return False
    for cell in row:
        if isinstance(cell, str) and cell.strip():
            return cell.strip().casefold().rstrip(":").startswith(_TOTAL_WORDS)
    return False


class _Memo:
    """Per-file caches for values that repeat down a column (codes, schools)."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, object], object] = {}

    def get(self, name: str, value: object, parse: Callable[[object], object]) -> object:
        key = (name, value)
        try:
            found = self.cache[key]
        except KeyError:
            try:
                found = parse(value)
            except ValueError as exc:
                found = exc
            if len(self.cache) < MEMO_LIMIT:
                self.cache[key] = found
        except TypeError:  # an unhashable value
            found = parse(value)
        if isinstance(found, ValueError):
            raise found
        return found


def _code(name: str) -> Callable[[object], str | None]:
    def parse(value: object) -> str | None:
        found = codelists.codelist(name).match(value)
        return found.code if found else None

    return parse


class RowChecker:
    """Turns one raw row into a record (or raises RowRejected), noting warnings."""

    def __init__(self, context: RowContext, warnings: Warnings) -> None:
        self.ctx = context
        self.warnings = warnings
        self.memo = _Memo()
        self._handlers: dict[Kind, Callable[[Row, int], Record]] = {
            Kind.CENSUS: self._census,
            Kind.EXCLUSIONS: self._exclusion,
            Kind.ENROLMENTS: self._enrolment,
            Kind.SCHOOLS: self._school,
            Kind.SCHOOL_LINKS: self._link,
        }
        self._handler = self._handlers[context.kind]
        self._columns = sorted(context.columns.items(), key=lambda pair: pair[1])

    def check(self, raw: list[object], line: int) -> Record:
        """The clean record for a raw row, or RowRejected with the reason."""
        size = len(raw)
        row: Row = {}
        for name, index in self._columns:
            if index < size:
                value = raw[index]
                if value.__class__ is str:
                    value = str(value).strip()
                    if not value:
                        continue
                elif value is None:
                    continue
                row[name] = value
        return self._handler(row, line)

    # -- cell access -------------------------------------------------------------------------
    def _cell(self, row: Row, name: str) -> object:
        return row.get(name)

    def _text(self, row: Row, name: str) -> str | None:
        return nz.text(self._cell(row, name))

    def _date(self, row: Row, name: str, label: str) -> dt.date | None:
        value = row.get(name)
        if value is None:
            return None
        try:
            return self.memo.get("date", value, self._parse_date)  # type: ignore[return-value]
        except ValueError as exc:
            raise RowRejected(f"{label}: {exc}") from None

    def _parse_date(self, value: object) -> dt.date | None:
        return nz.parse_date(value, date1904=self.ctx.date1904)

    def _coded(self, row: Row, name: str, codelist_name: str, label: str, line: int) -> str | None:
        raw = self._cell(row, name)
        if raw is None:
            return None
        code = self.memo.get(name, raw, _code(codelist_name))
        if code is None:
            self.warnings.add(
                f"{label} '{nz.text(raw)}' is not a known code and was left blank", line
            )
        return code  # type: ignore[return-value]

    # -- shared parts ------------------------------------------------------------------------
    def _child(self, row: Row, line: int, *, names_required: bool) -> Record:
        upn_check = check_upn(self._cell(row, "upn"))
        if not upn_check.valid:
            raw = self._text(row, "upn")
            what = f"UPN '{raw}'" if raw else "UPN"
            raise RowRejected(f"{what}: {upn_check.problem}")
        record: Record = {
            "upn": upn_check.upn,
            "upn_temporary": upn_check.kind is UpnKind.TEMPORARY,
            "former_upn": None,
            "former_temporary": False,
        }
        former_raw = self._cell(row, "former_upn")
        if former_raw is not None:
            former = check_upn(former_raw)
            if former.valid and former.upn != upn_check.upn:
                record["former_upn"] = former.upn
                record["former_temporary"] = former.kind is UpnKind.TEMPORARY
            elif not former.valid:
                self.warnings.add(f"the Former UPN was ignored: {former.problem}", line)
        surname = nz.name(self._cell(row, "surname"))
        forename = nz.name(self._cell(row, "forename"))
        if names_required and not surname:
            raise RowRejected("the surname is missing")
        if names_required and not forename:
            raise RowRejected("the forename is missing")
        record["surname"], record["forename"] = surname, forename
        dob = self._date(row, "date_of_birth", "date of birth")
        if names_required and dob is None:
            raise RowRejected("the date of birth is missing")
        reference = self.ctx.census_date or self.ctx.today
        if dob is not None:
            if dob > reference:
                raise RowRejected(f"date of birth {dob:%d/%m/%Y} is in the future")
            if (reference - dob).days > MAX_AGE_YEARS * 366:
                raise RowRejected(
                    f"date of birth {dob:%d/%m/%Y} is not plausible for a pupil "
                    f"(over {MAX_AGE_YEARS})"
                )
        record["date_of_birth"] = dob
        record["sex"] = self._coded(row, "sex", codelists.SEX, "sex", line)
        record.update(self._school_ref(row))
        return record

    def _school_ref(self, row: Row) -> Record:
        ref: Record = {"laestab": None, "urn": None, "school_name": self._text(row, "school_name")}
        raw_laestab = self._cell(row, "laestab")
        if raw_laestab is not None:
            try:
                ref["laestab"] = nz.laestab(raw_laestab)
            except ValueError as exc:
                raise RowRejected(f"school: {exc}") from None
        raw_urn = self._cell(row, "urn")
        if raw_urn is not None:
            try:
                ref["urn"] = nz.digits(raw_urn, "URN")
            except ValueError as exc:
                raise RowRejected(f"school: {exc}") from None
        # A 'School' column may hold a LAESTAB, a URN or a name.
        for general in (self._text(row, "school"), ref["school_name"]):
            if general is None or not any(ch.isdigit() for ch in general):
                continue
            try:
                ref["laestab"] = ref["laestab"] or nz.laestab(general)
            except ValueError:
                if general.isdigit() and 5 <= len(general) <= 7:
                    ref["urn"] = ref["urn"] or general
                else:
                    continue
            if general == ref["school_name"]:
                ref["school_name"] = None
        if ref["school_name"] is None and self._text(row, "school"):
            school = str(self._text(row, "school"))
            if not any(ch.isdigit() for ch in school):
                ref["school_name"] = school
        if not (ref["laestab"] or ref["urn"] or ref["school_name"]):
            raise RowRejected("the school is missing")
        return ref

    def _check_after_birth(self, record: Record, name: str, label: str) -> None:
        value, dob = record.get(name), record.get("date_of_birth")
        if value is not None and dob is not None and value < dob:
            raise RowRejected(f"{label} {value:%d/%m/%Y} is before the date of birth")
        if value is not None and value > self.ctx.today + dt.timedelta(days=366):
            raise RowRejected(f"{label} {value:%d/%m/%Y} is too far in the future")

    # -- kinds -------------------------------------------------------------------------------
    def _census(self, row: Row, line: int) -> Record:
        record = self._child(row, line, names_required=True)
        census_date = self._date(row, "census_date", "census date")
        if census_date is None:
            term = self._text(row, "term")
            census_date = census_day(term) if term else None
        census_date = census_date or self.ctx.census_date
        if census_date is None:
            raise RowRejected("the census date is missing")
        record["census_date"] = census_date
        raw_year = self._cell(row, "nc_year")
        year = (
            self.memo.get("nc_year", raw_year, codelists.nc_year) if raw_year is not None else None
        )
        if raw_year is not None and year is None:
            self.warnings.add(f"NC year '{nz.text(raw_year)}' is not a known year group", line)
        record["nc_year"] = year
        record["entry_date"] = self._date(row, "entry_date", "entry date")
        self._check_after_birth(record, "entry_date", "entry date")
        record["enrol_status"] = self._coded(
            row, "enrol_status", codelists.ENROL_STATUS, "enrol status", line
        )
        raw_eth = self._cell(row, "ethnicity")
        eth = None
        if raw_eth is not None:
            found = self.memo.get("ethnicity", raw_eth, codelists.ethnicity)
            eth = found.code if isinstance(found, codelists.Code) else None
            if eth is None:
                self.warnings.add(
                    f"ethnicity '{nz.text(raw_eth)}' is not a known code and was left blank", line
                )
        record["ethnicity"] = eth
        record["sen"] = self._coded(row, "sen", codelists.SEN, "SEN provision", line)
        record["fsm"] = self._flag(row, "fsm", "FSM eligible", line)
        record["looked_after"] = self._flag(row, "looked_after", "looked after", line)
        record["postcode"] = nz.postcode(self._cell(row, "postcode"))
        record["address_line1"] = self._text(row, "address_line1")
        record["family_ref"] = self._text(row, "family_ref")
        return record

    def _flag(self, row: Row, name: str, label: str, line: int) -> bool | None:
        try:
            return nz.flag(self._cell(row, name), label)
        except ValueError as exc:
            self.warnings.add(f"{exc}; it was left blank", line)
            return None

    def _exclusion(self, row: Row, line: int) -> Record:
        record = self._child(row, line, names_required=False)
        raw_category = self._cell(row, "category")
        if raw_category is None:
            raise RowRejected("the exclusion category is missing")
        category = self.memo.get("category", raw_category, _code(codelists.CATEGORIES))
        if category is None:
            raise RowRejected(f"category '{nz.text(raw_category)}' is not an exclusion category")
        record["category"] = category = str(category)
        start = self._date(row, "start_date", "start date")
        if start is None:
            raise RowRejected("the start date is missing")
        record["start_date"] = start
        self._check_after_birth(record, "start_date", "start date")
        end = self._date(row, "end_date", "end date")
        if end is not None and end < start:
            raise RowRejected(f"end date {end:%d/%m/%Y} is before the start date")
        record["end_date"] = end
        record["sessions"] = self._sessions(row, category)
        record["reasons"] = self._reasons(row, line)
        record["review_outcome"] = self._text(row, "review_outcome")
        return record

    def _sessions(self, row: Row, category: str) -> float:
        try:
            sessions = nz.number(self._cell(row, "sessions"), "sessions")
            if sessions is None:
                days = nz.number(self._cell(row, "days"), "days")
                sessions = None if days is None else days * 2
        except ValueError as exc:
            raise RowRejected(str(exc)) from None
        if category == "LNCH":
            return 1.0
        if sessions is None:
            if category == "PERM":
                return 0.0
            raise RowRejected("the number of sessions (or days) is missing")
        if sessions < 0 or sessions > MAX_SESSIONS:
            raise RowRejected(f"{sessions:g} sessions is not a plausible length")
        return sessions

    def _reasons(self, row: Row, line: int) -> list[str]:
        raw = [self._text(row, name) for name in ("reason1", "reason2", "reason3")]
        values = [v for v in raw if v]
        if len(values) == 1 and _REASON_SPLIT.search(values[0]) and len(values[0]) <= 20:
            values = [v for v in _REASON_SPLIT.split(values[0]) if v]
        reasons: list[str] = []
        for value in values[:3]:
            code = self.memo.get("reason", value, _code(codelists.REASONS))
            if code is None:
                code = value.upper()
                self.warnings.add(f"reason '{value}' is not a known reason code; it was kept", line)
            reasons.append(str(code))
        if len(values) > 3:
            self.warnings.add("more than three reasons were given; the first three were kept", line)
        return reasons

    def _enrolment(self, row: Row, line: int) -> Record:
        record = self._child(row, line, names_required=False)
        entry = self._date(row, "entry_date", "entry date")
        if entry is None:
            raise RowRejected("the entry date is missing")
        record["entry_date"] = entry
        self._check_after_birth(record, "entry_date", "entry date")
        leaving = self._date(row, "leaving_date", "leaving date")
        if leaving is not None and leaving < entry:
            raise RowRejected(f"leaving date {leaving:%d/%m/%Y} is before the entry date")
        record["leaving_date"] = leaving
        record["leaving_reason"] = self._text(row, "leaving_reason")
        record["destination"] = self._text(row, "destination")
        record["enrol_status"] = self._coded(
            row, "enrol_status", codelists.ENROL_STATUS, "enrol status", line
        )
        return record

    def _school(self, row: Row, line: int) -> Record:
        name = self._text(row, "school_name")
        if not name:
            raise RowRejected("the establishment name is missing")
        try:
            urn = nz.digits(self._cell(row, "urn"), "URN")
            laestab = nz.laestab(self._cell(row, "laestab"))
            if laestab is None:
                la = nz.digits(self._cell(row, "la_code"), "LA code")
                estab = nz.digits(self._cell(row, "establishment_number"), "establishment number")
                if estab and len(estab) == 7:
                    laestab = estab
                elif la and estab and len(la) == 3 and len(estab) <= 4:
                    laestab = la + estab.zfill(4)
        except ValueError as exc:
            raise RowRejected(str(exc)) from None
        if laestab is None:
            raise RowRejected("the LAESTAB (LA code and establishment number) is missing")
        school_type = self._text(row, "school_type")
        record: Record = {
            "urn": urn,
            "laestab": laestab,
            "name": name,
            "la_code": laestab[:3],
            "school_type": school_type,
            "phase": school_phase(school_type, self._text(row, "phase")),
            "open_date": self._date(row, "open_date", "open date"),
            "close_date": self._date(row, "close_date", "close date"),
            "low_age": _age(self._cell(row, "low_age")),
            "high_age": _age(self._cell(row, "high_age")),
        }
        return record

    def _link(self, row: Row, line: int) -> Record:
        try:
            urn = nz.digits(self._cell(row, "urn"), "URN")
            link_urn = nz.digits(self._cell(row, "link_urn"), "LinkURN")
        except ValueError as exc:
            raise RowRejected(str(exc)) from None
        if not urn or not link_urn:
            raise RowRejected("the URN or the LinkURN is missing")
        link_type = self._text(row, "link_type")
        if not link_type:
            raise RowRejected("the link type is missing")
        return {
            "urn": urn,
            "link_urn": link_urn,
            "link_type": link_type.casefold(),
            "link_date": self._date(row, "link_date", "link established date"),
        }


def _age(cell: object) -> int | None:
    try:
        value = nz.number(cell, "years")
    except ValueError:
        return None
    return None if value is None else int(value)


def _phase_patterns() -> list[tuple[str, str]]:
    import csv
    import io
    from importlib import resources

    text = (resources.files("imports") / "data" / "phase_by_type.csv").read_text(encoding="utf-8")
    return [(r["pattern"].casefold(), r["phase"]) for r in csv.DictReader(io.StringIO(text))]


_PATTERNS: list[tuple[str, str]] = []


def school_phase(school_type: str | None, phase_text: str | None) -> str | None:
    """A phase code: PRU/AP and special from the establishment type, else the phase of education."""
    if not _PATTERNS:
        _PATTERNS.extend(_phase_patterns())
    if school_type:
        lowered = school_type.casefold()
        for pattern, phase in _PATTERNS:
            if pattern in lowered:
                return phase
    if phase_text:
        found = codelists.codelist(codelists.PHASES).match(phase_text)
        if found:
            return found.code
    return None


def iter_data_rows(
    rows: list[list[object]], start: int, upn_col: int | None, warnings: Warnings
) -> Iterator[tuple[int, list[object]]]:
    """(sheet row number, row) for each data row below the header, skipping blanks and totals."""
    for index in range(start, len(rows)):
        row = rows[index]
        if is_blank(row):
            continue
        if is_totals(row, upn_col):
            warnings.add(f"row {index + 1} looks like a totals row and was skipped")
            continue
        yield index + 1, row
