"""Table models of the Imports page: the files waiting to be imported, one file's mapping over a
preview of its first rows, the outcome of each imported file, its rejected rows, and the history
of import batches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QTableView

from exclusion_monitor.store.batches import BatchSummary
from imports import FilePreview, FileResult, RejectedRow
from imports.kinds import SPECS, Kind, field_label, missing_required
from ui.app.report_table_model import ROW_ROLE, SORT_ROLE

_Index = QModelIndex | QPersistentModelIndex

IMPORTABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
KIND_LABELS = {kind.value: SPECS[kind].label for kind in Kind}
CENSUS_DATE_NEEDED = "Census date"
GREY = QColor("#6b6b6b")
RED = QColor("#a01010")
GREEN = QColor("#1d6b2a")


def counted(count: int, word: str, plural: str | None = None) -> str:
    """'1 row', '2,310 rows'."""
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def fit_columns(view: QTableView, widths: list[int]) -> None:
    """Give each column its width, or room for its header text when that is wider."""
    model, metrics = view.model(), view.fontMetrics()
    for column, width in enumerate(widths):
        title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        view.setColumnWidth(column, max(width, metrics.horizontalAdvance(title) + 28))


def kind_label(kind: str | None) -> str:
    return KIND_LABELS.get(kind or "", kind or "not known")


@dataclass(slots=True)
class PendingFile:
    """A file the user added: what the intake made of it and what the user changed."""

    path: Path
    preview: FilePreview | None = None  # None while it is being read
    mapping: dict[str, str] = field(default_factory=dict)  # header -> field ("" ignores it)
    census_date: dt.date | None = None
    failed: str | None = None  # an unexpected error while reading it

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def kind(self) -> str | None:
        return self.preview.kind if self.preview else None

    def set_preview(self, preview: FilePreview) -> None:
        self.preview = preview
        self.mapping = {h: preview.mapping.get(h, "") for h in preview.headers if h}

    @property
    def needs_census_date(self) -> bool:
        """A census file with no census date or term column needs the date from the user."""
        if self.kind != Kind.CENSUS.value:
            return False
        return not {"census_date", "term"} & set(self.mapping.values())

    def missing(self) -> list[str]:
        """What the file still lacks before it can be imported (plain names)."""
        if self.preview is None or self.preview.kind is None:
            return []
        mapped = {f for f in self.mapping.values() if f}
        found = missing_required(Kind(self.preview.kind), mapped)
        if self.needs_census_date and self.census_date is None:
            found.append(CENSUS_DATE_NEEDED)
        return found

    @property
    def refusal(self) -> str | None:
        if self.failed:
            return self.failed
        return self.preview.message if self.preview else None

    @property
    def ready(self) -> bool:
        return self.preview is not None and self.refusal is None and not self.missing()

    def status(self) -> str:
        if self.preview is None and self.failed is None:
            return "Reading..."
        refusal = self.refusal
        if refusal:
            return f"Refused: {refusal}"
        missing = [m for m in self.missing() if m != CENSUS_DATE_NEEDED]
        if missing:
            return "Needs a mapping: no column for " + ", ".join(missing)
        if self.needs_census_date and self.census_date is None:
            return "Needs the census date (the file has none)"
        return "Ready"


FILE_HEADERS = ["File", "Kind", "Sheet", "Header row", "Status"]


class PendingFilesModel(QAbstractTableModel):
    """One row per added file: detected kind, sheet, header row and whether it is ready."""

    def __init__(self) -> None:
        super().__init__()
        self.files: list[PendingFile] = []

    def add(self, pending: PendingFile) -> int:
        row = len(self.files)
        self.beginInsertRows(QModelIndex(), row, row)
        self.files.append(pending)
        self.endInsertRows()
        return row

    def remove(self, rows: list[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self.files):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.files[row]
                self.endRemoveRows()

    def row_of(self, pending: PendingFile) -> int:
        for row, item in enumerate(self.files):
            if item is pending:
                return row
        return -1

    def changed(self, pending: PendingFile) -> None:
        row = self.row_of(pending)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(FILE_HEADERS) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.files)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FILE_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        shown = horizontal and role == Qt.ItemDataRole.DisplayRole
        if shown and 0 <= section < len(FILE_HEADERS):
            return FILE_HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.files):
            return None
        if not 0 <= index.column() < len(FILE_HEADERS):
            return None
        pending = self.files[index.row()]
        preview = pending.preview
        column = index.column()
        if role == ROW_ROLE:
            return pending
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE, Qt.ItemDataRole.ToolTipRole):
            values: list[Any] = [
                pending.name,
                kind_label(pending.kind) if preview and preview.kind else "",
                (preview.sheet or "") if preview else "",
                (preview.header_row or "") if preview else "",
                pending.status(),
            ]
            if role == Qt.ItemDataRole.ToolTipRole:
                return str(pending.path) if column == 0 else str(values[column]) or None
            value = values[column]
            return value if role == SORT_ROLE else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and column == 4:
            if pending.refusal:
                return QBrush(RED)
            return QBrush(GREEN) if pending.ready else None
        return None


MAPS_TO_ROW = 0


class MappingPreviewModel(QAbstractTableModel):
    """Columns of the file; row 0 is the field each column is read as (editable), the rows
    below are the file's first data rows as text."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: PendingFile | None = None
        self.headers: list[str] = []
        self.rows: list[list[str]] = []

    def set_file(self, pending: PendingFile | None) -> None:
        self.beginResetModel()
        self.pending = pending
        preview = pending.preview if pending else None
        self.headers = list(preview.headers) if preview and preview.kind else []
        self.rows = list(preview.rows) if preview and preview.kind else []
        self.endResetModel()

    def field_of(self, column: int) -> str:
        header = self.headers[column] if 0 <= column < len(self.headers) else ""
        if self.pending is None or not header:
            return ""
        return self.pending.mapping.get(header, "")

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self.headers else 1 + len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers):
            return self.headers[section] or f"(column {section + 1}, no header)"
        if orientation == Qt.Orientation.Vertical and 0 <= section < self.rowCount():
            return "Read as" if section == MAPS_TO_ROW else str(section)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.row() == MAPS_TO_ROW and self.headers[index.column()]:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if not 0 <= index.column() < len(self.headers):
            return None
        column = index.column()
        mapped = self.field_of(column)
        if index.row() == MAPS_TO_ROW:
            if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                return field_label(mapped) if mapped else "(ignored)"
            if role == Qt.ItemDataRole.EditRole:
                return mapped
            return None
        row = self.rows[index.row() - 1]
        value = row[column] if column < len(row) else ""
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE, Qt.ItemDataRole.ToolTipRole):
            return value if role != Qt.ItemDataRole.ToolTipRole or value else None
        if role == Qt.ItemDataRole.ForegroundRole and not mapped:
            return QBrush(GREY)  # an ignored column's values are not read
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or self.pending is None or not index.isValid():
            return False
        if index.row() != MAPS_TO_ROW or not 0 <= index.column() < len(self.headers):
            return False
        header = self.headers[index.column()]
        chosen = str(value or "")
        kind = self.pending.kind
        if not header or (chosen and (kind is None or chosen not in SPECS[Kind(kind)].weights)):
            return False
        # A field is read from one column: the column that had it before is ignored now.
        for other, name in self.pending.mapping.items():
            if chosen and name == chosen and other != header:
                self.pending.mapping[other] = ""
        self.pending.mapping[header] = chosen
        last = len(self.headers) - 1
        self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, last))
        return True


