"""The dashboard's figures for one academic year, gathered from the store in one call; every
headline figure is worked out for the as-of date (docs/rules.md, as-of section). Tables, charts
and the printout all publish the same cells (reports/dashboard_published.py; docs/reports.md)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from exclusion_monitor.display import uk_date
from exclusion_monitor.flagging import evaluate_flags, stored_as_of
from exclusion_monitor.reports import statistics as stats
from exclusion_monitor.reports.dashboard_published import (
    PRIMARY,
    REASONS_TOTAL,
    Published,
    authority_key,
    practice_hidden,
    publish,
    reason_key,
    term_key,
    trend_key,
)
from exclusion_monitor.reports.html import PrintableDocument, heading, paragraph
from exclusion_monitor.reports.practice import (
    GROUP_ORDER,
    PracticeYear,
    phase_group,
    school_practice,
)
from exclusion_monitor.reports.tables import Cell, Column, ColumnKind, ReportImage, ReportTable
from exclusion_monitor.reports.year import YearFacts, year_facts
from exclusion_monitor.store import Database
from exclusion_monitor.store import statistics as facts
from exclusion_monitor.terms import academic_year_bounds

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from exclusion_monitor.reports.charts import Bar

Progress = Callable[[int, int], None]

# Each type of school (practice.phase_group): its name, and the short one of a table's column.
SCHOOL_TYPES = {
    "primary": ("Mainstream primary schools", "Primary"),
    "secondary": ("Mainstream secondary schools", "Secondary"),
    "special": ("Special schools", "Special"),
    "alternative provision": ("Pupil referral units and alternative provision", "PRU / AP"),
    "other": ("Schools whose phase is not recorded", "Phase not recorded"),
}


@dataclass(frozen=True, slots=True)
class SchoolType:
    """Schools of one type (practice.phase_group) with their total: PRUs, alternative provision
    and special schools are compared among themselves, never with mainstream schools."""

    key: str
    label: str
    total: stats.RateRow
    schools: list[stats.RateRow]
    short: str = ""


@dataclass(frozen=True, slots=True)
class Dashboard:
    as_of: dt.date
    academic_year: str
    census_date: dt.date | None
    children: int
    flagged_children: int
    whole_family_cases: int
    suspensions: int  # lunchtime suspensions included
    permanents: int  # not those reversed on review
    primary_exclusions: int
    authority: stats.RateRow
    terms: list[stats.TermCount]
    schools: list[stats.RateRow]
    reasons: list[stats.ReasonCount]
    groups: dict[str, list[stats.RateRow]] = field(default_factory=dict)
    lunchtimes: int = 0
    reversed_permanents: int = 0
    reason_years: list[int] = field(default_factory=list)
    reason_trends: list[stats.ReasonTrend] = field(default_factory=list)
    school_types: list[SchoolType] = field(default_factory=list)
    published: Published = field(default_factory=Published)

    @property
    def year_start(self) -> dt.date:
        """The first day of the academic year the counts run from."""
        return academic_year_bounds(int(self.academic_year[:4]))[0]

    def period(self) -> str:
        """What the year's counts cover, in words: '1/8/2025 to 21/05/2026 (2025/26 so far)'."""
        return f"{self.year_start:%d/%m/%Y} to {self.as_of:%d/%m/%Y} ({self.academic_year} so far)"


TREND_YEARS = 3


def flagged_as_of(db: Database, as_of: dt.date) -> set[int]:
    """The children flagged as of a date: the stored open flags when they were computed for that
    date, else the flags evaluated for it (nothing stored)."""
    if stored_as_of(db) == as_of:
        return facts.children_with_open_flags(db)
    return set(evaluate_flags(db, as_of=as_of))


