"""A child's school life on one line, drawn with QPainter: schools as coloured bars from Reception
on, by academic year, with phase bands, year groups and term boundaries; moves labelled by kind;
placements in their own lane; exclusions as marks sized by sessions lost (permanent exclusions
red and larger). `marks()` and `mark_at(point)` say what is drawn where (tooltips and tests)."""

from __future__ import annotations

import datetime as dt
import math
import zlib
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from exclusion_monitor.profile import ChildProfile, ExclusionView, SpellView
from exclusion_monitor.records import MoveKind
from exclusion_monitor.terms import academic_year, academic_year_label, easter_sunday

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
REVERSED = "PERM-reversed"  # the mark of a permanent exclusion reversed on review
PHASES = [("Primary", "#e3eef9", 0, 7), ("Secondary", "#fbe9d8", 7, 12), ("16+", "#eee", 12, 15)]


@dataclass(frozen=True, slots=True)
class TimelineMark:
    """One thing drawn on the timeline: what it is, where, and what its tooltip says."""

    kind: str  # "school", "placement", "move", "exclusion"
    rect: QRectF
    tooltip: str
    date: dt.date
    detail: str = ""  # the school, the move kind or the exclusion category


def school_colour(laestab: str) -> QColor:
    """The same school always gets the same colour."""
    return QColor(SCHOOL_COLOURS[zlib.crc32(laestab.encode()) % len(SCHOOL_COLOURS)])


def reception_year(date_of_birth: dt.date) -> int:
    """The academic year (its start year) in which a child born on that day starts Reception."""
    return date_of_birth.year + (5 if date_of_birth.month >= 9 else 4)


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def _year_code_label(code: str | None) -> str:
    if not code:
        return ""
    if code == "R":
        return "R"
    if code.startswith("N"):
        return "N"
    return f"Y{code}" if code.isdigit() else code


