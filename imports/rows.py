"""Checking and normalising each data row of a file into a clean record, or a reason to reject it.

The result keeps every row accounted for: a row is either a record (to load) or a rejection with
its row number and a plain reason. Problems that do not stop a row are collected as warnings.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from exclusion_monitor import codelists
from exclusion_monitor.upn import CHECK_LETTERS, UpnCheck, UpnKind, check_upn
from imports import normalise as nz
from imports.kinds import Kind, field_label
from imports.text_cells import over_long_reason, over_long_rows

Record = dict[str, Any]
_REASON_SPLIT = re.compile(r"\s*[,;/+&]\s*|\s+and\s+")
_TERM = re.compile(r"(autumn|spring|summer)\D*(\d{4})(?:\s*[/\-]\s*(\d{2,4}))?", re.IGNORECASE)
_TOTAL_WORDS = ("total", "totals", "grand total", "count", "sum")
_NOT_A_PUPIL = ("total", "count", "sum", "grand")  # how a UPN cell of a totals row can start
MAX_AGE_YEARS = 25
MAX_SESSIONS = 400
MEMO_LIMIT = 200_000


NO_ESTABLISHMENT_NUMBER = (
    "establishments the register gives no LA establishment number (children's centres, "
    "universities, online providers and the like) are not schools a return can name; they were "
    "left out"
)


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
    text_only: bool = False  # every cell is text or missing (a CSV file)


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


def census_day_on_or_before(day: dt.date) -> dt.date:
    """The latest census day (autumn, spring or summer, as census_day reckons them) on or before
    `day`."""
    found = [
        census_day(f"{season} {year}")
        for year in (day.year - 1, day.year)
        for season in ("Spring", "Summer", "Autumn")
    ]
    return max(d for d in found if d is not None and d <= day)


_WRITTEN_CENSUS_DATE = re.compile(
    r"census\s*(?:date|day)?\s*(?:[:=-]|\bis\b|\bon\b)?\s*"
    r"(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})",
    re.IGNORECASE,
)


def suggested_census_date(texts: Sequence[str], saved: dt.date | None) -> dt.date | None:
    """Where a census date box should start for a file with no census date column: a census
    date its title rows write out ('Census date: 15/01/2026'), else the term its name, sheet or
    title rows give ('Spring 2024', 'autumn census 2023/24'), else the census before the day the
    file was saved (a school sends its return soon after census day)."""
    for text in texts:  # 'Census date: 15/01/2026': the date itself
        written = _WRITTEN_CENSUS_DATE.search(text)
        if written:
            try:
                return nz.parse_date(written.group(1))
            except ValueError:
                pass
    for text in texts:
        found = census_day(text.replace("_", " "))
        if found is not None:
            return found
    if saved is None:
        return None
    for text in texts:  # a term with no year: that term's census before the file was saved
        season = re.search(r"\b(autumn|spring|summer)\b", text, re.IGNORECASE)
        if season:
            days = [
                census_day(f"{season.group(1)} {y}") for y in range(saved.year - 1, saved.year + 1)
            ]
            earlier = [d for d in days if d is not None and d <= saved]
            if earlier:
                return max(earlier)
    return census_day_on_or_before(saved)


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


_FAILED = (Exception,)
_TEXT_OR_BLANK = {str, type(None)}
_LETTER_VALUE = {letter: index for index, letter in enumerate(CHECK_LETTERS)}
_PREFIX_SUMS: dict[str, int] = {}
_ENDINGS: dict[str, tuple[int, bool]] = {}  # at most 100 x 33 endings


def plain_valid_upn(value: object) -> tuple[str, bool] | None:
    """(UPN, temporary) for a valid UPN written plainly (13 ASCII letters and digits, any case).

    None means "ask `check_upn`": the value has spaces, is not text, or is not a valid UPN. The
    check letter's weighted sum over the nine characters after it (LA, establishment, year)
    repeats down a census, so it is worked out once per prefix, and the last three characters'
    share once per ending.
    """
    if value.__class__ is not str or len(value) != 13 or not value.isascii():
        return None
    upn = value.upper()
    prefix = upn[1:10]
    total = _PREFIX_SUMS.get(prefix)
    if total is None:
        if not prefix.isdigit():
            return None
        total = sum(int(char) * position for position, char in enumerate(prefix, start=2))
        if len(_PREFIX_SUMS) < MEMO_LIMIT:
            _PREFIX_SUMS[prefix] = total
    ending = _ENDINGS.get(upn[10:])
    if ending is None:
        ending = _ending(upn[10:])
        if ending is None:
            return None
    if CHECK_LETTERS[(total + ending[0]) % 23] != upn[0]:
        return None
    return upn, ending[1]


def _ending(last3: str) -> tuple[int, bool] | None:
    """The weighted sum of a UPN's last three characters (two digits, then a digit or, for a
    temporary UPN, a letter) and whether it is temporary; None when they cannot end a UPN."""
    if not last3[:2].isdigit():
        return None
    if last3[2].isdigit():
        temporary, last_value = False, int(last3[2])
    elif last3[2] in _LETTER_VALUE:
        temporary, last_value = True, _LETTER_VALUE[last3[2]]
    else:
        return None
    found = _ENDINGS[last3] = (int(last3[0]) * 11 + int(last3[1]) * 12 + last_value * 13, temporary)
    return found


def _raise_failure(found: object) -> object:
    """A parser's result; a failure the row checks do not turn into a reason is raised."""
    if isinstance(found, Exception):
        raise found
    return found