def school_types(y: YearFacts, schools: Sequence[stats.RateRow]) -> list[SchoolType]:
    """The schools by type, each type with its total (its pupils and exclusions together)."""
    authority = stats.authority_row(y.pupils, y.exclusions)
    kind = {s.laestab: phase_group(s.phase) for s in y.schools}
    school_of = {s.id: s.laestab for s in y.schools}
    roll = Counter(kind.get(school_of.get(p.school_id, ""), "other") for p in y.pupils)
    exclusions = defaultdict(list)
    for e in y.exclusions:
        exclusions[kind.get(school_of.get(e.school_id, ""), "other")].append(e)
    found = []
    for key in GROUP_ORDER:
        members = [s for s in schools if kind.get(s.key, "other") == key]
        if members:
            label, short = SCHOOL_TYPES[key]
            total = stats.combined_row(
                key, f"All {label[0].lower()}{label[1:]}", roll[key], exclusions[key], authority
            )
            found.append(SchoolType(key, label, total, members, short))
    return found


def build_dashboard(
    db: Database, *, as_of: dt.date | None = None, progress: Progress | None = None
) -> Dashboard:
    """Everything the dashboard shows, for the academic year containing `as_of` (default: the
    latest date in the data, or today on an empty database), with what it may publish."""
    report = progress or (lambda done, total: None)
    y = year_facts(db, as_of)
    report(1, 5)
    flagged = flagged_as_of(db, y.as_of)
    report(2, 5)
    series = stats.term_series(facts.exclusion_counts_by_date(db, y.as_of), through=y.as_of)
    report(3, 5)
    years = list(range(y.year - TREND_YEARS + 1, y.year + 1))
    earlier = facts.exclusions_between(db, academic_year_bounds(years[0])[0], y.as_of)
    report(4, 5)
    counted = stats.kind_counts(y.exclusions)
    schools = stats.school_rates(y.schools, y.pupils, y.exclusions)
    dashboard = Dashboard(
        as_of=y.as_of,
        academic_year=y.label,
        census_date=y.census_date,
        children=facts.children_on_record(db, y.as_of),
        flagged_children=len(flagged),
        whole_family_cases=facts.families_of(db, flagged),
        suspensions=counted["suspensions"],
        permanents=counted["permanents"],
        primary_exclusions=len(stats.primary_exclusions(y.exclusions, y.schools, y.pupils)),
        authority=stats.authority_row(y.pupils, y.exclusions),
        terms=series,
        schools=schools,
        reasons=stats.reason_counts(y.exclusions),
        groups={name: stats.group_rates(name, y.pupils, y.exclusions) for name in stats.GROUPINGS},
        lunchtimes=counted["lunchtimes"],
        reversed_permanents=counted["reversed"],
        reason_years=years,
        reason_trends=stats.reason_trends(earlier, years),
        school_types=school_types(y, schools),
    )
    # The school practice funnels beside the dashboard publish the same schools' counts: what
    # they hide is hidden here too (and they take back what this hides: align_practice).
    practice = school_practice(
        PracticeYear(y.label, y.census_date, y.as_of, y.pupils,
                     {s.id: s for s in y.schools}, y.exclusions)
    )  # fmt: skip
    dashboard = replace(dashboard, published=publish(dashboard, practice_hidden(practice)))
    report(5, 5)
    return dashboard


RATE_COLUMNS = [
    Column("Pupils", ColumnKind.INTEGER),
    Column("Suspensions", ColumnKind.INTEGER),
    Column("Of which lunchtime", ColumnKind.INTEGER),
    Column("Pupils suspended", ColumnKind.INTEGER),
    Column("Permanent exclusions", ColumnKind.INTEGER),
    Column("Reversed on review (not counted)", ColumnKind.INTEGER),
    Column("Suspensions per 100", ColumnKind.DECIMAL),
    Column("Permanent per 100", ColumnKind.DECIMAL),
    Column("Suspension rate vs authority", ColumnKind.DECIMAL),
    Column("Permanent rate vs authority", ColumnKind.DECIMAL),
]
COUNTING_NOTE = (
    "Suspensions include lunchtime suspensions (a lunchtime suspension is a suspension of one "
    "session); permanent exclusions leave out those reversed on review, counted beside them."
)
SUPPRESSION_NOTE = (
    "Counts from 1 to 4 are shown as 'c', and so is any other count from which a hidden one "
    f"could be worked out. Rates of fewer than {stats.MIN_RATE_PUPILS} pupils are shown as 'u'. "
    "A pupil suspended at two schools counts once at each, so pupils suspended by school add up "
    "to more than the authority's."
)
_RATES = (
    "suspension_rate",
    "permanent_rate",
    "relative_suspension_rate",
    "relative_permanent_rate",
)