class TimelineWidget(QWidget):
    """The profile's timeline; call `set_profile(profile)` (None clears it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(True)
        self.profile: ChildProfile | None = None
        self._marks: list[TimelineMark] = []
        self._first: dt.date = dt.date(2020, 8, 1)
        self._last: dt.date = dt.date(2021, 7, 31)
        self._data_year = 2020  # years before this one (no records) are drawn narrower
        self._dirty = True
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    # --- data ----------------------------------------------------------------------------------

    def set_profile(self, profile: ChildProfile | None) -> None:
        self.profile = profile
        if profile is not None:
            self._first, self._last = self._range(profile)
        self._dirty = True
        self.updateGeometry()
        self.update()

    def _range(self, p: ChildProfile) -> tuple[dt.date, dt.date]:
        dates = [s.start for s in (*p.enrolments, *p.placements)]
        dates += [c.census_date for c in p.census] + [e.start_date for e in p.exclusions]
        first_year = academic_year(min(dates)) if dates else academic_year(p.as_of)
        if p.child.date_of_birth is not None:
            first_year = min(first_year, reception_year(p.child.date_of_birth))
        last_year = max(academic_year(p.as_of), first_year)
        self._data_year = academic_year(min(dates)) if dates else first_year
        return dt.date(first_year, 8, 1), dt.date(last_year + 1, 7, 31)

    # --- geometry ------------------------------------------------------------------------------

    def _metrics(self) -> tuple[float, float]:
        fm = QFontMetrics(self.font())
        return float(fm.height()), float(fm.horizontalAdvance("Placements") + 16)

    def _rows(self) -> dict[str, float]:
        """The top of each band, from the font height (so 150 % scaling scales it too)."""
        h, _ = self._metrics()
        rows: dict[str, float] = {}
        y = 2.0
        for name, size in (
            ("phase", h + 4),
            ("year", h + 2),
            ("ayear", h + 6),
            ("moves", 2 * h + 6),
            ("schools", h + 12),
            ("placements", h + 8),
            ("exclusions", 2 * h + 10),
            ("legend", 2 * h + 12),
        ):
            rows[name] = y
            y += size
        rows["end"] = y
        return rows

    def sizeHint(self) -> QSize:
        return QSize(900, int(self._rows()["end"]) + 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(480, int(self._rows()["end"]) + 2)

    def x_of(self, day: dt.date) -> float:
        """Where a date sits horizontally: years with records share most of the width, the years
        from Reception to the first record (when there are none) a quarter width each."""
        _, left = self._metrics()
        width = max(1.0, self.width() - left - 8)
        first_year = academic_year(self._first)
        empty = max(0, self._data_year - first_year)
        narrow = 0.25 if empty >= 2 else 1.0
        years = empty * narrow + (academic_year(self._last) - first_year + 1 - empty)
        position = (day - self._first).days / 365.25
        weight = position * narrow if position <= empty else empty * narrow + (position - empty)
        return left + width * weight / max(years, 1.0)

    # --- hit testing ---------------------------------------------------------------------------

    def marks(self) -> list[TimelineMark]:
        """Everything drawn, in drawing order (exclusions last: they sit on top)."""
        if self._dirty:
            self._layout()
        return list(self._marks)

    def mark_at(self, point: QPointF) -> TimelineMark | None:
        """The topmost mark under a point, or None."""
        for mark in reversed(self.marks()):
            if mark.rect.adjusted(-2, -2, 2, 2).contains(point):
                return mark
        return None

    def _layout(self) -> None:
        self._dirty = False
        self._marks = []
        p = self.profile
        if p is None:
            return
        rows = self._rows()
        h, _ = self._metrics()
        for kind, spells in (("school", p.enrolments), ("placement", p.placements)):
            top = rows["schools"] if kind == "school" else rows["placements"]
            height = (h + 8) if kind == "school" else (h + 2)
            for s in spells:
                end = s.end or p.as_of
                if s.current:
                    end = max(end, p.as_of)
                x1, x2 = self.x_of(max(s.start, self._first)), self.x_of(min(end, self._last))
                rect = QRectF(x1, top + 2, max(3.0, x2 - x1), height)
                self._marks.append(
                    TimelineMark(kind, rect, self._spell_tip(s, kind), s.start, s.school_laestab)
                )
        levels: list[float] = []  # right edge of the last label on each level
        fm = QFontMetrics(self.font())
        for m in p.moves:
            x = self.x_of(m.date)
            label = MOVE_WORDS[m.kind]
            width = fm.horizontalAdvance(label) + 6
            level = next((i for i, right in enumerate(levels) if right < x - width / 2), None)
            if level is None:
                level = min(len(levels), 1)
                if level == len(levels):
                    levels.append(0.0)
            levels[level] = x + width / 2
            top = rows["moves"] + level * (h + 2)
            rect = QRectF(x - width / 2, top, width, h + 2)
            tip = (
                f"{_day(m.date)}: {MOVE_WORDS[m.kind]}\nfrom {m.from_name or 'no school'} "
                f"to {m.to_name or 'no school'}"
            )
            self._marks.append(TimelineMark("move", rect, tip, m.date, str(m.kind)))
        middle = rows["exclusions"] + h + 5
        for e in p.exclusions:
            x = self.x_of(e.start_date)
            if e.category == "PERM":
                r = h * 0.95  # always larger than the largest suspension
            elif e.category == "LNCH":
                r = 3.5
            else:
                r = min(h * 0.7, 3.0 + 1.2 * math.sqrt(max(e.sessions, 0.5)))
            rect = QRectF(x - r, middle - r, 2 * r, 2 * r)
            detail = REVERSED if e.reversed else e.category
            self._marks.append(
                TimelineMark("exclusion", rect, self._exclusion_tip(e), e.start_date, detail)
            )

    @staticmethod
    def _spell_tip(s: SpellView, kind: str) -> str:
        until = "now" if s.current else (_day(s.end) if s.end else "date not known")
        years = s.first_year if s.first_year == s.last_year else f"{s.first_year} to {s.last_year}"
        what = "Placement at " if kind == "placement" else ""
        tip = f"{what}{s.school_name} ({s.school_laestab})\n{_day(s.start)} to {until}"
        if years:
            tip += f"\nYear group {years}"
        if s.destination:
            tip += f"\nLeft for {s.destination}"
        return tip

    @staticmethod
    def _exclusion_tip(e: ExclusionView) -> str:
        what = (e.category_words or e.category).capitalize()
        tip = f"{what}, {_day(e.start_date)} ({e.term})"
        if e.category != "PERM":
            tip += f"\n{e.sessions:g} session{'' if e.sessions == 1 else 's'} lost"
        tip += f"\nat {e.school_name or 'an unknown school'}"
        if e.reasons:
            tip += f"\nReasons: {', '.join(e.reasons)}"
        if e.outcome_words:
            tip += f"\nReview: {e.outcome_words}"
            if e.reversed:
                tip += " (not counted as a permanent exclusion)"
        return tip

    # --- painting ------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._dirty = True
        super().resizeEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            mark = self.mark_at(QPointF(event.pos()))
            if mark is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), mark.tooltip, self)
            return True
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        if self.profile is None:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No child shown.")
            painter.end()
            return
        marks = self.marks()
        self._paint_axis(painter)
        for mark in marks:
            self._paint_mark(painter, mark)
        self._paint_legend(painter)
        painter.end()

    def _year_codes(self) -> dict[int, str]:
        """Year group per academic year: the census where it says, else from date of birth."""
        p = self.profile
        assert p is not None
        codes: dict[int, str] = {}
        dob = p.child.date_of_birth
        first, last = academic_year(self._first), academic_year(self._last)
        for year in range(first, last + 1):
            if dob is not None:
                offset = year - reception_year(dob)
                codes[year] = (
                    "R" if offset == 0 else (str(offset) if offset > 0 else f"N{2 + offset}")
                )
        for c in p.census:
            if c.nc_year:
                codes[academic_year(c.census_date)] = c.nc_year
        return codes

    def _paint_axis(self, painter: QPainter) -> None:
        rows = self._rows()
        h, left = self._metrics()
        fm = QFontMetrics(self.font())
        grid = QColor(self.palette().text().color())
        grid.setAlpha(40)
        codes = self._year_codes()
        first, last = academic_year(self._first), academic_year(self._last)
        text = self.palette().text().color()
        # Lane labels.
        painter.setPen(text)
        for name, label in (
            ("moves", "Moves"),
            ("schools", "Schools"),
            ("placements", "Placements"),
            ("exclusions", "Exclusions"),
        ):
            painter.drawText(
                QRectF(4, rows[name], left - 8, h + 8),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                label,
            )
        bottom = rows["legend"] - 2
        # Phase bands, from the year groups.
        for label, colour, low, high in PHASES:
            years = [y for y, c in codes.items() if c.isdigit() and low <= int(c) < high]
            if low == 0:
                years += [y for y, c in codes.items() if c == "R"]
            if not years:
                continue
            x1 = self.x_of(dt.date(min(years), 8, 1))
            x2 = self.x_of(dt.date(max(years) + 1, 7, 31))
            band = QRectF(x1, rows["phase"], x2 - x1, h + 2)
            painter.fillRect(band, QColor(colour))
            painter.setPen(text)
            painter.drawText(
                band,
                Qt.AlignmentFlag.AlignCenter,
                fm.elidedText(label, Qt.TextElideMode.ElideRight, int(band.width())),
            )
        # Academic years: boundary lines, year group and the year's label.
        for year in range(first, last + 1):
            x1 = self.x_of(dt.date(year, 8, 1))
            x2 = self.x_of(dt.date(year + 1, 7, 31))
            width = x2 - x1
            painter.setPen(QPen(grid, 1))
            painter.drawLine(QPointF(x1, rows["year"]), QPointF(x1, bottom))
            code = codes.get(year)
            painter.setPen(text)
            font = painter.font()
            font.setBold(True)
            painter.setFont(font)
            painter.drawText(
                QRectF(x1, rows["year"], width, h + 2),
                Qt.AlignmentFlag.AlignCenter,
                _year_code_label(code),
            )
            font.setBold(False)
            painter.setFont(font)
            label = academic_year_label(year)
            if fm.horizontalAdvance(label) > width - 2:
                label = f"{(year + 1) % 100:02d}" if fm.horizontalAdvance("00") < width else ""
            muted = QColor(text)
            muted.setAlpha(150)
            painter.setPen(muted)
            painter.drawText(
                QRectF(x1, rows["ayear"], width, h + 2), Qt.AlignmentFlag.AlignCenter, label
            )
            # Term boundaries: spring (1 January) and summer (after Easter), dotted.
            painter.setPen(QPen(grid, 1, Qt.PenStyle.DotLine))
            for day in (dt.date(year + 1, 1, 1), easter_sunday(year + 1) + dt.timedelta(days=1)):
                x = self.x_of(day)
                painter.drawLine(QPointF(x, rows["ayear"] + h), QPointF(x, bottom))
        # No records before the first data: say so rather than leave it blank.
        p = self.profile
        assert p is not None
        data = [s.start for s in (*p.enrolments, *p.placements)] + [c.census_date for c in p.census]
        if data and min(data) > self._first + dt.timedelta(days=365):
            x2 = self.x_of(min(data))
            area = QRectF(
                self.x_of(self._first), rows["schools"] + 2, x2 - self.x_of(self._first), h + 8
            )
            painter.fillRect(area, QBrush(grid, Qt.BrushStyle.BDiagPattern))
            painter.setPen(text)
            painter.drawText(
                area,
                Qt.AlignmentFlag.AlignCenter,
                fm.elidedText("no records", Qt.TextElideMode.ElideRight, int(area.width())),
            )
        # The as-of date.
        x = self.x_of(p.as_of)
        painter.setPen(QPen(QColor("#333"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(x, rows["moves"]), QPointF(x, bottom))

    def _paint_mark(self, painter: QPainter, mark: TimelineMark) -> None:
        fm = QFontMetrics(self.font())
        rows = self._rows()
        if mark.kind in ("school", "placement"):
            colour = school_colour(mark.detail)
            if mark.kind == "placement":
                painter.fillRect(mark.rect, QBrush(colour, Qt.BrushStyle.Dense4Pattern))
                painter.setPen(QPen(colour.darker(130), 1))
                painter.drawRect(mark.rect)
                return
            painter.setPen(QPen(colour.darker(140), 1))
            painter.setBrush(colour)
            painter.drawRoundedRect(mark.rect, 3, 3)
            name = mark.tooltip.split(" (", 1)[0]
            painter.setPen(QColor("white") if colour.lightness() < 150 else QColor("black"))
            inner = mark.rect.adjusted(4, 0, -3, 0)
            if inner.width() > fm.horizontalAdvance("Xx..."):
                painter.drawText(
                    inner,
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    fm.elidedText(name, Qt.TextElideMode.ElideRight, int(inner.width())),
                )
        elif mark.kind == "move":
            colour = MOVE_COLOURS[MoveKind(mark.detail)]
            x = mark.rect.center().x()
            painter.setPen(QPen(colour, 1.5))
            painter.drawLine(QPointF(x, mark.rect.bottom()), QPointF(x, rows["schools"] + 2))
            painter.drawText(
                mark.rect, Qt.AlignmentFlag.AlignCenter, MOVE_WORDS[MoveKind(mark.detail)]
            )
            painter.setBrush(colour)
            tip = rows["schools"] + 2
            painter.drawPolygon(
                QPolygonF([QPointF(x - 4, tip - 6), QPointF(x + 4, tip - 6), QPointF(x, tip)])
            )
        elif mark.kind == "exclusion":
            if mark.detail in ("PERM", REVERSED):
                if mark.detail == REVERSED:
                    painter.setPen(QPen(PERMANENT, 1.5, Qt.PenStyle.DashLine))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                else:
                    painter.setPen(QPen(PERMANENT.darker(150), 1.5))
                    painter.setBrush(PERMANENT)
                c, r = mark.rect.center(), mark.rect.width() / 2
                painter.drawPolygon(
                    QPolygonF(
                        [
                            QPointF(c.x(), c.y() - r),
                            QPointF(c.x() + r, c.y()),
                            QPointF(c.x(), c.y() + r),
                            QPointF(c.x() - r, c.y()),
                        ]
                    )
                )
            else:
                colour = LUNCHTIME if mark.detail == "LNCH" else SUSPENSION
                fill = QColor(colour)
                fill.setAlpha(200)
                painter.setPen(QPen(colour.darker(150), 1))
                painter.setBrush(fill)
                painter.drawEllipse(mark.rect)

    def _paint_legend(self, painter: QPainter) -> None:
        rows = self._rows()
        h, left = self._metrics()
        fm = QFontMetrics(self.font())
        y = rows["legend"] + (h + 6) / 2
        x = left
        painter.setPen(self.palette().text().color())
        items: list[tuple[str, QColor, str]] = [
            ("circle", SUSPENSION, "suspension (size: sessions)"),
            ("diamond", PERMANENT, "permanent exclusion"),
            ("open diamond", PERMANENT, "reversed on review"),
            ("circle", LUNCHTIME, "lunchtime suspension"),
            *[("triangle", MOVE_COLOURS[k], MOVE_WORDS[k]) for k in MoveKind],
            ("hatch", QColor("#6a1b9a"), "placement spell (PRU / AP)"),
        ]
        for shape, colour, label in items:
            width = fm.horizontalAdvance(label)
            if x + 16 + width > self.width() - 4 and x > left:
                x, y = left, y + h + 4
            painter.setPen(QPen(colour.darker(130), 1))
            painter.setBrush(colour)
            if shape == "open diamond":
                painter.setPen(QPen(colour, 1.5, Qt.PenStyle.DashLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
            if shape == "circle":
                painter.drawEllipse(QPointF(x + 5, y), 5, 5)
            elif shape.endswith("diamond"):
                painter.drawPolygon(
                    QPolygonF(
                        [
                            QPointF(x + 5, y - 6),
                            QPointF(x + 11, y),
                            QPointF(x + 5, y + 6),
                            QPointF(x - 1, y),
                        ]
                    )
                )
            elif shape == "triangle":
                painter.drawPolygon(
                    QPolygonF([QPointF(x + 1, y - 4), QPointF(x + 9, y - 4), QPointF(x + 5, y + 3)])
                )
            else:
                painter.fillRect(
                    QRectF(x, y - 5, 12, 10), QBrush(colour, Qt.BrushStyle.Dense4Pattern)
                )
            painter.setPen(self.palette().text().color())
            painter.drawText(QPointF(x + 15, y + fm.ascent() / 2 - 1), label)
            x += 15 + width + 14
