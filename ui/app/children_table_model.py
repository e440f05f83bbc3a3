"""Table model of the authority-wide children list, filtered, sorted and paged in SQL.

The model knows the total from one COUNT query and fetches rows in blocks as the view asks for
them, keeping the most recently used blocks: 250,000 children never sit in memory or in Python
sort calls at once.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Protocol

from PySide6.QtCore import Qt

from exclusion_monitor.child_search import fold_name
from exclusion_monitor.codelists import nc_year_order
from exclusion_monitor.display import uk_date
from exclusion_monitor.places import status_word
from exclusion_monitor.records import ChildSummary
from exclusion_monitor.store import Database
from exclusion_monitor.store.children import (
    ChildFilter,
    SortKey,
    child_list_position,
    count_children,
    list_children,
)
from ui.app.record_table_model import ALIGN_LEFT, RecordTableBase
from ui.app.record_table_model import ROW_ROLE as ROW_ROLE
from ui.app.record_table_model import SORT_ROLE as SORT_ROLE

log = logging.getLogger(__name__)

COL_UPN, COL_NAME, COL_DOB, COL_YEAR, COL_STATUS, COL_SCHOOL, COL_DATE, COL_FLAGS = range(8)
HEADERS = ["UPN", "Name", "Date of birth", "Year group", "Status", "School", "Date", "Open flags"]
HEADER_TIPS = [
    "Current unique pupil number",
    "Surname, forename",
    "Date of birth",
    "National curriculum year at the child's latest census",
    "On roll, placement (a PRU, alternative provision or a subsidiary registration), left (with "
    "a destination, or past school age), missing (left with no destination, on no roll since) "
    "or no current school",
    "On roll or in a placement: the school now. Left or missing: the last school",
    "On roll or in a placement: the latest census (or entry date) that shows it. Left or "
    "missing: the last day the child was known at the school",
    "Number of open flags (flags that still hold; a cleared flag is not counted)",
]
# The SQL sort of each column (the date column is not sortable: no index orders it).
SORT_KEYS: list[SortKey | None] = [
    "upn",
    "name",
    "date_of_birth",
    "nc_year",
    "status",
    "school",
    None,
    "flags",
]
BLOCK_SIZE = 256
MAX_CACHED_BLOCKS = 64


class ChildListSource(Protocol):
    """Where the rows come from (the store; tests wrap it to count calls)."""

    def count(self, where: ChildFilter) -> int: ...

    def fetch(
        self, where: ChildFilter, order_by: SortKey, descending: bool, offset: int, limit: int
    ) -> list[ChildSummary]: ...

    def position(
        self, child_id: int, where: ChildFilter, order_by: SortKey, descending: bool
    ) -> int | None: ...


class StoreChildListSource:
    """The children list read from the database through the store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def count(self, where: ChildFilter) -> int:
        return count_children(self.db, where)

    def fetch(
        self, where: ChildFilter, order_by: SortKey, descending: bool, offset: int, limit: int
    ) -> list[ChildSummary]:
        return list_children(
            self.db, where, order_by=order_by, descending=descending, limit=limit, offset=offset
        )

    def position(
        self, child_id: int, where: ChildFilter, order_by: SortKey, descending: bool
    ) -> int | None:
        return child_list_position(
            self.db, child_id, where, order_by=order_by, descending=descending
        )