def rate_cells(row: stats.RateRow) -> list[Cell]:
    """A row's counts and rates for a report of its own (one school against the authority):
    counts of 1 to 4 hidden, rates of small groups not shown."""
    return [
        row.pupils,
        stats.suppressed_count(row.suspensions),
        stats.suppressed_count(row.lunchtimes),
        stats.suppressed_count(row.pupils_suspended),
        stats.suppressed_count(row.permanents),
        stats.suppressed_count(row.reversed_permanents),
        *[
            stats.suppressed_rate(
                getattr(row, rate),
                row.suspensions if "suspension" in rate else row.permanents,
                row.pupils,
            )
            for rate in _RATES
        ],
    ]


def published_cells(board: Dashboard, prefix: tuple[str, ...], row: stats.RateRow) -> list[Cell]:
    """A dashboard row's counts and rates as published (the dashboard's suppression)."""
    p = board.published
    counts = ("suspensions", "lunchtimes", "pupils_suspended", "permanents", "reversed_permanents")
    return [
        row.pupils or None,
        *[p.count((*prefix, m), getattr(row, m)) for m in counts],
        *[p.rate(row, rate, prefix) for rate in _RATES],
    ]


def _headline(board: Dashboard) -> ReportTable:
    p, day = board.published, f"{board.as_of:%d/%m/%Y}"
    year = f"{board.academic_year}: {board.year_start:%d/%m/%Y} to {day}"
    return ReportTable(
        f"Headline figures {board.academic_year}, as of {day}",
        [Column("Measure"), Column("Value", ColumnKind.INTEGER)],
        [
            [f"Children on record by {day}", board.children],
            [f"Children flagged as of {day}", board.flagged_children],
            [
                f"Whole-family cases as of {day} (a family with a flagged child)",
                board.whole_family_cases,
            ],
            [f"Suspensions {year}", p.count(authority_key("suspensions"), board.suspensions)],
            [
                "  of which lunchtime suspensions",
                p.count(authority_key("lunchtimes"), board.lunchtimes),
            ],
            [
                f"Permanent exclusions {year}",
                p.count(authority_key("permanents"), board.permanents),
            ],
            [
                "  permanent exclusions reversed on review (not counted above)",
                p.count(authority_key("reversed_permanents"), board.reversed_permanents),
            ],
            [
                f"Primary-age exclusions {year}",
                p.count(PRIMARY, board.primary_exclusions),
            ],
            ["Pupils on the spring census", board.authority.pupils],
        ],
    )


def _terms(board: Dashboard) -> ReportTable:
    p = board.published
    measures = ("suspensions", "lunchtimes", "permanents", "reversed_permanents")
    return ReportTable(
        "Exclusions per term",
        [
            Column("Term"),
            Column("Suspensions", ColumnKind.INTEGER),
            Column("Of which lunchtime", ColumnKind.INTEGER),
            Column("Permanent exclusions", ColumnKind.INTEGER),
            Column("Reversed on review (not counted)", ColumnKind.INTEGER),
        ],
        [
            [t.term_label, *[p.count(term_key(t.term_index, m), getattr(t, m)) for m in measures]]
            for t in board.terms
        ],
    )


def _schools(board: Dashboard) -> ReportTable:
    rows: list[list[Cell]] = [
        [
            "",
            "Whole authority",
            "All",
            *published_cells(board, ("authority",), board.authority),
        ]
    ]
    for kind in board.school_types:
        rows.append(
            ["", kind.total.label, kind.short,
             *published_cells(board, ("school type", kind.key), kind.total)]
        )  # fmt: skip
        rows.extend(
            [s.key, s.label, kind.short, *published_cells(board, ("school", s.key), s)]
            for s in kind.schools
        )
    return ReportTable(
        f"Rates by school {board.academic_year}",
        [Column("LAESTAB"), Column("School"), Column("Type of school"), *RATE_COLUMNS],
        rows,
    )


