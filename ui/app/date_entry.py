"""A date box that takes a date typed the UK way (4/10/25, 04/10/2025, 4.10.2025, 4 Oct 2025, or
ISO 2025-10-04) or from a calendar, and refuses anything else in plain words beside it: it never
turns what was typed into another date, and shows nothing (not 01/01/2000) until it has one."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from ui.dates import EARLIEST, SHOWN, typed_date

ERROR_STYLE = "color: #b00020;"


class DateEntry(QWidget):
    """A typed or picked date. `chosen` is emitted with the new date when a good date is
    entered that differs from the last one; a bad one is refused beside the box and nothing
    is emitted (the figures stay those of the date shown in the message)."""

    chosen = Signal(object)  # dt.date

    def __init__(
        self,
        label: str,
        parent: QWidget | None = None,
        *,
        kept: str = "The figures are still for {date}.",
    ) -> None:
        super().__init__(parent)
        self._date: dt.date | None = None
        self._kept = kept  # said after a refusal, of the date still in force
        self.edit = QLineEdit()
        self.edit.setObjectName("date_text")
        self.edit.setPlaceholderText("dd/mm/yyyy")
        self.edit.setMaxLength(40)
        self.edit.setAccessibleName(label)
        self.edit.setToolTip(
            "Type a date day first (4/10/25, 04/10/2025, 4 Oct 2025) and press Enter, or pick "
            "one from the calendar"
        )
        width = self.edit.fontMetrics().horizontalAdvance("00/00/00000") + 16
        self.edit.setMinimumWidth(width)
        self.edit.setMaximumWidth(width + 40)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.calendar.setMaximumDate(QDate.currentDate())
        self.calendar.setMinimumDate(QDate(EARLIEST.year, EARLIEST.month, EARLIEST.day))
        menu = QMenu(self)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        self.menu = menu
        self.button = QToolButton()
        self.button.setText("\u25be")
        self.button.setAccessibleName(f"{label}: choose from a calendar")
        self.button.setToolTip("Choose the date from a calendar")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setMenu(menu)
        self.error = QLabel()
        self.error.setObjectName("date_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.button)
        layout.addSpacing(6)
        layout.addWidget(self.error)
        self.edit.editingFinished.connect(self._typed)
        self.edit.textEdited.connect(lambda _text: self._clear_error())
        self.calendar.clicked.connect(self._picked)
        self.calendar.activated.connect(self._picked)

    def date(self) -> dt.date | None:
        """The date in force (the last good one), or None before there is one."""
        return self._date

    def set_date(self, day: dt.date | None) -> None:
        """Show a date without emitting `chosen` (None: empty, while there is none yet)."""
        self._date = day
        self.edit.setText(day.strftime(SHOWN) if day else "")
        if day is not None:
            self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self._clear_error()

    def set_placeholder(self, text: str) -> None:
        self.edit.setPlaceholderText(text)

    def set_start(self, day: dt.date | None) -> None:
        """Where the calendar opens while no date is chosen (a suggestion, never a choice)."""
        if day is None or self._date is not None:
            return
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.calendar.setCurrentPage(day.year, day.month)

    @property
    def refused(self) -> str:
        """The message shown for the text refused last ('' when the text is a good date)."""
        return self.error.text() if not self.error.isHidden() else ""

    def _clear_error(self) -> None:
        self.error.clear()
        self.error.hide()
        self.edit.setStyleSheet("")
        self.edit.setAccessibleDescription("")

    def _refuse(self, message: str) -> None:
        kept = " " + self._kept.format(date=f"{self._date:{SHOWN}}") if self._date else ""
        self.error.setText(message + kept)
        self.error.show()
        self.edit.setStyleSheet("QLineEdit { border: 2px solid #b00020; }")
        self.edit.setAccessibleDescription(message)

    def _typed(self) -> None:
        text = self.edit.text()
        if self._date is not None and text.strip() == self._date.strftime(SHOWN):
            self._clear_error()
            return
        try:
            day = typed_date(text)
        except ValueError as refused:
            self._refuse(str(refused))
            return
        self._accept(day)

    def _picked(self, day: QDate) -> None:
        self.menu.close()
        value = day.toPython()
        assert isinstance(value, dt.date)
        self._accept(value)

    def _accept(self, day: dt.date) -> None:
        changed = day != self._date
        self.set_date(day)
        if changed:
            self.chosen.emit(day)
