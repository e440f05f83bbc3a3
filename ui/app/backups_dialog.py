"""The backups window (File > Backups..., for the roles that may back up): this database's
backups, newest first, with when, why and how big; Back up now; and, for an admin, Restore the
chosen backup, which asks first and then reopens the window on the restored database (the file
it replaces is kept as a backup). A team database's backups are its server's: not offered."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
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

from exclusion_monitor.display import uk_time
from exclusion_monitor.store import Database
from exclusion_monitor.store.backup import BackupInfo, list_backups
from exclusion_monitor.store.database import database_path
from ui.app.background import run_in_background

HEADERS = ["Taken", "Why", "Size", "File"]
REASONS = {
    "manual": "backed up by hand",
    "import": "before an import",
    "undo": "before an undo",
    "before-restore": "the database a restore replaced",
    "before-restore-damaged": "the damaged database a restore replaced",
}


def reason_words(reason: str) -> str:
    if reason.startswith("before-schema-"):
        return f"before the upgrade to schema {reason.rsplit('-', 1)[-1]}"
    return REASONS.get(reason, reason.replace("-", " "))


class BackupsDialog(QDialog):
    # Restore this backup (the window confirms, closes the database, restores and reopens).
    restore_requested = Signal(object)  # Path
    back_up_requested = Signal()

    def __init__(self, db: Database, *, may_restore: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.may_restore = may_restore
        self.backups: list[BackupInfo] = []
        self.setObjectName("backups_dialog")
        self.setWindowTitle("Backups")
        self.resize(760, 420)
        self.note = QLabel("Reading the backups...")
        self.note.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("backups_table")
        self.table.setAccessibleName("Backups of this database")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.back_up_button = QPushButton("&Back up now")
        self.restore_button = QPushButton("&Restore this backup...")
        self.restore_button.setObjectName("restore_button")
        self.restore_button.setEnabled(False)
        self.restore_button.setVisible(may_restore)
        self.role_note = QLabel("" if may_restore else "Only an admin restores a backup.")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.role_note, 1)
        row.addWidget(self.back_up_button)
        row.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.table.itemSelectionChanged.connect(self._update)
        self.back_up_button.clicked.connect(self.back_up_requested)
        self.restore_button.clicked.connect(self._restore)
        self.refresh()

    def refresh(self) -> None:
        location = self.db.location

        def read(_progress: object) -> list[BackupInfo]:
            return list_backups(database_path(location))

        run_in_background(read, self._loaded, self._failed, owner=self, name="backups list")

    def _failed(self, error: BaseException) -> None:
        self.note.setText(f"The backups could not be listed: {error}")

    def _loaded(self, found: list[BackupInfo]) -> None:
        self.backups = found
        self.table.setRowCount(len(found))
        for r, backup in enumerate(found):
            cells = [
                uk_time(backup.taken_at),
                reason_words(backup.reason),
                f"{backup.size_bytes / 1_048_576:,.1f} MB",
                backup.path.name,
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(backup.path) if c == 3 else text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        where = found[0].path.parent if found else None
        self.note.setText(
            f"{len(found)} backup{'s' if len(found) != 1 else ''} of this database, newest "
            f"first, in {where}."
            if found
            else "No backup of this database yet."
        )
        self._update()

    def chosen(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def _update(self) -> None:
        self.restore_button.setEnabled(self.may_restore and self.chosen() is not None)

    def _restore(self) -> None:
        backup = self.chosen()
        if backup is not None and self.may_restore:
            self.restore_requested.emit(Path(backup.path))
