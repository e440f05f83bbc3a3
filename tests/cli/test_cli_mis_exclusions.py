"""The MIS feed's exclusion shape through the real command line: SchoolDays as decimal days, a
StartTime column, an EndDate, several reasons in one cell or in a Reasons list, and a school
system's wording of a reason mapped to the DfE code; a wording nobody knows is kept as written,
warned about, and counted as 'not a DfE reason code', never as a code of its own."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from exclusion_monitor.codelists import NOT_A_REASON_CODE
from exclusion_monitor.reports.statistics import reason_counts, reason_trends
from exclusion_monitor.store import open_database
from exclusion_monitor.store.statistics import exclusions_between
from exclusion_monitor.upn import check_letter
from ui.cli.main import main

BODY = "330400212001"
UPN = check_letter(BODY) + BODY
HEADERS = ["UPN", "Legal Surname", "Legal Forename", "DOB", "School DfE", "Suspension Type",
           "Start Date", "StartTime", "End Date", "SchoolDays", "Reasons"]  # fmt: skip
ROWS = [
    ("06/11/2023", "PM", "07/11/2023", "1.5", "DB;VA"),
    ("04/12/2023", "AM", "04/12/2023", "1", "Verbal abuse - adult, Theft"),
    ("15/01/2024", "AM", "15/01/2024", "0.5", "Fighting in the playground"),
    ("22/01/2024", "AM", "22/01/2024", "1", "Drug and alcohol related"),
    ("29/01/2024", "AM", "30/01/2024", "2",
     "Persistent disruptive behaviour | Physical assault - pupil"),
]  # fmt: skip


def _feed(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for start, time, end, days, reasons in ROWS:
            writer.writerow([UPN, "Tester", "Kai", "01/09/2011", "3304002", "Suspension", start,
                             time, end, days, reasons])  # fmt: skip
    return path


def test_the_mis_feed_imports_with_its_reasons_read_as_the_school_meant(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    code = main(["--db", db, "import", str(_feed(tmp_path / "feed.csv")), "--format", "json"])
    (result,) = json.loads(capsys.readouterr().out)
    assert code == 0 and result["rows_imported"] == 5 and result["rejected"] == []
    assert result["not_used"] == ["StartTime"]  # listed, never dropped in silence
    unknown = [w for w in result["warnings"] if "Fighting in the playground" in w]
    assert unknown and "kept as written" in unknown[0] and "(row 4)" in unknown[0]
    assert main(["--db", db, "child", UPN, "--format", "json"]) == 0
    found = [
        (e["start_date"], e["end_date"], e["sessions"], e["reasons"])
        for e in json.loads(capsys.readouterr().out)["exclusions"]
    ]
    assert found == [
        ("2023-11-06", "2023-11-07", 3.0, ["DB", "VA"]),
        ("2023-12-04", "2023-12-04", 2.0, ["VA", "TH"]),
        ("2024-01-15", "2024-01-15", 1.0, ["Fighting in the playground"]),
        ("2024-01-22", "2024-01-22", 2.0, ["DA"]),
        ("2024-01-29", "2024-01-30", 4.0, ["DB", "PP"]),
    ]
    with open_database(db) as database:
        facts = exclusions_between(database, dt.date(2023, 9, 1), dt.date(2024, 8, 31))
    counted = {r.code: r.count for r in reason_counts(facts)}
    assert counted == {"DB": 2, "VA": 2, "TH": 1, "DA": 1, "PP": 1, NOT_A_REASON_CODE: 1}
    labels = {r.code: r.label for r in reason_counts(facts)}
    assert labels[NOT_A_REASON_CODE].startswith("Not a DfE reason code")
    trends = {t.code: t.codes for t in reason_trends(facts, [2023])}
    assert trends[NOT_A_REASON_CODE] == ("Fighting in the playground",)
    assert "Fighting in the playground" not in trends  # never a code of its own