def _census_day_of(cell: object) -> dt.date | None:
    term = nz.text(cell)
    return census_day(term) if term else None


def _code(name: str) -> Callable[[object], str | None]:
    def parse(value: object) -> str | None:
        found = codelists.codelist(name).match(value)
        return found.code if found else None

    return parse


def _ethnicity_code(value: object) -> str | None:
    """The code as recorded: a main or a DfE extended code (rolled up where groups are counted)."""
    found = codelists.ethnicity_code(value)
    return found.code if isinstance(found, codelists.Code) else None


class _Columns:
    """The mapped cells of a run of rows, column by column: text stripped, blanks as None, and
    each column's values parsed once per distinct value (through the checker's per-file caches)."""

    def __init__(self, checker: RowChecker, raws: list[list[object]]) -> None:
        self._checker = checker
        self._raws = raws
        self._as_read: dict[str, list[object]] = {}
        self._shortest: int | None = None
        self._transposed: list[tuple[object, ...]] | None = None
        self._text_only = checker.ctx.text_only

    def cells(self, name: str) -> Sequence[object]:
        """The column's cells cleaned (text stripped, blank text as None) as each is read: the
        checks read them only where a parsed value needs explaining."""
        return _CleanedOnRead(self.as_read(name))

    def as_read(self, name: str) -> list[object]:
        """The column's cells as the reader gave them (None past the end of a short row)."""
        found = self._as_read.get(name)
        if found is None:
            found = self._as_read[name] = self._extract(name)
        return found

    def _extract(self, name: str) -> list[object]:
        index = self._checker.ctx.columns.get(name)
        if index is None:
            return [None] * len(self._raws)
        if self._shortest is None:
            lengths = set(map(len, self._raws))
            self._shortest = min(lengths, default=0)
            if len(lengths) == 1:  # rows of one length (most files): all columns in one pass
                self._transposed = list(zip(*self._raws, strict=True))
        if self._transposed is not None and index < self._shortest:
            return list(self._transposed[index])
        if index < self._shortest:
            return list(map(operator.itemgetter(index), self._raws))
        return [raw[index] if index < len(raw) else None for raw in self._raws]

    def parsed(self, name: str, cache: str, parse: Callable[[object], object]) -> list[object]:
        """Each cell of a column cleaned and through `parse` (blank stays None; a failure is kept
        as the exception, for the row checks to turn into a reason or raise)."""
        return self._checker.mapped(self.as_read(name), cache, parse, self._text_only)

    def texts(self, name: str) -> list[object]:
        return self.parsed(name, "text", nz.text)


@dataclass(slots=True)
class _ChildColumns:
    upn: list[object]
    former: list[object]
    surname: list[object]
    forename: list[object]
    dob: list[object]
    sex_raw: Sequence[object]
    sex: list[object]
    school: list[object]  # (laestab, urn, name) or the reason the row is rejected


@dataclass(frozen=True, slots=True)
class _Checks:
    """How a run of rows is checked: `one(i, line)` checks row i in full (a record, or
    RowRejected with the reason); `quick()`, where a kind has one, settles column by column the
    rows that pass every check without a warning (their records, None for each other row, which
    then goes through `one`), giving exactly the records `one` would."""

    one: Callable[[int, int], Record]
    quick: Callable[[], list[Record | None]] | None = None


