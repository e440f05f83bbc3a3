"""The PDF writer when Qt cannot write the file: one plain refusal, and Qt's own warnings go to
the log, not standard error (issue 20 item 15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from exclusion_monitor.errors import OutputFileError
from exclusion_monitor.reports.html import PrintableDocument
from exclusion_monitor.reports.tables import ReportContext
from ui.reports import pdf
from ui.reports.rendering import ensure_gui_application

CONTEXT = ReportContext("Flag list", "Test Authority", None, "", "LA\\manager1", dt.datetime.now())


def test_an_unopenable_pdf_is_one_refusal_and_no_flood(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    ensure_gui_application()
    capfd.readouterr()
    document = PrintableDocument("Flag list", ["<p>one</p>", "<p>two</p>"])
    with pytest.raises(OutputFileError, match="could not be opened for writing"):
        pdf.render(tmp_path / "missing" / "x.pdf", document, CONTEXT)
    assert capfd.readouterr().err == ""
    assert any(r.name == "qt" for r in caplog.records)  # Qt's warning is in the log instead


def test_the_footer_prints_a_head_the_verifier_accepts() -> None:
    label = "12345:" + "ab" * 32
    assert pdf.printed_head(label) == "12345:" + "ab" * 8  # 16 hex digits, whatever the id