class ChildrenTableModel(RecordTableBase[ChildSummary]):
    """Every child matching the filter, in the SQL order; rows are fetched a block at a time."""

    HEADERS = HEADERS
    HEADER_TIPS = HEADER_TIPS
    # No font or colour roles: asking for them must not fetch a block.
    ROLES = frozenset(
        {
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.TextAlignmentRole,
            Qt.ItemDataRole.ToolTipRole,
            SORT_ROLE,
            ROW_ROLE,
        }
    )

    def __init__(
        self,
        source: ChildListSource,
        *,
        block_size: int = BLOCK_SIZE,
        max_cached_blocks: int = MAX_CACHED_BLOCKS,
    ) -> None:
        super().__init__()
        self.source = source
        self.block_size = block_size
        self.max_cached_blocks = max_cached_blocks
        self.where = ChildFilter()
        self.order_by: SortKey = "name"
        self.descending = False
        self._total = 0
        self._blocks: OrderedDict[int, list[ChildSummary]] = OrderedDict()

    # --- what the list shows ---------------------------------------------------------------

    def reload(self) -> None:
        """Count again and forget every fetched block (after a filter, sort or data change)."""
        with self.resetting():
            self._blocks.clear()
            self._total = self.source.count(self.where)

    def set_filter(self, where: ChildFilter) -> None:
        if where != self.where or not self._total:
            self.where = where
            self.reload()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(SORT_KEYS):
            return
        key = SORT_KEYS[column]
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.order_by, self.descending):
            return
        self.order_by, self.descending = key, descending
        # A reset, not a layout change: the rows' new places are in the database, not here.
        with self.resetting():
            self._blocks.clear()

    def row_of_child(self, child_id: int) -> int | None:
        """The row a child is on with the current filter and sort, or None if filtered out."""
        return self.source.position(child_id, self.where, self.order_by, self.descending)

    def child_at(self, row: int) -> ChildSummary | None:
        if not 0 <= row < self._total:
            return None
        block_number, offset = divmod(row, self.block_size)
        block = self._block(block_number)
        return block[offset] if offset < len(block) else None

    def cached_blocks(self) -> list[int]:
        return sorted(self._blocks)

    def _block(self, number: int) -> list[ChildSummary]:
        block = self._blocks.get(number)
        if block is not None:
            self._blocks.move_to_end(number)
            return block
        block = self.source.fetch(
            self.where, self.order_by, self.descending, number * self.block_size, self.block_size
        )
        self._blocks[number] = block
        while len(self._blocks) > self.max_cached_blocks:
            self._blocks.popitem(last=False)
        return block

    # --- RecordTableBase -----------------------------------------------------------------------

    def record_count(self) -> int:
        return self._total

    def record_at(self, row: int) -> ChildSummary | None:
        return self.child_at(row)

    def display(self, child: ChildSummary, column: int) -> str:
        return display_text(child, column)

    def sort_value(self, child: ChildSummary, column: int) -> Any:
        return sort_value(child, column)

    def alignment(self, child: ChildSummary, column: int) -> int:
        return int(Qt.AlignmentFlag.AlignCenter) if column == COL_FLAGS else ALIGN_LEFT

    def tooltip(self, child: ChildSummary, column: int) -> str | None:
        if column == COL_SCHOOL and child.school_laestab:
            return f"{child.school_name} ({child.school_laestab})"
        return None


def display_text(child: ChildSummary, column: int) -> str:
    if column == COL_UPN:
        return child.upn
    if column == COL_NAME:
        return f"{child.surname}, {child.forename}"
    if column == COL_DOB:
        return uk_date(child.date_of_birth)
    if column == COL_YEAR:
        return child.nc_year or ""
    if column == COL_STATUS:
        return status_word(child.status)
    if column == COL_SCHOOL:
        return child.school_name or ""
    if column == COL_DATE:
        return uk_date(child.status_date)
    return str(child.flag_count) if child.flag_count else ""


def sort_value(child: ChildSummary, column: int) -> Any:
    """The native value a column sorts by (the SQL order uses the same keys)."""
    if column == COL_UPN:
        return child.upn
    if column == COL_NAME:
        return (fold_name(child.surname), fold_name(child.forename))
    if column == COL_DOB:
        return child.date_of_birth
    if column == COL_YEAR:
        return None if child.nc_year is None else nc_year_order(child.nc_year)
    if column == COL_STATUS:
        return child.status
    if column == COL_SCHOOL:
        return None if child.school_name is None else fold_name(child.school_name)
    if column == COL_DATE:
        return child.status_date
    return child.flag_count
