"""The Imports page through its widgets: add files, see kind and mapping, fix a mapping and save
it for the next file, import in the background (and cancel), rejected rows shown and saved for
the school, undo from the history; a viewer cannot import."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from exclusion_monitor.roles import Role
from exclusion_monitor.store import Database
from exclusion_monitor.store.audit import list_entries
from exclusion_monitor.store.batches import list_batches
from exclusion_monitor.store.children import child_id_for_upn, count_children
from exclusion_monitor.store.mapping_profiles import list_mapping_profiles
from exclusion_monitor.store.users import add_user, claim_first_admin
from imports import FileResult
from imports.demo import DemoManifest
from tests.gui.conftest import show_on_children
from tests.gui.import_files import (
    ODD_SURNAME,
    demo_returns,
    messy_upn,
    write_big_census_csv,
    write_messy_census,
)
from ui.app import messages
from ui.app.import_models import (
    BatchesModel,
    MappingPreviewModel,
    PendingFilesModel,
    RejectedRowsModel,
    ResultsModel,
)
from ui.app.main_window import MainWindow
from ui.app.pages import PAGE_NAMES
from ui.app.pages.base import AppContext
from ui.app.pages.imports_page import TAB_HISTORY, TAB_RESULT, ImportsPage

ADMIN = "LA\\admin"
SLOW = 120_000


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return demo_returns(tmp_path_factory.mktemp("demo"))


def demo_file(demo: DemoManifest, name: str) -> Path:
    return next(f.path for f in demo.files if f.path.name == name)


CENSUS = "2020-01-16_1_census.xlsx"  # the demo's census with a wrong UPN check letter on row 55
SCHOOLS = "000_schools_register.csv"


def open_page(qtbot: QtBot, db: Database, account: str | None = None) -> ImportsPage:
    page = ImportsPage(AppContext.for_account(db, account))
    qtbot.addWidget(page)
    page.resize(1300, 820)
    page.show()
    if page.can_import:
        with qtbot.waitSignals([page.history.loaded, page.identity.loaded], timeout=10_000):
            page.activated()
    return page


@pytest.fixture
def page(qtbot: QtBot, db: Database) -> ImportsPage:
    return open_page(qtbot, db)


def add(qtbot: QtBot, page: ImportsPage, monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    monkeypatch.setattr(messages, "choose_import_files", lambda *a: [str(p) for p in paths])
    with qtbot.waitSignal(page.inspected, timeout=30_000):
        page.add_button.click()


def file_rows(page: ImportsPage) -> list[list[str]]:
    model = page.files_model
    return [[model.index(r, c).data() for c in range(5)] for r in range(model.rowCount())]


def run_import(qtbot: QtBot, page: ImportsPage) -> list[FileResult]:
    """Import and wait until the page has read its history and near matches again."""
    signals = [page.imported, page.history.loaded, page.identity.loaded]
    with qtbot.waitSignals(signals, timeout=SLOW):
        page.import_button.click()
    return page.result_view.model.results


def result_rows(page: ImportsPage) -> list[list[str]]:
    view = page.result_view.view
    model = view.model()
    return [[model.index(r, c).data() for c in range(6)] for r in range(model.rowCount())]


def test_added_files_show_kind_sheet_header_row_and_mapping(
    qtbot: QtBot, page: ImportsPage, demo: DemoManifest, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(qtbot, page, monkeypatch, demo_file(demo, SCHOOLS), demo_file(demo, CENSUS))
    rows = file_rows(page)
    assert rows[0][:4] == [SCHOOLS, "Schools (GIAS)", "000_schools_register", "1"]
    assert rows[0][4] == "Ready"
    assert rows[1][:4] == [CENSUS, "Census", "Sheet1", "3"]  # two title rows above the header
    assert rows[1][4] == "Needs the census date (the file has none)"
    assert page.import_button.text() == "Import 1 file"

    page.select_file(CENSUS)
    editor = page.editor
    assert editor.kind_combo.currentText() == "Census"
    combo = editor.combo_for("UPN")
    assert combo is not None and combo.currentText() == "UPN (required)"
    assert editor.combo_for("DOB").currentData() == "date_of_birth"  # type: ignore[union-attr]
    first_upn = editor.model.index(1, editor.model.headers.index("UPN")).data()
    assert len(first_upn) == 13 and first_upn[0].isalpha()
    assert editor.date_edit.isVisible()
    assert "no census date or term column: choose the census date above" in editor.note.text()

    editor.choose_census_date("16/1/20")
    assert file_rows(page)[1][4] == "Ready"
    assert "16/01/2020" in editor.note.text()
    assert page.import_button.text() == "Import 2 files"


def test_import_shows_rejected_rows_saves_them_and_undo_removes_the_batch(
    qtbot: QtBot,
    page: ImportsPage,
    db: Database,
    demo: DemoManifest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    add(qtbot, page, monkeypatch, demo_file(demo, SCHOOLS), demo_file(demo, CENSUS))
    page.select_file(CENSUS)
    page.editor.choose_census_date("16/1/20")
    changed: list[bool] = []
    page.context.signals.data_changed.connect(lambda: changed.append(True))
    results = run_import(qtbot, page)
    assert changed
    assert page.tabs.currentIndex() == TAB_RESULT
    assert [r.status for r in results] == ["imported", "imported"]
    census = results[1]
    children = count_children(db)
    assert children == census.rows_imported > 0
    shown = result_rows(page)
    assert shown[1][:3] == [CENSUS, "Census", "Imported"]
    assert shown[1][5] == "1"
    assert f"1 row of {CENSUS} was not imported" in page.result_view.detail.text()
    rejected = page.result_view.rejected_view.model()
    assert [rejected.index(0, c).data() for c in range(3)] == [
        "55", "U335200120987", rejected.index(0, 2).data()
    ]  # fmt: skip
    assert "check letter" in rejected.index(0, 2).data()
    assert page.files_model.rowCount() == 0  # imported files leave the list

    out = tmp_path / "for the school.csv"
    monkeypatch.setattr(messages, "choose_save_file", lambda *a: str(out))
    with qtbot.waitSignal(page.result_view.rejected_saved, timeout=10_000):
        page.result_view.save_button.click()
    with out.open(encoding="utf-8-sig") as handle:
        saved = list(csv.reader(handle))
    assert saved[0][0].startswith("OFFICIAL-SENSITIVE")
    assert saved[4][:2] == ["Row in the file", "Why it was rejected"]
    assert saved[5][0] == "55" and "check letter" in saved[5][1]
    assert "export_rejected_rows" in [e.action for e in list_entries(db)]

    page.tabs.setCurrentIndex(TAB_HISTORY)
    history = page.history
    assert [b.file_name for b in history.model.batches] == [CENSUS, SCHOOLS]
    history.select_batch(history.model.batches[0].id)
    assert history.undo_button.isEnabled()
    asked: list[str] = []
    monkeypatch.setattr(messages, "confirm", lambda _p, _t, text: asked.append(text) or True)
    with qtbot.waitSignals([history.undone, history.loaded], timeout=SLOW):
        history.undo_button.click()
    assert CENSUS in asked[0] and "backup" in asked[0]
    assert count_children(db) == 0
    statuses = {b.file_name: b.status for b in list_batches(db)}
    assert statuses == {CENSUS: "undone", SCHOOLS: "imported"}
    assert history.model.index(0, 9).data().startswith("Undone")
    assert not history.undo_button.isEnabled()


def test_undo_asks_first_and_does_nothing_when_refused(
    qtbot: QtBot,
    page: ImportsPage,
    db: Database,
    demo: DemoManifest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add(qtbot, page, monkeypatch, demo_file(demo, SCHOOLS))
    run_import(qtbot, page)
    page.history.select_batch(page.history.model.batches[0].id)
    monkeypatch.setattr(messages, "confirm", lambda *a: False)
    page.history.undo_button.click()
    assert [b.status for b in list_batches(db)] == ["imported"]


def test_unknown_column_mapped_by_hand_then_saved_profile_reads_the_next_file(
    qtbot: QtBot,
    page: ImportsPage,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    spring = write_messy_census(tmp_path / "larkwood spring.xlsx", 1, 12)
    add(qtbot, page, monkeypatch, spring)
    status = file_rows(page)[0]
    assert status[1:4] == ["Census", "Spring return", "4"]
    assert status[4] == "Needs a mapping: no column for Surname"
    page.select_file(spring.name)
    editor = page.editor
    assert editor.combo_for(ODD_SURNAME).currentText() == "Ignore this column"  # type: ignore[union-attr]
    assert not page.import_button.isEnabled()

    editor.choose_field(ODD_SURNAME, "surname")
    editor.choose_census_date("18/1/24")
    assert file_rows(page)[0][4] == "Ready"
    assert editor.model.index(0, 1).data() == "Surname"
    # Choosing a field another column had moves it: that column is ignored now.
    editor.choose_field("Keyworker initials", "forename")
    assert editor.combo_for("Given name").currentText() == "Ignore this column"  # type: ignore[union-attr]
    editor.choose_field("Given name", "forename")
    assert editor.combo_for("Keyworker initials").currentData() == ""  # type: ignore[union-attr]

    with qtbot.waitSignal(page.profile_saved, timeout=10_000):
        editor.save_button.click()
    (profile,) = list_mapping_profiles(db)
    assert profile.mapping[ODD_SURNAME] == "surname"

    (result,) = run_import(qtbot, page)
    assert result.rows_imported == 12
    assert child_id_for_upn(db, messy_upn(3)) is not None

    summer = write_messy_census(tmp_path / "larkwood summer.xlsx", 13, 5)
    page.tabs.setCurrentIndex(0)
    add(qtbot, page, monkeypatch, summer)
    page.select_file(summer.name)
    assert "saved profile" in editor.note.text()
    assert editor.combo_for(ODD_SURNAME).currentData() == "surname"  # type: ignore[union-attr]
    assert file_rows(page)[0][4] == "Needs the census date (the file has none)"
    editor.choose_census_date("16/5/24")
    (second,) = run_import(qtbot, page)
    assert second.status == "imported" and second.rows_imported == 5
    assert count_children(db) == 17


def test_cancel_during_a_large_import_keeps_nothing_from_the_file(
    qtbot: QtBot,
    page: ImportsPage,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    big = write_big_census_csv(tmp_path / "whole authority.csv", 40_000, dt.date(2024, 1, 18))
    add(qtbot, page, monkeypatch, big)
    assert file_rows(page)[0][4] == "Ready"
    with qtbot.waitSignal(page.imported, timeout=SLOW) as blocker:
        page.import_button.click()
        assert page.cancel_button.isVisible() and page.progress.isVisible()
        assert not page.import_button.isEnabled()
        qtbot.waitUntil(lambda: page.progress.value() > 0, timeout=SLOW)
        page.cancel_button.click()
    assert blocker.args is not None
    (result,) = blocker.args[0]
    assert result.status == "refused"
    assert "cancelled; nothing from this file was kept" in result.message
    assert count_children(db) == 0
    assert list_batches(db) == []
    assert result_rows(page)[0][2] == "Refused"
    assert file_rows(page)[0][0] == big.name  # still on the list, to import later
    assert not page.cancel_button.isVisible()


def test_dropping_files_on_the_page_adds_the_spreadsheets_only(
    qtbot: QtBot, page: ImportsPage, demo: DemoManifest, tmp_path: Path
) -> None:
    note = tmp_path / "notes.txt"
    note.write_text("not a spreadsheet")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(demo_file(demo, SCHOOLS))), QUrl.fromLocalFile(str(note))])
    event = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    with qtbot.waitSignal(page.inspected, timeout=30_000):
        page.dropEvent(event)
    assert [r[0] for r in file_rows(page)] == [SCHOOLS]


def test_a_file_the_intake_refuses_says_why(
    qtbot: QtBot, page: ImportsPage, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "returns.xlsx"
    fake.write_text("this is not really a workbook")
    add(qtbot, page, monkeypatch, fake)
    assert file_rows(page)[0][4].startswith("Refused: ")
    page.select_file(fake.name)
    assert "cannot be imported" in page.editor.note.text()
    assert not page.import_button.isEnabled()


def test_a_viewer_cannot_import(qtbot: QtBot, db: Database) -> None:
    claim_first_admin(db, ADMIN)
    add_user(db, ADMIN, "LA\\viewer", Role.VIEWER)
    page = open_page(qtbot, db, "LA\\viewer")
    assert not page.can_import
    assert page.add_button.isHidden() and page.import_button.isHidden()
    assert not page.acceptDrops()
    assert "needs the liaison or admin role" in page.hint.text()
    assert page.history.undo_button.isHidden()

    window = MainWindow(db, account="LA\\viewer")
    qtbot.addWidget(window)
    show_on_children(qtbot, window)
    number = PAGE_NAMES.index("Imports")
    assert window.nav.item(number).isHidden()
    window.go_to(number)
    assert not isinstance(window.stack.currentWidget(), ImportsPage)


def test_models_pass_the_model_tester(
    qtbot: QtBot,
    qtmodeltester: object,
    page: ImportsPage,
    demo: DemoManifest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add(qtbot, page, monkeypatch, demo_file(demo, SCHOOLS), demo_file(demo, CENSUS))
    page.select_file(CENSUS)
    page.editor.choose_census_date("16/1/20")
    run_import(qtbot, page)
    for model in (
        page.files_model,
        page.result_view.model,
        page.result_view.rejected_model,
        page.history.model,
    ):
        assert model.rowCount() > 0 or isinstance(model, PendingFilesModel)
        qtmodeltester.check(model)
    assert isinstance(page.result_view.model, ResultsModel)
    assert isinstance(page.result_view.rejected_model, RejectedRowsModel)
    assert isinstance(page.history.model, BatchesModel)
    add(qtbot, page, monkeypatch, demo_file(demo, "2020-05-21_1_census.xlsx"))
    page.select_file("2020-05-21_1_census.xlsx")
    mapping = page.editor.model
    assert isinstance(mapping, MappingPreviewModel) and mapping.rowCount() > 1
    qtmodeltester.check(mapping)
    qtmodeltester.check(page.files_model)


def test_choosing_another_kind_reads_the_file_again_as_that_kind(
    qtbot: QtBot, page: ImportsPage, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    leavers = tmp_path / "leavers.csv"
    leavers.write_text(
        "UPN,Surname,Forename,Date of birth,Entry date,LAESTAB\n"
        f"{messy_upn(1)},Ashdown,Alfie,01/02/2015,04/09/2019,3302001\n"
    )
    add(qtbot, page, monkeypatch, leavers)
    assert file_rows(page)[0][1:] == ["Enrolments", "leavers", "1", "Ready"]  # the guess
    page.select_file(leavers.name)
    combo = page.editor.kind_combo
    with qtbot.waitSignal(page.inspected, timeout=30_000):
        combo.setCurrentIndex(combo.findData("census"))
        combo.activated.emit(combo.currentIndex())
        assert file_rows(page)[0][4] == "Reading..."
    assert file_rows(page)[0][1:] == [
        "Census", "leavers", "1", "Needs the census date (the file has none)"
    ]  # fmt: skip
    assert page.editor.combo_for("Entry date").currentData() == "entry_date"  # type: ignore[union-attr]


def test_a_doubtful_column_is_proposed_highlighted_and_used_only_when_chosen(
    qtbot: QtBot, page: ImportsPage, db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "office census.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Pupil No.", "Legal Surname", "Legal Forename", "D.O.B.", "Sch No",
                         "Census Date", "Adm. date (first)", "Tutor group"])  # fmt: skip
        writer.writerow([messy_upn(1), "Tester", "Ada", "01/03/2016", "3302001", "18/01/2024",
                         "02/09/2020", "3B"])  # fmt: skip
    add(qtbot, page, monkeypatch, path)
    assert file_rows(page)[0][4] == "Ready"  # every required column was read as meant
    page.select_file(path.name)
    editor = page.editor
    combo = editor.combo_for("Adm. date (first)")
    assert combo is not None and combo.currentData() == ""  # not used unasked
    assert "fff3cd" in combo.styleSheet() and "may be the Entry date" in combo.toolTip()
    note = editor.note.text()
    assert "'Adm. date (first)' may be the Entry date column" in note
    assert "Not used: Adm. date (first), Tutor group." in note
    assert editor.proposals_button.isVisible()
    editor.proposals_button.click()
    assert combo.currentData() == "entry_date" and combo.styleSheet() == ""
    assert not editor.proposals_button.isVisible()
    assert "Not used: Tutor group." in editor.note.text()
    (result,) = run_import(qtbot, page)
    assert result.status == "imported" and result.not_used == ["Tutor group"]
    assert result.proposed == []
    assert "Not used: Tutor group." in page.result_view.detail.text()


def test_the_census_date_starts_at_the_files_own_term_and_takes_a_uk_date(
    qtbot: QtBot, page: ImportsPage, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spring = write_messy_census(tmp_path / "larkwood spring 2024.xlsx", 1, 3)
    add(qtbot, page, monkeypatch, spring)
    page.select_file(spring.name)
    editor = page.editor
    editor.choose_field(ODD_SURNAME, "surname")
    box = editor.date_edit
    assert box.isVisible() and box.date() is None  # a suggestion, never a choice
    assert "18/01/2024" in box.edit.placeholderText()  # the spring 2024 census day
    assert box.calendar.selectedDate() == QDate(2024, 1, 18)
    assert box.calendar.yearShown() == 2024 and box.calendar.monthShown() == 1
    assert file_rows(page)[0][4] == "Needs the census date (the file has none)"
    # Typed as a UK user types it: day first, short year, any separator.
    editor.choose_census_date("31/2/24")
    assert "is not a date" in box.refused and file_rows(page)[0][4].startswith("Needs")
    editor.choose_census_date("18.1.24")
    assert box.refused == "" and file_rows(page)[0][4] == "Ready"
    assert "18/01/2024" in editor.note.text()
    editor.choose_census_date("1/13/2024")  # month first: refused, the date stays
    assert "is not a date" in box.refused and "still 18/01/2024" in box.refused
    assert file_rows(page)[0][4] == "Ready"


def test_a_common_transfer_file_is_described_as_one_not_as_a_sheet(
    qtbot: QtBot, page: ImportsPage, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.cli.test_cli_ctf import _transfer

    add(qtbot, page, monkeypatch, _transfer(tmp_path / "from kent.xml"))
    note = page.editor.note.text()
    assert "a Common Transfer File, read as Enrolments: one row for each school" in note
    assert "sheet" not in note and "a Enrolments" not in note
    assert page.editor.save_button.isHidden()  # its columns are the intake's own: no mapping
    results = run_import(qtbot, page)
    assert [(r.status, r.rows_imported) for r in results] == [("imported", 3)]