def _reasons(board: Dashboard) -> ReportTable:
    p = board.published
    rows: list[list[Cell]] = []
    for r in board.reasons:
        count = p.count(reason_key(r.code), r.count)
        rows.append([r.code, r.label, count, round(100 * r.share, 1) if count != "c" else "c"])
    total = sum(r.count for r in board.reasons)
    if board.reasons:
        rows.append(["", "All reasons given", p.count(REASONS_TOTAL, total), 100.0])
    return ReportTable(
        f"Reasons {board.academic_year} (an exclusion gives up to three)",
        [
            Column("Code"),
            Column("Reason"),
            Column("Times given", ColumnKind.INTEGER),
            Column("Share %", ColumnKind.DECIMAL),
        ],
        rows,
    )


def _group_table(board: Dashboard, name: str, rows: list[stats.RateRow]) -> ReportTable:
    return ReportTable(
        f"{stats.GROUPINGS[name][0]} {board.academic_year}",
        [Column("Group"), *RATE_COLUMNS],
        [[r.label, *published_cells(board, ("group", name, r.key), r)] for r in rows],
    )


def dashboard_tables(board: Dashboard) -> list[ReportTable]:
    """Every figure of the dashboard as tables, as published: headline, terms, schools, reasons,
    one table per pupil characteristic, reasons by year."""
    groups = [_group_table(board, name, rows) for name, rows in board.groups.items()]
    return [
        _headline(board), _terms(board), _schools(board), _reasons(board), *groups,
        reason_trend_table(board),
    ]  # fmt: skip


def reason_trend_table(board: Dashboard) -> ReportTable:
    """Reasons given in each of the last academic years, newer codes with the code they split
    from, so that a split does not read as a fall."""
    p = board.published
    return ReportTable(
        "Reasons by academic year (newer codes counted with the code they split from)",
        [
            Column("Code"),
            Column("Reason"),
            Column("Codes counted"),
            *[Column(label, ColumnKind.INTEGER) for label in stats.year_labels(board.reason_years)],
        ],
        [
            [
                r.code,
                r.label,
                ", ".join(r.codes),
                *[p.count(trend_key(r.code, j), n) for j, n in enumerate(r.counts)],
            ]
            for r in board.reason_trends
        ],
    )


@dataclass(frozen=True, slots=True)
class DashboardChart:
    """A chart of the dashboard with the table behind it (None: nothing to draw, say why)."""

    title: str
    figure: Figure | None
    table: ReportTable
    empty_text: str = ""


def _rate_bar(board: Dashboard, prefix: tuple[str, ...], row: stats.RateRow, rate: str) -> Bar:
    from exclusion_monitor.reports.charts import Bar

    value = board.published.rate(row, rate, prefix)
    if isinstance(value, float):
        return Bar(row.label, value)
    return Bar(row.label, None, value if isinstance(value, str) else None)


