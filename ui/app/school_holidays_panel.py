"""Settings > Term dates: the school holidays of each academic year, which decide the school days a
suspension's sessions fall on. A year shows the usual pattern until an admin sets its dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.display import uk_date
from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.school_days import Holiday, default_holidays
from exclusion_monitor.store.calendar import (
    HOLIDAYS_SETTING,
    holidays_from_setting,
    holidays_setting,
)
from exclusion_monitor.terms import academic_year, academic_year_label

SETTING_KEY = HOLIDAYS_SETTING.removeprefix("rules.")
EXPLANATION = (
    "A suspension's sessions are counted in the term of the school day each falls on: school "
    "days are weekdays outside these holidays. Until you set a year's own dates it uses the "
    "usual English pattern; changing them recomputes the flags when you save. Type dates as "
    "dd/mm/yyyy."
)


def _text(day: dt.date) -> str:
    return uk_date(day)


def _day(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None


class SchoolHolidaysPanel(QWidget):
    """One academic year's holidays at a time; an admin may edit them (read-only otherwise)."""

    COLUMNS = ("Holiday", "First day", "Last day")

    def __init__(
        self,
        around: dt.date | None = None,
        *,
        editable: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.editable = editable
        self._set: dict[int, list[Holiday]] = {}
        self._filling = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        note = QLabel(EXPLANATION)
        note.setWordWrap(True)
        layout.addWidget(note)
        top = QHBoxLayout()
        top.addWidget(QLabel("School holidays of"))
        self.year_box = QComboBox()
        self._offer_years(academic_year(around or dt.date.today()))
        top.addWidget(self.year_box)
        self.source = QLabel()
        top.addWidget(self.source, 1)
        layout.addLayout(top)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        if not editable:
            self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add a holiday")
        self.remove_button = QPushButton("Remove")
        self.usual_button = QPushButton("Use the usual pattern")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b71c1c;")
        buttons.addWidget(self.problem, 1)
        for button in (self.add_button, self.remove_button, self.usual_button):
            button.setVisible(editable)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.year_box.currentIndexChanged.connect(lambda _i: self._fill())
        self.table.itemChanged.connect(self._edited)
        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.usual_button.clicked.connect(self._use_usual)
        self._fill()

    def _offer_years(self, year: int) -> None:
        """Offer the three years before `year` to the one after it, and this academic year too when
        the data is older; `year` chosen."""
        today = academic_year(dt.date.today())
        years = range(min(year, today) - 3, max(year, today) + 2)
        self.year_box.blockSignals(True)
        self.year_box.clear()
        for each in years:
            self.year_box.addItem(academic_year_label(each), each)
        self.year_box.setCurrentIndex(self.year_box.findData(year))
        self.year_box.blockSignals(False)

    def show_years_around(self, day: dt.date) -> None:
        """Centre the year choice on the data's latest date (called as the stored holidays load)."""
        self._offer_years(academic_year(day))
        self._fill()

    @property
    def year(self) -> int:
        return int(self.year_box.currentData())

    def load(self, stored: dict[str, Any]) -> None:
        """Show the stored holidays (the rules' settings, keyed without their prefix)."""
        self._set = {}
        try:
            holidays = holidays_from_setting(stored.get(SETTING_KEY))
        except InvalidInputError as exc:
            self.problem.setText(f"The stored holidays could not be read ({exc}); usual pattern.")
            holidays = []
        for holiday in holidays:
            self._set.setdefault(academic_year(holiday.first), []).append(holiday)
        self._fill()

    def holidays(self, year: int) -> list[Holiday]:
        return list(self._set.get(year) or default_holidays(year))

    def is_set(self, year: int) -> bool:
        return year in self._set

    def wanted(self) -> dict[str, Any]:
        """The setting to save (None: no year set, the usual pattern everywhere). Raises
        InvalidInputError when a row on screen is not a holiday."""
        self._read_table()
        everything = [h for year in sorted(self._set) for h in self._set[year]]
        return {HOLIDAYS_SETTING: holidays_setting(everything) if everything else None}

    # --- the table -----------------------------------------------------------------------------

    def _fill(self) -> None:
        self._filling = True
        try:
            rows = self.holidays(self.year)
            self.table.setRowCount(len(rows))
            for r, holiday in enumerate(rows):
                for c, value in enumerate(
                    (holiday.label, _text(holiday.first), _text(holiday.last))
                ):
                    self.table.setItem(r, c, QTableWidgetItem(value))
            self.table.resizeColumnsToContents()
        finally:
            self._filling = False
        self._show_source()

    def _show_source(self) -> None:
        if self.is_set(self.year):
            self.source.setText("Dates set by the authority.")
        else:
            self.source.setText("The usual pattern (no dates set for this year).")
        self.usual_button.setEnabled(self.is_set(self.year))

    def _rows(self) -> list[tuple[str, str, str]]:
        def cell(r: int, c: int) -> str:
            item = self.table.item(r, c)
            return item.text().strip() if item is not None else ""

        return [(cell(r, 0), cell(r, 1), cell(r, 2)) for r in range(self.table.rowCount())]

    def _read_table(self) -> None:
        """Take the year's rows from the table (a year once edited is set by the authority)."""
        if not self.is_set(self.year):
            return
        found = []
        for i, (label, first, last) in enumerate(self._rows(), start=1):
            start, end = _day(first), _day(last)
            if start is None or end is None:
                raise InvalidInputError(
                    f"Holiday {i} of {academic_year_label(self.year)} needs a first and a last "
                    "day as dd/mm/yyyy."
                )
            if end < start:
                raise InvalidInputError(
                    f"Holiday {i} of {academic_year_label(self.year)} ({label}) ends before it "
                    "begins."
                )
            found.append(Holiday(start, end, label or "Holiday"))
        self._set[self.year] = sorted(found)

    def _edited(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        self._set.setdefault(self.year, self.holidays(self.year))
        try:
            self._read_table()
            self.problem.setText("")
            item.setForeground(QColor("black"))
        except InvalidInputError as exc:
            self.problem.setText(str(exc))
            item.setForeground(QColor("#b71c1c"))
        self._show_source()

    def _add(self) -> None:
        self._set.setdefault(self.year, self.holidays(self.year))
        row = self.table.rowCount()
        self.table.insertRow(row)
        self._filling = True
        for c, value in enumerate(("Closure", "", "")):
            self.table.setItem(row, c, QTableWidgetItem(value))
        self._filling = False
        first = self.table.item(row, 1)
        if first is not None:
            self.table.editItem(first)
        self._show_source()

    def _remove(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True)
        if not rows:
            return
        self._set.setdefault(self.year, self.holidays(self.year))
        for row in rows:
            self.table.removeRow(row)
        try:
            self._read_table()
            self.problem.setText("")
        except InvalidInputError as exc:
            self.problem.setText(str(exc))
        self._show_source()

    def _use_usual(self) -> None:
        self._set.pop(self.year, None)
        self.problem.setText("")
        self._fill()

    def select_year(self, year: int) -> None:
        index = self.year_box.findData(year, Qt.ItemDataRole.UserRole)
        if index >= 0:
            self.year_box.setCurrentIndex(index)
