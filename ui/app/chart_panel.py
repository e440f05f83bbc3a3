"""One dashboard chart with a "Show as table" switch: the matplotlib figure that is also printed,
drawn on screen through matplotlib's Qt canvas (imported when the first chart is shown), and
the report table behind it."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.reports.tables import ReportTable
from ui.app.record_table_model import SortByValueProxy
from ui.app.report_table_model import ReportTableModel

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MIN_CHART_HEIGHT = 240
PIXELS_PER_INCH = 78  # the on-screen height a figure asks for, per inch of its printed height


@cache
def _canvas_class() -> Any:
    """matplotlib's Qt canvas, except that the mouse wheel scrolls the page it sits on: the
    charts do not zoom, and a page of charts that stops scrolling under the pointer is a trap."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

    class PageScrollingCanvas(FigureCanvasQTAgg):
        def wheelEvent(self, event: QWheelEvent) -> None:
            area = self.parentWidget()
            while area is not None and not isinstance(area, QAbstractScrollArea):
                area = area.parentWidget()
            if area is None:
                event.ignore()
                return
            # The scroll bar scrolls as the page would under the pointer (Qt does not pass
            # a wheel event the program sends on to the parents, so it goes there directly).
            delta = event.angleDelta()
            vertical = abs(delta.y()) >= abs(delta.x())
            bar = area.verticalScrollBar() if vertical else area.horizontalScrollBar()
            QApplication.sendEvent(bar, event)
            event.accept()

    return PageScrollingCanvas


class ChartPanel(QFrame):
    """A titled chart that can be switched to its table (and back)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName(f"chart_{title.lower().replace(' ', '_')}")
        self.title = QLabel(f"<b>{title}</b>")
        self.table_toggle = QCheckBox("Show as table")
        self.table_toggle.setToolTip("Switch between the chart and the figures behind it")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.table_toggle)
        self.stack = QStackedWidget()
        self.chart_holder = QWidget()
        self.chart_layout = QVBoxLayout(self.chart_holder)
        self.chart_layout.setContentsMargins(0, 0, 0, 0)
        # No word wrap inside the scroll area: a height-for-width item there makes the grid
        # squeeze the panels below their minimum height (they then overlap).
        self.empty_note = QLabel()
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_note.hide()
        self.chart_layout.addWidget(self.empty_note)
        self.canvas: QWidget | None = None
        self.model = ReportTableModel()
        self.proxy = SortByValueProxy()
        self.proxy.setSourceModel(self.model)
        self.table_view = QTableView()
        self.table_view.setModel(self.proxy)
        self.table_view.setSortingEnabled(True)
        self.table_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table_view.setAlternatingRowColors(True)
        self.table_view.verticalHeader().hide()
        self.table_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.table_view.horizontalHeader().setStretchLastSection(True)
        self.stack.addWidget(self.chart_holder)
        self.stack.addWidget(self.table_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.table_toggle.toggled.connect(self.show_table)
        self.setMinimumHeight(MIN_CHART_HEIGHT)

    @property
    def showing_table(self) -> bool:
        return self.stack.currentWidget() is self.table_view

    def show_table(self, on: bool) -> None:
        self.stack.setCurrentWidget(self.table_view if on else self.chart_holder)

    def set_content(self, figure: Figure | None, table: ReportTable, empty_text: str = "") -> None:
        """Show `figure` (or `empty_text` when there is nothing to chart) and `table`."""
        self.model.set_table(table)
        self.proxy.sort(-1)
        if self.canvas is not None:
            self.chart_layout.removeWidget(self.canvas)
            self.canvas.deleteLater()
            self.canvas = None
        if figure is None:
            self.empty_note.setText(empty_text)
            self.empty_note.show()
            self.setMinimumHeight(MIN_CHART_HEIGHT)
            return
        self.empty_note.hide()
        canvas = _canvas_class()(figure)
        canvas.setMinimumSize(320, 200)
        self.canvas = canvas
        self.chart_layout.addWidget(canvas, 1)
        height = int(figure.get_size_inches()[1] * PIXELS_PER_INCH)
        self.setMinimumHeight(max(MIN_CHART_HEIGHT, height + 40))