class RowChecker:
    """Turns raw rows into records (or rejections with their reasons), noting warnings.

    Rows are checked a run at a time: each column is cleaned and parsed once per distinct value
    (dates, codes, NC years, schools repeat down a file), then each row is checked in order, so
    reasons and warnings come out exactly as a row-by-row check would give them.
    """

    def __init__(self, context: RowContext, warnings: Warnings) -> None:
        self.ctx = context
        self.warnings = warnings
        self._caches: dict[str, dict[object, object]] = {}
        handlers: dict[Kind, Callable[[_Columns], _Checks]] = {
            Kind.CENSUS: self._census,
            Kind.EXCLUSIONS: self._exclusion,
            Kind.ENROLMENTS: self._enrolment,
            Kind.SCHOOLS: self._school,
            Kind.SCHOOL_LINKS: self._link,
        }
        self._handler = handlers[context.kind]
        self.quick = True  # False: every row through the full check (tests compare the two)

    def check_rows(
        self, rows: Sequence[tuple[int, list[object]]]
    ) -> tuple[list[tuple[int, Record]], list[tuple[int, str]]]:
        """(row number, record) for the good rows and (row number, reason) for the rest."""
        raws = [raw for _, raw in rows]
        columns = _Columns(self, raws)
        too_long = over_long_rows(self.ctx.columns, columns.as_read, raws, _label)
        if too_long:  # those rows are rejected now; the others are checked as usual
            good, bad = self.check_rows([r for i, r in enumerate(rows) if i not in too_long])
            bad += [(rows[i][0], reason) for i, reason in too_long.items()]
            return good, sorted(bad)
        checks = self._handler(columns)
        settled = checks.quick() if checks.quick is not None and self.quick else None
        if settled is not None and None not in settled:  # every row passed every check
            return list(zip([line for line, _ in rows], settled, strict=True)), []  # type: ignore[arg-type]
        check_one = checks.one
        records: list[tuple[int, Record]] = []
        rejected: list[tuple[int, str]] = []
        for i, (line, raw) in enumerate(rows):
            if settled is not None:
                record = settled[i]
                if record is not None:
                    records.append((line, record))
                    continue
            try:
                records.append((line, check_one(i, line)))
            except RowRejected as exc:
                long = over_long_reason(raw, self.ctx.columns, _label)
                rejected.append((line, long or str(exc)))
        return records, rejected

    def mapped(
        self,
        values: list[object],
        cache_name: str,
        parse: Callable[[object], object],
        text_only: bool = False,
    ) -> list[object]:
        """`parse` over the cleaned values through a per-file cache, each distinct value parsed
        once (keyed by type too, except for text: 1, 1.0 and True are equal keys to a dict but
        not the same cell)."""
        cache = self._caches.setdefault(cache_name, {None: None})
        if text_only or _only_text(values):
            keys: list[object] = values
            missing: dict[object, object] = dict.fromkeys(set(values).difference(cache))
            for key in missing:
                missing[key] = key
        else:
            keys = [
                value if value is None or value.__class__ is str else (value.__class__, value)
                for value in values
            ]
            missing = {
                key: value for key, value in zip(keys, values, strict=True) if key not in cache
            }
        if missing:
            if len(cache) + len(missing) > MEMO_LIMIT:  # too many distinct values to keep
                cache.clear()
                cache[None] = None
                missing = dict(zip(keys, values, strict=True))
                missing.pop(None, None)
            for key, value in missing.items():
                cell = _clean(value)
                if cell is None:
                    cache[key] = None
                    continue
                try:
                    cache[key] = parse(cell)
                except _FAILED as exc:
                    cache[key] = exc
        return list(map(cache.__getitem__, keys))

    def _one(self, cache_name: str, value: object, parse: Callable[[object], object]) -> object:
        return self.mapped([value], cache_name, parse)[0]

    def _parse_date(self, value: object) -> dt.date | None:
        return nz.parse_date(value, date1904=self.ctx.date1904)

    def _dates(self, cols: _Columns, name: str) -> list[object]:
        return cols.parsed(name, "date", self._parse_date)

    @staticmethod
    def _date(found: object, label: str) -> dt.date | None:
        if isinstance(found, ValueError):
            raise RowRejected(f"{label}: {found}") from None
        return _raise_failure(found)  # type: ignore[return-value]

    def _coded(self, cols: _Columns, name: str, codelist_name: str) -> list[object]:
        return cols.parsed(name, name, _code(codelist_name))

    def _code_warning(self, raw: object, code: object, label: str, line: int) -> str | None:
        """A code from a list; an unknown one is left blank with a warning."""
        if raw is None:
            return None
        code = _raise_failure(code)
        if code is None:
            self.warnings.add(
                f"{label} '{nz.text(raw)}' is not a known code and was left blank", line
            )
        return code  # type: ignore[return-value]

    def _flag(self, found: object, line: int) -> bool | None:
        if isinstance(found, ValueError):
            self.warnings.add(f"{found}; it was left blank", line)
            return None
        return _raise_failure(found)  # type: ignore[return-value]

    # -- shared parts ------------------------------------------------------------------------
    def _child_columns(self, cols: _Columns) -> _ChildColumns:
        return _ChildColumns(
            upn=cols.as_read("upn"),  # the UPN checks tidy it themselves
            former=cols.parsed("former_upn", "upn", check_upn),
            surname=cols.parsed("surname", "name", nz.name),
            forename=cols.parsed("forename", "name", nz.name),
            dob=self._dates(cols, "date_of_birth"),
            sex_raw=cols.cells("sex"),
            sex=self._coded(cols, "sex", codelists.SEX),
            school=self._school_refs(cols),
        )

    def _child(self, c: _ChildColumns, i: int, line: int, *, names_required: bool) -> Record:
        raw_upn = c.upn[i]
        plain = plain_valid_upn(raw_upn)
        if plain is None:
            upn_check = check_upn(raw_upn)
            if not upn_check.valid:
                raw = nz.text(raw_upn)
                what = f"UPN '{raw}'" if raw else "UPN"
                raise RowRejected(f"{what}: {upn_check.problem}")
            plain = upn_check.upn, upn_check.kind is UpnKind.TEMPORARY
        upn, temporary = plain
        former_upn, former_temporary = None, False
        former = c.former[i]
        if former is not None:
            assert isinstance(former, UpnCheck)
            if former.valid and former.upn != upn:
                former_upn, former_temporary = former.upn, former.kind is UpnKind.TEMPORARY
            elif former.valid:
                self.warnings.add("the Former UPN is the pupil's own UPN and was ignored", line)
            elif not former.valid:
                self.warnings.add(f"the Former UPN was ignored: {former.problem}", line)
        surname, forename = c.surname[i], c.forename[i]
        if names_required and not surname:
            raise RowRejected("the surname is missing")
        if names_required and not forename:
            raise RowRejected("the forename is missing")
        dob = self._date(c.dob[i], "date of birth")
        if names_required and dob is None:
            raise RowRejected("the date of birth is missing")
        if dob is not None:
            reference = self.ctx.census_date or self.ctx.today
            if dob > reference:
                raise RowRejected(f"date of birth {dob:%d/%m/%Y} is in the future")
            if (reference - dob).days > MAX_AGE_YEARS * 366:
                raise RowRejected(
                    f"date of birth {dob:%d/%m/%Y} is not plausible for a pupil "
                    f"(over {MAX_AGE_YEARS})"
                )
        sex = self._code_warning(c.sex_raw[i], c.sex[i], "sex", line)
        school = c.school[i]
        if school.__class__ is str:
            raise RowRejected(str(school))
        laestab, urn, school_name = cast(tuple[str | None, str | None, str | None], school)
        return {
            "upn": upn,
            "upn_temporary": temporary,
            "former_upn": former_upn,
            "former_temporary": former_temporary,
            "surname": surname,
            "forename": forename,
            "date_of_birth": dob,
            "sex": sex,
            "laestab": laestab,
            "urn": urn,
            "school_name": school_name,
        }

    def _school_refs(self, cols: _Columns) -> list[object]:
        """Each row's school as (LAESTAB, URN, name), or the reason it cannot be one; worked out
        once per distinct combination of the school columns."""
        cache = self._caches.setdefault("school_ref", {})
        columns = [cols.as_read(name) for name in ("laestab", "urn", "school_name", "school")]
        rows = list(zip(*columns, strict=True))
        keys: list[object] = list(rows)
        if not (self.ctx.text_only or all(_only_text(column) for column in columns)):
            keys = [tuple((v.__class__, v) for v in cells) for cells in rows]
        out: list[object] = []
        for key, cells in zip(keys, rows, strict=True):
            found = cache.get(key)
            if found is None:
                found = _school_ref(*map(_clean, cells))
                if len(cache) < MEMO_LIMIT:
                    cache[key] = found
            out.append(found)
        return out

    def _check_after_birth(self, value: dt.date | None, dob: dt.date | None, label: str) -> None:
        if value is not None and dob is not None and value < dob:
            raise RowRejected(f"{label} {value:%d/%m/%Y} is before the date of birth")
        if value is not None and value > self.ctx.today + dt.timedelta(days=366):
            raise RowRejected(f"{label} {value:%d/%m/%Y} is too far in the future")

    # -- kinds -------------------------------------------------------------------------------
    def _census(self, cols: _Columns) -> _Checks:
        child = self._child_columns(cols)
        census_dates = self._dates(cols, "census_date")
        terms = cols.parsed("term", "census_day", _census_day_of)
        years_raw = cols.cells("nc_year")
        years = cols.parsed("nc_year", "nc_year", codelists.nc_year)
        entry_dates = self._dates(cols, "entry_date")
        status_raw, statuses = (
            cols.cells("enrol_status"),
            self._coded(cols, "enrol_status", codelists.ENROL_STATUS),
        )
        eth_raw = cols.cells("ethnicity")
        eths = cols.parsed("ethnicity", "ethnicity", _ethnicity_code)
        sen_raw, sens = cols.cells("sen"), self._coded(cols, "sen", codelists.SEN)
        fsms = cols.parsed("fsm", "fsm", lambda v: nz.flag(v, "FSM eligible"))
        looked = cols.parsed("looked_after", "looked_after", lambda v: nz.flag(v, "looked after"))
        postcodes = cols.parsed("postcode", "postcode", nz.postcode)
        addresses, family_refs = cols.texts("address_line1"), cols.texts("family_ref")
        fallback = self.ctx.census_date

        def check(i: int, line: int) -> Record:
            record = self._child(child, i, line, names_required=True)
            census_date = self._date(census_dates[i], "census date")
            if census_date is None:
                census_date = _raise_failure(terms[i])  # type: ignore[assignment]
            census_date = census_date or fallback
            if census_date is None:
                raise RowRejected("the census date is missing")
            record["census_date"] = census_date
            raw_year = years_raw[i]
            year = _raise_failure(years[i])
            if raw_year is not None and year is None:
                self.warnings.add(f"NC year '{nz.text(raw_year)}' is not a known year group", line)
            record["nc_year"] = year
            entry = record["entry_date"] = self._date(entry_dates[i], "entry date")
            self._check_after_birth(entry, record["date_of_birth"], "entry date")
            record["enrol_status"] = self._code_warning(
                status_raw[i], statuses[i], "enrol status", line
            )
            eth = None
            if eth_raw[i] is not None:
                eth = _raise_failure(eths[i])
                if eth is None:
                    eth = _unknown_ethnicity(nz.text(eth_raw[i]), line, self.warnings)
            record["ethnicity"] = eth
            record["sen"] = self._code_warning(sen_raw[i], sens[i], "SEN provision", line)
            record["fsm"] = self._flag(fsms[i], line)
            record["looked_after"] = self._flag(looked[i], line)
            record["postcode"] = _raise_failure(postcodes[i])
            record["address_line1"] = addresses[i]
            record["family_ref"] = family_refs[i]
            return record

        def quick() -> list[Record | None]:
            plains = [plain_valid_upn(v) for v in child.upn]
            doubt = self._doubtful_children(child, plains, names_required=True)
            effective = [
                found
                if found.__class__ is _DATE
                else ((term if term.__class__ is _DATE else fallback) if found is None else None)
                for found, term in zip(census_dates, terms, strict=True)
            ]
            doubt.update(_where(effective, _is_none))
            doubt.update(_coded_doubts(years_raw, years))
            doubt.update(self._doubtful_dates_after_birth(entry_dates, child.dob))
            doubt.update(_coded_doubts(status_raw, statuses))
            doubt.update(_coded_doubts(eth_raw, eths))
            doubt.update(_coded_doubts(sen_raw, sens))
            doubt.update(_where(fsms, _not_flag))
            doubt.update(_where(looked, _not_flag))
            doubt.update(_where(postcodes, _not_text))
            settled: list[Record | None] = [None] * len(plains)
            columns = zip(
                plains, child.surname, child.forename, child.dob, child.sex, child.school,
                effective, years, entry_dates, statuses, eths, sens, fsms, looked, postcodes,
                addresses, family_refs, strict=True,
            )  # fmt: skip
            for i, (plain, sur, fore, dob, sex, school, day, year, entry, status, eth, sen, fsm,
                    looked_after, postcode, address, family) in enumerate(columns):  # fmt: skip
                if i in doubt:
                    continue
                upn, temporary = plain
                laestab, urn, school_name = school
                settled[i] = {
                    "upn": upn, "upn_temporary": temporary, "former_upn": None,
                    "former_temporary": False, "surname": sur, "forename": fore,
                    "date_of_birth": dob, "sex": sex, "laestab": laestab, "urn": urn,
                    "school_name": school_name, "census_date": day, "nc_year": year,
                    "entry_date": entry, "enrol_status": status, "ethnicity": eth, "sen": sen,
                    "fsm": fsm, "looked_after": looked_after, "postcode": postcode,
                    "address_line1": address, "family_ref": family,
                }  # fmt: skip
            return settled

        return _Checks(check, quick)

    def _doubtful_children(
        self, c: _ChildColumns, plains: list[tuple[str, bool] | None], *, names_required: bool
    ) -> set[int]:
        """The rows whose child columns need the full check: anything but a plainly valid UPN, no
        Former UPN, names (where required), a plausible date of birth, a known sex, a school."""
        reference = self.ctx.census_date or self.ctx.today
        earliest = reference - dt.timedelta(days=MAX_AGE_YEARS * 366)

        def doubtful_birth(found: object) -> bool:
            if found is None:
                return names_required
            return found.__class__ is not _DATE or not earliest <= found <= reference

        doubt = set(_where(plains, _is_none))
        doubt.update(_where(c.former, _is_not_none))
        if names_required:
            doubt.update(_where(c.surname, _not_a_name))
            doubt.update(_where(c.forename, _not_a_name))
        doubt.update(_where(c.dob, doubtful_birth))
        doubt.update(_coded_doubts(c.sex_raw, c.sex))
        doubt.update(_where(c.school, _not_a_school))
        return doubt

    def _doubtful_dates_after_birth(self, dates: list[object], births: list[object]) -> list[int]:
        """Rows whose date (blank allowed) is not a date between the birth and a year ahead."""
        latest = self.ctx.today + dt.timedelta(days=366)

        def doubtful(found: object) -> bool:
            return found is not None and (found.__class__ is not _DATE or found > latest)

        doubt = _where(dates, doubtful)
        doubt += [
            i
            for i, (found, birth) in enumerate(zip(dates, births, strict=True))
            if found is not None and birth.__class__ is _DATE and found < birth  # type: ignore[operator]
        ]
        return doubt

    def _exclusion(self, cols: _Columns) -> _Checks:
        child = self._child_columns(cols)
        categories_raw = cols.cells("category")
        categories = cols.parsed("category", "category", _code(codelists.CATEGORIES))
        starts, ends = self._dates(cols, "start_date"), self._dates(cols, "end_date")
        sessions = cols.parsed("sessions", "sessions", lambda v: nz.number(v, "sessions"))
        days = cols.parsed("days", "days", lambda v: nz.number(v, "days"))
        reason_texts = [cols.texts(name) for name in ("reason1", "reason2", "reason3")]
        outcomes = cols.texts("review_outcome")

        def check(i: int, line: int) -> Record:
            record = self._child(child, i, line, names_required=False)
            raw_category = categories_raw[i]
            if raw_category is None:
                raise RowRejected("the exclusion category is missing")
            category = _raise_failure(categories[i])
            if category is None:
                raise RowRejected(
                    f"category '{nz.text(raw_category)}' is not an exclusion category"
                )
            record["category"] = category = str(category)
            start = self._date(starts[i], "start date")
            if start is None:
                raise RowRejected("the start date is missing")
            record["start_date"] = start
            self._check_after_birth(start, record["date_of_birth"], "start date")
            end = self._date(ends[i], "end date")
            if end is not None and end < start:
                raise RowRejected(f"end date {end:%d/%m/%Y} is before the start date")
            record["end_date"] = end
            record["sessions"] = _sessions(sessions[i], days[i], category)
            record["reasons"] = self._reasons([texts[i] for texts in reason_texts], line)
            record["review_outcome"] = outcomes[i]
            if outcomes[i] and codelists.review_outcome(outcomes[i]) is None:
                self.warnings.add(
                    f"review outcome '{outcomes[i]}' is not a wording the review-outcome list "
                    "knows; it was kept as written and is not read as reversing the exclusion",
                    line,
                )
            return record

        return _Checks(check)

    def _reasons(self, raw: list[object], line: int) -> list[str]:
        """Up to three reason codes from the reason columns: each cell a code, the list's wording
        or a school system's ('Verbal abuse - adult'), or several in one cell ('DB;VA', 'DB, VA',
        a Reasons list). A wording the lists do not know is kept as the school wrote it, with a
        warning; reports count it as 'not a DfE reason code', never as a code of its own."""
        values = [part for v in raw if v for part in _reason_parts(str(v), self._reason)]
        reasons: list[str] = []
        for value in values[:3]:
            code = _raise_failure(self._one("reason", value, self._reason))
            if code is None:
                code = value if len(value) > 4 else value.upper()
                self.warnings.add(
                    f"reason '{value}' is not a DfE reason code or a wording the reason list "
                    "knows; it was kept as written and is counted as 'not a DfE reason code'",
                    line,
                )
            reasons.append(str(code))
        if len(values) > 3:
            self.warnings.add("more than three reasons were given; the first three were kept", line)
        return reasons

    @staticmethod
    def _reason(value: object) -> str | None:
        return codelists.reason_code(value)

    def _enrolment(self, cols: _Columns) -> _Checks:
        child = self._child_columns(cols)
        entries, leavings = self._dates(cols, "entry_date"), self._dates(cols, "leaving_date")
        reasons, destinations = cols.texts("leaving_reason"), cols.texts("destination")
        status_raw = cols.cells("enrol_status")
        statuses = self._coded(cols, "enrol_status", codelists.ENROL_STATUS)

        def check(i: int, line: int) -> Record:
            record = self._child(child, i, line, names_required=False)
            entry = self._date(entries[i], "entry date")
            if entry is None:
                raise RowRejected("the entry date is missing")
            record["entry_date"] = entry
            self._check_after_birth(entry, record["date_of_birth"], "entry date")
            leaving = self._date(leavings[i], "leaving date")
            if leaving is not None and leaving < entry:
                raise RowRejected(f"leaving date {leaving:%d/%m/%Y} is before the entry date")
            record["leaving_date"] = leaving
            record["leaving_reason"] = reasons[i]
            record["destination"] = destinations[i]
            record["enrol_status"] = self._code_warning(
                status_raw[i], statuses[i], "enrol status", line
            )
            return record

        return _Checks(check)

    def _school(self, cols: _Columns) -> _Checks:
        names, types, phases = (
            cols.texts("school_name"),
            cols.texts("school_type"),
            cols.texts("phase"),
        )
        urns = cols.parsed("urn", "urn", lambda v: nz.digits(v, "URN"))
        laestabs = cols.parsed("laestab", "laestab", nz.laestab)
        las = cols.parsed("la_code", "la_code", lambda v: nz.digits(v, "LA code"))
        estabs = cols.parsed(
            "establishment_number",
            "establishment_number",
            lambda v: nz.digits(v, "establishment number"),
        )
        by_number = "establishment_number" in self.ctx.columns  # the register's own columns
        opens, closes = self._dates(cols, "open_date"), self._dates(cols, "close_date")
        lows, highs = cols.cells("low_age"), cols.cells("high_age")
        statuses, closed_reasons = cols.texts("status"), cols.texts("closed_reason")
        previous_las = cols.parsed("previous_la", "la_code", lambda v: nz.digits(v, "LA code"))
        previous_estabs = cols.parsed(
            "previous_establishment",
            "establishment_number",
            lambda v: nz.digits(v, "establishment number"),
        )

        def check(i: int, line: int) -> Record:
            name = names[i]
            if not name:
                raise RowRejected("the establishment name is missing")
            urn = _reason(urns[i])
            laestab = _reason(laestabs[i])
            if laestab is None:
                la, estab = _reason(las[i]), _reason(estabs[i])
                if estab and len(estab) == 7:
                    laestab = estab
                elif la and estab and len(la) == 3 and len(estab) <= 4:
                    laestab = la + estab.zfill(4)
            if laestab is None:
                not_a_school = school_phase(types[i], phases[i]) is None  # type: ignore[arg-type]
                if urn and by_number and estabs[i] is None and not_a_school:
                    # The register lists establishments that have no LA establishment number
                    # and are no school of any phase (children's centres, universities, online
                    # providers): no return can name them, so they are left out, not rejected
                    # one by one. A school of a known phase without its number is an error.
                    self.warnings.add(NO_ESTABLISHMENT_NUMBER, line)
                    return {"laestab": None}
                raise RowRejected("the LAESTAB (LA code and establishment number) is missing")
            school_type = types[i]
            close_date = self._date(closes[i], "close date")
            status = statuses[i]
            if close_date is None and status and str(status).casefold() == "closed":
                self.warnings.add(
                    "the register says the school is closed but gives no close date; it is "
                    "treated as open until a close date is given",
                    line,
                )
            return {
                "urn": urn,
                "laestab": laestab,
                "name": name,
                "la_code": laestab[:3],
                "school_type": school_type,
                "phase": school_phase(school_type, phases[i]),  # type: ignore[arg-type]
                "open_date": self._date(opens[i], "open date"),
                "close_date": close_date,
                "low_age": _age(lows[i]),
                "high_age": _age(highs[i]),
                "closed_reason": closed_reasons[i],
                "previous": _previous_laestab(
                    _reason_or_none(previous_las[i]), _reason_or_none(previous_estabs[i]), laestab
                ),
            }

        return _Checks(check)

    def _link(self, cols: _Columns) -> _Checks:
        urns = cols.parsed("urn", "urn", lambda v: nz.digits(v, "URN"))
        link_urns = cols.parsed("link_urn", "link_urn", lambda v: nz.digits(v, "LinkURN"))
        types, dates = cols.texts("link_type"), self._dates(cols, "link_date")

        def check(i: int, line: int) -> Record:
            urn, link_urn = _reason(urns[i]), _reason(link_urns[i])
            if not urn or not link_urn:
                raise RowRejected("the URN or the LinkURN is missing")
            link_type = types[i]
            if not link_type:
                raise RowRejected("the link type is missing")
            return {
                "urn": urn,
                "link_urn": link_urn,
                "link_type": str(link_type).casefold(),
                "link_date": self._date(dates[i], "link established date"),
            }

        return _Checks(check)


