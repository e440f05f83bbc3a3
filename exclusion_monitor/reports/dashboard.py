"""The dashboard's figures for one academic year, gathered from the store in one call; every
headline figure is worked out for the as-of date (docs/rules.md, as-of section)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from exclusion_monitor.flagging import evaluate_flags, stored_as_of
from exclusion_monitor.reports import statistics as stats
from exclusion_monitor.reports.html import PrintableDocument, heading, paragraph
from exclusion_monitor.reports.tables import Cell, Column, ColumnKind, ReportImage, ReportTable
from exclusion_monitor.reports.year import year_facts
from exclusion_monitor.store import Database
from exclusion_monitor.store import statistics as facts
from exclusion_monitor.terms import academic_year_bounds

Progress = Callable[[int, int], None]


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


TREND_YEARS = 3


def flagged_as_of(db: Database, as_of: dt.date) -> set[int]:
    """The children flagged as of a date: the stored open flags when they were computed for that
    date, else the flags evaluated for it (nothing stored)."""
    if stored_as_of(db) == as_of:
        return facts.children_with_open_flags(db)
    return set(evaluate_flags(db, as_of=as_of))


def build_dashboard(
    db: Database, *, as_of: dt.date | None = None, progress: Progress | None = None
) -> Dashboard:
    """Everything the dashboard shows, for the academic year containing `as_of` (default: the
    latest date in the data, or today on an empty database)."""
    report = progress or (lambda done, total: None)
    y = year_facts(db, as_of)
    report(1, 5)
    flagged = flagged_as_of(db, y.as_of)
    report(2, 5)
    series = stats.term_series(facts.exclusion_counts_by_date(db, y.as_of))
    report(3, 5)
    years = list(range(y.year - TREND_YEARS + 1, y.year + 1))
    earlier = facts.exclusions_between(db, academic_year_bounds(years[0])[0], y.as_of)
    report(4, 5)
    counted = stats.kind_counts(y.exclusions)
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
        schools=stats.school_rates(y.schools, y.pupils, y.exclusions),
        reasons=stats.reason_counts(y.exclusions),
        groups={name: stats.group_rates(name, y.pupils, y.exclusions) for name in stats.GROUPINGS},
        lunchtimes=counted["lunchtimes"],
        reversed_permanents=counted["reversed"],
        reason_years=years,
        reason_trends=stats.reason_trends(earlier, years),
    )
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


def rate_cells(row: stats.RateRow) -> list[Cell]:
    return [
        row.pupils,
        stats.suppressed_count(row.suspensions),
        stats.suppressed_count(row.lunchtimes),
        stats.suppressed_count(row.pupils_suspended),
        stats.suppressed_count(row.permanents),
        stats.suppressed_count(row.reversed_permanents),
        stats.suppressed_rate(row.suspension_rate, row.suspensions),
        stats.suppressed_rate(row.permanent_rate, row.permanents),
        stats.suppressed_rate(row.relative_suspension_rate, row.suspensions),
        stats.suppressed_rate(row.relative_permanent_rate, row.permanents),
    ]


def dashboard_tables(board: Dashboard) -> list[ReportTable]:
    """Every figure of the dashboard as tables, counts of 1 to 4 suppressed ('c')."""
    day = f"{board.as_of:%d/%m/%Y}"
    headline = ReportTable(
        f"Headline figures {board.academic_year}, as of {day}",
        [Column("Measure"), Column("Value", ColumnKind.INTEGER)],
        [
            [f"Children on record by {day}", board.children],
            [f"Children flagged as of {day}", board.flagged_children],
            [
                f"Whole-family cases as of {day} (a family with a flagged child)",
                board.whole_family_cases,
            ],
            [
                f"Suspensions this academic year to {day}",
                stats.suppressed_count(board.suspensions),
            ],
            ["  of which lunchtime suspensions", stats.suppressed_count(board.lunchtimes)],
            [
                f"Permanent exclusions this academic year to {day}",
                stats.suppressed_count(board.permanents),
            ],
            [
                "  permanent exclusions reversed on review (not counted above)",
                stats.suppressed_count(board.reversed_permanents),
            ],
            [
                f"Primary-age exclusions this academic year to {day}",
                stats.suppressed_count(board.primary_exclusions),
            ],
            ["Pupils on the spring census", board.authority.pupils],
        ],
    )
    terms = ReportTable(
        "Exclusions per term",
        [
            Column("Term"),
            Column("Suspensions", ColumnKind.INTEGER),
            Column("Of which lunchtime", ColumnKind.INTEGER),
            Column("Permanent exclusions", ColumnKind.INTEGER),
            Column("Reversed on review (not counted)", ColumnKind.INTEGER),
        ],
        [
            [
                t.term_label,
                stats.suppressed_count(t.suspensions),
                stats.suppressed_count(t.lunchtimes),
                stats.suppressed_count(t.permanents),
                stats.suppressed_count(t.reversed_permanents),
            ]
            for t in board.terms
        ],
    )
    schools = ReportTable(
        f"Rates by school {board.academic_year}",
        [Column("LAESTAB"), Column("School"), *RATE_COLUMNS],
        [[r.key, r.label, *rate_cells(r)] for r in [board.authority, *board.schools]],
    )
    reasons = ReportTable(
        f"Reasons {board.academic_year}",
        [
            Column("Code"),
            Column("Reason"),
            Column("Times given", ColumnKind.INTEGER),
            Column("Share %", ColumnKind.DECIMAL),
        ],
        [
            [
                r.code,
                r.label,
                stats.suppressed_count(r.count),
                "c" if stats.suppress(r.count) is None else round(100 * r.share, 1),
            ]
            for r in board.reasons
        ],
    )
    groups = [
        ReportTable(
            f"{stats.GROUPINGS[name][0]} {board.academic_year}",
            [Column("Group"), *RATE_COLUMNS],
            [[r.label, *rate_cells(r)] for r in rows],
        )
        for name, rows in board.groups.items()
    ]
    return [headline, terms, schools, reasons, *groups, reason_trend_table(board)]


def reason_trend_table(board: Dashboard) -> ReportTable:
    """Reasons given in each of the last academic years, newer codes with the code they split
    from, so that a split does not read as a fall."""
    return ReportTable(
        "Reasons by academic year (newer codes counted with the code they split from)",
        [
            Column("Code"),
            Column("Reason"),
            Column("Codes counted"),
            *[Column(label, ColumnKind.INTEGER) for label in stats.year_labels(board.reason_years)],
        ],
        [
            [r.code, r.label, ", ".join(r.codes), *[stats.suppressed_count(n) for n in r.counts]]
            for r in board.reason_trends
        ],
    )


def dashboard_document(board: Dashboard, *, with_charts: bool = True) -> PrintableDocument:
    """The dashboard to print: headline figures, charts and every table behind them."""
    from exclusion_monitor.reports import charts

    census = board.census_date.strftime("%d/%m/%Y") if board.census_date else "none recorded"
    blocks: list[str | ReportTable | ReportImage] = [
        heading(f"Exclusions dashboard {board.academic_year}"),
        paragraph(
            f"As of {board.as_of:%d/%m/%Y}. Rates are per 100 pupils on the spring census "
            f"({census}). Counts from 1 to 4 are shown as 'c' to protect individuals. "
            + COUNTING_NOTE
        ),
    ]
    tables = dashboard_tables(board)
    blocks.append(tables[0])
    figures = (
        [
            ("Exclusions per term", charts.terms_chart(board.terms)),
            ("School rates", charts.school_rates_chart(board.schools, board.authority)),
            ("Reasons", charts.reasons_chart(board.reasons)),
            *[
                (stats.GROUPINGS[name][0], charts.group_chart(stats.GROUPINGS[name][0], rows))
                for name, rows in board.groups.items()
                if any(row.key != "unknown" for row in rows)
            ],
            *(
                [
                    (
                        "Reasons by academic year",
                        charts.reason_trend_chart(board.reason_trends, board.reason_years),
                    )
                ]
                if board.reason_trends
                else []
            ),
        ]
        if with_charts
        else []
    )
    for title, figure in figures:
        width, height = figure.get_size_inches()
        blocks.append(
            ReportImage(title, charts.png_bytes(figure), width * 25.4 * 0.85, height * 25.4 * 0.85)
        )
    blocks.extend(tables[1:])
    return PrintableDocument(f"Exclusions dashboard {board.academic_year}", blocks, landscape=True)
