"""The dashboard's figures for one academic year, gathered from the store in one call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from exclusion_monitor.reports import statistics as stats
from exclusion_monitor.reports.html import PrintableDocument, heading, paragraph
from exclusion_monitor.reports.tables import Cell, Column, ColumnKind, ReportImage, ReportTable
from exclusion_monitor.reports.year import year_facts
from exclusion_monitor.store import Database
from exclusion_monitor.store import statistics as facts

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Dashboard:
    as_of: dt.date
    academic_year: str
    census_date: dt.date | None
    children: int
    flagged_children: int
    whole_family_cases: int
    suspensions: int
    permanents: int
    primary_exclusions: int
    authority: stats.RateRow
    terms: list[stats.TermCount]
    schools: list[stats.RateRow]
    reasons: list[stats.ReasonCount]
    groups: dict[str, list[stats.RateRow]] = field(default_factory=dict)


def build_dashboard(
    db: Database, *, as_of: dt.date | None = None, progress: Progress | None = None
) -> Dashboard:
    """Everything the dashboard shows, for the academic year containing `as_of` (default: the
    latest date in the data, or today on an empty database)."""
    report = progress or (lambda done, total: None)
    y = year_facts(db, as_of)
    report(1, 4)
    headline = facts.headline_counts(db)
    report(2, 4)
    series = stats.term_series(facts.exclusion_counts_by_date(db))
    report(3, 4)
    dashboard = Dashboard(
        as_of=y.as_of,
        academic_year=y.label,
        census_date=y.census_date,
        children=headline["children"],
        flagged_children=headline["flagged_children"],
        whole_family_cases=headline["whole_family_cases"],
        suspensions=sum(1 for e in y.exclusions if e.category == "SUSP"),
        permanents=sum(1 for e in y.exclusions if e.category == "PERM"),
        primary_exclusions=len(stats.primary_exclusions(y.exclusions, y.schools, y.pupils)),
        authority=stats.authority_row(y.pupils, y.exclusions),
        terms=series,
        schools=stats.school_rates(y.schools, y.pupils, y.exclusions),
        reasons=stats.reason_counts(y.exclusions),
        groups={name: stats.group_rates(name, y.pupils, y.exclusions) for name in stats.GROUPINGS},
    )
    report(4, 4)
    return dashboard


RATE_COLUMNS = [
    Column("Pupils", ColumnKind.INTEGER),
    Column("Suspensions", ColumnKind.INTEGER),
    Column("Pupils suspended", ColumnKind.INTEGER),
    Column("Permanent exclusions", ColumnKind.INTEGER),
    Column("Suspensions per 100", ColumnKind.DECIMAL),
    Column("Permanent per 100", ColumnKind.DECIMAL),
    Column("Suspension rate vs authority", ColumnKind.DECIMAL),
    Column("Permanent rate vs authority", ColumnKind.DECIMAL),
]


def rate_cells(row: stats.RateRow) -> list[Cell]:
    return [
        row.pupils,
        stats.suppressed_count(row.suspensions),
        stats.suppressed_count(row.pupils_suspended),
        stats.suppressed_count(row.permanents),
        stats.suppressed_rate(row.suspension_rate, row.suspensions),
        stats.suppressed_rate(row.permanent_rate, row.permanents),
        stats.suppressed_rate(row.relative_suspension_rate, row.suspensions),
        stats.suppressed_rate(row.relative_permanent_rate, row.permanents),
    ]


def dashboard_tables(board: Dashboard) -> list[ReportTable]:
    """Every figure of the dashboard as tables, counts of 1 to 4 suppressed ('c')."""
    headline = ReportTable(
        f"Headline figures {board.academic_year}",
        [Column("Measure"), Column("Value", ColumnKind.INTEGER)],
        [
            ["Children on record", board.children],
            ["Children with an open flag", board.flagged_children],
            ["Whole-family cases (a family with a flagged child)", board.whole_family_cases],
            ["Suspensions this academic year", stats.suppressed_count(board.suspensions)],
            ["Permanent exclusions this academic year", stats.suppressed_count(board.permanents)],
            [
                "Primary-age exclusions this academic year",
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
            Column("Permanent exclusions", ColumnKind.INTEGER),
        ],
        [
            [
                t.term_label,
                stats.suppressed_count(t.suspensions),
                stats.suppressed_count(t.permanents),
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
    return [headline, terms, schools, reasons, *groups]


def dashboard_document(board: Dashboard, *, with_charts: bool = True) -> PrintableDocument:
    """The dashboard to print: headline figures, charts and every table behind them."""
    from exclusion_monitor.reports import charts

    census = board.census_date.strftime("%d/%m/%Y") if board.census_date else "none recorded"
    blocks: list[str | ReportTable | ReportImage] = [
        heading(f"Exclusions dashboard {board.academic_year}"),
        paragraph(
            f"As of {board.as_of:%d/%m/%Y}. Rates are per 100 pupils on the spring census "
            f"({census}). Counts from 1 to 4 are shown as 'c' to protect individuals."
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
