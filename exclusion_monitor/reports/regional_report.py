"""The printed regional report for a regional board (docs/regional.md): the source returns, the
children the region sees across borders, schools outside the funnel limits, Year 10 to 11
losses and disproportionality, every count of 1 to 4 suppressed."""

from __future__ import annotations

from collections import Counter
from typing import Any

from exclusion_monitor.display import uk_date
from exclusion_monitor.reports import funnel_charts
from exclusion_monitor.reports.charts import png_bytes
from exclusion_monitor.reports.html import PrintableDocument, heading, paragraph
from exclusion_monitor.reports.practice import (
    GROUP_ORDER,
    MEASURE_LABELS,
    outside_limits,
)
from exclusion_monitor.reports.practice_report import (
    NOT_HELD,
    PracticeFigures,
    disproportionality_json,
)
from exclusion_monitor.reports.tables import Cell, Column, ColumnKind, ReportImage, ReportTable
from exclusion_monitor.rules import rule_label


def _image(title: str, figure: Any) -> ReportImage:
    width, height = figure.get_size_inches()
    return ReportImage(title, png_bytes(figure), width * 25.4 * 0.85, height * 25.4 * 0.85)


def regional_document(
    figures: PracticeFigures,
    people: int,
    cross_border: int,
    flags: Counter[str],
    only_regional: Counter[str],
    national: dict[str, Any] | None = None,
) -> PrintableDocument:
    """The regional report as a printable document (landscape)."""
    year = figures.year
    census = uk_date(year.census_date, "none")
    blocks: list[str | ReportTable | ReportImage] = [
        heading(f"Regional exclusion practice {year.label}"),
        paragraph(
            f"As of {figures.as_of:%d/%m/%Y} (the earliest as-of date of the returns below). "
            f"Rates are per 100 pupils on the spring census ({census}). Children appear by "
            "pseudonym only; counts from 1 to 4, and counts that would reveal them, are shown "
            "as 'c'."
        ),
        ReportTable(
            "Source returns",
            [
                Column("LA"),
                Column("Authority"),
                Column("As of"),
                Column("Made"),
                Column("Children", ColumnKind.INTEGER),
                Column("File"),
            ],
            [
                [
                    s["authority"],
                    s["name"],
                    s["as_of"],
                    s["made_at"][:16].replace("T", " "),
                    s["children"],
                    s["file"],
                ]
                for s in figures.sources
            ],
        ),
        ReportTable(
            "Children across the region",
            [Column("Measure"), Column("Value", ColumnKind.INTEGER)],
            [
                ["Children in the region (linked by pseudonym)", people],
                ["Seen in more than one authority", cross_border],
            ],
        ),
        ReportTable(
            "Regional flags",
            [
                Column("Rule"),
                Column("Children flagged regionally", ColumnKind.INTEGER),
                Column("Not flagged by any authority on its own data", ColumnKind.INTEGER),
            ],
            [
                [rule_label(rule), _c(n), _c(only_regional[rule])]
                for rule, n in sorted(flags.items())
            ],
        ),
    ]
    if national is not None:
        blocks.append(
            ReportTable(
                "Beside the published figures",
                [
                    Column("Place"),
                    Column("Year"),
                    Column("Pupils", ColumnKind.INTEGER),
                    Column("Suspensions per 100", ColumnKind.DECIMAL),
                    Column("Permanent per 100", ColumnKind.DECIMAL),
                    Column("One or more per 100", ColumnKind.DECIMAL),
                    Column("Source"),
                ],
                [
                    [
                        r["place"],
                        f"{r['time_period'][:4]}/{r['time_period'][4:]}",
                        r["headcount"],
                        r["susp_rate"],
                        r["perm_excl_rate"],
                        r["one_plus_susp_rate"],
                        r["source"],
                    ]
                    for r in national["rows"]
                ],
            )
        )
        if national.get("note"):
            blocks.append(paragraph(national["note"]))
    for group in GROUP_ORDER:
        if not any(s.group == group for s in figures.schools):
            continue
        for measure in MEASURE_LABELS:
            if group == "primary" and measure == "permanent":
                continue
            blocks.append(
                _image(
                    f"{measure} {group}",
                    funnel_charts.funnel_chart(figures.schools, measure, group),
                )
            )
    for measure, label in MEASURE_LABELS.items():
        rows = outside_limits(figures.schools, measure)
        blocks.append(
            ReportTable(
                f"Schools outside the limits: {label}",
                [
                    Column("LA"),
                    Column("LAESTAB"),
                    Column("School"),
                    Column("Group"),
                    Column("Roll", ColumnKind.INTEGER),
                    Column("Count", ColumnKind.INTEGER),
                    Column("Per 100", ColumnKind.DECIMAL),
                    Column("95% limits"),
                    Column("Position"),
                ],
                [_outside_row(r, measure) for r in rows],
            )
        )
    if figures.movement:
        blocks.append(_image("movement", funnel_charts.movement_chart(figures.movement)))
        start, end = figures.movement_years or ("", "")
        blocks.append(
            ReportTable(
                f"Year 10 pupils at the census of {start} not on the same roll at {end}",
                [
                    Column("LA"),
                    Column("LAESTAB"),
                    Column("School"),
                    Column("Year 10", ColumnKind.INTEGER),
                    Column("Lost", ColumnKind.INTEGER),
                    Column("%", ColumnKind.DECIMAL),
                    Column("State school", ColumnKind.INTEGER),
                    Column("AP", ColumnKind.INTEGER),
                    Column("Not found", ColumnKind.INTEGER),
                    Column("Stands out"),
                ],
                [
                    [m.authority, m.laestab, m.name, m.cohort, *_movement_cells(m)]
                    for m in figures.movement
                    if m.lost
                ],
            )
        )
    groups = disproportionality_json(figures)
    for title, section in (("", groups["groupings"]), ("Girls only: ", groups["girls"])):
        for grouping in section.values():
            blocks.append(_group_table(f"{title}{grouping['label']}", grouping["groups"]))
    blocks.append(paragraph(NOT_HELD))
    return PrintableDocument(f"Regional exclusion practice {year.label}", blocks, landscape=True)


