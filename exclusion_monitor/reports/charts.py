"""Dashboard charts drawn with matplotlib (Agg, no Qt): the same figure is shown on screen and
printed, so what a manager sees and what goes to a panel look alike."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exclusion_monitor.reports.statistics import MIN_RATE_PUPILS

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SUSPENSION_COLOUR = "#3566a8"
PERMANENT_COLOUR = "#b00020"
AUTHORITY_COLOUR = "#444444"
SUPPRESSED_NOTE = "c = not shown (fewer than 5, or would reveal one that is)"
SMALL_NOTE = f"u = fewer than {MIN_RATE_PUPILS} pupils, rate not shown"
Published = int | str  # a count as published: the number, or 'c' when hidden


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a chart: its label and value, or no value and the mark that says why."""

    label: str
    value: float | None
    mark: str | None = None  # 'c' hidden, 'u' too few pupils


@dataclass(frozen=True, slots=True)
class BarSection:
    """A block of bars compared with their own reference line (one type of school)."""

    title: str
    bars: Sequence[Bar]
    reference: float | None = None
    reference_label: str = ""


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


def terms_chart(
    term_labels: Sequence[str], suspensions: Sequence[Published], permanents: Sequence[Published]
) -> Figure:
    """Suspensions (top) and permanent exclusions (bottom) per term, over the years."""
    figure = _figure(8, 4.2)
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[2, 1])
    labels = [_short_term(t) for t in term_labels]
    positions = list(range(len(labels)))
    _suppressed_bars(top, positions, suspensions, SUSPENSION_COLOUR)
    top.set_ylabel("Suspensions")
    top.set_title(f"Exclusions per term ({SUPPRESSED_NOTE})", fontsize=10)
    _suppressed_bars(bottom, positions, permanents, PERMANENT_COLOUR)
    bottom.set_ylabel("Permanent")
    step = max(1, len(labels) // 12)
    bottom.set_xticks(positions[::step], labels[::step], rotation=45, ha="right", fontsize=8)
    for axis in (top, bottom):
        axis.spines[["top", "right"]].set_visible(False)
        axis.yaxis.get_major_locator().set_params(integer=True)
    if not labels:
        top.text(0.5, 0.5, "No exclusions recorded", ha="center", transform=top.transAxes)
    return figure


def _suppressed_bars(
    axis: Axes, positions: list[int], counts: Sequence[Published], colour: str
) -> None:
    """Bars for counts, with hidden counts drawn as a 'c' instead of a bar."""
    values = [n if isinstance(n, int) else 0 for n in counts]
    axis.bar(positions, values, color=colour)
    axis.set_ylim(bottom=0, top=max([5, *values]) * 1.1)
    for x, n in zip(positions, counts, strict=True):
        if not isinstance(n, int):
            axis.text(x, 0, str(n), ha="center", va="bottom", fontsize=8, color=AUTHORITY_COLOUR)


def _short(label: str, most: int) -> str:
    return label if len(label) <= most else label[: most - 3] + "..."


def _marked_bars(axis: Axes, bars: Sequence[Bar], colour: str, most: int = 40) -> None:
    """Horizontal bars top to bottom; a bar with no value shows its mark where it would be."""
    names = [_short(b.label, most) + (f" ({b.mark})" if b.mark else "") for b in bars]
    rows = list(range(len(bars)))[::-1]
    axis.barh(rows, [b.value or 0.0 for b in bars], color=colour)
    axis.set_yticks(rows, names, fontsize=8)


def school_rates_chart(
    sections: Sequence[BarSection], authority_rate: float | None, limit: int = 10
) -> Figure:
    """Suspensions per 100 pupils by school, one block per type of school (mainstream primary,
    mainstream secondary, special, PRUs and alternative provision), each against its own
    type's rate: a pupil referral unit is not compared with a primary school. Each block shows
    its `limit` highest published rates; hidden and unreliable rates are counted in its title."""
    shown = [s for s in sections if s.bars]
    listed = [_listed(s.bars, limit) for s in shown]
    heights = [max(1, len(bars)) for bars in listed]
    figure = _figure(8, max(2.5, 0.26 * sum(heights) + 0.75 * len(shown) + 0.6))
    if not shown:
        axis = figure.subplots()
        axis.text(0.5, 0.5, "No school has pupils on the census", ha="center")
        axis.set_axis_off()
        return figure
    axes = figure.subplots(len(shown), 1, height_ratios=heights, squeeze=False)[:, 0]
    top = max([b.value or 0.0 for s in shown for b in s.bars] + [authority_rate or 0.0, 1.0])
    for axis, section, bars in zip(axes, shown, listed, strict=True):
        _marked_bars(axis, bars, SUSPENSION_COLOUR)
        axis.set_xlim(0, top * 1.08)
        if section.reference is not None:
            axis.axvline(
                section.reference,
                color=AUTHORITY_COLOUR,
                linestyle="--",
                label=f"{section.reference_label}: {section.reference:.1f}",
            )
            axis.legend(loc="lower right", fontsize=7, frameon=False)
        left_out = [b for b in section.bars if b not in bars]
        notes = []
        if any(b.value is not None for b in left_out):
            notes.append(f"the {sum(1 for b in bars if b.value is not None)} highest")
        hidden = sum(1 for b in left_out if b.mark == "c")
        small = sum(1 for b in left_out if b.mark == "u")
        if hidden:
            notes.append(f"{hidden} more not shown (c)")
        if small:
            notes.append(f"{small} more under {MIN_RATE_PUPILS} pupils (u)")
        suffix = f" ({'; '.join(notes)})" if notes else ""
        axis.set_title(section.title + suffix, loc="left", fontsize=9)
        axis.spines[["top", "right"]].set_visible(False)
    axes[-1].set_xlabel(
        f"Suspensions per 100 pupils on roll (spring census)\n{SUPPRESSED_NOTE}; {SMALL_NOTE}"
    )
    return figure


def _listed(bars: Sequence[Bar], limit: int) -> list[Bar]:
    """The highest published rates, then (while there is room) the schools without one."""
    rated = sorted((b for b in bars if b.value is not None), key=lambda b: -(b.value or 0.0))
    marked = [b for b in bars if b.value is None]
    return (rated[:limit] + marked)[:limit]


def reasons_chart(bars: Sequence[Bar], limit: int = 10) -> Figure:
    """The reasons given most often, as a share of all reasons given ('c' where hidden)."""
    top = list(bars[:limit])
    figure = _figure(8, max(2.2, 0.3 * len(top) + 1.0))
    axis = figure.subplots()
    _marked_bars(axis, top, SUSPENSION_COLOUR, most=60)
    axis.set_xlabel(f"Share of reasons given (%)\n{SUPPRESSED_NOTE}")
    axis.set_title("Reasons for exclusion", loc="left")
    axis.spines[["top", "right"]].set_visible(False)
    return figure


def reason_trend_chart(
    labels: Sequence[str], counts: Sequence[Sequence[Published]], year_names: Sequence[str]
) -> Figure:
    """The most frequent reason groups (`labels`, each with a count per year in `counts`), a
    bar for each academic year side by side; hidden counts drawn as 'c'."""
    figure = _figure(8, max(2.4, 0.45 * len(labels) + 1.2))
    axis = figure.subplots()
    height = 0.8 / max(1, len(year_names))
    shades = ["#9fb7dd", "#6a8fc6", SUSPENSION_COLOUR, "#1f3f6e"][-len(year_names) :]
    rows = list(range(len(labels)))[::-1]
    for j, (year, shade) in enumerate(zip(year_names, shades, strict=False)):
        column = [row[j] for row in counts]
        offsets = [y + (len(year_names) - 1 - 2 * j) * height / 2 for y in rows]
        values = [n if isinstance(n, int) else 0 for n in column]
        axis.barh(offsets, values, height=height, color=shade, label=year)
        for y, n in zip(offsets, column, strict=True):
            if not isinstance(n, int):
                axis.text(0, y, f" {n}", va="center", fontsize=7, color=AUTHORITY_COLOUR)
    axis.set_yticks(rows, [_short(label, 45) for label in labels], fontsize=8)
    axis.set_xlabel(f"Times given ({SUPPRESSED_NOTE})")
    axis.set_title(
        "Reasons by academic year (newer codes with the code they split from)", loc="left"
    )
    axis.legend(fontsize=8, frameon=False, loc="lower right")
    axis.spines[["top", "right"]].set_visible(False)
    return figure


def group_chart(title: str, bars: Sequence[Bar]) -> Figure:
    """Each group's suspension rate relative to the authority (1.0 = the authority's rate);
    groups whose rate is not published are listed with their mark ('c' or 'u') and no bar."""
    figure = _figure(8, max(2.0, 0.32 * len(bars) + 1.0))
    axis = figure.subplots()
    _marked_bars(axis, bars, SUSPENSION_COLOUR)
    axis.axvline(1.0, color=AUTHORITY_COLOUR, linestyle="--")
    axis.set_xlabel(
        "Suspension rate relative to the authority (1 = authority rate)\n"
        f"{SUPPRESSED_NOTE}; {SMALL_NOTE}"
    )
    axis.set_title(title, loc="left")
    axis.spines[["top", "right"]].set_visible(False)
    return figure
