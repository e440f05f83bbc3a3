"""The Dashboard page: the authority's headline figures as tiles and the dashboard charts (each
also as its table), for an as-of date; managers print it and export it."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QPagedPaintDevice
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.display import uk_date
from exclusion_monitor.reports.dashboard import Dashboard, build_dashboard, dashboard_charts
from exclusion_monitor.reports.dashboard_published import align_practice
from exclusion_monitor.reports.tables import ReportTable
from exclusion_monitor.roles import Action
from operations.output import export_dashboard, print_dashboard
from ui.app import messages
from ui.app.background import BackgroundJob, Progress, ProgressBar, run_in_background
from ui.app.chart_panel import ChartPanel
from ui.app.date_entry import DateEntry
from ui.app.pages.base import AppContext, Page

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger(__name__)

TILES = [
    ("children", "Children on record", "Every child with a record dated by the date"),
    ("flagged_children", "Flagged children", "Children with at least one flag as of the date"),
    (
        "whole_family_cases",
        "Whole-family cases",
        "Families (two or more linked children) with at least one flagged child",
    ),
    (
        "suspensions",
        "Suspensions",
        "Suspensions starting this academic year up to the date, lunchtime suspensions included",
    ),
    (
        "permanents",
        "Permanent exclusions",
        "Permanent exclusions starting this academic year up to the date, not counting those "
        "reversed on review",
    ),
    (
        "primary_exclusions",
        "Primary exclusions",
        "Suspensions and permanent exclusions of pupils in Reception to Year 6 this year",
    ),
]
# Which tiles count over the academic year so far; the others are a state on the date.
YEAR_TILES = ("suspensions", "permanents", "primary_exclusions")
EXACT_NOTE = (
    "Tiles show exact counts: this screen is for staff who may see the records themselves. "
    "Charts and tables are as printed and exported: 'c' hides counts from 1 to 4 and any count "
    "from which one of them could be worked out; 'u' marks a rate of too few pupils to mean "
    "much."
)


def tile_period(key: str, board: Dashboard, *, full: bool = False) -> str:
    """The period a tile counts over, in words (`full`: with the year's first day)."""
    if key in YEAR_TILES:
        if full:
            return f"{board.academic_year}: {board.year_start:%d/%m/%Y} to {board.as_of:%d/%m/%Y}"
        return f"{board.academic_year} to {board.as_of:%d/%m/%Y}"
    if key == "children":
        return f"by {board.as_of:%d/%m/%Y}"
    return f"as of {board.as_of:%d/%m/%Y}"


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    figure: Figure | None
    table: ReportTable
    empty_text: str = ""


@dataclass(frozen=True, slots=True)
class DashboardContent:
    board: Dashboard
    charts: list[Chart]


def dashboard_content(
    db: Any, as_of: dt.date | None, progress: Progress | None = None
) -> DashboardContent:
    """The dashboard's figures, charts and tables (runs in the background; no Qt): the charts
    the printout has, then the school practice funnels."""
    board = build_dashboard(db, as_of=as_of, progress=progress)
    found = [Chart(c.title, c.figure, c.table, c.empty_text) for c in dashboard_charts(board)]
    return DashboardContent(board, found + _practice_charts(db, board))


def _practice_charts(db: Any, board: Dashboard) -> list[Chart]:
    """The authority's own schools on the funnel plots, and their Year 10 to 11 losses
    (docs/regional.md, "School practice"): the charts the region shows, for these schools,
    hiding every count the dashboard hides (the two sit side by side)."""
    from exclusion_monitor.reports.practice_report import authority_figures
    from ui.app.practice_charts import practice_charts

    figures = authority_figures(db, board.as_of)
    figures = replace(figures, schools=align_practice(figures.schools, board.published))
    return [
        Chart(c.title, c.figure, c.table, c.empty_text)
        for c in practice_charts(figures, groups=("primary", "secondary"))
    ]


class Tile(QFrame):
    """A headline figure: a large number over its caption, the period it counts over and a
    note; each a single line, so that no tile cuts its words off at 1366 x 768."""

    def __init__(self, caption: str, tip: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("tile")
        self.setStyleSheet("QFrame#tile { background: palette(base); }")
        self.value = QLabel("-")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.period = QLabel()
        self.period.setObjectName("tile_period")
        self.period.setStyleSheet("color: #555555;")
        self.note = QLabel()
        self.note.setStyleSheet("color: #555555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(1)
        for label in (self.value, self.caption, self.period, self.note):
            layout.addWidget(label)
        layout.addStretch(1)
        self.tip = tip
        self.setToolTip(f"{tip}. Exact count (on screen only).")

    def show_figure(self, value: int, period: str, full_period: str, note: str = "") -> None:
        self.value.setText(f"{value:,}")
        self.period.setText(period)
        self.note.setText(note)
        self.setToolTip(f"{self.tip}: {full_period}. Exact count (on screen only).")


class DashboardPage(Page):
    TITLE = "Dashboard"
    LOADS_WHEN_FIRST_SHOWN = True
    REQUIRES = Action.VIEW_DASHBOARD
    # The figures for the chosen date are on screen.
    loaded = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.content: DashboardContent | None = None
        self._job: BackgroundJob | None = None
        self._sequence = 0

        self.date_edit = DateEntry("Dashboard as-of date")
        self.date_edit.set_placeholder("latest data")
        self.year_label = QLabel()
        self.progress = ProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(False)
        self.status = QLabel("Loading the dashboard...")
        self.print_button = QPushButton("Print...")
        self.print_button.setToolTip("Print preview of the dashboard (OFFICIAL-SENSITIVE)")
        self.export_button = QPushButton("Export...")
        self.export_button.setToolTip("Every table of the dashboard as an Excel workbook")
        can_print = context.allows(Action.PRINT_REPORT)
        can_export = context.allows(Action.EXPORT)
        self.print_button.setVisible(can_print)
        self.export_button.setVisible(can_export)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("As of:"))
        bar.addWidget(self.date_edit)
        bar.addWidget(self.year_label)
        bar.addStretch(1)
        bar.addWidget(self.status)
        bar.addWidget(self.progress)
        bar.addWidget(self.print_button)
        bar.addWidget(self.export_button)
        self.layout_.addLayout(bar)

        self.tiles = {key: Tile(caption, tip) for key, caption, tip in TILES}
        tiles = QHBoxLayout()
        for tile in self.tiles.values():
            tiles.addWidget(tile, 1)
        self.layout_.addLayout(tiles)
        note = QLabel(EXACT_NOTE)
        note.setWordWrap(True)
        note.setStyleSheet("color: #555555;")
        self.layout_.addWidget(note)

        self.panels: list[ChartPanel] = []
        self.grid_host = QWidget()
        self.grid = QGridLayout(self.grid_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        # The panels keep their height and the area scrolls (not squeezed into the viewport).
        self.grid.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)
        self.charts_area = QScrollArea()
        self.charts_area.setWidgetResizable(True)
        self.charts_area.setFrameShape(QFrame.Shape.NoFrame)
        self.charts_area.setWidget(self.grid_host)
        self.layout_.addWidget(self.charts_area, 1)

        self.date_edit.chosen.connect(lambda _day: self.reload())
        self.print_button.clicked.connect(self.print_dashboard)
        self.export_button.clicked.connect(self.export_dashboard)
        self._set_busy(False)

    # --- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        self.reload()

    def chosen_date(self) -> dt.date | None:
        return self.date_edit.date()

    def reload(self) -> None:
        """Build the dashboard for the chosen date in the background (a newer request wins)."""
        if self._job is not None and self._job.is_running():
            self._job.cancel()
        self._sequence += 1
        sequence, as_of, db = self._sequence, self.chosen_date(), self.db
        self._set_busy(True)
        self._job = run_in_background(
            lambda progress: dashboard_content(db, as_of, progress),
            lambda content: self._show(sequence, content),
            lambda error: self._failed(sequence, error),
            self.progress.show_progress,
            owner=self,
            name="dashboard",
        )

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)
        self.status.setVisible(busy)
        self.print_button.setEnabled(not busy and self.content is not None)
        self.export_button.setEnabled(not busy and self.content is not None)

    def _failed(self, sequence: int, error: BaseException) -> None:
        if sequence != self._sequence:
            return
        self._set_busy(False)
        messages.show_error(self, "Dashboard", f"The dashboard could not be built: {error}")

    def _show(self, sequence: int, content: DashboardContent) -> None:
        if sequence != self._sequence:
            return
        self.content = content
        board = content.board
        self.date_edit.set_date(board.as_of)
        census = uk_date(board.census_date, "none")
        self.year_label.setText(
            f"Academic year <b>{board.academic_year}</b> (spring census: {census})"
        )
        notes = {
            "suspensions": f"{board.lunchtimes:,} at lunchtime",
            "permanents": f"{board.reversed_permanents:,} reversed, not counted",
        }
        for key, tile in self.tiles.items():
            tile.show_figure(
                getattr(board, key),
                tile_period(key, board),
                tile_period(key, board, full=True),
                notes.get(key, ""),
            )
        self._show_charts(content.charts)
        self._set_busy(False)
        self.loaded.emit()

    def _show_charts(self, charts: list[Chart]) -> None:
        while len(self.panels) < len(charts):
            panel = ChartPanel(charts[len(self.panels)].title)
            self.panels.append(panel)
        for number, (panel, chart) in enumerate(zip(self.panels, charts, strict=False)):
            panel.set_content(chart.figure, chart.table, chart.empty_text)
            # One chart to a row: at half width the charts' axis labels (sized for print)
            # were cut off at 1366 x 768.
            self.grid.addWidget(panel, number, 0, 1, 2)

    def panel(self, title: str) -> ChartPanel:
        return next(p for p in self.panels if p.title.text() == f"<b>{title}</b>")

    # --- print and export ----------------------------------------------------------------------

    def print_dashboard(self) -> None:
        if self.content is None:
            return
        board = self.content.board
        self.print_button.setEnabled(False)

        def paint(job: Any) -> None:
            self.print_button.setEnabled(True)
            document, context = job

            def draw(device: QPagedPaintDevice) -> int:
                from ui.reports.pdf import paint_document

                return paint_document(device, document, context)

            messages.print_preview(self, document.title, document.landscape, draw)

        run_in_background(
            lambda _p: print_dashboard(self.db, self.context.account, board).value,
            paint,
            self._output_failed,
            owner=self,
            writes=True,
            name="print dashboard",
        )

    def export_dashboard(self) -> None:
        if self.content is None:
            return
        board = self.content.board
        suggested = f"dashboard-{board.academic_year.replace('/', '-')}.xlsx"
        target = messages.choose_output_file(
            self, "Export the dashboard", suggested, "Excel workbooks (*.xlsx)", (".xlsx",)
        )
        if target is None:
            return
        self.export_button.setEnabled(False)
        run_in_background(
            # overwrite: the save dialog asked before offering a name that exists
            lambda _p: (
                export_dashboard(
                    self.db, self.context.account, board, target, overwrite=True
                ).value.path
            ),
            self._exported,
            self._output_failed,
            owner=self,
            writes=True,
            name="export dashboard",
        )

    def _exported(self, path: Path) -> None:
        self.export_button.setEnabled(True)
        self.context.signals.status_message.emit(f"Dashboard exported to {path}")

    def _output_failed(self, error: BaseException) -> None:
        self.print_button.setEnabled(self.content is not None)
        self.export_button.setEnabled(self.content is not None)
        messages.show_error(self, "Dashboard", str(error))
