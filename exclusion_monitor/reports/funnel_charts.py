"""Funnel plot charts (matplotlib, no Qt): schools' rates against their roll with the 95% and
99.8% limit lines, schools outside the limits named. The same figure is shown and printed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from exclusion_monitor.reports import funnel
from exclusion_monitor.reports.charts import AUTHORITY_COLOUR, _figure
from exclusion_monitor.reports.practice import MEASURE_LABELS, SchoolMovement, SchoolPractice

if TYPE_CHECKING:
    from matplotlib.figure import Figure

POINT = "#3566a8"
OUTSIDE = "#b00020"
LINE_95 = "#777777"
LINE_998 = "#333333"


def funnel_chart(
    rows: Sequence[SchoolPractice], measure: str, group: str, *, label_outside: int = 8
) -> Figure:
    """One measure for one group of schools: each school a point (hidden counts left out), the
    group's average and the limit lines."""
    figure = _figure(7, 3.3)
    axis = figure.subplots()
    members = [r for r in rows if r.group == group]
    shown = [
        r for r in members if measure not in r.hidden and r.positions[measure].value is not None
    ]
    total_roll = sum(r.roll for r in members)
    average = sum(r.counts[measure] for r in members) / total_roll if total_roll else 0.0
    largest = max((r.roll for r in members), default=1)
    if average > 0:
        if measure == "suspension":
            lines = funnel.rate_lines(average, largest)
            for name, colour, style in (
                ("lower_998", LINE_998, "-"),
                ("lower_95", LINE_95, "--"),
                ("upper_95", LINE_95, "--"),
                ("upper_998", LINE_998, "-"),
            ):
                points = [(x, y) for x, y in lines[name] if x <= largest * 1.05]
                if points:
                    axis.plot(
                        [p[0] for p in points],
                        [p[1] for p in points],
                        color=colour,
                        linestyle=style,
                        linewidth=0.9,
                    )
        elif average < 1:
            lines_p = funnel.proportion_lines(average, largest)
            for index, colour, style in (
                (1, LINE_998, "-"),
                (2, LINE_95, "--"),
                (3, LINE_95, "--"),
                (4, LINE_998, "-"),
            ):
                axis.plot(
                    [p[0] for p in lines_p],
                    [p[index] for p in lines_p],
                    color=colour,
                    linestyle=style,
                    linewidth=0.9,
                )
        axis.axhline(
            100 * average,
            color=AUTHORITY_COLOUR,
            linewidth=0.8,
            label=f"Average {100 * average:.2f}",
        )
    inside = [r for r in shown if r.positions[measure].position == funnel.WITHIN]
    outside = [r for r in shown if r.positions[measure].position.startswith(("above", "below"))]
    axis.scatter(
        [r.roll for r in inside],
        [r.positions[measure].value or 0.0 for r in inside],
        s=14,
        color=POINT,
        label="Within the limits",
    )
    axis.scatter(
        [r.roll for r in outside],
        [r.positions[measure].value or 0.0 for r in outside],
        s=20,
        color=OUTSIDE,
        label="Outside the 95% limits",
    )
    far = sorted(outside, key=lambda r: -abs((r.positions[measure].value or 0) - 100 * average))
    for r in far[:label_outside]:
        axis.annotate(
            r.name[:28],
            (r.roll, r.positions[measure].value or 0),
            fontsize=6,
            xytext=(3, 3),
            textcoords="offset points",
        )
    ceiling = 100 * average * 2
    if 0 < average < 1 and measure != "suspension":
        ceiling = 100 * funnel.proportion_limit(funnel.P_998, max(largest // 3, 1), average, "high")
    top = max([r.positions[measure].value or 0 for r in shown] + [ceiling, 1.0])
    axis.set_ylim(0, top * 1.1)
    axis.set_xlim(0, largest * 1.05)
    axis.set_xlabel("Pupils on roll (spring census)")
    axis.set_ylabel(MEASURE_LABELS[measure].replace(" per 100 pupils", "\nper 100 pupils"))
    hidden = len(members) - len(shown)
    note = f" ({hidden} with hidden counts not plotted)" if hidden else ""
    axis.set_title(f"{MEASURE_LABELS[measure]}: {group} schools{note}", loc="left", fontsize=9)
    axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    axis.spines[["top", "right"]].set_visible(False)
    return figure


def movement_chart(rows: Sequence[SchoolMovement]) -> Figure:
    """Year 10 pupils lost by the next January against the Year 10 roll, with the limits."""
    figure = _figure(7, 3.3)
    axis = figure.subplots()
    total = sum(r.cohort for r in rows)
    average = sum(r.lost for r in rows) / total if total else 0.0
    largest = max((r.cohort for r in rows), default=1)
    if 0 < average < 1:
        lines = funnel.proportion_lines(average, largest)
        for index, colour, style in ((2, LINE_95, "--"), (3, LINE_95, "--"), (4, LINE_998, "-")):
            axis.plot(
                [p[0] for p in lines],
                [p[index] for p in lines],
                color=colour,
                linestyle=style,
                linewidth=0.9,
            )
    shown = [r for r in rows if "lost" not in r.hidden]
    standing = [r for r in shown if r.stands_out]
    others = [r for r in shown if not r.stands_out]
    axis.scatter(
        [r.cohort for r in others],
        [100 * r.lost / r.cohort for r in others],
        s=14,
        color=POINT,
        label="Other schools",
    )
    axis.scatter(
        [r.cohort for r in standing],
        [100 * r.lost / r.cohort for r in standing],
        s=20,
        color=OUTSIDE,
        label="Lost at least 5 pupils and 5%",
    )
    for r in standing[:8]:
        axis.annotate(
            r.name[:28],
            (r.cohort, 100 * r.lost / r.cohort),
            fontsize=6,
            xytext=(3, 3),
            textcoords="offset points",
        )
    axis.set_xlabel("Pupils in Year 10 at the January census")
    axis.set_ylabel("Not on the school's roll\nin Year 11 (%)")
    axis.set_title("Year 10 to Year 11 losses (the off-rolling signal)", loc="left", fontsize=9)
    axis.set_xlim(0, largest * 1.05)
    axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    axis.spines[["top", "right"]].set_visible(False)
    return figure
