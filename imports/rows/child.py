"""Who a row is about and at which school: the fields every child's record starts with (the UPN
and any Former UPN, names, date of birth, sex, and the school as LAESTAB, URN or name)."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import cast

from exclusion_monitor import codelists
from exclusion_monitor.upn import UpnCheck, UpnKind, check_upn
from imports import normalise as nz
from imports.rows.columns import Columns
from imports.rows.common import (
    DATE,
    MAX_AGE_YEARS,
    MEMO_LIMIT,
    Record,
    RowRejected,
    clean,
    coded_doubts,
    date_or_reason,
    is_none,
    is_not_none,
    not_a_name,
    only_text,
    raise_failure,
    where,
)
from imports.rows.fields import left_blank, listed
from imports.rows.upns import plain_valid_upn

SchoolRef = tuple[str | None, str | None, str | None]  # LAESTAB, URN, name

_unknown_sex = left_blank("sex")


@dataclass(frozen=True, slots=True)
class Child:
    """The child's fields; a census needs the names and date of birth (it may add the pupil),
    other returns name a pupil the register may already hold."""

    names_required: bool

    def read(self, cols: Columns) -> _ChildReading:
        return _ChildReading(self.names_required, cols)


class _ChildReading:
    keys = (
        "upn", "upn_temporary", "former_upn", "former_temporary", "surname", "forename",
        "date_of_birth", "sex", "laestab", "urn", "school_name",
    )  # fmt: skip

    def __init__(self, names_required: bool, cols: Columns) -> None:
        self.names_required = names_required
        self.warnings = cols.warnings
        self.reference = cols.ctx.census_date or cols.ctx.today
        self.upn = cols.as_read("upn")  # the UPN checks tidy it themselves
        self.former = cols.parsed("former_upn", "upn", check_upn)
        self.surname = cols.parsed("surname", "name", nz.name)
        self.forename = cols.parsed("forename", "name", nz.name)
        self.dob = cols.dates("date_of_birth")
        self.sex_raw = cols.cells("sex")
        self.sex = cols.parsed("sex", "sex", listed(codelists.SEX))
        self.school = _school_refs(cols)
        self.plains: list[tuple[str, bool] | None] = []

    def check(self, i: int, line: int, record: Record) -> None:
        raw_upn = self.upn[i]
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
        former = self.former[i]
        if former is not None:
            assert isinstance(former, UpnCheck)
            if former.valid and former.upn != upn:
                former_upn, former_temporary = former.upn, former.kind is UpnKind.TEMPORARY
            elif former.valid:
                self.warnings.add("the Former UPN is the pupil's own UPN and was ignored", line)
            else:
                self.warnings.add(f"the Former UPN was ignored: {former.problem}", line)
        surname, forename = self.surname[i], self.forename[i]
        if self.names_required and not surname:
            raise RowRejected("the surname is missing")
        if self.names_required and not forename:
            raise RowRejected("the forename is missing")
        dob = date_or_reason(self.dob[i], "date of birth")
        if self.names_required and dob is None:
            raise RowRejected("the date of birth is missing")
        if dob is not None:
            if dob > self.reference:
                raise RowRejected(f"date of birth {dob:%d/%m/%Y} is in the future")
            if (self.reference - dob).days > MAX_AGE_YEARS * 366:
                raise RowRejected(
                    f"date of birth {dob:%d/%m/%Y} is not plausible for a pupil "
                    f"(over {MAX_AGE_YEARS})"
                )
        sex = None
        if self.sex_raw[i] is not None:
            sex = raise_failure(self.sex[i])
            if sex is None:
                _unknown_sex(nz.text(self.sex_raw[i]) or "", line, self.warnings)
        school = self.school[i]
        if school.__class__ is str:
            raise RowRejected(str(school))
        laestab, urn, school_name = cast(SchoolRef, school)
        record.update(
            upn=upn, upn_temporary=temporary, former_upn=former_upn,
            former_temporary=former_temporary, surname=surname, forename=forename,
            date_of_birth=dob, sex=sex, laestab=laestab, urn=urn, school_name=school_name,
        )  # fmt: skip

    def doubtful(self) -> Collection[int]:
        """Anything but a plainly valid UPN, no Former UPN, names (where required), a plausible
        date of birth, a known sex and a school."""
        self.plains = plains = [plain_valid_upn(v) for v in self.upn]
        reference, required = self.reference, self.names_required
        earliest = reference - dt.timedelta(days=MAX_AGE_YEARS * 366)

        def doubtful_birth(found: object) -> bool:
            if found is None:
                return required
            return found.__class__ is not DATE or not earliest <= found <= reference

        doubt = set(where(plains, is_none))
        doubt.update(where(self.former, is_not_none))
        if required:
            doubt.update(where(self.surname, not_a_name))
            doubt.update(where(self.forename, not_a_name))
        doubt.update(where(self.dob, doubtful_birth))
        doubt.update(coded_doubts(self.sex_raw, self.sex))
        doubt.update(where(self.school, _not_a_school))
        return doubt

    def values(self) -> list[Sequence[object]]:
        count = len(self.upn)
        plains = [plain or _NO_UPN for plain in self.plains]
        schools = [ref if ref.__class__ is tuple else _NO_SCHOOL for ref in self.school]
        return [
            list(map(_FIRST, plains)), list(map(_SECOND, plains)), [None] * count,
            [False] * count, self.surname, self.forename, self.dob, self.sex,
            list(map(_FIRST, schools)), list(map(_SECOND, schools)), list(map(_THIRD, schools)),
        ]  # fmt: skip


_NO_UPN = (None, False)  # a doubted row's place in the settled columns
_NO_SCHOOL = (None, None, None)
_FIRST, _SECOND, _THIRD = (operator.itemgetter(n) for n in range(3))


def _not_a_school(value: object) -> bool:
    return value.__class__ is not tuple


def _school_refs(cols: Columns) -> list[object]:
    """Each row's school as (LAESTAB, URN, name), or the reason it cannot be one; worked out
    once per distinct combination of the school columns."""
    cache = cols.caches.get("school_ref", blank=False)
    columns = [cols.as_read(name) for name in ("laestab", "urn", "school_name", "school")]
    rows = list(zip(*columns, strict=True))
    keys: list[object] = list(rows)
    if not (cols.ctx.text_only or all(only_text(column) for column in columns)):
        keys = [tuple((v.__class__, v) for v in cells) for cells in rows]
    out: list[object] = []
    for key, cells in zip(keys, rows, strict=True):
        found = cache.get(key)
        if found is None:
            found = school_ref(*map(clean, cells))
            if len(cache) < MEMO_LIMIT:
                cache[key] = found
        out.append(found)
    return out


def school_ref(
    raw_laestab: object, raw_urn: object, raw_name: object, raw_school: object
) -> SchoolRef | str:
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
