"""Headers as a person types them, through the real command line: read as meant, the columns not
used listed, a doubtful column a warning with the exact --map, a refusal that names the closest
header and the --map to try, --map itself, and the mappings saved in the app used and managed
from the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from exclusion_monitor.store import open_database
from exclusion_monitor.store.audit import list_entries
from exclusion_monitor.upn import check_letter
from imports import inspect_file, save_mapping_profile
from ui.cli.main import main


def _upn(serial: int) -> str:
    body = f"330400215{serial:03d}"
    return check_letter(body) + body


def _typed_census(path: Path, headers: list[str]) -> Path:
    """Pupil No., Legal Surname, ... as a school office types them; the school's number under
    `headers[6]`, an admission date under `headers[7]`."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for i in range(1, 4):
            writer.writerow(
                [_upn(i), "Tester", f"Kid{i}", f"0{i}/03/2013", "F", "Yr 5", "3304002",
                 "02/09/2019", "5B", "K"]
            )  # fmt: skip
    return path


TYPED = [
    "Pupil No.", "Legal Surname", "Legal Forename", "D.O.B.", "Gender", "Yr Grp", "Sch No",
    "Adm. date (first)", "Tutor group", "SEN Stage",
]  # fmt: skip


def _json(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return list(json.loads(capsys.readouterr().out))


def test_typed_headers_are_read_and_nothing_is_dropped_in_silence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    census = _typed_census(tmp_path / "autumn.csv", TYPED)
    code = main(["--db", db, "import", str(census), "--census-date", "2023-10-05"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "3 rows read, 3 imported, 0 rejected" in out
    assert "not used: Adm. date (first), Tutor group, SEN Stage" in out
    assert (
        "the column 'Adm. date (first)' may be the Entry date column but was not used, as its "
        "header is not certain; if it is, undo 1 and import again with --map "
        '"Adm. date (first)=entry_date"'
    ) in out
    main(["--db", db, "child", _upn(1), "--format", "json"])
    child = json.loads(capsys.readouterr().out)
    census_row = child["census"][0]
    assert census_row["nc_year"] == "5" and census_row["school_laestab"] == "3304002"
    # The admission date was not read unasked: the time at the school starts at the census.
    assert [e["start"] for e in child["enrolments"]] == ["2023-10-05"]

    # Undone, and the same file again with the proposal taken: the entry date is read.
    assert main(["--db", db, "undo", "1"]) == 0
    capsys.readouterr()
    code = main(["--db", db, "import", str(census), "--census-date", "2023-10-05",
                 "--map", "Adm. date (first)=entry_date", "--format", "json"])  # fmt: skip
    (result,) = _json(capsys)
    assert code == 0
    assert result["not_used"] == ["Tutor group", "SEN Stage"]
    assert [p["header"] for p in result["proposed"]] == ["SEN Stage"]
    assert any("'SEN Stage' may be the SEN provision column" in w for w in result["warnings"]), (
        result
    )
    main(["--db", db, "child", _upn(1), "--format", "json"])
    child = json.loads(capsys.readouterr().out)
    assert [e["start"] for e in child["enrolments"]] == ["2019-09-02"]


def test_a_refusal_names_the_closest_header_and_the_map_to_try(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "t.db")
    headers = [*TYPED[:6], "Base Sch. Ident", *TYPED[7:]]
    census = _typed_census(tmp_path / "autumn.csv", headers)
    code = main(["--db", db, "import", str(census), "--census-date", "2023-10-05"])
    captured = capsys.readouterr()
    assert code == 2  # too little known to tell the kind without the school: it says which
    assert "it is most like a census file: on the command line, --kind census" in captured.err
    code = main(
        ["--db", db, "import", str(census), "--census-date", "2023-10-05", "--kind", "census"]
    )
    captured = capsys.readouterr()
    assert code == 2
    assert "has no column for LAESTAB or URN or School name or School" in captured.err
    assert "The closest: 'Base Sch. Ident'." in captured.err
    suggested = captured.err.split("import with ")[1].strip()
    assert suggested.startswith('--map "Base Sch. Ident=')
    field = suggested.split("=")[1].rstrip('"')
    code = main(["--db", db, "import", str(census), "--census-date", "2023-10-05",
                 "--map", f"Base Sch. Ident={field}", "--map", "Tutor group="])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "3 imported" in out


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("Sch No", "is not HEADER=field"),
        ("=laestab", "is not HEADER=field"),
        ("Sch No=laestub", "Did you mean laestab?"),
    ],
)
def test_a_mistyped_map_is_refused_before_anything_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, words: str
) -> None:
    db = tmp_path / "t.db"
    census = _typed_census(tmp_path / "autumn.csv", TYPED)
    assert main(["--db", str(db), "import", str(census), "--map", value]) == 2
    assert words in capsys.readouterr().err
    assert not db.exists()


def test_a_mapping_saved_in_the_app_is_used_listed_and_deleted_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    location = str(tmp_path / "t.db")
    headers = [*TYPED[:6], "Base Sch. Ident", *TYPED[7:]]
    census = _typed_census(tmp_path / "autumn.csv", headers)
    with open_database(location) as db:
        # As the app saves it: what it read, with the person's choices over it.
        preview = inspect_file(census, db=db, kind="census")
        mapping = {h: preview.mapping.get(h, "") for h in preview.headers}
        mapping.update({"Base Sch. Ident": "laestab", "Adm. date (first)": "entry_date"})
        save_mapping_profile(db, headers, "census", mapping, name="Larkwood's census")
    code = main(["--db", location, "import", str(census), "--census-date", "2023-10-05",
                 "--format", "json"])  # fmt: skip
    (result,) = _json(capsys)
    assert code == 0 and result["rows_imported"] == 3 and result["proposed"] == []
    assert result["not_used"] == ["Tutor group", "SEN Stage"]

    assert main(["--db", location, "mappings", "--format", "json"]) == 0
    (profile,) = json.loads(capsys.readouterr().out)
    assert profile["name"] == "Larkwood's census" and profile["kind"] == "census"
    assert main(["--db", location, "mappings", "--show", str(profile["id"])]) == 0
    shown = capsys.readouterr().out
    assert "Base Sch. Ident" in shown and "LAESTAB" in shown and "(ignored)" in shown
    assert main(["--db", location, "mappings", "--delete", "999"]) != 0
    assert "no saved mapping 999" in capsys.readouterr().err
    assert main(["--db", location, "mappings", "--delete", str(profile["id"])]) == 0
    capsys.readouterr()
    assert main(["--db", location, "mappings"]) == 0
    assert "No mappings are saved" in capsys.readouterr().out
    with open_database(location) as db:
        (entry,) = [e for e in list_entries(db) if e.action == "delete_mapping_profile"]
    assert entry.target == f"mapping:{profile['id']}"
