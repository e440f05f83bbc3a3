"""The table models' base: headers, bounds, the sort and row roles, and what a paged model asks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from exclusion_monitor.store import Database
from exclusion_monitor.store.children import search_children
from tests.builders import Authority
from ui.app.record_table_model import (
    ALIGN_RIGHT,
    ROW_ROLE,
    SORT_ROLE,
    RecordTableBase,
    RecordTableModel,
    SortByValueProxy,
)
from ui.app.search_box import COL_NAME, SearchResultsModel


@dataclass(frozen=True)
class Pupil:
    name: str
    sessions: float


class PupilsModel(RecordTableModel[Pupil]):
    HEADERS = ("Name", "Sessions")
    HEADER_TIPS = ("The pupil", "Sessions lost")

    def display(self, record: Pupil, column: int) -> str:
        return record.name if column == 0 else f"{record.sessions:g}"

    def sort_value(self, record: Pupil, column: int) -> Any:
        return record.sessions if column == 1 else self.display(record, column)

    def alignment(self, record: Pupil, column: int) -> int | None:
        return ALIGN_RIGHT if column == 1 else None


PUPILS = [Pupil("Ash", 10), Pupil("Bea", 2.5), Pupil("Cai", 0)]


def test_cells_headers_and_roles_come_from_the_subclass(qtmodeltester: Any) -> None:
    model = PupilsModel()
    qtmodeltester.check(model)
    model.set_rows(PUPILS)
    qtmodeltester.check(model)
    assert (model.rowCount(), model.columnCount()) == (3, 2)
    assert model.data(model.index(1, 1)) == "2.5"
    assert model.data(model.index(1, 1), SORT_ROLE) == 2.5
    assert model.data(model.index(1, 0), SORT_ROLE) == "Bea"
    assert model.data(model.index(2, 0), ROW_ROLE) is PUPILS[2]
    assert model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) == ALIGN_RIGHT
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole) is None
    horizontal = Qt.Orientation.Horizontal
    assert model.headerData(1, horizontal) == "Sessions"
    assert model.headerData(1, horizontal, Qt.ItemDataRole.ToolTipRole) == "Sessions lost"
    assert model.headerData(2, horizontal) is None
    assert model.headerData(0, Qt.Orientation.Vertical) is None


def test_out_of_range_and_invalid_indexes_give_nothing() -> None:
    model = PupilsModel()
    model.set_rows(PUPILS)
    assert model.data(QModelIndex()) is None
    assert model.row(QModelIndex()) is None
    assert model.record_at(3) is None and model.record_at(-1) is None
    assert model.row(model.index(1, 0)) is PUPILS[1]
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.columnCount(model.index(0, 0)) == 0


def test_set_rows_resets_the_model(qtbot: QtBot) -> None:
    model = PupilsModel()
    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset]):
        model.set_rows(PUPILS[:1])
    assert model.rows == PUPILS[:1]


def test_the_proxy_sorts_on_native_values() -> None:
    model = PupilsModel()
    model.set_rows(PUPILS)
    proxy = SortByValueProxy()
    proxy.setSourceModel(model)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data() for r in range(3)] == ["Cai", "Bea", "Ash"]


class CountingModel(RecordTableBase[Pupil]):
    """A paged model in miniature: counts how often a record is fetched."""

    HEADERS = ("Name",)
    ROLES = frozenset({Qt.ItemDataRole.DisplayRole, ROW_ROLE})

    def __init__(self) -> None:
        super().__init__()
        self.fetched = 0

    def record_count(self) -> int:
        return len(PUPILS)

    def record_at(self, row: int) -> Pupil | None:
        self.fetched += 1
        return PUPILS[row] if 0 <= row < len(PUPILS) else None

    def display(self, record: Pupil, column: int) -> str:
        return record.name


def test_roles_a_model_does_not_answer_fetch_no_record() -> None:
    model = CountingModel()
    index = model.index(0, 0)
    for role in (Qt.ItemDataRole.FontRole, Qt.ItemDataRole.SizeHintRole, SORT_ROLE):
        assert model.data(index, role) is None
    assert model.fetched == 0
    assert model.data(index) == "Ash" and model.fetched == 1


def test_search_results_model_passes_qtmodeltester(qtmodeltester: Any, db: Database) -> None:
    town = Authority(db)
    town.many(5, [town.school("Elm Primary")])
    town.done()
    model = SearchResultsModel()
    qtmodeltester.check(model)
    hits = search_children(db, "a", limit=20)
    model.set_hits(hits)
    assert model.rowCount() == len(hits) > 0
    assert model.data(model.index(0, COL_NAME), ROW_ROLE) is hits[0]
    qtmodeltester.check(model)
