"""The exclusion rules and figures through the real command line, on both engines: returns as an
authority receives them (tests/cli/exclusion_returns.py) imported with `import`, then read back
with `flags --format json`, `child` (text and JSON) and `export dashboard`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.cli import exclusion_returns as returns
from ui.cli.main import main

EVERYONE = returns.pupils()


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def imported(
    db: Any, db_location: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    """The returns imported through `import`; the results, the flags and the location."""
    files = returns.write_returns(tmp_path / "returns")
    code, out, err = cli(capsys, "--db", db_location, "import", *map(str, files), "--format",
                         "json")  # fmt: skip
    assert code == 0, err
    results = {Path(r["file"]).name: r for r in json.loads(out)}
    assert {r["status"] for r in results.values()} == {"imported"}
    assert all(not r["rejected"] for r in results.values()), results
    code, out, err = cli(capsys, "--db", db_location, "flags", "--format", "json")
    assert code == 0, err
    flags = {row["forename"]: dict(zip(row["rules"], row["reasons"], strict=True))
             for row in json.loads(out)}  # fmt: skip
    return {"location": db_location, "results": results, "flags": flags, "tmp": tmp_path}


def child(capsys: pytest.CaptureFixture[str], location: str, name: str, *more: str) -> Any:
    code, out, err = cli(capsys, "--db", location, "child", EVERYONE[name].upn, *more)
    assert code == 0, err
    return json.loads(out) if "json" in more else out


def test_reinstated_permanent_exclusions_stay_in_the_history_and_count_nowhere(
    imported: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    flags, location = imported["flags"], imported["location"]
    for i in range(len(returns.REINSTATED_WORDING)):
        assert f"Rein{i}" not in flags  # no permanent_exclusion, no step up to it
    for i in range(len(returns.STANDING_WORDING)):
        assert set(flags[f"Held{i}"]) == {"permanent_exclusion", "escalating_exclusion"}
        assert (
            "then a permanent exclusion from Oak High School (3304001) on 4 March 2024"
            in (flags[f"Held{i}"]["escalating_exclusion"])
        )
    # An outcome the tool does not know is kept as written, warned about, and does not reverse.
    warnings = " ".join(imported["results"]["exclusions_return.xlsx"]["warnings"])
    assert "review outcome 'Governors met 12/3' is not a wording the review-outcome list knows" in (
        warnings
    )
    assert "'Upheld'" not in warnings and "'Reinstated'" not in warnings

    data = child(capsys, location, "Rein1", "--format", "json")
    (permanent,) = [e for e in data["exclusions"] if e["category"] == "PERM"]
    assert permanent["review_outcome"] == "Governing board reinstated pupil"
    assert permanent["outcome"] == "reinstated on review" and permanent["reversed_on_review"]
    spring = next(t for t in data["term_totals"] if t["term"] == "Spring 2024")
    assert (spring["permanent"], spring["reversed_permanent"]) == (0, 1)
    text = child(capsys, location, "Rein1")
    assert (
        "4 March 2024  permanent exclusion at Oak High School (3304001), reasons PA; reinstated "
        "on review ('Governing board reinstated pupil'), so not counted as a permanent exclusion"
    ) in text
    assert "and 1 permanent exclusion, reversed on review." in text
    held = child(capsys, location, "Held4", "--format", "json")
    (permanent,) = [e for e in held["exclusions"] if e["category"] == "PERM"]
    assert not permanent["reversed_on_review"]
    assert permanent["outcome"].startswith("review outcome 'Governors met 12/3' (wording the tool")

    book = export_dashboard(imported, capsys)
    headline = rows_by_first(book, 0)
    assert headline["Permanent exclusions 2023/24: 01/08/2023 to 16/05/2024"] == 5
    assert headline["  permanent exclusions reversed on review (not counted above)"] == 5
    terms = rows_by_first(book, 1)
    assert terms["Spring 2024"][2:4] == [5, 5]  # permanent exclusions, reversed on review
    code, out, err = cli(capsys, "--db", location, "dashboard-data", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["headline"]["permanent_exclusions"] == 5
    assert data["headline"]["permanent_exclusions_reversed"] == 5
    spring = next(t for t in data["terms"] if t["term"] == "Spring 2024")
    assert (spring["permanent"], spring["reversed_permanent"]) == (5, 5)


def test_lunchtime_suspensions_are_suspensions_named_as_such(
    imported: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    flags, location = imported["flags"], imported["location"]
    assert flags["Lunchie"]["repeated_suspensions"].startswith(
        "4 lunchtime suspensions in the last 3 terms (Autumn 2023 to Summer 2024), 4 sessions "
        "lost in all"
    )
    assert flags["Mixed"]["repeated_suspensions"].startswith(
        "3 suspensions (1 at lunchtime) in the last 3 terms"
    )
    assert "5 February 2024 (lunchtime)" in flags["Mixed"]["repeated_suspensions"]
    assert flags["Primo"]["primary_exclusion"].endswith(
        "a lunchtime suspension from Elm Primary School (3302001) on 7 February 2024 while in "
        "Year 4."
    )
    text = child(capsys, location, "Lunchie")
    assert "0 suspensions, " not in text and "no new exclusion" not in text
    assert "  Autumn 2023: 2 lunchtime suspensions, 2 sessions lost" in text
    assert "has had 4 lunchtime suspensions (4 sessions lost in all)" in text
    assert "2 October 2023  lunchtime suspension, 1 session at Oak High School" in text
    data = child(capsys, location, "Mixed", "--format", "json")
    autumn, spring = data["term_totals"]
    assert (autumn["suspensions"], autumn["lunchtimes"], autumn["sessions"]) == (2, 0, 4)
    assert (spring["suspensions"], spring["lunchtimes"], spring["sessions"]) == (1, 1, 1)
    book = export_dashboard(imported, capsys)
    headline = rows_by_first(book, 0)
    assert headline["  of which lunchtime suspensions"] == 6  # Lunchie 4, Mixed 1, Primo 1
    assert headline["Suspensions 2023/24: 01/08/2023 to 16/05/2024"] == sum(
        1
        for p in EVERYONE.values()
        for e in p.exclusions
        if e[0] in ("Suspension", "Lunchtime") and e[1] >= returns.D(2023, 8, 1)
    )


def test_escalation_needs_suspensions_in_two_terms_rising(imported: dict[str, Any]) -> None:
    flags = imported["flags"]
    assert "Burst" not in flags  # 0, 0, 2: a burst in one term
    assert flags["Rising"]["escalating_exclusion"] == (
        "Suspensions rising over 3 terms: 1 suspension (2 sessions) in Autumn 2023, 1 suspension "
        "(2 sessions) in Spring 2024, 2 suspensions (4 sessions) in Summer 2024."
    )
    assert flags["Climb"]["escalating_exclusion"].startswith(
        "Suspensions rising over 3 terms: no suspension in Autumn 2023, 1 suspension (2 "
        "sessions) in Spring 2024, 2 suspensions (4 sessions) in Summer 2024."
    )


def test_statutory_limits_per_school_by_term_and_across_schools_by_year(
    imported: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    flags, location = imported["flags"], imported["location"]
    assert "statutory_limit" not in flags.get("Twoschools", {})  # 20 + 12 at two schools
    assert flags["Oneschool"]["statutory_limit"] == (
        "32 sessions of suspension at Oak High School (3304001) in Autumn 2023, over the 30 in a "
        "term at one school at which its governing board must consider reinstatement."
    )
    # 20 sessions from Friday 15 December: 6 before Christmas, 14 in January.
    assert "statutory_limit" not in flags.get("Christmas", {})
    data = child(capsys, location, "Christmas", "--format", "json")
    assert [
        (t["term"], t["sessions"], t["sessions_from_earlier"]) for t in data["term_totals"]
    ] == [
        ("Autumn 2023", 22.0, 0.0),
        ("Spring 2024", 14.0, 14.0),
    ]
    text = child(capsys, location, "Christmas")
    assert (
        "  Spring 2024: no new exclusion, 14 sessions lost (all from a suspension that began "
        "earlier)"
    ) in text
    # The same suspension recorded as ending on 19 December: the dates put all 20 in autumn.
    assert flags["Dated"]["statutory_limit"].startswith(
        "36 sessions of suspension at Oak High School (3304001) in Autumn 2023"
    )
    yearly = flags["Yearlong"]["statutory_limit"]
    assert yearly == (
        "92 sessions of suspension in 2023/24 across Ash Academy (3304002) and Oak High School "
        "(3304001), over the 90 allowed in an academic year (counted across schools)."
    )


def test_code_lists_ethnicity_reasons_and_enrol_status(
    imported: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    census = imported["results"]["census_20240118.xlsx"]
    warnings = " ".join(census["warnings"])
    assert "ethnicity 'XQZ1' is not a known code; it was kept as written" in warnings
    assert "WENG" not in warnings and "BSOM" not in warnings and "AMPK" not in warnings
    assert "enrol status" not in " ".join(
        w for r in imported["results"].values() for w in r["warnings"]
    )
    exclusions = imported["results"]["exclusions_return.xlsx"]
    assert not [w for w in exclusions["warnings"] if "reason" in w and "not a known" in w]

    data = child(capsys, imported["location"], "Lunchie", "--format", "json")
    assert {c["ethnicity"] for c in data["census"]} == {"AMPK"}
    assert {c["ethnicity_group"] for c in data["census"]} == {"APKN"}
    fe = child(capsys, imported["location"], "Fecoll", "--format", "json")
    assert [s["school_laestab"] for s in fe["enrolments"]] == [returns.OAK]  # F and O: no history
    assert [(s["school_laestab"], s["enrol_status"]) for s in fe["placements"]] == [
        (returns.ASH, "F")
    ]
    assert ("2024-05-16", returns.ASH, "O") in {
        (c["census_date"], c["school_laestab"], c["enrol_status"]) for c in fe["census"]
    }

    book = export_dashboard(imported, capsys)
    ethnicity = rows_by_first(book, sheet_named(book, "Ethnicity"))
    on_spring = [p for p in EVERYONE.values() if returns.SPRING in p.censuses]
    main = {"WENG": "WBRI", "White - Scottish": "WBRI", "WBRI": "WBRI", "BSOM": "BAFR",
            "AMPK": "APKN", "WROG": "WROM"}  # fmt: skip
    white_british = sum(1 for p in on_spring if main.get(p.ethnicity) == "WBRI")
    assert ethnicity["White - British"][0] == white_british
    assert ethnicity["Black - African"][0] == 5
    assert ethnicity["Code not in the ethnicity list"][0] == 1
    assert "Not known" not in ethnicity
    trend = rows_by_first(book, sheet_named(book, "Reasons by academic year"))
    # Persistent disruption split into LD and CB this year: counted with DB, so no false fall.
    given = {2022: 0, 2023: 0}
    for p in EVERYONE.values():
        for e in p.exclusions:
            year = e[1].year - (e[1].month < 8)
            given[year] += sum(1 for r in e[4] if r in ("DB", "LD", "CB"))
    assert trend["DB"][:2] == ["Persistent disruptive behaviour", "CB, DB, LD"]
    assert trend["DB"][-2:] == [given[2022], given[2023]] and given[2022] == 5
    assert trend["DA"] == ["Drug and alcohol related", "VR", 0, 0, 5]


def test_dashboard_headline_figures_are_worked_out_for_the_as_of_date(
    imported: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    location = imported["location"]
    code, out, _ = cli(capsys, "--db", location, "flags", "--as-of", "2023-12-31", "--format",
                       "json")  # fmt: skip
    flagged_then = json.loads(out)
    assert code == 0 and 0 < len(flagged_then) < len(imported["flags"])
    book = export_dashboard(imported, capsys, "--as-of", "2023-12-31")
    headline = rows_by_first(book, 0)
    assert headline["Children flagged as of 31/12/2023"] == len(flagged_then)
    assert headline["Children on record by 31/12/2023"] == len(EVERYONE) - 1  # not Late yet
    latest = rows_by_first(export_dashboard(imported, capsys), 0)
    assert latest["Children flagged as of 16/05/2024"] == len(imported["flags"])
    assert latest["Children on record by 16/05/2024"] == len(EVERYONE)


def export_dashboard(
    imported: dict[str, Any], capsys: pytest.CaptureFixture[str], *more: str
) -> Any:
    out = imported["tmp"] / f"dashboard{len(list(imported['tmp'].glob('*.xlsx')))}.xlsx"
    code, _, err = cli(capsys, "--db", imported["location"], "export", "dashboard", "--out",
                       str(out), *more)  # fmt: skip
    assert code == 0, err
    return load_workbook(out)


def sheet_named(book: Any, start: str) -> int:
    return next(i for i, name in enumerate(book.sheetnames) if name.startswith(start))


def rows_by_first(book: Any, index: int, column: int = 0) -> dict[str, Any]:
    """A sheet's rows (after its header) by their first cell, each the rest of the row."""
    sheet = book.worksheets[index]
    found = {}
    for row in list(sheet.iter_rows(values_only=True))[1:]:
        if row and row[column] is not None:
            rest = [v for i, v in enumerate(row) if i != column]
            found[str(row[column])] = rest[0] if len(rest) == 1 else rest
    return found
