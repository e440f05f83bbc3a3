"""The demo's returns: readable files with the expected headers, in import order, bad rows and
a totals row where the manifest says, each exclusion in two returns, same seed same bytes."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from exclusion_monitor.upn import is_valid_upn
from imports.demo import DemoManifest, ReturnFile, build_demo_returns, write_census_workbook

PUPILS = 1_200


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return build_demo_returns(tmp_path_factory.mktemp("returns"), PUPILS, seed=5)


def _read(file: ReturnFile | Path) -> list[list[object]]:
    path = file.path if isinstance(file, ReturnFile) else file
    if path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path)
        rows = [list(r) for r in workbook.active.iter_rows(values_only=True)]
        workbook.close()
        return rows
    encoding = "cp1252" if getattr(file, "file_format", "") == "csv-cp1252" else "utf-8-sig"
    with path.open(encoding=encoding, newline="") as handle:
        return [list(r) for r in csv.reader(handle)]


def _header_row(rows: list[list[object]], first: str) -> int:
    return next(i for i, r in enumerate(rows) if r and r[0] == first)


def test_files_come_in_import_order(manifest: DemoManifest) -> None:
    kinds = [f.kind for f in manifest.files]
    assert kinds[:2] == ["schools", "school_links"]
    order = {"census": 0, "exclusions": 1, "enrolments": 2}
    keys = [(f.census_date, order[f.kind]) for f in manifest.files[2:]]
    assert keys == sorted(keys)
    dates = sorted({f.census_date for f in manifest.files[2:]})
    assert len(dates) == 21
    for day in dates:
        assert {f.kind for f in manifest.files if f.census_date == day} >= {"census", "exclusions"}
    assert manifest.files_of("enrolments")
    assert all(f.path.exists() for f in manifest.files)
    saved = json.loads((manifest.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [f["file"] for f in saved["files"]] == [f.path.name for f in manifest.files]
    assert saved["stories"][0]["expected"][0]["rules"]


def test_formats_are_mixed(manifest: DemoManifest) -> None:
    formats = Counter(f.file_format for f in manifest.files)
    assert formats["xlsx"] > formats["csv-utf8-bom"] > 0
    assert formats["csv-cp1252"] > 0
    styles = {f.header_style for f in manifest.files_of("census")}
    assert {"census_team", "sims_export", "legacy_cp1252", "school_return"} <= styles
    bom = next(f for f in manifest.files if f.file_format == "csv-utf8-bom")
    assert bom.path.read_bytes()[:3] == b"\xef\xbb\xbf"


def test_gias_register_and_links(manifest: DemoManifest) -> None:
    register = _read(manifest.files[0])
    assert register[0][:8] == [
        "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
        "TypeOfEstablishment (name)", "EstablishmentStatus (name)", "PhaseOfEducation (name)",
    ]  # fmt: skip
    assert register[0][-2:] == ["OpenDate", "CloseDate"]
    phases = {r[7] for r in register[1:]}
    assert {"Primary", "Secondary", "Special", "Pupil referral unit"} <= phases
    links = _read(manifest.files[1])
    assert links[0] == ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"]
    assert {r[3] for r in links[1:]} == {"Predecessor", "Successor"}


def test_census_header_styles_and_values(manifest: DemoManifest) -> None:
    by_style = {f.header_style: f for f in manifest.files_of("census")}  # the latest of each
    first = _read(manifest.files_of("census")[0])
    assert first[2][5] == "Gender"  # Sex replaced Gender in 2023/24
    team = _read(by_style["census_team"])
    start = _header_row(team, "UPN")
    assert start == 2  # two title rows above the header
    assert team[start][:7] == ["UPN", "Former UPN", "Legal Surname", "Legal Forename", "DOB",
                               "Sex", "NCyearActual"]  # fmt: skip
    values = team[start + 1 :]
    assert isinstance(values[0][4], dt.datetime)  # real dates in xlsx
    assert {type(r[6]) for r in values} == {int, str}  # numbers, and 'R' as text
    sims = _read(by_style["sims_export"])
    assert sims[0][:3] == ["Pupil UPN", "Former UPN", "Surname"]
    assert any(r[6] == "Reception" for r in sims[1:]) and any(r[6] == "Year 7" for r in sims[1:])
    assert all(len(r[4].split("/")) == 3 for r in sims[1:])  # UK text dates
    legacy = _read(by_style["legacy_cp1252"])
    assert legacy[0][:4] == ["Unique Pupil Number", "Former UPN", "Last name", "First name"]
    own = _read(by_style["school_return"])
    assert own[1][:2] == ["UPN", "Former UPN"] and "census return" in own[0][0]
    assert {r[6] for r in own[2:]} <= {"R", *(f"Y{n}" for n in range(1, 7))}


def test_former_upn_column_carries_replaced_temporary_upns(manifest: DemoManifest) -> None:
    last = manifest.files_of("census")[-1]
    rows = _read(last)
    start = _header_row(rows, "UPN")
    former = [r[1] for r in rows[start + 1 :] if r[1]]
    assert former and all(is_valid_upn(u) for u in former)


def test_bad_rows_and_totals_row_are_where_the_manifest_says(manifest: DemoManifest) -> None:
    problems = {row.problem.split(" ")[0] for row in manifest.bad_rows}
    assert problems == {"wrong", "impossible"}
    for marked in manifest.bad_rows:
        file = next(f for f in manifest.files if f.path == marked.path)
        row = _read(file)[marked.row - 1]
        assert row[0] == marked.upn
        if "check letter" in marked.problem:
            assert not is_valid_upn(row[0])
        else:
            assert any(str(v).startswith(("31/02/", "30/02/")) for v in row)
    (totals,) = manifest.totals_rows
    rows = _read(totals.path)
    assert rows[totals.row - 1][0] == "Total" and totals.row == len(rows)


def test_each_exclusion_is_reported_in_two_returns(manifest: DemoManifest) -> None:
    seen: Counter[tuple[str, str]] = Counter()
    for file in manifest.files_of("exclusions"):
        rows = _read(file)
        start = _header_row(rows, "UPN" if file.header_style == "census_team" else "Pupil UPN")
        for row in rows[start + 1 :]:
            if row[0] != "Total":
                start_date = row[7] if file.header_style == "census_team" else row[6]
                if isinstance(start_date, dt.datetime):
                    day = start_date.date()
                elif str(start_date).startswith("30/02/"):
                    continue  # the planted bad row
                else:
                    day = dt.datetime.strptime(str(start_date), "%d/%m/%Y").date()
                seen[(str(row[0]), day.isoformat())] += 1
    counts = Counter(seen.values())
    # Only the term before the first census and the last reported term appear once.
    assert counts[2] > 5 * counts[1]


def test_same_seed_same_files(manifest: DemoManifest, tmp_path: Path) -> None:
    again = build_demo_returns(tmp_path, PUPILS, seed=5)
    assert [f.path.name for f in again.files] == [f.path.name for f in manifest.files]
    for ours, theirs in zip(manifest.files, again.files, strict=True):
        assert ours.path.read_bytes() == theirs.path.read_bytes(), ours.path.name


def test_benchmark_workbook_and_csv_twin(tmp_path: Path) -> None:
    xlsx, csv_path = write_census_workbook(tmp_path / "census", rows=2_000, seed=1)
    rows = _read(xlsx)
    assert rows[2][0] == "UPN" and len(rows) == 3 + 2_000
    years = [r[6] for r in rows[3:]]
    assert isinstance(years[0], int) and "R" in years
    text = _read(csv_path)
    assert text[0][0] == "UPN" and len(text) == 1 + 2_000
    assert [r[0] for r in text[1:]] == [r[0] for r in rows[3:]]
    assert all(is_valid_upn(r[0]) for r in text[1:])
    assert len({r[0] for r in text[1:]}) == 2_000
