"""Identity across temporary UPNs, near matches, duplicate exclusions, re-import, undo, schools."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from exclusion_monitor.errors import InvalidInputError
from exclusion_monitor.identity import os_account
from exclusion_monitor.store import schema as t
from exclusion_monitor.store.batches import list_batches, record_batches, rejected_rows, undo_batch
from exclusion_monitor.store.checks import run_checks
from exclusion_monitor.store.identity import list_identity_reviews, resolve_identity_review
from imports.rejected_export import save_rejected_rows

from .conftest import (
    CENSUS_HEADERS,
    EXCLUSION_HEADERS,
    SCHOOL_HEADERS,
    census_row,
    schools_rows,
    temp_upn,
    upn,
    write_csv,
)

WITH_FORMER = [*CENSUS_HEADERS, "Former UPN"]


def _count(db: Any, table: sa.Table) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _identifiers(db: Any) -> list[tuple[int, str, str, bool]]:
    c = t.child_identifiers.c
    with db.read() as conn:
        rows = conn.execute(sa.select(c.child_id, c.upn, c.kind, c.temporary).order_by(c.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_temporary_upn_replaced_through_former_upn_is_one_child(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    temporary, permanent = temp_upn(7), upn(7)
    autumn = write_csv(
        tmp_path / "autumn.csv", WITH_FORMER, [[*census_row(7, the_upn=temporary), ""]]
    )
    spring = write_csv(
        tmp_path / "spring.csv",
        WITH_FORMER,
        [[*census_row(7, the_upn=permanent, census_date="18/01/2024"), temporary]],
    )
    assert import_one(autumn).rows_imported == 1
    assert import_one(spring).rows_imported == 1
    assert _count(db, t.children) == 1
    (child_id,) = {row[0] for row in _identifiers(db)}
    assert _identifiers(db) == [
        (child_id, temporary, "former", True),
        (child_id, permanent, "current", False),
    ]
    assert _count(db, t.census_observations) == 2
    assert all(check.ok for check in run_checks(db))


def test_temporary_upn_matched_exactly_on_name_birth_date_and_sex(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    rows = [census_row(8, surname="Quill", forename="Rey", dob="02/02/2013")]
    import_one(write_csv(tmp_path / "a.csv", CENSUS_HEADERS, rows))
    later = [census_row(8, the_upn=temp_upn(8, "B"), surname="QUILL", forename="Rey",
                        dob="02/02/2013", census_date="18/01/2024")]  # fmt: skip
    import_one(write_csv(tmp_path / "b.csv", CENSUS_HEADERS, later))
    assert _count(db, t.children) == 1
    assert [(kind, temp) for _, _, kind, temp in _identifiers(db)] == [
        ("current", False),
        ("former", True),
    ]


def test_near_match_goes_to_review_and_merge_keeps_both_upns(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    first = [census_row(10, surname="Okafor", forename="Jon", dob="03/03/2012")]
    second = [census_row(11, surname="Okafor", forename="John", dob="03/03/2012",
                         census_date="18/01/2024")]  # fmt: skip
    batch_a = import_one(write_csv(tmp_path / "a.csv", CENSUS_HEADERS, first)).batch_id
    batch_b = import_one(write_csv(tmp_path / "b.csv", CENSUS_HEADERS, second)).batch_id
    assert _count(db, t.children) == 2  # never merged silently
    (review,) = list_identity_reviews(db)
    assert review.reason == "same surname and date of birth, similar forename"
    assert {review.child.upns[0], review.candidate.upns[0]} == {upn(10), upn(11)}
    decided = resolve_identity_review(db, review.id, "merge", "officer1")
    assert decided.status == "merged"
    assert _count(db, t.children) == 1
    kinds = sorted((u, k) for _, u, k, _ in _identifiers(db))
    assert kinds == sorted([(upn(10), "current"), (upn(11), "former")])
    assert _count(db, t.census_observations) == 2
    assert all(check.ok for check in run_checks(db))
    with db.read() as conn:
        (child_id,) = conn.execute(sa.select(t.children.c.id)).scalars()
        assert record_batches(conn, "children", child_id) == [batch_a, batch_b]

    # The merged child came with both files: undoing one keeps it and the other's census.
    undo_batch(db, batch_a, "officer1")
    assert _count(db, t.children) == 1
    assert [u for _, u, _, _ in _identifiers(db)] == [upn(11)]
    with db.read() as conn:
        assert record_batches(conn, "children", child_id) == [batch_b]
        dates = conn.execute(sa.select(t.census_observations.c.census_date)).scalars().all()
    assert dates == [dt.date(2024, 1, 18)]
    undo_batch(db, batch_b, "officer1")
    for table in (t.children, t.child_identifiers, t.census_observations, t.record_sources):
        assert _count(db, table) == 0, table.name


def test_keep_apart_leaves_two_children(tmp_path: Path, db: Any, import_one: Any) -> None:
    rows = [
        census_row(12, surname="Patel", forename="Ria", dob="04/04/2012", sex="F"),
        census_row(13, surname="Patel", forename="Ria", dob="04/04/2012", sex="M"),
    ]
    import_one(write_csv(tmp_path / "a.csv", CENSUS_HEADERS, rows))
    (review,) = list_identity_reviews(db)
    assert review.reason == "same name and date of birth, different sex"
    resolve_identity_review(db, review.id, "keep_apart", "officer1")
    assert list_identity_reviews(db) == []
    assert _count(db, t.children) == 2
    with pytest.raises(InvalidInputError, match="already decided"):
        resolve_identity_review(db, review.id, "merge", "officer1")


def _exclusion(serial: int, start: str, sessions: str = "2") -> list[str]:
    return [upn(serial), "Smith", f"Pupil{serial}", "01/02/2012", "3304002", "SUSP", start,
            sessions, "DB"]  # fmt: skip


def test_same_exclusion_in_two_files_is_one_exclusion_with_two_sources(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    spring = write_csv(tmp_path / "spring.csv", EXCLUSION_HEADERS,
                       [_exclusion(1, "02/10/2023"), _exclusion(2, "03/10/2023")])  # fmt: skip
    summer = write_csv(tmp_path / "summer.csv", EXCLUSION_HEADERS,
                       [_exclusion(1, "02/10/2023"), _exclusion(1, "08/01/2024")])  # fmt: skip
    first, second = import_one(spring), import_one(summer)
    assert (first.rows_imported, second.rows_imported) == (2, 2)
    assert _count(db, t.exclusions) == 3
    with db.read() as conn:
        brought = {
            start: record_batches(conn, "exclusions", record_id)
            for record_id, start in conn.execute(
                sa.select(t.exclusions.c.id, t.exclusions.c.start_date)
            )
        }
        extra_rows = conn.execute(
            sa.select(sa.func.count()).select_from(t.record_sources)
        ).scalar_one()
    assert brought == {
        dt.date(2023, 10, 2): [first.batch_id, second.batch_id],
        dt.date(2023, 10, 3): [first.batch_id],
        dt.date(2024, 1, 8): [second.batch_id],
    }
    # Only what the second file brought again has a row of its own: the exclusion, the child
    # and the UPN (each record's first batch is its own batch_id), and the school.
    assert extra_rows == 4

    undo_batch(db, first.batch_id, "officer1")
    assert _count(db, t.exclusions) == 2  # the shared one stays with the summer batch
    with db.read() as conn:
        starts = conn.execute(sa.select(t.exclusions.c.start_date)).scalars().all()
        batch_ids = set(conn.execute(sa.select(t.exclusions.c.batch_id)).scalars())
    assert sorted(starts) == [dt.date(2023, 10, 2), dt.date(2024, 1, 8)]
    assert batch_ids == {second.batch_id}
    assert _count(db, t.children) == 1

    undo_batch(db, second.batch_id, "officer1")
    for table in (t.exclusions, t.children, t.child_identifiers, t.schools, t.record_sources):
        assert _count(db, table) == 0, table.name
    assert [b.status for b in list_batches(db)] == ["undone", "undone"]
    with pytest.raises(InvalidInputError, match="already undone"):
        undo_batch(db, second.batch_id, "officer1")


def test_duplicate_rows_in_one_file_are_rejected_as_repeats(
    tmp_path: Path, import_one: Any
) -> None:
    rows = [_exclusion(1, "02/10/2023"), _exclusion(1, "02/10/2023", "4")]
    result = import_one(write_csv(tmp_path / "x.csv", EXCLUSION_HEADERS, rows))
    assert result.rows_imported == 1
    assert result.rejected[0].reason.startswith("repeats row 2 (the same exclusion")


def test_importing_the_same_file_again_adds_nothing(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    path = write_csv(tmp_path / "c.csv", CENSUS_HEADERS, [census_row(i) for i in range(1, 6)])
    first = import_one(path)
    again = import_one(path)
    assert again.status == "already_imported"
    assert again.batch_id == first.batch_id
    assert "already imported (batch 1)" in again.message
    assert _count(db, t.census_observations) == 5
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes() + b"\r\n")
    renamed = import_one(copy)  # same rows, different file: imported, nothing new added
    assert renamed.status == "imported" and renamed.rows_imported == 5
    assert _count(db, t.census_observations) == 5
    undo_batch(db, renamed.batch_id, "x")
    assert _count(db, t.census_observations) == 5


def test_undo_restores_the_temporary_upn_as_current(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    temporary = temp_upn(3)
    import_one(
        write_csv(tmp_path / "a.csv", WITH_FORMER, [[*census_row(3, the_upn=temporary), ""]])
    )
    rows = [[*census_row(3, census_date="18/01/2024"), temporary]]
    later = import_one(write_csv(tmp_path / "b.csv", WITH_FORMER, rows))
    undo_batch(db, later.batch_id, "x")
    assert [(u, k) for _, u, k, _ in _identifiers(db)] == [(temporary, "current")]
    assert all(check.ok for check in run_checks(db))


def test_schools_links_and_phases(tmp_path: Path, db: Any, import_one: Any) -> None:
    schools = import_one(write_csv(tmp_path / "gias.csv", SCHOOL_HEADERS, schools_rows()))
    assert schools.kind == "schools" and schools.rows_imported == 4
    links = [["100001", "100005", "Oakfield School", "Predecessor", "01/09/2015"],
             ["100003", "100001", "", "Successor", "01/09/2015"],
             ["999999", "100001", "", "Successor", ""]]  # fmt: skip
    extra = [["100005", "330", "4001", "Oakfield School", "Community school", "Secondary",
              "", "31/08/2015"]]  # fmt: skip
    import_one(write_csv(tmp_path / "old.csv", SCHOOL_HEADERS, extra))
    result = import_one(write_csv(tmp_path / "links.csv",
                                  ["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"],
                                  links))  # fmt: skip
    assert result.kind == "school_links" and result.rows_imported == 2
    assert "URN 999999 is not in the school register" in result.rejected[0].reason
    with db.read() as conn:
        phases = dict(conn.execute(sa.select(t.schools.c.laestab, t.schools.c.phase)).all())
        link_types = sorted(conn.execute(sa.select(t.school_links.c.link_type)).scalars())
    assert phases == {
        "3304002": "secondary", "3302001": "primary", "3301100": "pru_ap",
        "3307001": "special", "3304001": "secondary",
    }  # fmt: skip
    assert link_types == ["predecessor", "successor"]
    census = import_one(write_csv(tmp_path / "c.csv", CENSUS_HEADERS, [census_row(1)]))
    assert census.warnings == []  # the school is known now


def test_school_found_by_urn_or_name(tmp_path: Path, db: Any, import_one: Any) -> None:
    import_one(write_csv(tmp_path / "gias.csv", SCHOOL_HEADERS, schools_rows()))
    headers = ["UPN", "Surname", "Forename", "DOB", "School URN", "Category", "Start date", "Days"]
    rows = [[upn(1), "A", "B", "01/01/2012", "100002", "SUSP", "02/10/2023", "1"],
            [upn(2), "A", "C", "01/01/2012", "123456", "SUSP", "02/10/2023", "1"]]  # fmt: skip
    result = import_one(write_csv(tmp_path / "x.csv", headers, rows))
    assert result.rows_imported == 1
    assert result.rejected[0].reason == "school URN 123456 is not in the school register"
    by_name = [[upn(3), "A", "D", "01/01/2012", "brook primary school", "SUSP", "02/10/2023", "1"]]
    headers[4] = "School name"
    assert import_one(write_csv(tmp_path / "y.csv", headers, by_name)).rows_imported == 1


def test_rejected_rows_are_kept_and_saved_as_a_spreadsheet(
    tmp_path: Path, db: Any, import_one: Any
) -> None:
    rows = [census_row(1), census_row(2, surname='=HYPERLINK("x")', dob="31/02/2012")]
    result = import_one(write_csv(tmp_path / "c.csv", CENSUS_HEADERS, rows))
    (stored,) = rejected_rows(db, result.batch_id)
    assert (stored.row_number, stored.upn) == (3, upn(2))
    assert stored.raw["Surname"] == '=HYPERLINK("x")'
    out = tmp_path / "rejected.xlsx"
    assert save_rejected_rows(db, result.batch_id, out, account=os_account()) == 1
    import openpyxl

    sheet = openpyxl.load_workbook(out).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[4][:3] == ["Row in the file", "Why it was rejected", "UPN"]
    assert values[5][0] == "3" and "not a real date" in values[5][1]
    assert values[5][3] == '\'=HYPERLINK("x")'  # made inert (docs/output-and-failures.md)
    assert sheet.cell(6, 4).data_type == "s"  # text, not a live formula


# Every start a spreadsheet reads as a formula or a command, with the plain and full-width forms.
DANGEROUS_STARTS = [
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\t=",
    "\r+",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rejected_rows_file_makes_every_dangerous_start_inert(
    tmp_path: Path, db: Any, import_one: Any, suffix: str
) -> None:
    notes = [f"Note {i}" for i in range(len(DANGEROUS_STARTS))]
    cells = [f"{start}cmd|' /C calc'!A1" for start in DANGEROUS_STARTS]
    bad = census_row(2, dob="31/02/2012")
    result = import_one(write_csv(tmp_path / "c.csv", [*CENSUS_HEADERS, *notes], [[*bad, *cells]]))
    (stored,) = rejected_rows(db, result.batch_id)
    # Kept as the school wrote them, less the spaces, tabs and line ends the intake trims from
    # a cell's ends, so a tab or CR in front never reaches the file; one that hides an = does.
    kept = [cell.strip() for cell in cells]
    assert [stored.raw[n] for n in notes] == kept
    out = tmp_path / f"rejected{suffix}"
    assert save_rejected_rows(db, result.batch_id, out, account=os_account()) == 1
    if suffix == ".csv":
        import csv

        with out.open(encoding="utf-8-sig", newline="") as handle:
            values = list(csv.reader(handle))
        assert values[0][0].startswith("OFFICIAL-SENSITIVE")
        assert values[2][0].startswith(f"Saved by {os_account()} on ")
    else:
        import openpyxl

        sheet = openpyxl.load_workbook(out).active
        values = [["" if c.value is None else c.value for c in r] for r in sheet.iter_rows()]
        assert values[0][0].startswith("OFFICIAL-SENSITIVE")
        assert values[2][0].startswith(f"Saved by {os_account()} on ")
        assert all(c.data_type == "s" for c in sheet[6] if c.value is not None)
        assert "OFFICIAL-SENSITIVE" in sheet.oddHeader.center.text
    header, row = values[4], values[5]
    assert header[:2] == ["Row in the file", "Why it was rejected"]
    inert = ["'" + k if k[0] in "=+-@\uff1d\uff0b\uff0d\uff20" else k for k in kept]
    assert [row[header.index(n)] for n in notes] == inert
    assert sum(cell.startswith("'") for cell in inert) == len(DANGEROUS_STARTS) - 2


def test_progress_and_cancel(tmp_path: Path, db: Any) -> None:
    from imports import import_files

    path = write_csv(tmp_path / "c.csv", CENSUS_HEADERS, [census_row(i) for i in range(1, 12001)])
    seen: list[tuple[int, int]] = []
    (result,) = import_files(db, [path], progress=lambda d, n: seen.append((d, n)),
                             cancel=lambda: len(seen) > 3)  # fmt: skip
    assert result.status == "refused"
    assert result.message == "c.csv: the import was cancelled; nothing from this file was kept."
    assert _count(db, t.import_batches) == 0 and _count(db, t.children) == 0
    assert seen[-1] == (1000, 1000)
    assert all(b <= c for (b, _), (c, _) in itertools.pairwise(seen))
