"""The review queue's table: one row per flagged child (in memory: the queue is thousands of
rows at most), a proxy that filters by rule, school, status, officer and family and can group
whole-family cases together, and a delegate that draws the rules as chips."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import (
    QRectF,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from exclusion_monitor.codelists import nc_year_order, year_group_label
from exclusion_monitor.display import RULE_SHORT, rule_colour
from exclusion_monitor.display import review_status_word as status_word
from exclusion_monitor.flagging import FlagFilter, FlaggedChild, FlagView
from exclusion_monitor.rules import RULES
from ui.app.record_table_model import ROW_ROLE as ROW_ROLE
from ui.app.record_table_model import SORT_ROLE, ModelIndex, RecordTableModel

COL_UPN, COL_NAME, COL_SCHOOL, COL_RULES, COL_STATUS, COL_OFFICER, COL_FAMILY = range(7)
HEADERS = ("UPN", "Name", "Year / school", "Flags", "Status", "Officer", "Family")
CHIPS_ROLE = Qt.ItemDataRole.UserRole + 3
UNASSIGNED = ""  # the officer filter value for flags nobody has been given


class FlagQueueModel(RecordTableModel[FlaggedChild]):
    HEADERS = HEADERS

    def __init__(self) -> None:
        super().__init__()
        self.year_groups: dict[int, str] = {}
        self.flagged_in_family: dict[int, int] = {}
        self.officer_names: dict[str, str] = {}  # account -> display name

    def set_rows(
        self,
        rows: Iterable[FlaggedChild],
        year_groups: dict[int, str] | None = None,
        officer_names: dict[str, str] | None = None,
    ) -> None:
        with self.resetting():
            self.rows = list(rows)
            self.year_groups = year_groups or {}
            self.officer_names = officer_names or {}
            self.flagged_in_family = {}
            for row in self.rows:
                if row.family_id is not None:
                    self.flagged_in_family[row.family_id] = (
                        self.flagged_in_family.get(row.family_id, 0) + 1
                    )

    def family_text(self, row: FlaggedChild) -> str:
        if row.family_id is None or row.family_size < 2:
            return ""
        flagged = self.flagged_in_family.get(row.family_id, 1)
        return f"Family {row.family_id}: {row.family_size} children, {flagged} flagged"

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == CHIPS_ROLE:
            row = self.row(index)
            if row is None or index.column() != COL_RULES:
                return None
            return [(f.rule, RULE_SHORT.get(f.rule, f.label)) for f in row.flags]
        return super().data(index, role)

    def display(self, row: FlaggedChild, column: int) -> str:
        year = self.year_groups.get(row.child_id)
        school = row.school_name or "no current school"
        statuses = sorted({status_word(f.status) for f in row.flags})
        names = self.officer_names
        officers = sorted(
            {names.get(f.assigned_to, f.assigned_to) for f in row.flags if f.assigned_to}
        )
        return [
            row.upn,
            f"{row.surname}, {row.forename}",
            f"{year_group_label(year)}, {school}" if year else school,
            ", ".join(f.label for f in row.flags),
            ", ".join(statuses),
            ", ".join(officers) or "unassigned",
            self.family_text(row),
        ][column]

    def sort_value(self, row: FlaggedChild, column: int) -> Any:
        if column == COL_SCHOOL:
            year = self.year_groups.get(row.child_id)
            return (row.school_name or "~", nc_year_order(year) if year else -99)
        if column == COL_RULES:
            return len(row.flags)
        if column == COL_FAMILY:
            return (row.family_id is None, row.family_id or 0, row.surname, row.forename)
        if column == COL_NAME:
            return (row.surname.lower(), row.forename.lower(), row.child_id)
        return self.display(row, column).lower()

    def tooltip(self, row: FlaggedChild, column: int) -> str | None:
        if column in (COL_RULES, COL_STATUS):
            return "\n".join(
                f"{f.label} ({status_word(f.status).lower()}): {f.reason}" for f in row.flags
            )
        if column == COL_FAMILY and row.family_id is not None:
            return "Open the profile to see every brother and sister and their flags"
        return None


class FlagQueueFilter(QSortFilterProxyModel):
    """The rows the page's FlagFilter keeps (the same filter the printed list and the export
    use: exclusion_monitor/flagging.py); `group_families` keeps each family together."""

    def __init__(self) -> None:
        super().__init__()
        self.filters = FlagFilter()
        self.group_families = False
        self.setSortRole(SORT_ROLE)

    def set_filters(self, filters: FlagFilter, *, group_families: bool = False) -> None:
        self.filters, self.group_families = filters, group_families
        self.invalidate()  # filters and order (grouping changes the order too)

    def matching_flags(self, row: FlaggedChild) -> list[FlagView]:
        return [f for f in row.flags if self.filters.keeps_flag(f)]

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        model = self.sourceModel()
        assert isinstance(model, FlagQueueModel)
        row = model.rows[source_row]
        size = row.family_size if row.family_id is not None else 1
        return self.filters.keeps_child(row.flags, row.school_laestab, size)

    def lessThan(self, left: ModelIndex, right: ModelIndex) -> bool:
        if self.group_families:
            model = self.sourceModel()
            assert isinstance(model, FlagQueueModel)
            a, b = model.rows[left.row()], model.rows[right.row()]
            key_a = (a.family_id is None, a.family_id or a.child_id)
            key_b = (b.family_id is None, b.family_id or b.child_id)
            if key_a != key_b:
                # Families stay in one block whichever way the column sorts.
                ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
                return (key_a < key_b) == ascending
        return bool(left.data(SORT_ROLE) < right.data(SORT_ROLE))


class RuleChipDelegate(QStyledItemDelegate):
    """Draws each flag of a row as a small coloured chip."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        chips = index.data(CHIPS_ROLE)
        if not chips:
            super().paint(painter, option, index)
            return
        widget = option.widget
        style = widget.style() if isinstance(widget, QWidget) else None
        if style is not None:
            text_free = QStyleOptionViewItem(option)
            self.initStyleOption(text_free, index)
            text_free.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, text_free, painter, widget)
        rect = option.rect
        fm = QFontMetrics(option.font)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        x = rect.left() + 3
        height = fm.height() + 2
        top = rect.top() + (rect.height() - height) / 2
        for rule, label in chips:
            width = fm.horizontalAdvance(label) + 12
            if x + width > rect.right() - 2:
                painter.setPen(option.palette.color(QPalette.ColorRole.Text))
                painter.drawText(
                    QRectF(x, top, rect.right() - x, height),
                    Qt.AlignmentFlag.AlignVCenter,
                    "\u2026",
                )
                break
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(rule_colour(rule)))
            chip = QRectF(x, top, width, height)
            painter.drawRoundedRect(chip, height / 2, height / 2)
            painter.setPen(QColor("white"))
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
            x += width + 4
        painter.restore()


RULE_CHOICES = [(rule_id, rule.label) for rule_id, rule in RULES.items()]
