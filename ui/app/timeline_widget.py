"""A child's school life on one line, drawn with QPainter: schools as coloured bars from Reception
on, by academic year, with phase bands, year groups and term boundaries; moves labelled by kind
(labels never overlap: timeline_labels.py); placements (PRU, AP, dual registrations) hatched in
their own lane; exclusions as marks sized by sessions lost (permanent exclusions red and larger);
a legend of what is drawn. `marks()` and `mark_at(point)` say what is drawn where."""

from __future__ import annotations

import datetime as dt
import math
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

from exclusion_monitor.codelists import la_name, year_group_label
from exclusion_monitor.moves import PLACEMENT_PHASES
from exclusion_monitor.profile import ChildProfile, ExclusionView, SpellView
from exclusion_monitor.records import MoveKind
from exclusion_monitor.terms import academic_year, academic_year_label, easter_sunday
from ui.app.timeline_labels import place_labels
from ui.app.timeline_legend import (
    AS_OF,
    LUNCHTIME,
    MOVE_COLOURS,
    MOVE_SHORT,
    MOVE_WORDS,
    PERMANENT,
    REVERSED,
    SUSPENSION,
    LegendItem,
    lay_out_legend,
    legend_items,
    paint_legend,
    school_colour,
)

PHASES = [("Primary", "#e3eef9", 0, 7), ("Secondary", "#fbe9d8", 7, 12), ("16+", "#eee", 12, 15)]


@dataclass(frozen=True, slots=True)
class TimelineMark:
    """One thing drawn on the timeline: what it is, where, and what its tooltip says."""

    kind: str  # "school", "placement", "move", "exclusion"
    rect: QRectF
    tooltip: str
    date: dt.date
    detail: str = ""  # the school, the move kind or the exclusion category
    label: str = ""  # the words drawn for it ("" when only the tooltip says it)
    label_rect: QRectF | None = None  # where those words are drawn
    reach: float = 0.0  # a move: the height its arrow points down to (the lane it goes into)


def reception_year(date_of_birth: dt.date) -> int:
    """The academic year (its start year) in which a child born on that day starts Reception."""
    return date_of_birth.year + (5 if date_of_birth.month >= 9 else 4)