def dashboard_charts(board: Dashboard) -> list[DashboardChart]:
    """The dashboard's charts, each with its table, as the page shows them and the printout
    prints them (the same published cells: what a table hides, its chart does not draw)."""
    from exclusion_monitor.reports import charts

    tables = dashboard_tables(board)
    terms, schools, reasons, *groups, trend = tables[1:]
    p = board.published
    no_census = f"No spring census in {board.academic_year}: choose an earlier as-of date."
    found = [
        DashboardChart(
            "Exclusions per term",
            charts.terms_chart(
                [t.term_label for t in board.terms],
                [
                    p.count(term_key(t.term_index, "suspensions"), t.suspensions)
                    for t in board.terms
                ],
                [p.count(term_key(t.term_index, "permanents"), t.permanents) for t in board.terms],
            )
            if board.terms
            else None,
            terms,
            "No exclusions recorded yet.",
        ),
        DashboardChart(
            "Suspension rates by school",
            charts.school_rates_chart(
                [
                    charts.BarSection(
                        kind.label,
                        [
                            _rate_bar(board, ("school", s.key), s, "suspension_rate")
                            for s in kind.schools
                            if s.pupils
                        ],
                        _reference(board, kind),
                        f"All {kind.label[0].lower()}{kind.label[1:]}",
                    )
                    for kind in board.school_types
                ],
                board.authority.suspension_rate,
            )
            if any(s.pupils for s in board.schools)
            else None,
            schools,
            no_census,
        ),
        DashboardChart(
            "Reasons given",
            charts.reasons_chart(
                [
                    charts.Bar(r.label, 100 * r.share)
                    if p.count(reason_key(r.code), r.count) != "c"
                    else charts.Bar(r.label, None, "c")
                    for r in board.reasons
                ]
            )
            if board.reasons
            else None,
            reasons,
            "No exclusion reasons recorded in this academic year.",
        ),
    ]
    for (name, rows), table in zip(board.groups.items(), groups, strict=True):
        title = stats.GROUPINGS[name][0]
        charted = [r for r in rows if r.key != stats.NOT_ON_CENSUS]
        known = any(row.key != "unknown" for row in charted)
        found.append(
            DashboardChart(
                f"Rates by {title.lower()}" if name != "looked_after" else "Looked after",
                charts.group_chart(
                    title,
                    [
                        _rate_bar(board, ("group", name, r.key), r, "relative_suspension_rate")
                        for r in charted
                    ],
                )
                if known
                else None,
                table,
                no_census
                if not charted
                else f"{title}: not recorded for the pupils on the census.",
            )
        )
    found.append(
        DashboardChart(
            "Reasons by academic year",
            charts.reason_trend_chart(
                [r.label for r in board.reason_trends[:8]],
                [
                    [p.count(trend_key(r.code, j), n) for j, n in enumerate(r.counts)]
                    for r in board.reason_trends[:8]
                ],
                stats.year_labels(board.reason_years),
            )
            if board.reason_trends
            else None,
            trend,
            "No exclusion reasons recorded in these years.",
        )
    )
    return found


def _reference(board: Dashboard, kind: SchoolType) -> float | None:
    """A type's own suspension rate, the line its schools are read against (when published)."""
    value = board.published.rate(kind.total, "suspension_rate", ("school type", kind.key))
    return value if isinstance(value, float) else None


def dashboard_document(board: Dashboard, *, with_charts: bool = True) -> PrintableDocument:
    """The dashboard to print: headline figures, charts and every table behind them."""
    from exclusion_monitor.reports import charts

    census = uk_date(board.census_date, "none recorded")
    blocks: list[str | ReportTable | ReportImage] = [
        heading(f"Exclusions dashboard {board.academic_year}"),
        paragraph(
            f"As of {board.as_of:%d/%m/%Y}; the year's counts run from {board.period()}. Rates "
            f"are per 100 pupils on the spring census ({census}). {SUPPRESSION_NOTE} "
            + COUNTING_NOTE
        ),
    ]
    tables = dashboard_tables(board)
    blocks.append(tables[0])
    if with_charts:
        for chart in dashboard_charts(board):
            if chart.figure is None:
                continue
            width, height = chart.figure.get_size_inches()
            blocks.append(
                ReportImage(
                    chart.title,
                    charts.png_bytes(chart.figure),
                    width * 25.4 * 0.85,
                    height * 25.4 * 0.85,
                )
            )
    # On paper the type's total row heads its schools; the type column (for filtering the
    # export) would take the width the schools' names need.
    schools = tables[2]
    tables[2] = ReportTable(
        schools.title,
        [c for i, c in enumerate(schools.columns) if i != 2],
        [[v for i, v in enumerate(row) if i != 2] for row in schools.rows],
    )
    blocks.extend(tables[1:])
    return PrintableDocument(f"Exclusions dashboard {board.academic_year}", blocks, landscape=True)