_DATE = dt.date


def _label(name: str) -> str:
    """A field as a reason names it: 'surname', 'date of birth', 'UPN'."""
    label = field_label(name)
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _clean(value: object) -> object:
    """A cell with its text stripped; blank text as None."""
    if value.__class__ is str:
        return value.strip() or None
    return value


def _only_text(values: list[object]) -> bool:
    return set(map(type, values)) <= _TEXT_OR_BLANK


class _CleanedOnRead(Sequence[object]):
    """Cells cleaned (`_clean`) one at a time, as they are read."""

    __slots__ = ("_cells",)

    def __init__(self, cells: list[object]) -> None:
        self._cells = cells

    def __len__(self) -> int:
        return len(self._cells)

    def __getitem__(self, index: int) -> object:  # type: ignore[override]
        return _clean(self._cells[index])


def _where(values: Sequence[object], doubtful: Callable[[object], bool]) -> list[int]:
    """The positions of the doubtful values, each distinct value judged once. Only for columns of
    parsed values (dates, codes, flags, tuples), where equal values are of one type."""
    try:
        distinct = set(values)
    except TypeError:  # an unhashable value: judge each one
        return [i for i, value in enumerate(values) if doubtful(value)]
    bad = {value for value in distinct if doubtful(value)}
    if not bad:
        return []
    return [i for i, value in enumerate(values) if value in bad]


