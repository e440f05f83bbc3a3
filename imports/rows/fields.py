"""How a kind of return declares its fields, once, and the kinds of field most returns share.

A kind is a tuple of fields, checked in order. Each field reads its columns for a run of rows
(`read`) and gives a reading that serves both check paths:
- `check(i, line, record)`: the careful path. Row i's value goes into the record, or the row is
  rejected (RowRejected with the reason), with any warning noted;
- `doubtful()` and `values()`: the column-wise path. The rows this field cannot settle without the
  careful check (None: the field has no column-wise judgement, so its kind is checked row by
  row), and, for every other row, the value `check` would give, one column per key.
A row no field doubts is settled from the values; every other row goes through `check`, so the two
paths give the same records, reasons and warnings (tests/intake/test_same_content.py holds them
equal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from exclusion_monitor import codelists
from imports import normalise as nz
from imports.rows.columns import Columns
from imports.rows.common import (
    DATE,
    Record,
    RowRejected,
    Warnings,
    coded_doubts,
    date_or_reason,
    not_flag,
    not_text,
    raise_failure,
    where,
)


class Reading(Protocol):
    @property
    def keys(self) -> tuple[str, ...]: ...

    def check(self, i: int, line: int, record: Record) -> None: ...

    def doubtful(self) -> Collection[int] | None: ...

    def values(self) -> list[Sequence[object]]: ...


class Field(Protocol):
    def read(self, cols: Columns) -> Reading: ...


@dataclass(frozen=True, slots=True)
class KindRows:
    """A kind's fields in the order a row is checked; the record has their keys in this order."""

    fields: tuple[Field, ...]


# -- dates -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Date:
    """A date: `required` or blank; `after_birth`, between the pupil's birth and a year ahead;
    `not_before`, not before another date field of the row."""

    name: str
    what: str  # 'start date', as a reason names it
    required: bool = False
    after_birth: bool = False
    not_before: tuple[str, str] | None = None  # (field, 'the start date')

    def read(self, cols: Columns) -> _DateReading:
        return _DateReading(self, cols)


class _DateReading:
    def __init__(self, field: Date, cols: Columns) -> None:
        self.field = field
        self.keys = (field.name,)
        self.cols = cols
        self.found = cols.dates(field.name)
        self.latest = cols.ctx.today + dt.timedelta(days=366)

    def check(self, i: int, line: int, record: Record) -> None:
        field = self.field
        value = date_or_reason(self.found[i], field.what)
        if value is None and field.required:
            raise RowRejected(f"the {field.what} is missing")
        if field.after_birth and value is not None:
            born = record["date_of_birth"]
            if born is not None and value < born:
                raise RowRejected(f"{field.what} {value:%d/%m/%Y} is before the date of birth")
            if value > self.latest:
                raise RowRejected(f"{field.what} {value:%d/%m/%Y} is too far in the future")
        if field.not_before is not None and value is not None:
            other, other_what = field.not_before
            if value < record[other]:
                raise RowRejected(f"{field.what} {value:%d/%m/%Y} is before {other_what}")
        record[field.name] = value

    def doubtful(self) -> Collection[int]:
        field, latest = self.field, self.latest
        required = field.required

        def doubtful(found: object) -> bool:
            if found is None:
                return required
            return found.__class__ is not DATE or (field.after_birth and found > latest)

        doubt = where(self.found, doubtful)
        if field.after_birth:
            doubt += _before(self.found, self.cols.dates("date_of_birth"))
        if field.not_before is not None:
            doubt += _before(self.found, self.cols.dates(field.not_before[0]))
        return doubt

    def values(self) -> list[Sequence[object]]:
        return [self.found]


def _before(dates: Sequence[object], earlier: Sequence[object]) -> list[int]:
    """Rows whose date is before the other column's date (both read as dates)."""
    return [
        i
        for i, (found, other) in enumerate(zip(dates, earlier, strict=True))
        if found.__class__ is DATE and other.__class__ is DATE and found < other
    ]


# -- codes, flags and text ---------------------------------------------------------------------
Unknown = Callable[[str, int, Warnings], object]  # (cell as written, line, warnings) -> value


def listed(codelist: str) -> Callable[[object], str | None]:
    """A parser giving a cell's code in one of `exclusion_monitor.codelists`' lists, or None."""

    def parse(value: object) -> str | None:
        found = codelists.codelist(codelist).match(value)
        return found.code if found else None

    return parse