def _day(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


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
        self._legend_lines = 1
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    # --- data ----------------------------------------------------------------------------------

    def set_profile(self, profile: ChildProfile | None) -> None:
        self.profile = profile
        if profile is not None:
            self._first, self._last = self._range(profile)
        self._dirty = True
        self._legend_lines = self._count_legend_lines()
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
            ("moves", 2 * h + 16),  # two levels of labels, then room for short arrows
            ("schools", h + 12),
            ("placements", h + 8),
            ("exclusions", 3 * h + 12),
            ("legend", self._legend_lines * (h + 4) + 8),
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

    def _lane_of(self, spell: SpellView, kind: str) -> str:
        """A PRU or alternative provision is a placement, whatever its registration says."""
        return "placement" if kind == "placement" or spell.phase in PLACEMENT_PHASES else "school"

    def _layout(self) -> None:
        self._dirty = False
        self._marks = []
        p = self.profile
        if p is None:
            return
        rows = self._rows()
        h, left = self._metrics()
        fm = QFontMetrics(self.font())
        bars: list[tuple[str, SpellView, QRectF]] = []
        for kind, spells in (("school", p.enrolments), ("placement", p.placements)):
            for s in spells:
                lane = self._lane_of(s, kind)
                top = rows["schools"] if lane == "school" else rows["placements"]
                height = (h + 8) if lane == "school" else (h + 2)
                end = s.end or p.as_of
                if s.current:
                    end = max(end, p.as_of)
                # Never end a bar before an exclusion from its school while it was the child's.
                end = max(end, self._last_exclusion(p, s, spells))
                x1, x2 = self.x_of(max(s.start, self._first)), self.x_of(min(end, self._last))
                bars.append((lane, s, QRectF(x1, top + 2, max(3.0, x2 - x1), height)))
        for lane, s, rect in bars:
            # The name goes where the bar shows: up to the next bar of its lane, if one overlaps.
            starts = [r.left() for ln, _, r in bars if ln == lane and r.left() > rect.left()]
            visible = rect.adjusted(4, 0, -3, 0)
            visible.setRight(min(visible.right(), min(starts, default=visible.right()) - 3))
            label = ""
            if lane == "school" and visible.width() > fm.horizontalAdvance("Xx..."):
                label = fm.elidedText(
                    s.school_name, Qt.TextElideMode.ElideRight, int(visible.width())
                )
            self._marks.append(
                TimelineMark(
                    lane,
                    rect,
                    self._spell_tip(s, lane),
                    s.start,
                    s.school_laestab,
                    label,
                    visible if label else None,
                )
            )
        self._layout_moves(p, rows, h, left)
        self._layout_exclusions(p, rows, h)

    def _layout_moves(self, p: ChildProfile, rows: dict[str, float], h: float, left: float) -> None:
        fm = QFontMetrics(self.font())
        moves = sorted(p.moves, key=lambda m: m.date)
        anchors = [(self.x_of(m.date), (MOVE_WORDS[m.kind], MOVE_SHORT[m.kind])) for m in moves]
        placed = place_labels(
            anchors,
            lambda text: float(fm.horizontalAdvance(text)),
            levels=2,
            low=left,
            high=self.width() - 4.0,
        )
        into = {(k.detail, k.date) for k in self._marks if k.kind == "placement"}
        for m, (x, _), label in zip(moves, anchors, placed, strict=True):
            reach = (rows["placements"] if (m.to_laestab, m.date) in into else rows["schools"]) + 2
            tip = (
                f"{_day(m.date)}: {MOVE_WORDS[m.kind]}\nfrom {m.from_name or 'no school'} "
                f"to {m.to_name or 'no school'}"
            )
            if label is None:
                rect = QRectF(x - 5, rows["schools"] - 9, 10, 11)
                self._marks.append(
                    TimelineMark("move", rect, tip, m.date, str(m.kind), reach=reach)
                )
                continue
            rect = QRectF(label.left, rows["moves"] + label.level * (h + 2), label.width, h + 2)
            self._marks.append(
                TimelineMark("move", rect, tip, m.date, str(m.kind), label.text, rect, reach)
            )

    def _layout_exclusions(self, p: ChildProfile, rows: dict[str, float], h: float) -> None:
        """Marks on the lane's middle line; a suspension that would hide another there moves
        above or below it, so each one can be seen and counted."""
        middle = rows["exclusions"] + 1.5 * h + 6
        placed: list[tuple[float, float, float]] = []  # centre x, centre y, radius

        def clashes(x: float, y: float, r: float) -> int:
            return sum(
                1 for cx, cy, cr in placed if abs(cx - x) < cr + r + 1 and abs(cy - y) < cr + r
            )

        for e in sorted(p.exclusions, key=lambda e: e.start_date):
            x = self.x_of(e.start_date)
            if e.category == "PERM":
                r = h * 0.95  # always larger than the largest suspension
            elif e.category == "LNCH":
                r = 3.5
            else:
                r = min(h * 0.7, 3.0 + 1.2 * math.sqrt(max(e.sessions, 0.5)))
            # Where it hides the fewest marks (the middle line first, then above, then below).
            rows_free = [middle] if e.category == "PERM" else [middle, middle - h, middle + h]
            y = min(rows_free, key=lambda row: clashes(x, row, r))
            placed.append((x, y, r))
            rect = QRectF(x - r, y - r, 2 * r, 2 * r)
            detail = REVERSED if e.reversed else e.category
            self._marks.append(
                TimelineMark("exclusion", rect, self._exclusion_tip(e), e.start_date, detail)
            )

    @staticmethod
    def _last_exclusion(
        p: ChildProfile, spell: SpellView, spells: tuple[SpellView, ...]
    ) -> dt.date:
        """The last exclusion from the spell's school on or after its start and before the
        child's next spell at the same school (the spell's own start when there is none)."""
        later = [s.start for s in spells if s.school_laestab == spell.school_laestab]
        until = min((d for d in later if d > spell.start), default=dt.date.max)
        days = [
            e.start_date
            for e in p.exclusions
            if e.school_laestab == spell.school_laestab and spell.start <= e.start_date < until
        ]
        return max(days, default=spell.start)

    @staticmethod
    def _spell_tip(s: SpellView, kind: str) -> str:
        until = "now" if s.current else (_day(s.end) if s.end else "date not known")
        years = s.first_year if s.first_year == s.last_year else f"{s.first_year} to {s.last_year}"
        what = "Placement at " if kind == "placement" else ""
        tip = f"{what}{s.school_name} ({s.school_laestab})"
        if s.school_laestab and len(s.school_laestab) == 7:
            # Which authority: a Common Transfer File brings schools from anywhere in England.
            la = s.school_laestab[:3]
            name = la_name(la)
            tip += f", {name}" if name.startswith("LA ") else f", {name} ({la})"
        tip += f"\n{_day(s.start)} to {until}"
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
        lines = self._count_legend_lines()
        if lines != self._legend_lines:
            # The legend wraps onto more (or fewer) lines at this width: ask for the height.
            self._legend_lines = lines
            self.updateGeometry()
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
        paint_legend(painter, self.legend(), self.palette().text().color())
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
        for name, label, below in (
            ("moves", "Moves", "schools"),
            ("schools", "Schools", "placements"),
            ("placements", "Placements", "exclusions"),
            ("exclusions", "Exclusions", "legend"),
        ):
            painter.drawText(
                QRectF(4, rows[name], left - 8, rows[below] - rows[name]),
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
            year_code = year_group_label(code, short=True)
            if fm.horizontalAdvance(year_code) + 2 > width:
                year_code = year_code.lstrip("Y") if fm.horizontalAdvance("00") < width else ""
            painter.drawText(
                QRectF(x1, rows["year"], width, h + 2), Qt.AlignmentFlag.AlignCenter, year_code
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
        painter.setPen(QPen(AS_OF, 1, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(x, rows["schools"]), QPointF(x, bottom))  # under move labels

    def _paint_mark(self, painter: QPainter, mark: TimelineMark) -> None:
        rows = self._rows()
        if mark.kind in ("school", "placement"):
            colour = school_colour(mark.detail)
            if mark.kind == "placement":
                painter.fillRect(mark.rect, QBrush(colour, Qt.BrushStyle.Dense4Pattern))
                painter.setPen(QPen(colour.darker(130), 1))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(mark.rect)
                return
            painter.setPen(QPen(colour.darker(140), 1))
            painter.setBrush(colour)
            painter.drawRoundedRect(mark.rect, 3, 3)
            if mark.label and mark.label_rect is not None:
                painter.setPen(QColor("white") if colour.lightness() < 150 else QColor("black"))
                painter.drawText(
                    mark.label_rect,
                    Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                    mark.label,
                )
        elif mark.kind == "move":
            colour = MOVE_COLOURS[MoveKind(mark.detail)]
            x = self.x_of(mark.date)
            tip = mark.reach
            painter.setPen(QPen(colour, 1.5))
            # An unlabelled move is a short arrow, clear of the labels above it.
            top = mark.rect.bottom() if mark.label else rows["schools"] - 9
            painter.drawLine(QPointF(x, top), QPointF(x, tip))
            if mark.label and mark.label_rect is not None:
                painter.drawText(mark.label_rect, Qt.AlignmentFlag.AlignCenter, mark.label)
            painter.setBrush(colour)
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

    def legend(self) -> list[LegendItem]:
        """The legend as drawn: an entry for each kind of mark this timeline shows (no more),
        then the as-of line, each placed where it is painted."""
        p = self.profile
        if p is None:
            return []
        marks = self.marks()
        _, left = self._metrics()
        items = legend_items(
            [m.detail for m in marks if m.kind == "exclusion"],
            [m.kind for m in p.moves],
            placements=any(m.kind == "placement" for m in marks),
            as_of=p.as_of,
        )
        top = self._rows()["legend"] + 4
        fm = QFontMetrics(self.font())
        return lay_out_legend(items, fm, left=left, right=self.width() - 4.0, top=top)

    def _count_legend_lines(self) -> int:
        return len({i.rect.top() for i in self.legend() if i.rect is not None}) or 1