def _c(count: int) -> Cell:
    return "c" if 0 < count < 5 else count


def _outside_row(r: Any, measure: str) -> list[Cell]:
    p = r.positions[measure]
    hidden = measure in r.hidden
    limits = "" if hidden or p.lower_95 is None else f"{p.lower_95:.2f} to {p.upper_95:.2f}"
    return [
        r.authority,
        r.laestab,
        r.name,
        r.group,
        r.roll,
        "c" if hidden else r.counts[measure],
        "c" if hidden or p.value is None else round(p.value, 2),
        limits,
        p.position,
    ]


def _movement_cells(m: Any) -> list[Cell]:
    data = m.to_json()
    return [
        data["lost"],
        data["lost_share"],
        data["to_another_state_school"],
        data["to_alternative_provision"],
        data["not_found"],
        "yes" if m.stands_out else "",
    ]


def _group_table(title: str, rows: list[dict[str, Any]]) -> ReportTable:
    def interval(entry: dict[str, Any]) -> str:
        if entry["lower_95"] in (None, "c"):
            return str(entry["lower_95"] or "")
        return f"{entry['lower_95']:.2f} to {entry['upper_95']:.2f}" + (
            " *" if entry["flagged"] else ""
        )

    return ReportTable(
        title,
        [
            Column("Group"),
            Column("Pupils", ColumnKind.INTEGER),
            Column("Suspensions per 100", ColumnKind.DECIMAL),
            Column("RRI", ColumnKind.DECIMAL),
            Column("95% interval"),
            Column("Permanent per 100", ColumnKind.DECIMAL),
            Column("RRI", ColumnKind.DECIMAL),
            Column("95% interval"),
            Column("One or more per 100", ColumnKind.DECIMAL),
            Column("RRI", ColumnKind.DECIMAL),
            Column("95% interval"),
        ],
        [
            [
                g["group"] + (" (reference)" if g["reference"] else ""),
                g["pupils"],
                g["suspension"]["rate"],
                g["suspension"]["relative_rate_index"],
                interval(g["suspension"]),
                g["permanent"]["rate"],
                g["permanent"]["relative_rate_index"],
                interval(g["permanent"]),
                g["one_plus"]["rate"],
                g["one_plus"]["relative_rate_index"],
                interval(g["one_plus"]),
            ]
            for g in rows
        ],
    )
