"""The DfE terms every flag rule counts in, shown for the years around the data's latest date, and
the school holidays that decide which days are school days (an admin may set them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from exclusion_monitor.terms import Season, Term, academic_year, academic_year_label
from ui.app.record_table_model import RecordTableModel
from ui.app.school_holidays_panel import SchoolHolidaysPanel
from ui.app.table_views import record_table_view

EXPLANATION = (
    "Flags count exclusions by the terms of the DfE's exclusion statistics: autumn from 1 August "
    "to 31 December, spring from 1 January to Easter Sunday, summer from Easter Monday to 31 "
    "July. Schools' own term dates differ a little; these fixed terms make figures comparable "
    "across schools and years, and 'the last 3 terms' in a rule means the term containing the "
    "as-of date and the two before it."
)


class TermDatesModel(RecordTableModel[Term]):
    HEADERS = ("Academic year", "Term", "Starts", "Ends")

    def display(self, record: Term, column: int) -> Any:
        if column == 0:
            return academic_year_label(record.year)
        if column == 1:
            return record.season.label
        day = record.start if column == 2 else record.end
        return f"{day:%A %d %B %Y}"

    def sort_value(self, record: Term, column: int) -> Any:
        return record.index


class TermDatesPanel(QWidget):
    """Read-only: the terms of the academic years before and after the one containing `around`."""

    def __init__(
        self,
        around: dt.date | None = None,
        parent: QWidget | None = None,
        *,
        editable: bool = False,
    ) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        terms = QWidget()
        terms_layout = QVBoxLayout(terms)
        terms_layout.setContentsMargins(0, 0, 0, 0)
        note = QLabel(EXPLANATION)
        note.setWordWrap(True)
        terms_layout.addWidget(note)
        self.model = TermDatesModel()
        self.view = record_table_view(self.model, "term_dates")
        terms_layout.addWidget(self.view, 1)
        self.holidays = SchoolHolidaysPanel(around, editable=editable)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(terms)
        splitter.addWidget(self.holidays)
        layout.addWidget(splitter, 1)
        self.show_years_around(around or dt.date.today())

    def load(self, stored_rules: dict[str, Any]) -> None:
        """Show the stored school holidays (the rules' settings, keyed without 'rules.')."""
        self.holidays.load(stored_rules)

    def wanted(self) -> dict[str, Any]:
        return self.holidays.wanted()

    def show_years_around(self, day: dt.date) -> None:
        """The terms of the two years before the one containing `day` and the year after it, and
        the school holidays' year choice centred on it."""
        self.holidays.show_years_around(day)
        year = academic_year(day)
        self.model.set_rows(Term(y, season) for y in range(year - 2, year + 2) for season in Season)
        self.view.resizeColumnsToContents()
