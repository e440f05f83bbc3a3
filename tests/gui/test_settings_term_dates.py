"""Settings > Term dates: the DfE terms the rules count in, Easter-dependent spring and summer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pytestqt.qtbot import QtBot

from ui.app.term_dates_panel import TermDatesPanel


def test_term_dates_show_easter_boundaries(qtbot: QtBot, qtmodeltester: Any) -> None:
    panel = TermDatesPanel(around=dt.date(2024, 1, 10))
    qtbot.addWidget(panel)
    model = panel.model
    rows = [
        tuple(model.data(model.index(r, c)) for c in range(model.columnCount()))
        for r in range(model.rowCount())
    ]
    assert rows[0][:2] == ("2021/22", "Autumn") and rows[-1][:2] == ("2024/25", "Summer")
    assert ("2023/24", "Spring", "Monday 01 January 2024", "Sunday 31 March 2024") in rows
    assert ("2023/24", "Summer", "Monday 01 April 2024", "Wednesday 31 July 2024") in rows
    assert ("2024/25", "Spring", "Wednesday 01 January 2025", "Sunday 20 April 2025") in rows
    qtmodeltester.check(model)