def _coded_doubts(raws: Sequence[object], codes: Sequence[object]) -> list[int]:
    """Rows with a value that did not become a code (an unknown code, or a failure)."""
    return [i for i in _where(codes, _not_str) if raws[i] is not None]


def _is_none(value: object) -> bool:
    return value is None


def _is_not_none(value: object) -> bool:
    return value is not None


def _not_str(value: object) -> bool:
    return value.__class__ is not str


def _not_text(value: object) -> bool:
    return value is not None and value.__class__ is not str


def _not_a_name(value: object) -> bool:
    return value.__class__ is not str or not value


def _not_flag(value: object) -> bool:
    return value is not None and value.__class__ is not bool


def _not_a_school(value: object) -> bool:
    return value.__class__ is not tuple


ETHNICITY_LENGTH = 10  # the census column's width


def _unknown_ethnicity(text: str | None, line: int, warnings: Warnings) -> str | None:
    """An ethnicity no code list knows: kept as written (it rolls up to no main group) with a
    warning; wording too long to be a code is left blank, with a warning that says so."""
    if not text:
        return None
    if len(text) > ETHNICITY_LENGTH:
        warnings.add(
            f"ethnicity '{text[:40]}' is not a known code and is too long to be one; it was left "
            "blank",
            line,
        )
        return None
    warnings.add(
        f"ethnicity '{text}' is not a known code; it was kept as written and counts in no main "
        "ethnic group",
        line,
    )
    return text