def left_blank(what: str) -> Unknown:
    """An unknown code is left blank, with a warning naming it."""

    def unknown(text: str, line: int, warnings: Warnings) -> None:
        warnings.add(f"{what} '{text}' is not a known code and was left blank", line)

    return unknown


@dataclass(frozen=True, slots=True)
class Coded:
    """A code from a list (`parse` gives the code or None). A cell the list does not know is
    handled by `unknown` (by default left blank with a warning); a blank cell is None."""

    name: str
    parse: Callable[[object], str | None]
    unknown: Unknown
    cache: str = ""  # the per-file cache (default: the field's name)

    def read(self, cols: Columns) -> _CodedReading:
        return _CodedReading(self, cols)


class _CodedReading:
    def __init__(self, field: Coded, cols: Columns) -> None:
        self.field = field
        self.keys = (field.name,)
        self.warnings = cols.warnings
        self.raws = cols.cells(field.name)
        self.codes = cols.parsed(field.name, field.cache or field.name, field.parse)

    def check(self, i: int, line: int, record: Record) -> None:
        raw = self.raws[i]
        value = None
        if raw is not None:
            value = raise_failure(self.codes[i])
            if value is None:
                value = self.field.unknown(nz.text(raw) or "", line, self.warnings)
        record[self.field.name] = value

    def doubtful(self) -> Collection[int]:
        return coded_doubts(self.raws, self.codes)

    def values(self) -> list[Sequence[object]]:
        return [self.codes]


@dataclass(frozen=True, slots=True)
class YesNo:
    """A yes/no flag; a cell that is neither is left blank with a warning."""

    name: str
    what: str  # 'FSM eligible'

    def read(self, cols: Columns) -> _YesNoReading:
        return _YesNoReading(self, cols)


class _YesNoReading:
    def __init__(self, field: YesNo, cols: Columns) -> None:
        self.keys = (field.name,)
        self.warnings = cols.warnings
        what = field.what
        self.found = cols.parsed(field.name, field.name, lambda v: nz.flag(v, what))

    def check(self, i: int, line: int, record: Record) -> None:
        found = self.found[i]
        if isinstance(found, ValueError):
            self.warnings.add(f"{found}; it was left blank", line)
            found = None
        record[self.keys[0]] = raise_failure(found)

    def doubtful(self) -> Collection[int]:
        return where(self.found, not_flag)

    def values(self) -> list[Sequence[object]]:
        return [self.found]


@dataclass(frozen=True, slots=True)
class Text:
    """Free text as written (stripped; blank as None), or, with `parse`, text tidied by it (a
    postcode), a value it cannot tidy being a failure the import reports."""

    name: str
    parse: Callable[[object], object] | None = None

    def read(self, cols: Columns) -> _TextReading:
        return _TextReading(self, cols)


class _TextReading:
    def __init__(self, field: Text, cols: Columns) -> None:
        self.keys = (field.name,)
        if field.parse is None:
            self.found = cols.texts(field.name)
            self.doubt: Callable[[object], bool] | None = None
        else:
            self.found = cols.parsed(field.name, field.name, field.parse)
            self.doubt = not_text

    def check(self, i: int, line: int, record: Record) -> None:
        record[self.keys[0]] = raise_failure(self.found[i]) if self.doubt else self.found[i]

    def doubtful(self) -> Collection[int]:
        return () if self.doubt is None else where(self.found, self.doubt)

    def values(self) -> list[Sequence[object]]:
        return [self.found]


# -- a whole row at once -----------------------------------------------------------------------
RowCheck = Callable[[int, int], dict[str, Any]]  # (i, line) -> the row's fields


@dataclass(frozen=True, slots=True)
class WholeRow:
    """A kind checked a row at a time by one function (the register's rows: each field depends on
    the others); it has no column-wise path."""

    keys: tuple[str, ...]
    prepare: Callable[[Columns], RowCheck]

    def read(self, cols: Columns) -> _WholeRowReading:
        return _WholeRowReading(self.keys, self.prepare(cols))


class _WholeRowReading:
    def __init__(self, keys: tuple[str, ...], check_row: RowCheck) -> None:
        self.keys = keys
        self.check_row = check_row

    def check(self, i: int, line: int, record: Record) -> None:
        record.update(self.check_row(i, line))

    def doubtful(self) -> None:
        return None

    def values(self) -> list[Sequence[object]]:
        raise AssertionError("a whole-row field has no column-wise values")
