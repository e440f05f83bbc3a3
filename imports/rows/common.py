"""What every row check shares: the record or reason a row becomes, its warnings, the file's
context, and the small judgements of parsed cells that the column-wise path makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from imports import normalise as nz
from imports.kinds import Kind, field_label

Record = dict[str, Any]  # one of store.intake_rows' records: the declarations make their keys
MAX_AGE_YEARS = 25
MAX_SESSIONS = 400
MEMO_LIMIT = 200_000  # distinct values kept per column cache
DATE = dt.date
_TOTAL_WORDS = ("total", "totals", "grand total", "count", "sum")
_NOT_A_PUPIL = ("total", "count", "sum", "grand")  # how a UPN cell of a totals row can start


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


def label(name: str) -> str:
    """A field as a reason names it: 'surname', 'date of birth', 'UPN'."""
    text = field_label(name)
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def clean(value: object) -> object:
    """A cell with its text stripped; blank text as None."""
    if value.__class__ is str:
        return value.strip() or None
    return value


_TEXT_OR_BLANK = {str, type(None)}


def only_text(values: Sequence[object]) -> bool:
    return set(map(type, values)) <= _TEXT_OR_BLANK


def raise_failure(found: object) -> Any:
    """A parser's result; a failure the row checks do not turn into a reason is raised."""
    if isinstance(found, Exception):
        raise found
    return found


def as_reason(found: object) -> Any:
    """A parsed value; a ValueError becomes the row's reason as it stands."""
    if isinstance(found, ValueError):
        raise RowRejected(str(found)) from None
    return raise_failure(found)


def or_none(found: object) -> str | None:
    """A parsed value, or None where the cell could not be read (an optional column's problem is
    not worth the row)."""
    return None if isinstance(found, ValueError) or found is None else str(found)


def date_or_reason(found: object, what: str) -> dt.date | None:
    """A parsed date; one that could not be read is the row's reason, naming the field."""
    if isinstance(found, ValueError):
        raise RowRejected(f"{what}: {found}") from None
    return raise_failure(found)  # type: ignore[no-any-return]


# -- judging a parsed column at once (the column-wise path) -------------------------------------
def where(values: Sequence[object], doubtful: Callable[[object], bool]) -> list[int]:
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


def coded_doubts(raws: Sequence[object], codes: Sequence[object]) -> list[int]:
    """Rows with a value that did not become a code (an unknown code, or a failure)."""
    return [i for i in where(codes, not_str) if raws[i] is not None]


def is_none(value: object) -> bool:
    return value is None


def is_not_none(value: object) -> bool:
    return value is not None


def not_str(value: object) -> bool:
    return value.__class__ is not str


def not_text(value: object) -> bool:
    return value is not None and value.__class__ is not str


def not_a_name(value: object) -> bool:
    return value.__class__ is not str or not value


def not_flag(value: object) -> bool:
    return value is not None and value.__class__ is not bool


# -- which rows of a sheet are data ------------------------------------------------------------
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
