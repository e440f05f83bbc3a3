"""What the dashboard may publish (docs/reports.md, "Suppression"): every count it prints, exports
or charts is a cell, every sum it lets a reader make is a line (the parts and their total), and
reports/suppression.py hides counts of 1 to 4 and then more cells until no hidden count follows
from a total and the other cells of its line."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from exclusion_monitor.reports.statistics import RateRow, published_rate
from exclusion_monitor.reports.suppression import suppress_cells
from exclusion_monitor.terms import Term, academic_year

if TYPE_CHECKING:
    from exclusion_monitor.reports.dashboard import Dashboard
    from exclusion_monitor.reports.practice import SchoolPractice

Key = tuple[Hashable, ...]
COUNTS = ("suspensions", "lunchtimes", "pupils_suspended", "permanents", "reversed_permanents")
# Pupils suspended is not a sum over schools (a pupil suspended at two schools counts at each),
# so it makes no line there; over pupil groups it does (each pupil is in one group).
OVER_SCHOOLS = ("suspensions", "lunchtimes", "permanents", "reversed_permanents")
TERM_COUNTS = ("suspensions", "lunchtimes", "permanents", "reversed_permanents")
# The school practice figures' measures (reports/practice.py) and the dashboard's counts.
PRACTICE_MEASURES = {
    "suspension": "suspensions",
    "permanent": "permanents",
    "one_plus": "pupils_suspended",
}
REASONS_TOTAL: Key = ("reasons", "total")
PRIMARY: Key = ("primary",)


def authority_key(measure: str) -> Key:
    return ("authority", measure)


def school_key(laestab: str, measure: str) -> Key:
    return ("school", laestab, measure)


def school_type_key(school_type: str, measure: str) -> Key:
    return ("school type", school_type, measure)


def group_key(grouping: str, group: str, measure: str) -> Key:
    return ("group", grouping, group, measure)


def term_key(term_index: int, measure: str) -> Key:
    return ("term", term_index, measure)


def reason_key(code: str) -> Key:
    return ("reason", code)


def trend_key(code: str, column: int) -> Key:
    return ("trend", code, column)


@dataclass(frozen=True, slots=True)
class Published:
    """The cells that are hidden ('c') wherever the dashboard is printed, exported or charted."""

    hidden: frozenset[Key] = field(default_factory=frozenset)

    def count(self, key: Key, value: int) -> int | str:
        return "c" if key in self.hidden else value

    def rate(self, row: RateRow, measure: str, row_key: Key) -> float | str | None:
        """A row's suspension or permanent rate (or index, `measure` the RateRow field) as
        published: 'c' when its count is hidden, 'u' under the minimum group size."""
        count = "suspensions" if "suspension" in measure else "permanents"
        return published_rate(getattr(row, measure), row.pupils, (*row_key, count) in self.hidden)


@dataclass(frozen=True, slots=True)
class Cells:
    counts: dict[Key, int]
    lines: list[list[Key]]


def _rate_rows(cells: Cells, prefix: Key, row: RateRow, measures: Iterable[str]) -> None:
    for measure in measures:
        cells.counts[(*prefix, measure)] = getattr(row, measure)


def dashboard_cells(board: Dashboard) -> Cells:
    """Every count the dashboard publishes, and every sum of them a reader can check: schools
    to their type to the authority, each characteristic's groups to the authority, this
    year's terms to the authority, reasons to all reasons given, and this year's reasons
    to their groups in the table of reasons by year."""
    cells = Cells({}, [])
    _rate_rows(cells, ("authority",), board.authority, COUNTS)
    for school_type in board.school_types:
        _rate_rows(cells, ("school type", school_type.key), school_type.total, COUNTS)
        for school in school_type.schools:
            _rate_rows(cells, ("school", school.key), school, COUNTS)
        for measure in OVER_SCHOOLS:
            cells.lines.append(
                [school_key(s.key, measure) for s in school_type.schools]
                + [school_type_key(school_type.key, measure)]
            )
    for measure in OVER_SCHOOLS:
        cells.lines.append(
            [school_type_key(t.key, measure) for t in board.school_types] + [authority_key(measure)]
        )
    for grouping, rows in board.groups.items():
        for row in rows:
            _rate_rows(cells, ("group", grouping, row.key), row, COUNTS)
        for measure in COUNTS:
            cells.lines.append(
                [group_key(grouping, r.key, measure) for r in rows] + [authority_key(measure)]
            )
    year = academic_year(board.as_of)
    this_year = [t for t in board.terms if Term.from_index(t.term_index).year == year]
    for term in board.terms:
        for measure in TERM_COUNTS:
            cells.counts[term_key(term.term_index, measure)] = getattr(term, measure)
    for measure in TERM_COUNTS:
        cells.lines.append(
            [term_key(t.term_index, measure) for t in this_year] + [authority_key(measure)]
        )
    for reason in board.reasons:
        cells.counts[reason_key(reason.code)] = reason.count
    cells.counts[REASONS_TOTAL] = sum(r.count for r in board.reasons)
    cells.lines.append([reason_key(r.code) for r in board.reasons] + [REASONS_TOTAL])
    current = board.reason_years.index(year) if year in board.reason_years else None
    for trend in board.reason_trends:
        for column, count in enumerate(trend.counts):
            cells.counts[trend_key(trend.code, column)] = count
        if current is not None:
            given = [reason_key(c) for c in trend.codes if reason_key(c) in cells.counts]
            cells.lines.append([*given, trend_key(trend.code, current)])
    cells.counts[PRIMARY] = board.primary_exclusions
    # A line of one cell states no sum.
    return Cells(cells.counts, [line for line in cells.lines if len(line) > 1])


def practice_hidden(rows: Iterable[SchoolPractice]) -> set[Key]:
    """The school practice figures' hidden counts, as the dashboard's cells."""
    return {
        school_key(row.laestab, PRACTICE_MEASURES[measure])
        for row in rows
        for measure in row.hidden
        if measure in PRACTICE_MEASURES
    }


def publish(board: Dashboard, hidden_already: Iterable[Key] = ()) -> Published:
    """The dashboard's hidden cells: counts of 1 to 4, `hidden_already` (the same figures'
    cells another table on the page hides), and the secondary suppression of every line."""
    cells = dashboard_cells(board)
    hidden, _totals = suppress_cells(cells.counts, cells.lines, hidden_already)
    return Published(frozenset(hidden))


def align_practice(rows: Iterable[SchoolPractice], published: Published) -> list[SchoolPractice]:
    """School practice rows hiding every count the dashboard hides, so that the funnel tables
    beside the dashboard's own reveal nothing the two would not reveal alone."""
    return [
        replace(
            row,
            hidden=row.hidden
            | {
                measure
                for measure, count in PRACTICE_MEASURES.items()
                if school_key(row.laestab, count) in published.hidden
            },
        )
        for row in rows
    ]


def published_counts(published: Published, prefix: Key, row: RateRow) -> Mapping[str, int | str]:
    """A rate row's counts as published, by field name."""
    return {m: published.count((*prefix, m), getattr(row, m)) for m in COUNTS}
