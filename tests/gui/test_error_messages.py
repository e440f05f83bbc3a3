"""Errors to messages in one place (exclusion_monitor/errors.py): the desktop app and the command
line show the same sentence for the same error, never an unexpected error's own text, and agree on
which errors are worth trying again (issue 18 item 5)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from exclusion_monitor.errors import (
    DatabaseBusyError,
    DatabaseUnavailableError,
    InvalidInputError,
    PermissionDeniedError,
    user_message,
    worth_retrying,
)
from exclusion_monitor.logging_setup import LOG_FILE_NAME
from ui.app import application, messages
from ui.cli import main as cli_main
from ui.cli.commands import users as users_command

SECRET = "Quizzlewhorp B801200005001"  # a value from a cell: it must reach nobody


def test_a_refusal_is_its_own_sentence_and_the_unexpected_is_not_quoted() -> None:
    refusal = InvalidInputError("2024-13-01 is not a date.")
    assert user_message(refusal, program="X", log_file="log.txt") == "2024-13-01 is not a date."
    said = user_message(ValueError(SECRET), program="X", log_file="log.txt")
    assert SECRET not in said and "ValueError" not in said
    assert "X did not expect" in said and "log.txt" in said


def test_which_errors_are_worth_trying_again() -> None:
    assert worth_retrying(DatabaseBusyError("busy"))
    assert worth_retrying(DatabaseUnavailableError("stopped"))
    assert not worth_retrying(PermissionDeniedError("no"))
    assert not worth_retrying(ValueError("x"))


def test_the_app_and_the_command_line_say_the_same(
    qapp: QApplication,
    monkeypatch: pytest.MonkeyPatch,
    private_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(_args: object) -> int:
        raise ValueError(SECRET)

    monkeypatch.setattr(users_command, "run", broken)
    code = cli_main.main(["users"])
    err = capsys.readouterr().err
    assert code == 70
    log_file = private_home / "logs" / LOG_FILE_NAME
    expected = user_message(ValueError(), program="the program", log_file=log_file)
    assert err.strip() == f"exclusion-monitor: {expected}"
    assert SECRET not in err

    shown: list[str] = []
    monkeypatch.setattr(messages, "show_error", lambda _p, _t, text: shown.append(text))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    application.install_excepthook()
    try:
        raise ValueError(SECRET)
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert shown == [user_message(ValueError(), program="Exclusion Monitor", log_file=log_file)]
