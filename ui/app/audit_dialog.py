"""The audit trail window (File > Audit trail, for the roles that may read it): the rows picked by
user, action, date range and child, and Verify, the chain check the `audit --verify` command
makes. Both go through operations.audit_trail, so reading the trail is itself audited."""

from __future__ import annotations

import datetime as dt
import json

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.errors import ExclusionMonitorError
from exclusion_monitor.roles import Action
from exclusion_monitor.store import Database
from operations.audit_trail import AuditCheck, AuditFilter, AuditListing, check_audit, list_audit
from ui.app.background import run_in_background
from ui.app.date_entry import DateEntry

HEADERS = ["Id", "When", "User", "Action", "Target", "Detail"]
ANY_ACTION = "Any action"
ERROR_STYLE = "color: #b00020;"


class AuditTrailDialog(QDialog):
    def __init__(self, db: Database, account: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db, self.account = db, account
        self.setObjectName("audit_trail_dialog")
        self.setWindowTitle("Audit trail")
        self.resize(1100, 640)
        self.user_box = QLineEdit()
        self.user_box.setAccessibleName("User account")
        self.user_box.setPlaceholderText("any user (e.g. LA\\jsmith)")
        self.action_box = QComboBox()
        self.action_box.setAccessibleName("Action")
        self.action_box.addItem(ANY_ACTION)
        self.action_box.addItems(sorted({a.value for a in Action} | {"backup", "restore"}))
        self.since_box = DateEntry("From", kept="The filter still starts on {date}.")
        self.until_box = DateEntry("To", kept="The filter still ends on {date}.")
        self.upn_box = QLineEdit()
        self.upn_box.setAccessibleName("Child's UPN")
        self.upn_box.setPlaceholderText("any child")
        self.upn_box.setMaxLength(20)
        form = QFormLayout()
        form.addRow("&User:", self.user_box)
        form.addRow("&Action:", self.action_box)
        dates = QHBoxLayout()
        dates.addWidget(self.since_box)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.until_box)
        dates.addStretch(1)
        form.addRow("Dates (from, to):", dates)
        form.addRow("&Child's UPN:", self.upn_box)
        self.show_button = QPushButton("&Show")
        self.show_button.setDefault(True)
        self.verify_button = QPushButton("&Verify the chain")
        self.verify_button.setToolTip(
            "Check that no row of the audit trail was edited, inserted or deleted, and that "
            "every user's role is the one the trail gives them"
        )
        self.status = QLabel()
        self.status.setObjectName("audit_status")
        self.status.setWordWrap(True)
        self.verdict = QLabel()
        self.verdict.setObjectName("audit_verdict")
        self.verdict.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.verify_button)
        buttons.addWidget(self.status, 1)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setObjectName("audit_table")
        self.table.setAccessibleName("Audit trail rows")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.verdict)
        layout.addWidget(self.table, 1)
        layout.addWidget(close)
        self.show_button.clicked.connect(self.show_rows)
        self.verify_button.clicked.connect(self.verify)
        self.listing: AuditListing | None = None
        self.check: AuditCheck | None = None

    def wanted(self) -> AuditFilter | None:
        """The filter on screen; None (with the reason shown) when a date box refuses its text."""
        for box in (self.since_box, self.until_box):
            if box.refused:
                self._fail(box.refused)
                return None

        def day(box: DateEntry) -> dt.date | None:
            return box.date() if box.edit.text().strip() else None

        action = self.action_box.currentText()
        since, until = day(self.since_box), day(self.until_box)
        if since and until and until < since:
            self._fail("The end date is before the start date.")
            return None
        return AuditFilter(
            None if action == ANY_ACTION else action,
            self.user_box.text().strip() or None,
            since,
            until,
            self.upn_box.text().strip() or None,
        )

    def show_rows(self) -> None:
        wanted = self.wanted()
        if wanted is None:
            return
        db, account = self.db, self.account
        self._busy("Reading the audit trail...")
        run_in_background(
            lambda _progress: list_audit(db, account, wanted).value,
            self._shown,
            self._failed,
            owner=self,
            writes=True,
            name="audit trail",
        )

    def verify(self) -> None:
        db, account = self.db, self.account
        self._busy("Checking the chain...")
        run_in_background(
            lambda _progress: check_audit(db, account).value,
            self._verified,
            self._failed,
            owner=self,
            writes=True,
            name="audit verify",
        )

    def _busy(self, text: str) -> None:
        self.show_button.setEnabled(False)
        self.verify_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(text)

    def _idle(self) -> None:
        self.show_button.setEnabled(True)
        self.verify_button.setEnabled(True)

    def _fail(self, text: str) -> None:
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(text)

    def _failed(self, error: BaseException) -> None:
        self._idle()
        self._fail(str(error) if isinstance(error, ExclusionMonitorError) else type(error).__name__)

    def _shown(self, listing: AuditListing) -> None:
        self._idle()
        self.listing = listing
        entries = listing.entries
        self.table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            detail = json.dumps(e.detail, ensure_ascii=False) if e.detail is not None else ""
            cells = [str(e.id), e.at.strftime("%d/%m/%Y %H:%M:%S"), e.account, e.action]
            for column, text in enumerate([*cells, e.target or "", detail]):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.status.setText(f"{len(entries)} row(s). Chain head: {listing.head.label}")

    def _verified(self, check: AuditCheck) -> None:
        self._idle()
        self.check = check
        self.status.setText("")
        if check.ok:
            self.verdict.setStyleSheet("color: #1b5e20;")
            self.verdict.setText(
                f"The audit trail is intact: {check.rows_checked} rows checked, and every "
                f"user's role is the one the trail gives them. Chain head: {check.head.label}"
            )
            return
        self.verdict.setStyleSheet(ERROR_STYLE)
        what = (
            "The audit trail has been tampered with"
            if not check.chain_intact
            else "The users table has been changed outside the app"
        )
        self.verdict.setText(f"{what}: " + "; ".join(check.problems))
