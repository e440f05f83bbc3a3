"""What to print from the Flags page: the flag list one line per child or with every reason,
a school's report, or the dashboard; landscape or portrait, names or initials; then the print
preview (where the page can still be turned)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ui.app.report_output import PRINTS, PrintChoice

# Each print's usual orientation: lists and the dashboard are wide, a school report is not.
LANDSCAPE = {"summary": True, "detailed": True, "school": False, "dashboard": True}
LABELS = {
    "summary": "Flag list, one line per child (for a panel)",
    "detailed": "Flag list with every reason (detailed)",
    "school": "School report for:",
    "dashboard": "The dashboard (figures and charts, small counts hidden)",
}


class PrintDialog(QDialog):
    """Choose a printout; `choice()` says what was chosen."""

    def __init__(
        self,
        schools: Sequence[tuple[str, str]],
        filter_description: str,
        *,
        family: bool = False,
        initials: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Print")
        self.buttons_group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        what = QGroupBox("What to print")
        grid = QGridLayout(what)
        for row, key in enumerate(PRINTS):
            radio = QRadioButton(LABELS[key])
            radio.setObjectName(f"print_{key}")
            self.radios[key] = radio
            self.buttons_group.addButton(radio)
            grid.addWidget(radio, row, 0)
        self.school_combo = QComboBox()
        self.school_combo.setObjectName("print_school")
        self.school_combo.setAccessibleName("School for the school report")
        for laestab, name in schools:
            self.school_combo.addItem(f"{name} ({laestab})", laestab)
        grid.addWidget(self.school_combo, PRINTS.index("school"), 1)
        self.filters_note = QLabel(
            f"The flag lists print the children the page shows: {filter_description}."
        )
        self.filters_note.setWordWrap(True)
        grid.addWidget(self.filters_note, len(PRINTS), 0, 1, 2)
        options = QGroupBox("How")
        column = QVBoxLayout(options)
        self.landscape = QCheckBox("Landscape pages")
        self.initials = QCheckBox("Initials instead of children's names")
        self.initials.setChecked(initials)
        self.family = QCheckBox("Whole families together (brothers and sisters too)")
        self.family.setChecked(family)
        for box in (self.landscape, self.initials, self.family):
            column.addWidget(box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Preview...")
        ok.setObjectName("print_preview_button")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(options)
        layout.addWidget(buttons)
        if not schools:
            self.radios["school"].setEnabled(False)
            self.radios["school"].setToolTip("No school is in the list")
        self.buttons_group.buttonToggled.connect(lambda *_args: self._chosen())
        self.radios["summary"].setChecked(True)

    def chosen_print(self) -> str:
        return next(key for key, radio in self.radios.items() if radio.isChecked())

    def _chosen(self) -> None:
        key = self.chosen_print()
        self.landscape.setChecked(LANDSCAPE[key])
        self.school_combo.setEnabled(key == "school")
        self.initials.setEnabled(key != "dashboard")
        self.family.setEnabled(key in ("summary", "detailed"))
        self.filters_note.setEnabled(key in ("summary", "detailed"))

    def choice(self) -> PrintChoice:
        key = self.chosen_print()
        return PrintChoice(
            key,
            landscape=self.landscape.isChecked(),
            initials=self.initials.isChecked() and key != "dashboard",
            group_by="family" if self.family.isChecked() and key != "school" else "school",
            school=self.school_combo.currentData() if key == "school" else None,
        )
