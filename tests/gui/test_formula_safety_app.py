"""The app's exports of the flag list, as CSV and as a workbook, on data whose names and school
lead with every dangerous character: no cell may start a formula (issue 18 item 2;
docs/output-and-failures.md, "Formula safety"). The command line's paths are in
tests/cli/test_formula_safety_cli.py."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from exclusion_monitor.store import Database
from exclusion_monitor.store.users import claim_first_admin
from tests.cli.test_formula_safety_cli import (  # noqa: F401
    HOSTILE_SCHOOL,
    assert_inert,
    assert_workbook_inert,
    every_payload_disarmed,
    hostile,
)
from tests.gui.test_flags_page import open_page
from ui.app import messages

ACCOUNT = "LA\\manager1"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_flags_page_export_is_formula_safe(
    qtbot: QtBot,
    db: Database,
    hostile: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    suffix: str,
) -> None:
    claim_first_admin(db, ACCOUNT)
    target = tmp_path / f"flags{suffix}"
    monkeypatch.setattr(messages, "choose_save_file", lambda *_a: str(target))
    page = open_page(qtbot, db, ACCOUNT)
    with qtbot.waitSignal(page.exported, timeout=15_000):
        page.export_one_sheet.trigger()
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"), newline="")))
        assert_inert(rows, target.name)
        texts = [cell for row in rows for cell in row]
    else:
        texts = assert_workbook_inert(target)
    every_payload_disarmed(texts, lambda p: p)
    assert "'" + HOSTILE_SCHOOL in texts
