"""How the pages' tables look and sit: a read-only view of whole rows (sortable by a click on a
header), column widths, a note shown in place of an empty table, and two panes split."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QAbstractItemModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLayout,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.app.record_table_model import ROW_ROLE

Selection = QAbstractItemView.SelectionMode
T = TypeVar("T")


def record_table_view(
    model: QAbstractItemModel,
    name: str = "",
    *,
    selection: Selection = Selection.SingleSelection,
    row_padding: int | None = None,
) -> QTableView:
    """A read-only table selecting whole rows, rows striped and unwrapped, no row numbers, columns
    the user may widen. With `row_padding` every row has one fixed height (text plus padding), so
    the view never measures rows one by one."""
    view = QTableView()
    if name:
        view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    if row_padding is not None:
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + row_padding)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


def sortable_table_view(
    proxy: QSortFilterProxyModel,
    name: str,
    *,
    selection: Selection = Selection.SingleSelection,
    row_padding: int | None = None,
) -> QTableView:
    """A record_table_view over a sorting proxy, in the model's own order until a header is
    clicked; the last column takes the spare width."""
    view = record_table_view(proxy, name, selection=selection, row_padding=row_padding)
    view.setSortingEnabled(True)
    view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def selected_record(view: QTableView, kind: type[T]) -> T | None:
    """The record (ROW_ROLE) on the view's first selected row, if there is one of that kind."""
    rows = view.selectionModel().selectedRows()
    found = rows[0].data(ROW_ROLE) if rows else None
    return found if isinstance(found, kind) else None


def fit_columns(view: QTableView, widths: list[int]) -> None:
    """Give each column its width, or room for its header text when that is wider."""
    model, metrics = view.model(), view.fontMetrics()
    for column, width in enumerate(widths):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        view.setColumnWidth(column, max(width, metrics.horizontalAdvance(title) + 28))


def note_label(html: str) -> QLabel:
    """A paragraph of rich text at the top left, wrapped: what a page says instead of a table."""
    label = QLabel(html)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    return label


def table_or_note(view: QTableView, note: QLabel) -> QStackedWidget:
    """The table, or the note in its place (setCurrentWidget chooses)."""
    stack = QStackedWidget()
    stack.addWidget(view)
    stack.addWidget(note)
    return stack


def pane(top: QWidget | QLayout, body: QWidget, margins: tuple[int, int, int, int]) -> QWidget:
    """`top` (a label or a row of controls) above `body`, which takes the room."""
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(*margins)
    if isinstance(top, QLayout):
        layout.addLayout(top)
    else:
        layout.addWidget(top)
    layout.addWidget(body, 1)
    return widget


def split(
    name: str,
    first: QWidget,
    second: QWidget,
    orientation: Qt.Orientation = Qt.Orientation.Horizontal,
    stretch: tuple[int, int] = (3, 2),
) -> QSplitter:
    """Two panes sharing spare room by `stretch` (the first three fifths unless told); neither
    can be collapsed away."""
    splitter = QSplitter(orientation)
    splitter.setObjectName(name)
    splitter.addWidget(first)
    splitter.addWidget(second)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    splitter.setChildrenCollapsible(False)
    return splitter
