"""Printed documents: marking, header and page numbers on every page, rows never split."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from exclusion_monitor.reports.html import PrintableDocument, heading, paragraph
from exclusion_monitor.reports.tables import Column, ReportContext, ReportTable
from ui.reports.pdf import write_pdf

CONTEXT = ReportContext(
    title="Flag list",
    authority="Test Authority",
    as_of=dt.date(2024, 5, 13),
    filter_description="rule: repeated_suspensions",
    produced_by="TESTDOMAIN\\officer1",
    produced_at=dt.datetime(2024, 6, 1, 9, 30),
    audit_hash="cd" * 32,
)


def pdf_pages(path: Path) -> list[str]:
    assert shutil.which("pdftotext"), "pdftotext (Debian package poppler-utils) is needed"
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def _document(rows: int, landscape: bool = False) -> PrintableDocument:
    table = ReportTable(
        "Oak Academy (3304001)",
        [Column("UPN"), Column("Name"), Column("Reasons")],
        [
            [f"ROW{i:04d}", f"Pupil{i}, Test", "word " * (5 + 40 * (i % 4)) + f"END{i:04d}"]
            for i in range(rows)
        ],
    )
    return PrintableDocument(
        "Flag list", [heading("Flag list"), paragraph("Children flagged."), table], landscape
    )


@pytest.mark.parametrize("landscape", [False, True])
def test_every_page_is_marked_numbered_and_rows_stay_whole(
    qapp: QApplication, tmp_path: Path, landscape: bool
) -> None:
    path = tmp_path / "flags.pdf"
    pages = write_pdf(path, _document(90, landscape), CONTEXT)
    texts = pdf_pages(path)
    assert pages == len(texts) > 2
    for number, text in enumerate(texts, start=1):
        assert "OFFICIAL-SENSITIVE" in text
        assert f"Page {number} of {pages}" in text
        assert "printed by TESTDOMAIN\\officer1 on 01/06/2024 09:30" in text
        assert "as of 13/05/2024" in text and "Filter: rule: repeated_suspensions" in text
        assert re.search(r"UPN\s+Name\s+Reasons", text), f"header row missing on page {number}"
        starts = set(re.findall(r"ROW(\d{4})", text))
        ends = set(re.findall(r"END(\d{4})", text))
        assert starts == ends, f"a row was split across pages at page {number}"
    seen = [m for t in texts for m in re.findall(r"ROW(\d{4})", t)]
    assert seen == [f"{i:04d}" for i in range(90)]


def test_landscape_pages_are_wider_than_tall(qapp: QApplication, tmp_path: Path) -> None:
    path = tmp_path / "wide.pdf"
    write_pdf(path, _document(5, landscape=True), CONTEXT)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info.stdout)
    assert size is not None and float(size.group(1)) > float(size.group(2))
