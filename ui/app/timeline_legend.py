"""What each timeline mark looks like (colours, shapes, words), and the legend that explains the
marks a child's timeline shows, each swatch drawn as its marks are."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen, QPolygonF

from exclusion_monitor.records import MoveKind
from ui.app.timeline_labels import legend_lines

SCHOOL_COLOURS = [
    "#4e79a7",
    "#59a14f",
    "#9c755f",
    "#76b7b2",
    "#b07aa1",
    "#edc948",
    "#86bcb6",
    "#8cd17d",
    "#a0cbe8",
    "#d4a6c8",
    "#bab0ac",
    "#79706e",
]
SUSPENSION = QColor("#e8870e")
LUNCHTIME = QColor("#8a8fbf")
PERMANENT = QColor("#c62828")
AS_OF = QColor("#333333")
MOVE_COLOURS = {
    MoveKind.STANDARD: QColor("#5f6b7a"),
    MoveKind.NON_STANDARD: QColor("#d81b60"),
    MoveKind.CONVERSION: QColor("#2e7d32"),
    MoveKind.PLACEMENT: QColor("#6a1b9a"),
}
MOVE_WORDS = {
    MoveKind.STANDARD: "transition",
    MoveKind.NON_STANDARD: "non-standard move",
    MoveKind.CONVERSION: "conversion",
    MoveKind.PLACEMENT: "placement",
}
# Where the full word has no room; where neither fits, the arrow's colour and tooltip say it.
MOVE_SHORT = {
    MoveKind.STANDARD: "trans.",
    MoveKind.NON_STANDARD: "non-std",
    MoveKind.CONVERSION: "conv.",
    MoveKind.PLACEMENT: "plac.",
}
PLACEMENT_SWATCH = QColor("#777777")  # placements are hatched in their own school's colour
REVERSED = "PERM-reversed"  # the mark of a permanent exclusion reversed on review
SWATCH, SPACING = 16.0, 14.0


def school_colour(laestab: str) -> QColor:
    """The same school always gets the same colour."""
    return QColor(SCHOOL_COLOURS[zlib.crc32(laestab.encode()) % len(SCHOOL_COLOURS)])


@dataclass(frozen=True, slots=True)
class LegendItem:
    """One entry of the legend: a swatch drawn as the marks it explains are, and its words."""

    shape: str  # "circle", "diamond", "open diamond", "arrow", "hatch", "dash"
    colour: QColor
    words: str
    rect: QRectF | None = None  # where it is drawn, once laid out


def legend_items(
    exclusion_kinds: Iterable[str],
    move_kinds: Iterable[MoveKind],
    *,
    placements: bool,
    as_of: dt.date,
) -> list[LegendItem]:
    """An entry for each kind of mark shown (exclusion details as the marks carry them: SUSP,
    LNCH, PERM or REVERSED), in a fixed order, then the as-of line."""
    shown = set(exclusion_kinds)
    items = [
        LegendItem(shape, colour, words)
        for shape, colour, words, kind in (
            ("circle", SUSPENSION, "suspension (size: sessions)", "SUSP"),
            ("circle", LUNCHTIME, "lunchtime suspension", "LNCH"),
            ("diamond", PERMANENT, "permanent exclusion", "PERM"),
            ("open diamond", PERMANENT, "permanent exclusion reversed on review", REVERSED),
        )
        if kind in shown
    ]
    moved = set(move_kinds)
    items += [LegendItem("arrow", MOVE_COLOURS[k], MOVE_WORDS[k]) for k in MoveKind if k in moved]
    if placements:
        items.append(
            LegendItem("hatch", PLACEMENT_SWATCH, "placement: PRU, AP or dual registration")
        )
    items.append(LegendItem("dash", AS_OF, f"as of {as_of.day} {as_of:%b %Y}"))
    return items


def lay_out_legend(
    items: list[LegendItem], fm: QFontMetrics, *, left: float, right: float, top: float
) -> list[LegendItem]:
    """The items placed in lines from `left` to `right`, the first line's top at `top`."""
    spots = legend_lines(
        [float(fm.horizontalAdvance(i.words)) for i in items],
        start=left,
        end=right,
        swatch=SWATCH,
        spacing=SPACING,
    )
    line_height = fm.height() + 4
    return [
        LegendItem(
            i.shape,
            i.colour,
            i.words,
            QRectF(
                x, top + line * line_height, SWATCH + fm.horizontalAdvance(i.words), fm.height()
            ),
        )
        for i, (line, x) in zip(items, spots, strict=True)
    ]


def paint_legend(painter: QPainter, items: list[LegendItem], text: QColor) -> None:
    fm = QFontMetrics(painter.font())
    for item in items:
        assert item.rect is not None
        x, y = item.rect.left(), item.rect.center().y()
        colour = item.colour
        painter.setPen(QPen(colour.darker(130), 1))
        painter.setBrush(colour)
        if item.shape == "circle":
            fill = QColor(colour)
            fill.setAlpha(200)
            painter.setPen(QPen(colour.darker(150), 1))
            painter.setBrush(fill)
            painter.drawEllipse(QPointF(x + 5, y), 5, 5)
        elif item.shape.endswith("diamond"):
            if item.shape == "open diamond":
                painter.setPen(QPen(colour, 1.5, Qt.PenStyle.DashLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
            else:
                painter.setPen(QPen(colour.darker(150), 1.5))
            painter.drawPolygon(
                QPolygonF(
                    [QPointF(x + 5, y - 6), QPointF(x + 11, y), QPointF(x + 5, y + 6),
                     QPointF(x - 1, y)]
                )
            )  # fmt: skip
        elif item.shape == "arrow":
            painter.setPen(QPen(colour, 1.5))
            painter.drawLine(QPointF(x + 5, y - 7), QPointF(x + 5, y))
            painter.drawPolygon(
                QPolygonF([QPointF(x + 1, y - 2), QPointF(x + 9, y - 2), QPointF(x + 5, y + 4)])
            )
        elif item.shape == "hatch":
            area = QRectF(x, y - 5, 12, 10)
            painter.fillRect(area, QBrush(colour, Qt.BrushStyle.Dense4Pattern))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(area)
        else:  # the as-of line
            painter.setPen(QPen(colour, 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x + 5, y - 7), QPointF(x + 5, y + 7))
        painter.setPen(text)
        painter.drawText(QPointF(x + SWATCH - 1, y + fm.ascent() / 2 - 1), item.words)
