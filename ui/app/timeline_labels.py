"""Where the timeline's words go so that none overlaps another: move labels on a few levels, the
full word where it fits, a short one where it does not, none (the tooltip says it) where neither
fits; and the legend's items in lines across the width. Plain geometry, no painting."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

GAP = 4.0  # clear space between two labels on one level


@dataclass(frozen=True, slots=True)
class PlacedLabel:
    """A label's text, its level (0 is the top), its left edge and width, and the x of what it
    labels (a line runs down from the label to it)."""

    text: str
    level: int
    left: float
    width: float
    anchor: float

    @property
    def right(self) -> float:
        return self.left + self.width


def place_labels(
    anchors: Sequence[tuple[float, Sequence[str]]],
    width_of: Callable[[str], float],
    *,
    levels: int,
    low: float,
    high: float,
) -> list[PlacedLabel | None]:
    """For each anchor (its x, and its wordings from the longest to the shortest, in x order),
    a label centred on x (pushed inside low..high at the edges) on the first level where it
    clears every label already placed and no label's line down to its anchor crosses another
    label, trying each wording on every level before a shorter one; None when no wording fits
    anywhere."""
    placed: list[list[PlacedLabel]] = [[] for _ in range(levels)]
    out: list[PlacedLabel | None] = []
    for x, wordings in anchors:
        found = None
        for text in wordings:
            width = width_of(text) + 6
            left = min(max(x - width / 2, low), high - width)
            if left < low:  # wider than the whole lane
                continue
            for level in range(levels):
                here = PlacedLabel(text, level, left, width, x)
                if _clear(here, placed):
                    found = here
                    placed[level].append(found)
                    break
            if found is not None:
                break
        out.append(found)
    return out


def _clear(label: PlacedLabel, placed: list[list[PlacedLabel]]) -> bool:
    for level, others in enumerate(placed):
        for other in others:
            if level == label.level and not (
                label.left >= other.right + GAP or label.right + GAP <= other.left
            ):
                return False
            # A line runs down from each label to its anchor, through the levels below it.
            if level < label.level and label.left - 1 <= other.anchor <= label.right + 1:
                return False
            if level > label.level and other.left - 1 <= label.anchor <= other.right + 1:
                return False
    return True


def legend_lines(
    widths: Sequence[float], *, start: float, end: float, swatch: float, spacing: float
) -> list[tuple[int, float]]:
    """(line, left) of each legend item (a swatch and its words, `widths` being the words'),
    wrapping to a new line when an item would pass `end`; the first item of a line never wraps."""
    line, x = 0, start
    out = []
    for width in widths:
        if x + swatch + width > end and x > start:
            line, x = line + 1, start
        out.append((line, x))
        x += swatch + width + spacing
    return out
