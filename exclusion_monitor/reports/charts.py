"""Dashboard charts drawn with matplotlib (Agg, no Qt): the same figure is shown on screen and
printed, so what a manager sees and what goes to a panel look alike."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from exclusion_monitor.reports.statistics import (
    RateRow,
    ReasonCount,
    ReasonTrend,
    TermCount,
    suppress,
    year_labels,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SUSPENSION_COLOUR = "#3566a8"
PERMANENT_COLOUR = "#b00020"
AUTHORITY_COLOUR = "#444444"
SUPPRESSED_NOTE = "c = fewer than 5, not shown"


def _figure(width_in: float, height_in: float) -> Figure:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_in, height_in), dpi=100, layout="constrained")
    figure.set_facecolor("white")
    return figure


def png_bytes(figure: Figure, dpi: int = 200) -> bytes:
    """The figure as PNG (no GUI backend needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _short_term(label: str) -> str:
    season, year = label.split()
    return f"{season[:3]} {year[2:]}"


def terms_chart(terms: Sequence[TermCount]) -> Figure:
    """Suspensions (top) and permanent exclusions (bottom) per term, over the years."""
    figure = _figure(8, 4.2)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    labels = [_short_term(t.term_label) for t in terms]
    positions = list(range(len(terms)))
    _suppressed_bars(top, positions, [t.suspensions for t in terms], SUSPENSION_COLOUR)
    top.set_ylabel("Suspensions")
    top.set_title(f"Exclusions per term ({SUPPRESSED_NOTE})", fontsize=10)
    _suppressed_bars(bottom, positions, [t.permanents for t in terms], PERMANENT_COLOUR)
    bottom.set_ylabel("Permanent")
    step = max(1, len(labels) // 12)
    bottom.set_xticks(positions[::step], labels[::step], rotation=45, ha="right", fontsize=8)
    for axis in (top, bottom):
        axis.spines[["top", "right"]].set_visible(False)
        axis.yaxis.get_major_locator().set_params(integer=True)
    if not terms:
        top.text(0.5, 0.5, "No exclusions recorded", ha="center", transform=top.transAxes)
    return figure


def _suppressed_bars(axis: Axes, positions: list[int], counts: list[int], colour: str) -> None:
    """Bars for counts, with counts from 1 to 4 drawn as a 'c' instead of a bar."""
    shown = [suppress(n) for n in counts]
    axis.bar(positions, [n or 0 for n in shown], color=colour)
    axis.set_ylim(bottom=0, top=max([5, *[n or 0 for n in shown]]) * 1.1)
    for x, n in zip(positions, shown, strict=True):
        if n is None:
            axis.text(x, 0, "c", ha="center", va="bottom", fontsize=8, color=AUTHORITY_COLOUR)


def school_rates_chart(schools: Sequence[RateRow], authority: RateRow, limit: int = 20) -> Figure:
    """Suspensions per 100 pupils at the schools with the highest rates, against the authority."""
    shown = [s for s in schools if s.pupils and suppress(s.suspensions) is not None][:limit]
    figure = _figure(8, max(2.5, 0.28 * len(shown) + 1.2))
    axis = figure.subplots()
    names = [s.label if len(s.label) <= 40 else s.label[:38] + "..." for s in shown]
    axis.barh(names[::-1], [s.suspension_rate or 0 for s in shown][::-1], color=SUSPENSION_COLOUR)
    if authority.suspension_rate is not None:
        axis.axvline(
            authority.suspension_rate,
            color=AUTHORITY_COLOUR,
            linestyle="--",
            label=f"Whole authority: {authority.suspension_rate:.1f}",
        )
        axis.legend(loc="lower right", fontsize=8, frameon=False)
    axis.set_xlabel("Suspensions per 100 pupils on roll (spring census)")
    axis.set_title(f"Schools with the highest suspension rates (top {len(shown)})", loc="left")
    axis.tick_params(axis="y", labelsize=8)
    axis.spines[["top", "right"]].set_visible(False)
    return figure


def reasons_chart(reasons: Sequence[ReasonCount], limit: int = 10) -> Figure:
    """The reasons given most often, as a share of all reasons given."""
    top = list(reasons[:limit])
    figure = _figure(8, max(2.2, 0.3 * len(top) + 1.0))
    axis = figure.subplots()
    axis.barh(
        [r.label for r in top][::-1], [100 * r.share for r in top][::-1], color=SUSPENSION_COLOUR
    )
    axis.set_xlabel("Share of reasons given (%)")
    axis.set_title("Reasons for exclusion", loc="left")
    axis.tick_params(axis="y", labelsize=8)
    axis.spines[["top", "right"]].set_visible(False)
    return figure


def reason_trend_chart(
    trends: Sequence[ReasonTrend], years: Sequence[int], limit: int = 8
) -> Figure:
    """The most frequent reason groups, a bar for each academic year side by side (newer codes
    counted with the code they split from); counts from 1 to 4 drawn as 'c'."""
    top = list(trends[:limit])
    figure = _figure(8, max(2.4, 0.45 * len(top) + 1.2))
    axis = figure.subplots()
    labels = year_labels(years)
    height = 0.8 / max(1, len(labels))
    shades = ["#9fb7dd", "#6a8fc6", SUSPENSION_COLOUR, "#1f3f6e"][-len(labels) :]
    rows = list(range(len(top)))[::-1]
    for j, (label, shade) in enumerate(zip(labels, shades, strict=False)):
        counts = [suppress(r.counts[j]) for r in top]
        offsets = [y + (len(labels) - 1 - 2 * j) * height / 2 for y in rows]
        axis.barh(offsets, [n or 0 for n in counts], height=height, color=shade, label=label)
        for y, n in zip(offsets, counts, strict=True):
            if n is None:
                axis.text(0, y, " c", va="center", fontsize=7, color=AUTHORITY_COLOUR)
    names = [r.label if len(r.label) <= 45 else r.label[:43] + "..." for r in top]
    axis.set_yticks(rows, names, fontsize=8)
    axis.set_xlabel(f"Times given ({SUPPRESSED_NOTE})")
    axis.set_title(
        "Reasons by academic year (newer codes with the code they split from)", loc="left"
    )
    axis.legend(fontsize=8, frameon=False, loc="lower right")
    axis.spines[["top", "right"]].set_visible(False)
    return figure


def group_chart(title: str, rows: Sequence[RateRow]) -> Figure:
    """Each group's suspension rate relative to the authority (1.0 = the authority's rate).

    Groups whose counts are suppressed are listed with 'c' and no bar.
    """
    figure = _figure(8, max(2.0, 0.32 * len(rows) + 1.0))
    axis = figure.subplots()
    labels, values = [], []
    for row in rows:
        hidden = suppress(row.suspensions) is None or row.relative_suspension_rate is None
        labels.append(f"{row.label} (c)" if hidden else row.label)
        values.append(0.0 if hidden else row.relative_suspension_rate or 0.0)
    axis.barh(labels[::-1], values[::-1], color=SUSPENSION_COLOUR)
    axis.axvline(1.0, color=AUTHORITY_COLOUR, linestyle="--")
    axis.set_xlabel(
        f"Suspension rate relative to the authority (1 = authority rate); {SUPPRESSED_NOTE}"
    )
    axis.set_title(title, loc="left")
    axis.tick_params(axis="y", labelsize=8)
    axis.spines[["top", "right"]].set_visible(False)
    return figure
