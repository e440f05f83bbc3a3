"""An exclusions return: one row per suspension, permanent exclusion or lunchtime exclusion."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from exclusion_monitor import codelists
from imports import normalise as nz
from imports.rows.child import Child
from imports.rows.columns import Columns, FileCaches
from imports.rows.common import (
    MAX_SESSIONS,
    Record,
    RowRejected,
    Warnings,
    as_reason,
    raise_failure,
    where,
)
from imports.rows.fields import Date, KindRows, listed

_REASON_SPLIT = re.compile(r"\s*[,;/+&]\s*|\s+and\s+")
_REASON_COLUMNS = ("reason1", "reason2", "reason3")


@dataclass(frozen=True, slots=True)
class Category:
    """The exclusion's category: required, and one the category list knows."""

    def read(self, cols: Columns) -> _CategoryReading:
        return _CategoryReading(cols)


class _CategoryReading:
    keys = ("category",)

    def __init__(self, cols: Columns) -> None:
        self.raws = cols.cells("category")
        self.codes = cols.parsed("category", "category", listed(codelists.CATEGORIES))

    def check(self, i: int, line: int, record: Record) -> None:
        raw = self.raws[i]
        if raw is None:
            raise RowRejected("the exclusion category is missing")
        category = raise_failure(self.codes[i])
        if category is None:
            raise RowRejected(f"category '{nz.text(raw)}' is not an exclusion category")
        record["category"] = str(category)

    def doubtful(self) -> Collection[int]:
        return where(self.codes, _not_str)

    def values(self) -> list[Sequence[object]]:
        return [self.codes]


def _not_str(value: object) -> bool:
    return value.__class__ is not str


@dataclass(frozen=True, slots=True)
class Sessions:
    """The length in sessions (or days, two sessions a day): a lunchtime exclusion is one
    session; a permanent exclusion with no length is none; any other needs a plausible one."""

    def read(self, cols: Columns) -> _SessionsReading:
        return _SessionsReading(cols)


class _SessionsReading:
    keys = ("sessions",)

    def __init__(self, cols: Columns) -> None:
        self.sessions = cols.parsed("sessions", "sessions", lambda v: nz.number(v, "sessions"))
        self.days = cols.parsed("days", "days", lambda v: nz.number(v, "days"))
        self.categories = cols.parsed("category", "category", listed(codelists.CATEGORIES))
        self.lengths: list[object] = []

    def check(self, i: int, line: int, record: Record) -> None:
        record["sessions"] = sessions(self.sessions[i], self.days[i], record["category"])

    def doubtful(self) -> Collection[int]:
        doubt: list[int] = []
        self.lengths = lengths = []
        memo: dict[tuple[object, object, object], object] = {}
        for i, key in enumerate(zip(self.sessions, self.days, self.categories, strict=True)):
            found = memo.get(key) if _hashable(key) else None
            if found is None:
                found = _DOUBTFUL
                if key[2].__class__ is str:
                    try:
                        found = sessions(*key)  # type: ignore[arg-type]
                    except Exception:  # the careful check gives the reason
                        found = _DOUBTFUL
                if _hashable(key):
                    memo[key] = found
            if found is _DOUBTFUL:
                doubt.append(i)
            lengths.append(found)
        return doubt

    def values(self) -> list[Sequence[object]]:
        return [self.lengths]


_DOUBTFUL = object()


def _hashable(key: tuple[object, ...]) -> bool:
    return not any(isinstance(part, Exception) for part in key)


def sessions(found_sessions: object, found_days: object, category: str) -> float:
    value: float | None = as_reason(found_sessions)
    if value is None:
        day_count = as_reason(found_days)
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


@dataclass(frozen=True, slots=True)
class Reasons:
    """Up to three reason codes from the reason columns: each cell a code, the list's wording or
    a school system's ('Verbal abuse - adult'), or several in one cell ('DB;VA', 'DB, VA', a
    Reasons list). A wording the lists do not know is kept as the school wrote it, with a
    warning; reports count it as 'not a DfE reason code', never as a code of its own."""

    def read(self, cols: Columns) -> _ReasonsReading:
        return _ReasonsReading(cols)


