"""The retention window (File > Retention..., for the roles that may purge): what is past its
retention period, counted by kind with the cut-off date (counts, never names), and Purge, which
asks first and deletes exactly those records through operations.admin.purge_past_retention."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.display import uk_date
from exclusion_monitor.errors import ExclusionMonitorError
from exclusion_monitor.store import Database
from exclusion_monitor.store.retention import Due, records_past_retention
from operations.admin import purge_past_retention
from ui.app import messages
from ui.app.background import run_in_background

HEADERS = ["Records", "Past retention", "Older than", "What"]
ERROR_STYLE = "color: #b00020;"


class RetentionDialog(QDialog):
    purged = Signal()  # records were deleted: the window's pages should re-read

    def __init__(self, db: Database, account: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.account = db, account
        self.setObjectName("retention_dialog")
        self.setWindowTitle("Retention")
        self.resize(900, 480)
        intro = QLabel(
            "Records kept longer than the authority's retention periods (Settings) are listed "
            "here, counted by kind. Purge deletes exactly these and cannot be undone (Back up now "
            "first), and the audit trail keeps the counts."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("retention_table")
        self.table.setAccessibleName("Records past their retention period")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.status = QLabel()
        self.status.setObjectName("retention_status")
        self.status.setWordWrap(True)
        self.preview_button = QPushButton("&Check again")
        self.purge_button = QPushButton("&Purge these records...")
        self.purge_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.purge_button)
        buttons.addWidget(self.status, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.preview_button.clicked.connect(self.preview)
        self.purge_button.clicked.connect(self.purge)
        self.due: list[Due] | None = None
        self.purged_records: list[Due] | None = None
        self.preview()

    def preview(self) -> None:
        db = self.db
        self.due = None
        self._busy("Counting the records past their retention period...")
        run_in_background(
            lambda _progress: records_past_retention(db),
            self._previewed,
            self._failed,
            owner=self,
            name="retention preview",
        )

    def purge(self) -> None:
        total = sum(d.count for d in self.due or [])
        if not total:
            return
        if not messages.confirm(
            self,
            "Purge records",
            f"Delete the {total} record(s) listed, past their retention period? This cannot "
            "be undone.",
        ):
            return
        db, account = self.db, self.account
        self._busy("Purging...")
        run_in_background(
            lambda _progress: purge_past_retention(db, account).value,
            self._purged,
            self._failed,
            owner=self,
            writes=True,
            name="retention purge",
        )

    def _busy(self, text: str) -> None:
        self.preview_button.setEnabled(False)
        self.purge_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(text)

    def _failed(self, error: BaseException) -> None:
        self.preview_button.setEnabled(True)
        self.status.setStyleSheet(ERROR_STYLE)
        text = str(error) if isinstance(error, ExclusionMonitorError) else type(error).__name__
        self.status.setText(f"Not done: {text}")

    def _fill(self, found: list[Due]) -> None:
        self.table.setRowCount(len(found))
        for row, d in enumerate(found):
            cells = [d.record_type, str(d.count), uk_date(d.cutoff), d.description]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def _previewed(self, found: list[Due]) -> None:
        self.due = found
        self._fill(found)
        total = sum(d.count for d in found)
        self.preview_button.setEnabled(True)
        self.purge_button.setEnabled(total > 0)
        self.status.setText(
            f"{total} record(s) past their retention period."
            if total
            else "Nothing is past its retention period."
        )

    def _purged(self, found: list[Due]) -> None:
        self.purged_records = found
        self._fill(found)
        self.preview_button.setEnabled(True)
        total = sum(d.count for d in found)
        self.status.setText(f"Purged {total} record(s); the audit trail keeps their counts.")
        self.purged.emit()
