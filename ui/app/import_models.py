"""Table models of the Imports page: the files waiting to be imported, one file's mapping over a
preview of its first rows, the outcome of each imported file, its rejected rows, and the history
of import batches."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from exclusion_monitor.display import uk_date, uk_time
from exclusion_monitor.store.batches import BatchSummary
from imports import FilePreview, FileResult, RejectedRow
from imports.kinds import SPECS, Kind, field_label, missing_required
from ui.app.record_table_model import (
    ALIGN_RIGHT,
    CELL_ROLES,
    ROW_ROLE,
    ModelIndex,
    RecordTableBase,
    RecordTableModel,
    font_with,
)

IMPORTABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".xml")
KIND_LABELS = {kind.value: SPECS[kind].label for kind in Kind}
CENSUS_DATE_NEEDED = "Census date"
GREY = QColor("#6b6b6b")
RED = QColor("#a01010")
GREEN = QColor("#1d6b2a")


def counted(count: int, word: str, plural: str | None = None) -> str:
    """'1 row', '2,310 rows'."""
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


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
    decided: set[str] = field(default_factory=set)  # headers whose use the user chose

    @property
    def proposals(self) -> dict[str, str]:
        """Column header -> field: doubtful matches still waiting for the user (not used unless
        chosen; gone once the user chose the column's use or gave the field another column)."""
        if self.preview is None:
            return {}
        taken = {f for f in self.mapping.values() if f}
        return {
            h: f
            for h, f in self.preview.proposed.items()
            if h not in self.decided and not self.mapping.get(h) and f not in taken
        }

    def not_used(self) -> list[str]:
        """The columns the import will not read, as things stand."""
        return [h for h, f in self.mapping.items() if not f]

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def kind(self) -> str | None:
        return self.preview.kind if self.preview else None

    def set_preview(self, preview: FilePreview) -> None:
        self.preview = preview
        self.mapping = {h: preview.mapping.get(h, "") for h in preview.headers if h}
        self.decided = set()

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


class PendingFilesModel(RecordTableModel[PendingFile]):
    """One row per added file: detected kind, sheet, header row and whether it is ready."""

    HEADERS = FILE_HEADERS

    @property
    def files(self) -> list[PendingFile]:
        return self.rows

    def add(self, pending: PendingFile) -> int:
        row = len(self.rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.append(pending)
        self.endInsertRows()
        return row

    def remove(self, rows: list[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self.rows):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.rows[row]
                self.endRemoveRows()

    def row_of(self, pending: PendingFile) -> int:
        for row, item in enumerate(self.rows):
            if item is pending:
                return row
        return -1

    def changed(self, pending: PendingFile) -> None:
        row = self.row_of(pending)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(FILE_HEADERS) - 1))

    def sort_value(self, pending: PendingFile, column: int) -> Any:
        preview = pending.preview
        values: list[Any] = [
            pending.name,
            kind_label(pending.kind) if preview and preview.kind else "",
            (preview.sheet or "") if preview else "",
            (preview.header_row or "") if preview else "",
            pending.status(),
        ]
        return values[column]

    def display(self, pending: PendingFile, column: int) -> str:
        return str(self.sort_value(pending, column))

    def tooltip(self, pending: PendingFile, column: int) -> str | None:
        return str(pending.path) if column == 0 else self.display(pending, column) or None

    def foreground(self, pending: PendingFile, column: int) -> QColor | None:
        if column != 4:
            return None
        if pending.refusal:
            return RED
        return GREEN if pending.ready else None


MAPS_TO_ROW = 0


class MappingPreviewModel(RecordTableBase[int]):
    """Columns of the file; row 0 is the field each column is read as (editable), the rows
    below are the file's first data rows as text. A row's record is its number: the rows are
    not records, so ROW_ROLE gives nothing."""

    ROLES = CELL_ROLES - {ROW_ROLE}

    def __init__(self) -> None:
        super().__init__()
        self.pending: PendingFile | None = None
        self.headers: list[str] = []
        self.rows: list[list[str]] = []

    def set_file(self, pending: PendingFile | None) -> None:
        with self.resetting():
            self.pending = pending
            preview = pending.preview if pending else None
            self.headers = list(preview.headers) if preview and preview.kind else []
            self.rows = list(preview.rows) if preview and preview.kind else []
            self.HEADERS = [h or f"(column {i + 1}, no header)" for i, h in enumerate(self.headers)]

    def field_of(self, column: int) -> str:
        header = self.headers[column] if 0 <= column < len(self.headers) else ""
        if self.pending is None or not header:
            return ""
        return self.pending.mapping.get(header, "")

    def record_count(self) -> int:
        return 1 + len(self.rows) if self.headers else 0

    def record_at(self, row: int) -> int | None:
        return row if 0 <= row < self.record_count() else None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role != Qt.ItemDataRole.DisplayRole or not 0 <= section < self.rowCount():
                return None
            return "Read as" if section == MAPS_TO_ROW else str(section)
        return super().headerData(section, orientation, role)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.row() == MAPS_TO_ROW and self.headers[index.column()]:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.EditRole:
            return super().data(index, role)
        valid = index.isValid() and 0 <= index.column() < len(self.headers)
        return self.field_of(index.column()) if valid and index.row() == MAPS_TO_ROW else None

    def _cell(self, row: int, column: int) -> str:
        values = self.rows[row - 1]
        return values[column] if column < len(values) else ""

    def display(self, row: int, column: int) -> str:
        if row == MAPS_TO_ROW:
            mapped = self.field_of(column)
            return field_label(mapped) if mapped else "(ignored)"
        return self._cell(row, column)

    def tooltip(self, row: int, column: int) -> str | None:
        return None if row == MAPS_TO_ROW else self._cell(row, column) or None

    def foreground(self, row: int, column: int) -> QColor | None:
        # An ignored column's values are not read.
        return GREY if row != MAPS_TO_ROW and not self.field_of(column) else None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
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


class ResultsModel(RecordTableModel[FileResult]):
    """One row per file of the last import: its outcome and counts."""

    HEADERS = RESULT_HEADERS

    @property
    def results(self) -> list[FileResult]:
        return self.rows

    def set_results(self, results: list[FileResult]) -> None:
        self.set_rows(results)

    def sort_value(self, result: FileResult, column: int) -> Any:
        values: list[Any] = [
            Path(result.file).name,
            kind_label(result.kind) if result.kind else "",
            OUTCOMES.get(result.status, result.status),
            result.rows_read,
            result.rows_imported,
            result.rows_rejected,
        ]
        return values[column]

    def display(self, result: FileResult, column: int) -> Any:
        value = self.sort_value(result, column)
        return f"{value:,}" if isinstance(value, int) else value

    def alignment(self, result: FileResult, column: int) -> int | None:
        return ALIGN_RIGHT if column >= 3 else None

    def foreground(self, result: FileResult, column: int) -> QColor | None:
        if column != 2:
            return None
        if result.status == "refused":
            return RED
        return GREEN if result.status == "imported" else None

    def tooltip(self, result: FileResult, column: int) -> str | None:
        return result.message or result.file if column in (0, 2) else None


REJECTED_HEADERS = ["Row", "UPN", "Reason"]


class RejectedRowsModel(RecordTableModel[RejectedRow]):
    """The rows of one file that were not imported, with the spreadsheet row number."""

    HEADERS = REJECTED_HEADERS

    def sort_value(self, rejected: RejectedRow, column: int) -> Any:
        values: list[Any] = [rejected.row, rejected.upn or "", rejected.reason]
        return values[column]

    def display(self, rejected: RejectedRow, column: int) -> str:
        return str(self.sort_value(rejected, column))

    def tooltip(self, rejected: RejectedRow, column: int) -> str | None:
        return rejected.reason if column == 2 else None

    def alignment(self, rejected: RejectedRow, column: int) -> int | None:
        return ALIGN_RIGHT if column == 0 else None


BATCH_HEADERS = [
    "Batch", "File", "Kind", "Census date", "Imported", "By", "Rows read", "Rows imported",
    "Rows rejected", "Status",
]  # fmt: skip


class BatchesModel(RecordTableModel[BatchSummary]):
    """The import history, newest first; undone batches greyed."""

    HEADERS = BATCH_HEADERS

    @property
    def batches(self) -> list[BatchSummary]:
        return self.rows

    def set_batches(self, batches: list[BatchSummary]) -> None:
        self.set_rows(batches)

    @staticmethod
    def _value(b: BatchSummary, column: int) -> Any:
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
        return values[column]

    def display(self, b: BatchSummary, column: int) -> str:
        value = self._value(b, column)
        if isinstance(value, dt.datetime):
            return uk_time(value)
        if isinstance(value, dt.date):
            return uk_date(value)
        if value is None:
            return ""
        return f"{value:,}" if isinstance(value, int) and column else str(value)

    def sort_value(self, b: BatchSummary, column: int) -> Any:
        value = self._value(b, column)
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, dt.date) else value

    def alignment(self, b: BatchSummary, column: int) -> int | None:
        return ALIGN_RIGHT if column == 0 or 6 <= column <= 8 else None

    def foreground(self, b: BatchSummary, column: int) -> QColor | None:
        return GREY if b.status == "undone" else None

    def font(self, b: BatchSummary, column: int) -> QFont | None:
        return font_with(italic=True) if b.status == "undone" and column == 9 else None

    def tooltip(self, b: BatchSummary, column: int) -> str | None:
        return "\n".join([b.file_name, *b.warnings]) if column == 1 else None