def _reason(found: object) -> Any:
    """A parsed value; a ValueError becomes the row's reason as it stands."""
    if isinstance(found, ValueError):
        raise RowRejected(str(found)) from None
    return _raise_failure(found)


def _reason_parts(cell: str, code_of: Callable[[object], str | None]) -> list[str]:
    """One cell's reasons: the whole cell when it names a reason ('Drug and alcohol related'),
    else its parts when every part names one ('DB;VA', 'Verbal abuse - adult, Theft'); else
    split only where a person plainly listed (';' or '|'), or the cell as it stands."""
    cell = cell.strip()
    if not cell or code_of(cell) is not None:
        return [cell] if cell else []
    parts = [p for p in _REASON_SPLIT.split(cell) if p]
    if len(parts) > 1 and all(code_of(p) is not None for p in parts):
        return parts
    listed = [p.strip() for p in re.split(r"[;|\n]", cell) if p.strip()]
    return listed if len(listed) > 1 else [cell]


def _reason_or_none(found: object) -> str | None:
    """A parsed value, or None where the cell could not be read (an optional column's problem is
    not worth the row)."""
    return None if isinstance(found, ValueError) or found is None else str(found)


def _previous_laestab(la: str | None, estab: str | None, laestab: str) -> str | None:
    """The LAESTAB the register says this school had before (GIAS's PreviousLA (code) and
    PreviousEstablishmentNumber): an academy that converted from a maintained school."""
    if not la or not estab or len(la) != 3 or len(estab) > 4 or int(estab) == 0:
        return None
    previous = la + estab.zfill(4)
    return None if previous == laestab else previous


