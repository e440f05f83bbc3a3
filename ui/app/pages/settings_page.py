"""The Settings page: flag rule thresholds (defaults shown, minimums enforced, each rule on or
off), the authority's name for printouts, where the database is, and (admins) the users."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.families import FAMILY_PARAMS, FAMILY_SETTINGS
from exclusion_monitor.flagging import default_as_of
from exclusion_monitor.reports.context import AUTHORITY_SETTING
from exclusion_monitor.roles import Action
from exclusion_monitor.rules import RULES
from exclusion_monitor.store.settings import get_settings
from operations.admin import SettingsSaved, change_settings
from ui.app import messages
from ui.app.background import ProgressBar, run_in_background
from ui.app.pages.base import AppContext, Page
from ui.app.term_dates_panel import TermDatesPanel
from ui.app.users_panel import UsersPanel

log = logging.getLogger(__name__)

MAX_THRESHOLD = 10_000


class RuleEditor(QFrame):
    """One rule: on/off, and a spin box per threshold with its default beside it. The family
    thresholds (communal addresses) use the same editor, without the on/off."""

    def __init__(self, rule_id: str) -> None:
        super().__init__()
        self.rule_id = rule_id
        self.can_disable = rule_id in RULES
        if self.can_disable:
            rule = RULES[rule_id]
            title, text, self.params = rule.label, rule.description, rule.params
        else:
            title, self.params = "Families at shared addresses", FAMILY_PARAMS
            text = (
                "An address shared by children of more surnames, or by more children, than "
                "these links nobody on the address alone: an officer is offered a suggestion."
            )
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.enabled = QCheckBox(title)
        font = self.enabled.font()
        font.setBold(True)
        self.enabled.setFont(font)
        heading: QWidget = self.enabled
        if self.can_disable:
            self.enabled.setToolTip(
                f"Raise the {rule_id} flag (rule version {RULES[rule_id].version})"
            )
        else:
            heading = QLabel(title)
            heading.setFont(font)
        description = QLabel(text)
        description.setWordWrap(True)
        description.setStyleSheet("color: #444444;")
        layout = QGridLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(heading, 0, 0, 1, 3)
        layout.addWidget(description, 1, 0, 1, 3)
        self.spins: dict[str, QSpinBox] = {}
        for row, param in enumerate(self.params, start=2):
            spin = QSpinBox()
            spin.setRange(param.minimum, MAX_THRESHOLD)
            spin.setValue(param.default)
            spin.setToolTip(f"Lowest allowed: {param.minimum}")
            spin.setFixedWidth(100)
            label = QLabel(param.label)
            label.setBuddy(spin)
            layout.addWidget(label, row, 0)
            layout.addWidget(spin, row, 1)
            default = QLabel(f"default {param.default}")
            default.setMinimumWidth(default.fontMetrics().horizontalAdvance("default 00000"))
            layout.addWidget(default, row, 2)
            self.spins[param.name] = spin
        layout.setColumnStretch(0, 1)
        self.enabled.toggled.connect(self._enable_spins)
        self.enabled.setChecked(True)

    def _enable_spins(self, on: bool) -> None:
        for spin in self.spins.values():
            spin.setEnabled((on or not self.can_disable) and self.isEnabled())

    def load(self, stored: Mapping[str, Any]) -> None:
        self.enabled.setChecked(stored.get(f"{self.rule_id}.enabled", True) is not False)
        for param in self.params:
            value = stored.get(f"{self.rule_id}.{param.name}", param.default)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            self.spins[param.name].setValue(int(value) if ok else param.default)
        self._enable_spins(self.enabled.isChecked())

    def restore_defaults(self) -> None:
        self.enabled.setChecked(True)
        for param in self.params:
            self.spins[param.name].setValue(param.default)

    def wanted(self) -> dict[str, Any]:
        """Settings keys and values (None: the default, so the key is forgotten)."""
        keys: dict[str, Any] = {}
        if self.can_disable:
            keys[f"rules.{self.rule_id}.enabled"] = None if self.enabled.isChecked() else False
        for param in self.params:
            value = self.spins[param.name].value()
            keys[f"rules.{self.rule_id}.{param.name}"] = None if value == param.default else value
        return keys


class SettingsPage(Page):
    TITLE = "Settings"
    LOADS_WHEN_FIRST_SHOWN = True
    loaded = Signal()
    saved = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.can_change = context.allows(Action.CHANGE_SETTINGS)
        self.tabs = QTabWidget()
        self.layout_.addWidget(self.tabs, 1)

        # Rules tab.
        self.editors = {rule_id: RuleEditor(rule_id) for rule_id in [*RULES, FAMILY_SETTINGS]}
        host = QWidget()
        rules_layout = QVBoxLayout(host)
        intro = QLabel(
            "Flags support an officer's judgement; these thresholds decide when one is raised. "
            "Saving recomputes every child's flags (reviews and notes are kept)."
        )
        intro.setWordWrap(True)
        rules_layout.addWidget(intro)
        for editor in self.editors.values():
            editor.setEnabled(self.can_change)
            rules_layout.addWidget(editor)
        rules_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(host)
        self.tabs.addTab(scroll, "Flag rules")

        # General tab.
        general = QWidget()
        form = QFormLayout(general)
        self.authority_edit = QLineEdit()
        self.authority_edit.setPlaceholderText("e.g. Example Borough Council")
        self.authority_edit.setEnabled(self.can_change)
        self.authority_edit.setToolTip("Printed at the top of every report")
        form.addRow("Local authority name:", self.authority_edit)
        self.database_label = QLabel(self.db.location)
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.database_label.setWordWrap(True)
        form.addRow("Database:", self.database_label)
        how = QLabel(
            "To use another database, choose File > Open database..., start the app with "
            "<code>--db PATH</code> (or <code>--db postgresql://...</code> for a shared "
            "database), or set the <code>EXCLUSION_MONITOR_DB</code> environment variable."
        )
        how.setWordWrap(True)
        form.addRow("", how)
        self.tabs.addTab(general, "Authority and database")
        self.term_dates = TermDatesPanel(editable=self.can_change)
        self.tabs.addTab(self.term_dates, "Term dates")

        self.users_panel: UsersPanel | None = None
        if context.allows(Action.MANAGE_USERS):
            self.users_panel = UsersPanel(self.db, context.account)
            self.tabs.addTab(self.users_panel, "Users and roles")

        # Buttons.
        self.restore_button = QPushButton("Restore defaults")
        self.restore_button.setToolTip("Put every rule back to its default (then Save)")
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.progress = ProgressBar()
        self.progress.setMaximumWidth(220)
        self.status = QLabel()
        if not self.can_change:
            self.status.setText("Only an admin can change settings; you can read them here.")
        self.restore_button.setVisible(self.can_change)
        self.save_button.setVisible(self.can_change)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.progress)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.save_button)
        self.layout_.addLayout(buttons)
        self.restore_button.clicked.connect(self.restore_defaults)
        self.save_button.clicked.connect(self.save)

    # --- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        db = self.db
        run_in_background(
            lambda _p: (
                get_settings(db, "rules."),
                get_settings(db, "authority."),
                default_as_of(db),
            ),
            self._show,
            lambda error: messages.show_error(self, "Settings", str(error)),
            owner=self,
            name="settings",
        )
        if self.users_panel is not None:
            self.users_panel.refresh()

    def _show(self, found: tuple[dict[str, Any], dict[str, Any], dt.date | None]) -> None:
        rules, authority, latest = found
        for editor in self.editors.values():
            editor.load(rules)
        self.term_dates.load(rules)
        self.term_dates.show_years_around(latest or dt.date.today())
        name = authority.get(AUTHORITY_SETTING.removeprefix("authority."))
        self.authority_edit.setText(name if isinstance(name, str) else "")
        self.loaded.emit()

    # --- changing ------------------------------------------------------------------------------

    def restore_defaults(self) -> None:
        for editor in self.editors.values():
            editor.restore_defaults()
        self.status.setText("Defaults restored on screen; Save to use them.")

    def wanted(self) -> dict[str, Any]:
        keys: dict[str, Any] = {}
        for editor in self.editors.values():
            keys.update(editor.wanted())
        keys[AUTHORITY_SETTING] = self.authority_edit.text().strip() or None
        keys.update(self.term_dates.wanted())
        return keys

    def save(self) -> None:
        try:
            changes = self.wanted()
        except InvalidInputError as exc:
            self.status.setText("Not saved.")
            messages.show_error(self, "Settings", str(exc))
            return
        db, account = self.db, self.context.account
        self.save_button.setEnabled(False)
        self.restore_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText("Saving and recomputing flags...")
        run_in_background(
            lambda progress: change_settings(db, account, changes, progress).value,
            self._saved,
            self._save_failed,
            self.progress.show_progress,
            on_cancelled=self._finish,
            owner=self,
            writes=True,
            name="save settings",
        )

    def _finish(self) -> None:
        self.progress.hide()
        self.save_button.setEnabled(True)
        self.restore_button.setEnabled(True)

    def _saved(self, result: SettingsSaved) -> None:
        self._finish()
        if not result.changed:
            self.status.setText("Nothing had changed.")
        elif result.summary is None:
            self.status.setText(f"Saved {len(result.changed)} change(s).")
        else:
            s = result.summary
            self.status.setText(
                f"Saved {len(result.changed)} change(s). Flags recomputed: {s.raised} raised, "
                f"{s.cleared} cleared, {s.flags_held} held."
            )
        self.saved.emit()
        if result.changed:
            self.context.signals.data_changed.emit()

    def _save_failed(self, error: BaseException) -> None:
        self._finish()
        self.status.setText("Not saved.")
        messages.show_error(self, "Settings", str(error))
