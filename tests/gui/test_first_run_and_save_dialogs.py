"""The app's own ways in and out: its first-run question is its one way to create a database, and
its save dialogs ask before a file is replaced (docs/output-and-failures.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from exclusion_monitor.store import open_database
from exclusion_monitor.store.owed_work import owe_refresh, owed
from ui.app import application, messages


def test_the_first_run_question_creates_the_database_only_when_answered_yes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    answer = [False]

    def confirm(_parent: Any, _title: str, text: str) -> bool:
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(messages, "confirm", confirm)
    path = tmp_path / "exclusion-monitr.db"
    assert application.open_at_start(str(path)) is None
    assert str(path) in asked[0] and "Create a new, empty database there?" in asked[0]
    assert list(tmp_path.iterdir()) == []
    answer[0] = True
    db = application.open_at_start(str(path))
    assert db is not None and db.created and path.exists()
    db.close()
    asked.clear()
    application.open_at_start(str(path)).close()  # type: ignore[union-attr]
    assert asked == []  # an existing database opens without a question


def test_the_app_finishes_owed_work_when_it_opens(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    with open_database(path) as db, db.write() as conn:
        owe_refresh(conn, "import batch 7")
    db = application.open_at_start(str(path))
    assert db is not None and owed(db) == []
    db.close()


def test_a_name_the_dialog_did_not_ask_about_is_asked_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dialog asks before returning an existing file; when the app then adds the suffix,
    the file it would replace was never shown, so the app asks itself."""
    existing = tmp_path / "flags.xlsx"
    existing.write_bytes(b"last week")
    monkeypatch.setattr(messages, "choose_save_file", lambda *_a: str(tmp_path / "flags"))
    asked: list[str] = []
    monkeypatch.setattr(messages, "confirm", lambda _p, _t, text: asked.append(text) or False)
    assert messages.choose_output_file(None, "Export", "x", "*.xlsx", (".xlsx",)) is None
    assert "flags.xlsx already exists" in asked[0] and "Replace it?" in asked[0]
    monkeypatch.setattr(messages, "confirm", lambda *_a: True)
    assert messages.choose_output_file(None, "Export", "x", "*.xlsx", (".xlsx",)) == existing
    monkeypatch.setattr(messages, "choose_save_file", lambda *_a: str(tmp_path / "new"))
    assert messages.choose_output_file(None, "Export", "x", "*", (".csv", ".xlsx")) == (
        tmp_path / "new.csv"
    )
