"""The flag list's layouts on paper: one line per child fits the demo's flagged children on a few
landscape pages (benchmarks/bench_flag_list.py prints the count on the demo itself), the
detailed layout keeps every reason, and neither splits a child across pages."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from exclusion_monitor.flagging import FlagFilter, FlagView
from exclusion_monitor.reports import flag_report
from exclusion_monitor.reports.flag_report import FlagListRow, flag_list_document
from exclusion_monitor.reports.tables import ReportContext
from exclusion_monitor.rules.registry import RULES, rule_label
from tests.reports.test_pdf import pdf_pages
from ui.reports.pdf import write_pdf

AS_OF = dt.date(2026, 5, 21)
# The demo's shape (seed 1, 6,000 pupils): 299 flagged children, of whom 185 have one flag, 90
# two, 22 three and 2 four; 22 schools, their names as long as the demo's.
DEMO_FLAGS = [1] * 185 + [2] * 90 + [3] * 22 + [4] * 2
SCHOOLS = [
    "St Mary's Catholic Primary School (Foxhollow Green)",
    "Beechwood Fields Primary Academy",
    "Kingsbury Heath High School",
    "Sycamore Heath Pupil Referral Unit",
    "Woodlands Manor School",
    "Cherry Tree Hill Academy",
]
MOST_PAGES = 12


def _rows(count_flags: list[int], seed: int = 1) -> list[FlagListRow]:
    rng = random.Random(seed)
    rules = list(RULES)
    rows = []
    for n, flags in enumerate(count_flags):
        views = tuple(
            FlagView(rule, rule_label(rule), 1, AS_OF, "A reason " * 30, {}, n)
            for rule in rng.sample(rules, flags)
        )
        rows.append(
            FlagListRow(
                n, f"A33520{n:07d}", rng.choice(["Kowalski", "Ashdown-Smythe", "Ng"]),
                rng.choice(["Zuzanna", "Harvey", "Al"]), "3352005", rng.choice(SCHOOLS),
                rng.choice(["R", "6", "11"]), None, 1, views, "Under review",
                "Amelia Richardson-Clarke", AS_OF,
            )
        )  # fmt: skip
    return rows


@pytest.fixture
def demo_rows(monkeypatch: pytest.MonkeyPatch) -> list[FlagListRow]:
    rows = _rows(DEMO_FLAGS)
    monkeypatch.setattr(flag_report, "flag_list_rows", lambda _db, _filters: (AS_OF, rows))
    return rows


def _context() -> ReportContext:
    return ReportContext(
        "Flag list", "Test Authority", AS_OF, "all flagged children", "TESTDOMAIN\\manager1",
        dt.datetime(2026, 5, 22, 9, 0),
    )  # fmt: skip


def test_the_demos_children_print_one_line_each_on_a_few_landscape_pages(
    qapp: QApplication, demo_rows: list[FlagListRow], tmp_path: Path
) -> None:
    document = flag_list_document(None, FlagFilter(as_of=AS_OF))  # type: ignore[arg-type]
    assert document.landscape
    path = tmp_path / "summary.pdf"
    pages = write_pdf(path, document, _context())
    print(f"\nOne-line flag list: {len(demo_rows)} children on {pages} pages")
    assert pages <= MOST_PAGES
    texts = pdf_pages(path)
    assert len(texts) == pages
    whole = "\n".join(texts)
    # Every child once, and no reason (they are in the detailed layout).
    assert all(whole.count(row.upn) == 1 for row in demo_rows)
    assert "A reason" not in whole
    assert "Amelia Richardson-Clarke" in whole and "Under review" in whole


def test_the_detailed_layout_keeps_every_reason(
    qapp: QApplication,
    demo_rows: list[FlagListRow],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    few = demo_rows[:12]
    monkeypatch.setattr(flag_report, "flag_list_rows", lambda _db, _filters: (AS_OF, few))
    monkeypatch.setattr(
        flag_report, "_flagged", lambda _db, _filters: (AS_OF, [_flagged_child(r) for r in few])
    )
    monkeypatch.setattr(flag_report, "current_places", lambda *_args: {})
    document = flag_list_document(_NoDatabase(), FlagFilter(as_of=AS_OF), layout="detailed")  # type: ignore[arg-type]
    path = tmp_path / "detailed.pdf"
    write_pdf(path, document, _context())
    whole = " ".join("\n".join(pdf_pages(path)).split())
    assert whole.count("A reason A reason") >= sum(len(r.flags) for r in few)


class _NoDatabase:
    """Stands for the database where the list's rows are given (nothing may read it)."""

    def read(self) -> object:
        from contextlib import nullcontext

        return nullcontext(None)


def _flagged_child(row: FlagListRow) -> flag_report.FlaggedChild:
    return flag_report.FlaggedChild(
        row.child_id, row.upn, row.surname, row.forename, None, row.school_laestab,
        row.school_name, None, 1, row.flags,
    )  # fmt: skip


def test_a_layout_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="layout must be one of"):
        flag_list_document(None, FlagFilter(as_of=AS_OF), layout="compact")  # type: ignore[arg-type]