def _sessions(sessions: object, days: object, category: str) -> float:
    value: float | None = _reason(sessions)
    if value is None:
        day_count = _reason(days)
        value = None if day_count is None else float(day_count) * 2
    if category == "LNCH":
        return 1.0
    if value is None:
        if category == "PERM":
            return 0.0
        raise RowRejected("the number of sessions (or days) is missing")
    if value < 0 or value > MAX_SESSIONS:
        raise RowRejected(f"{value:g} sessions is not a plausible length")
    return value


def _school_ref(
    raw_laestab: object, raw_urn: object, raw_name: object, raw_school: object
) -> tuple[str | None, str | None, str | None] | str:
    """(LAESTAB, URN, name) from the school columns, or the reason the row is rejected. A
    'School' column may hold a LAESTAB, a URN or a name."""
    name = nz.text(raw_name)
    laestab = urn = None
    if raw_laestab is not None:
        try:
            laestab = nz.laestab(raw_laestab)
        except ValueError as exc:
            return f"school: {exc}"
    if raw_urn is not None:
        try:
            urn = nz.digits(raw_urn, "URN")
        except ValueError as exc:
            return f"school: {exc}"
    school = nz.text(raw_school)
    for general in (school, name):
        if general is None or not any(ch.isdigit() for ch in general):
            continue
        try:
            laestab = laestab or nz.laestab(general)
        except ValueError:
            if general.isdigit() and 5 <= len(general) <= 7:
                urn = urn or general
            else:
                continue
        if general == name:
            name = None
    if name is None and school and not any(ch.isdigit() for ch in school):
        name = school
    if not (laestab or urn or name):
        return "the school is missing"
    return laestab, urn, name


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
        if upn_col is not None and upn_col < len(row):
            # Most rows: a UPN as text, which neither a blank row nor a totals row has.
            upn = row[upn_col]
            if upn.__class__ is str:
                upn = upn.strip().casefold()
                if upn and not upn.startswith(_NOT_A_PUPIL):
                    yield index + 1, row
                    continue
        if is_blank(row):
            continue
        if is_totals(row, upn_col):
            warnings.add(f"row {index + 1} looks like a totals row and was skipped")
            continue
        yield index + 1, row
