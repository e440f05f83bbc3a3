"""Text cells on the way in (docs/data-protection.md, "Hostile files"): control characters,
terminal escape sequences and bidi overrides are removed, with a warning naming the rows; a cell
longer than its column holds rejects its row, with the reason, instead of being stored whole."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import cast

import sqlalchemy as sa

from exclusion_monitor.store import schema as t
from exclusion_monitor.text_safety import clean_text, has_unsafe

CLEANED = (
    "control characters, terminal escape sequences or right-to-left overrides were removed "
    "from the text, as they can hide or disguise what a cell says"
)


def _length(column: sa.Column[str]) -> int:
    length = getattr(column.type, "length", None)
    assert isinstance(length, int), column
    return length


# The longest text each field may hold: its column's length in the schema. Fields parsed into
# codes, dates or numbers are held to DEFAULT_LIMIT, far longer than any real value.
DEFAULT_LIMIT = 200
TEXT_LIMITS: dict[str, int] = {
    "surname": _length(t.children.c.surname),
    "forename": _length(t.children.c.forename),
    "address_line1": _length(t.census_observations.c.address_line1),
    "postcode": _length(t.census_observations.c.postcode),
    "family_ref": _length(t.census_observations.c.family_ref),
    "leaving_reason": _length(t.enrolments.c.leaving_reason),
    "destination": _length(t.enrolments.c.destination),
    "review_outcome": _length(t.exclusions.c.review_outcome),
    "school_name": _length(t.schools.c.name),
    "school": _length(t.schools.c.name),
    "school_type": _length(t.schools.c.school_type),
    # The register's longest type ("Merged - expansion in school capacity and changer in age
    # range") is 62 characters: over the column's declared 50, which neither engine enforces
    # (store/dialect.py), so the limit is the register's, not the declaration's.
    "link_type": max(_length(t.school_links.c.link_type), 100),
}
_SHOWN = 40  # characters of an over-long cell kept in the rejected row, for the school
_KEPT_AS_WRITTEN = {"reason1", "reason2", "reason3"}  # a reason no code list knows is kept


def rows_note(message: str, rows: Sequence[int]) -> str:
    """'message (rows 3, 5 and 2 more)', in the import result's style."""
    shown = ", ".join(str(r) for r in rows[:10])
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    return f"{message} ({'row' if len(rows) == 1 else 'rows'} {shown}{more})"


def clean_rows(rows: Sequence[list[object]], first_row: int = 1) -> list[int]:
    """Clean every text cell of `rows` in place; the numbers of the rows that changed (the first
    row is `first_row`)."""
    changed: list[int] = []
    for index, row in enumerate(rows):
        for position, cell in enumerate(row):
            if cell.__class__ is str and has_unsafe(cell):
                row[position] = clean_text(cell)
                if not changed or changed[-1] != index + first_row:
                    changed.append(index + first_row)
    return changed


def _longest(cells: Sequence[object]) -> int:
    try:
        return max(map(len, cast(Sequence[str], cells)), default=0)
    except TypeError:  # numbers, dates or blanks among the text
        return max((len(c) for c in cells if isinstance(c, str)), default=0)


def over_long_rows(
    columns: Mapping[str, int],
    column_cells: Callable[[str], Sequence[object]],
    raws: Sequence[list[object]],
    label: Callable[[str], str],
) -> dict[int, str]:
    """{position in `raws`: reason} for each row with a free-text cell (a name, an address, a
    reason as written) longer than its field may be; `column_cells(field)` gives a field's cells
    as read. Fields read as codes, dates or numbers need no look here: a long one is never a
    valid value, and `over_long_reason` replaces the reason of the row it rejects."""
    found: dict[int, str] = {}
    for name, index in columns.items():
        if name not in TEXT_LIMITS and name not in _KEPT_AS_WRITTEN:
            continue
        limit = TEXT_LIMITS.get(name, DEFAULT_LIMIT)
        cells = column_cells(name)
        if _longest(cells) <= limit:
            continue
        for position, cell in enumerate(cells):
            reason = _over(cell, name, limit, label)
            if reason is not None:
                found.setdefault(position, reason)
                raws[position][index] = _shortened(cell)
    return found


def over_long_reason(
    raw: list[object], columns: Mapping[str, int], label: Callable[[str], str]
) -> str | None:
    """For a rejected row: the reason it is rejected when a mapped cell is longer than its field
    may be (which then replaces a reason quoting the whole cell), the cell shortened in place."""
    reason = None
    for name, index in columns.items():
        if index < len(raw):
            found = _over(raw[index], name, TEXT_LIMITS.get(name, DEFAULT_LIMIT), label)
            if found is not None:
                reason = reason or found
                raw[index] = _shortened(raw[index])
    return reason


def _over(cell: object, name: str, limit: int, label: Callable[[str], str]) -> str | None:
    if not isinstance(cell, str) or len(cell) <= limit:
        return None
    size = len(" ".join(cell.split()))
    if size <= limit:
        return None
    return f"the {label(name)} is {size:,} characters long, over its limit of {limit}"


def _shortened(cell: object) -> object:
    """The start of an over-long cell and its length, for the row kept for the school."""
    if not isinstance(cell, str):
        return cell
    size = len(" ".join(cell.split()))
    return f"{cell[:_SHOWN]}… ({size:,} characters)"
