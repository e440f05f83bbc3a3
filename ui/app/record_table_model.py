"""The base of the app's table models: rows of one record type, HEADERS, a sort role giving native
values and a row role giving the record; subclasses say what each cell shows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2

ALIGN_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

ModelIndex = QModelIndex | QPersistentModelIndex
T = TypeVar("T")

CELL_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.FontRole,
        SORT_ROLE,
        ROW_ROLE,
    }
)


def font_with(*, bold: bool = False, italic: bool = False, underline: bool = False) -> QFont:
    """The view's font, bold, italic or underlined (only what is asked for is set, so the rest is
    the view's own)."""
    font = QFont()
    if bold:
        font.setBold(True)
    if italic:
        font.setItalic(True)
    if underline:
        font.setUnderline(True)
    return font


class RecordTableBase(QAbstractTableModel, Generic[T]):
    """Headers and the data() dispatch; subclasses say how many records there are and where
    each comes from (RecordTableModel: a list in memory; the children list: pages from SQL)."""

    HEADERS: Sequence[str] = ()
    HEADER_TIPS: Sequence[str | None] = ()
    # The roles data() answers; a model whose records are costly to fetch may answer fewer.
    ROLES: frozenset[int] = CELL_ROLES

    def record_count(self) -> int:
        raise NotImplementedError

    def record_at(self, row: int) -> T | None:
        raise NotImplementedError

    @contextmanager
    def resetting(self) -> Iterator[None]:
        """Change what the model holds between beginResetModel and endResetModel."""
        self.beginResetModel()
        try:
            yield
        finally:
            self.endResetModel()

    def row(self, index: ModelIndex) -> T | None:
        """The record on the index's row (None for an invalid index or a row out of range)."""
        return self.record_at(index.row()) if index.isValid() else None

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.record_count()

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self.HEADER_TIPS):
            return self.HEADER_TIPS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The role is checked first so a role nobody shows never fetches a record.
        if role not in self.ROLES or not index.isValid():
            return None
        column = index.column()
        if not 0 <= column < self.columnCount():
            return None
        record = self.record_at(index.row())
        if record is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(record, column)
        if role == SORT_ROLE:
            return self.sort_value(record, column)
        if role == ROW_ROLE:
            return self.row_value(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(record, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self.alignment(record, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(record, column)
        return self.font(record, column)

    # --- what each cell shows: override what the table needs -------------------------------

    def display(self, record: T, column: int) -> Any:
        raise NotImplementedError

    def sort_value(self, record: T, column: int) -> Any:
        """A native value the column sorts by; the displayed text unless a subclass says."""
        return self.display(record, column)

    def row_value(self, record: T) -> Any:
        """What ROW_ROLE gives: the record itself unless a subclass says."""
        return record

    def tooltip(self, record: T, column: int) -> str | None:
        return None

    def alignment(self, record: T, column: int) -> int | None:
        return None

    def foreground(self, record: T, column: int) -> QColor | None:
        return None

    def font(self, record: T, column: int) -> QFont | None:
        return None


class RecordTableModel(RecordTableBase[T]):
    """Records held in memory: set_rows replaces them all."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[T] = []

    def set_rows(self, rows: Iterable[T]) -> None:
        with self.resetting():
            self.rows = list(rows)

    def record_count(self) -> int:
        return len(self.rows)

    def record_at(self, row: int) -> T | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None


class SortByValueProxy(QSortFilterProxyModel):
    """Sorts on SORT_ROLE with Python's ordering (numbers as numbers, text folded)."""

    def __init__(
        self, parent: QObject | None = None, *, source: QAbstractItemModel | None = None
    ) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        if source is not None:
            self.setSourceModel(source)

    def lessThan(self, left: ModelIndex, right: ModelIndex) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