class _ReasonsReading:
    keys = ("reasons",)

    def __init__(self, cols: Columns) -> None:
        self.warnings = cols.warnings
        self.caches = cols.caches
        self.texts = [cols.texts(name) for name in _REASON_COLUMNS]
        self.codes: list[list[str] | None] = []

    def check(self, i: int, line: int, record: Record) -> None:
        record["reasons"] = reasons(
            [texts[i] for texts in self.texts], line, self.caches, self.warnings
        )

    def doubtful(self) -> Collection[int]:
        """Rows whose reasons need a warning (an unknown wording, more than three)."""
        doubt: list[int] = []
        self.codes = codes = []
        memo: dict[tuple[object, ...], list[str] | None] = {}
        quiet = Warnings()
        for i, cells in enumerate(zip(*self.texts, strict=True)):
            if cells in memo:
                found = memo[cells]
            else:
                try:
                    found = reasons(list(cells), 0, self.caches, quiet)
                except Exception:  # the careful check raises it
                    found = None
                if quiet.by_message:  # it would warn: the careful check does
                    quiet.by_message.clear()
                    found = None
                memo[cells] = found
            if found is None:
                doubt.append(i)
            codes.append(found)
        return doubt

    def values(self) -> list[Sequence[object]]:
        return [[None if found is None else list(found) for found in self.codes]]


def reasons(cells: list[object], line: int, caches: FileCaches, warnings: Warnings) -> list[str]:
    """A row's reason codes from its three reason cells (see Reasons)."""
    values = [part for v in cells if v for part in _reason_parts(str(v), codelists.reason_code)]
    found: list[str] = []
    for value in values[:3]:
        code = raise_failure(caches.mapped([value], "reason", codelists.reason_code)[0])
        if code is None:
            code = value if len(value) > 4 else value.upper()
            warnings.add(
                f"reason '{value}' is not a DfE reason code or a wording the reason list "
                "knows; it was kept as written and is counted as 'not a DfE reason code'",
                line,
            )
        found.append(str(code))
    if len(values) > 3:
        warnings.add("more than three reasons were given; the first three were kept", line)
    return found


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
    listed_parts = [p.strip() for p in re.split(r"[;|\n]", cell) if p.strip()]
    return listed_parts if len(listed_parts) > 1 else [cell]


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """A governors' or independent review's outcome as written; a wording the list does not know
    is kept, with a warning that it is not read as reversing the exclusion."""

    def read(self, cols: Columns) -> _ReviewOutcomeReading:
        return _ReviewOutcomeReading(cols)


class _ReviewOutcomeReading:
    keys = ("review_outcome",)

    def __init__(self, cols: Columns) -> None:
        self.warnings = cols.warnings
        self.outcomes = cols.texts("review_outcome")

    def check(self, i: int, line: int, record: Record) -> None:
        outcome = record["review_outcome"] = self.outcomes[i]
        if outcome and codelists.review_outcome(outcome) is None:
            self.warnings.add(
                f"review outcome '{outcome}' is not a wording the review-outcome list "
                "knows; it was kept as written and is not read as reversing the exclusion",
                line,
            )

    def doubtful(self) -> Collection[int]:
        return where(self.outcomes, _unknown_outcome)

    def values(self) -> list[Sequence[object]]:
        return [self.outcomes]


def _unknown_outcome(outcome: object) -> bool:
    return bool(outcome) and codelists.review_outcome(outcome) is None


EXCLUSIONS = KindRows(
    (
        Child(names_required=False),
        Category(),
        Date("start_date", "start date", required=True, after_birth=True),
        Date("end_date", "end date", not_before=("start_date", "the start date")),
        Sessions(),
        Reasons(),
        ReviewOutcome(),
    )
)