RESULT_HEADERS = ["File", "Kind", "Outcome", "Rows read", "Imported", "Rejected"]
OUTCOMES = {"imported": "Imported", "refused": "Refused", "already_imported": "Already imported"}


class ResultsModel(QAbstractTableModel):
    """One row per file of the last import: its outcome and counts."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[FileResult] = []

    def set_results(self, results: list[FileResult]) -> None:
        self.beginResetModel()
        self.results = list(results)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.results)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RESULT_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if (
            horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(RESULT_HEADERS)
        ):
            return RESULT_HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.results):
            return None
        if not 0 <= index.column() < len(RESULT_HEADERS):
            return None
        result = self.results[index.row()]
        column = index.column()
        if role == ROW_ROLE:
            return result
        values: list[Any] = [
            Path(result.file).name,
            kind_label(result.kind) if result.kind else "",
            OUTCOMES.get(result.status, result.status),
            result.rows_read,
            result.rows_imported,
            result.rows_rejected,
        ]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{values[column]:,}" if isinstance(values[column], int) else values[column]
        if role == SORT_ROLE:
            return values[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            if result.status == "refused":
                return QBrush(RED)
            return QBrush(GREEN) if result.status == "imported" else None
        if role == Qt.ItemDataRole.ToolTipRole and column in (0, 2):
            return result.message or result.file
        return None


REJECTED_HEADERS = ["Row", "UPN", "Reason"]


class RejectedRowsModel(QAbstractTableModel):
    """The rows of one file that were not imported, with the spreadsheet row number."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[RejectedRow] = []

    def set_rows(self, rows: list[RejectedRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(REJECTED_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if (
            horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(REJECTED_HEADERS)
        ):
            return REJECTED_HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if not 0 <= index.column() < len(REJECTED_HEADERS):
            return None
        rejected = self.rows[index.row()]
        values: list[Any] = [rejected.row, rejected.upn or "", rejected.reason]
        column = index.column()
        if role == ROW_ROLE:
            return rejected
        if role == Qt.ItemDataRole.DisplayRole:
            return str(values[column])
        if role == SORT_ROLE:
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return rejected.reason
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


BATCH_HEADERS = [
    "Batch", "File", "Kind", "Census date", "Imported", "By", "Rows read", "Rows imported",
    "Rows rejected", "Status",
]  # fmt: skip


class BatchesModel(QAbstractTableModel):
    """The import history, newest first; undone batches greyed."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[BatchSummary] = []

    def set_batches(self, batches: list[BatchSummary]) -> None:
        self.beginResetModel()
        self.batches = list(batches)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.batches)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(BATCH_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        shown = horizontal and role == Qt.ItemDataRole.DisplayRole
        if shown and 0 <= section < len(BATCH_HEADERS):
            return BATCH_HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.batches):
            return None
        if not 0 <= index.column() < len(BATCH_HEADERS):
            return None
        b = self.batches[index.row()]
        column = index.column()
        if role == ROW_ROLE:
            return b
        undone = b.status == "undone"
        status = (
            f"Undone {b.undone_at:%d/%m/%Y %H:%M}" if undone and b.undone_at else b.status.title()
        )
        values: list[Any] = [
            b.id,
            b.file_name,
            kind_label(b.kind),
            b.census_date,
            b.imported_at,
            b.imported_by or "",
            b.rows_read,
            b.rows_imported,
            b.rows_rejected,
            status,
        ]
        value = values[column]
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, dt.datetime):
                return f"{value:%d/%m/%Y %H:%M}"
            if isinstance(value, dt.date):
                return f"{value:%d/%m/%Y}"
            if value is None:
                return ""
            return f"{value:,}" if isinstance(value, int) and column else str(value)
        if role == SORT_ROLE:
            if value is None:
                return ""
            return value.isoformat() if isinstance(value, dt.date) else value
        if role == Qt.ItemDataRole.TextAlignmentRole and (column == 0 or 6 <= column <= 8):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and undone:
            return QBrush(GREY)
        if role == Qt.ItemDataRole.FontRole and undone and column == 9:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return "\n".join([b.file_name, *b.warnings])
        return None
