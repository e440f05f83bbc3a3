"""The desktop app's safety net: an unexpected error is logged and explained in a message box,
and the window icon is the app's own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from exclusion_monitor.logging_setup import LOG_FILE_NAME, setup_logging
from ui.app import application, messages


def test_unexpected_error_is_logged_and_shown(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, private_home: Path
) -> None:
    setup_logging()
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        messages, "show_error", lambda parent, title, text: shown.append((title, text))
    )
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    application.install_excepthook()
    try:
        raise ValueError("the sort key was a date and a string")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    log_file = private_home / "logs" / LOG_FILE_NAME
    assert len(shown) == 1
    title, text = shown[0]
    assert title == "Exclusion Monitor"
    assert "did not expect" in text and str(log_file) in text
    assert "ValueError" not in text  # the person gets a sentence, the log gets the traceback
    logged = log_file.read_text(encoding="utf-8")
    # The traceback and the error's type, never its message (it could quote a cell's value).
    assert "CRITICAL" in logged and "Traceback" in logged and "\nValueError\n" in logged
    assert "ValueError: the sort key" not in logged


def test_a_failed_message_box_still_leaves_the_error_in_the_log(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, private_home: Path
) -> None:
    setup_logging()

    def broken(*_: object) -> None:
        raise RuntimeError("no screen")

    monkeypatch.setattr(messages, "show_error", broken)
    try:
        raise KeyError("school")
    except KeyError as exc:
        application.handle_unexpected_error(type(exc), exc, exc.__traceback__)
    logged = (private_home / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "\nKeyError\n" in logged and "could not show the unexpected-error" in logged
    assert "KeyError: 'school'" not in logged


def test_application_has_the_app_icon(qapp: QApplication) -> None:
    app = application.make_application()
    sizes = {(s.width(), s.height()) for s in app.windowIcon().availableSizes()}
    assert (256, 256) in sizes
