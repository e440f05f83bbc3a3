"""School practice charts for the app (funnels and Year 10 to 11 losses), each with the table
behind it, for an authority's dashboard and the regional page alike (no Qt: built in the
background)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from exclusion_monitor.reports.practice import GROUP_ORDER, MEASURE_LABELS, outside_limits
from exclusion_monitor.reports.practice_report import PracticeFigures
from exclusion_monitor.reports.tables import Column, ColumnKind, ReportTable

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True, slots=True)
class PracticeChart:
    title: str
    figure: Figure | None
    table: ReportTable
    empty_text: str = ""


def _school_table(figures: PracticeFigures, measure: str, group: str) -> ReportTable:
    rows = [s for s in figures.schools if s.group == group]
    return ReportTable(
        f"{MEASURE_LABELS[measure]}: {group} schools",
        [
            Column("LA"),
            Column("LAESTAB"),
            Column("School"),
            Column("Roll", ColumnKind.INTEGER),
            Column("Count", ColumnKind.INTEGER),
            Column("Per 100", ColumnKind.DECIMAL),
            Column("Position"),
        ],
        [
            [
                s.authority,
                s.laestab,
                s.name,
                s.roll,
                "c" if measure in s.hidden else s.counts[measure],
                "c"
                if measure in s.hidden or s.positions[measure].value is None
                else round(s.positions[measure].value or 0.0, 2),
                s.positions[measure].position,
            ]
            for s in rows
        ],
    )


def practice_charts(
    figures: PracticeFigures, *, groups: tuple[str, ...] = GROUP_ORDER
) -> list[PracticeChart]:
    """Suspension funnels for each group of schools, the other funnels for secondaries, and the
    Year 10 to 11 losses."""
    from exclusion_monitor.reports import funnel_charts

    found: list[PracticeChart] = []
    present = [g for g in groups if any(s.group == g for s in figures.schools)]
    for group in present:
        measures = ["suspension"] + (["permanent", "one_plus"] if group == "secondary" else [])
        for measure in measures:
            title = f"Funnel: {MEASURE_LABELS[measure].lower()}, {group} schools"
            found.append(
                PracticeChart(
                    title,
                    funnel_charts.funnel_chart(figures.schools, measure, group),
                    _school_table(figures, measure, group),
                )
            )
    moves = figures.movement
    found.append(
        PracticeChart(
            "Year 10 to Year 11 losses (off-rolling signal)",
            funnel_charts.movement_chart(moves) if moves else None,
            ReportTable(
                "Year 10 to Year 11 losses",
                [
                    Column("LA"),
                    Column("LAESTAB"),
                    Column("School"),
                    Column("Year 10", ColumnKind.INTEGER),
                    Column("Lost"),
                    Column("State school"),
                    Column("AP"),
                    Column("Not found"),
                    Column("Stands out"),
                ],
                [
                    [
                        m.authority,
                        m.laestab,
                        m.name,
                        m.cohort,
                        *[
                            m.to_json()[k]
                            for k in (
                                "lost",
                                "to_another_state_school",
                                "to_alternative_provision",
                                "not_found",
                            )
                        ],
                        "yes" if m.stands_out else "",
                    ]
                    for m in moves
                ],
            ),
            "No two January censuses a year apart to compare.",
        )
    )
    return found


def outside_summary(figures: PracticeFigures) -> str:
    parts = []
    for measure, label in MEASURE_LABELS.items():
        n = len(
            [
                r
                for r in outside_limits(figures.schools, measure)
                if r.positions[measure].position.startswith("above")
            ]
        )
        parts.append(f"{n} above the 95% limit for {label.lower()}")
    standing = sum(1 for m in figures.movement if m.stands_out)
    return "; ".join(parts) + f"; {standing} losing at least 5 pupils and 5% from Year 10."
