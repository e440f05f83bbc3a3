"""The child profile on the worked-example authority: the story each child's record tells, the
timeline's marks, the case panel writing to the store and the audit trail, and roles."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from exclusion_monitor.roles import Action, Role
from exclusion_monitor.store import Database, audit
from exclusion_monitor.store.users import add_user, claim_first_admin
from tests.core import example_authority as story
from tests.core.builders import Builder, D, autumn, spring, summer
from tests.support.cases import case_of, history_of, notes_of
from ui.app.pages import AppContext
from ui.app.pages.profile_page import ProfilePage
from ui.app.profile_models import (
    ROW_ROLE,
    CensusModel,
    ExclusionsModel,
    FamilyModel,
    FlagsModel,
    MovesModel,
)
from ui.app.timeline_legend import school_colour

ADMIN = "LA\\admin1"
VIEWER = "LA\\viewer1"


@pytest.fixture
def example(db: Database) -> story.Example:
    built = story.build(db)
    claim_first_admin(db, ADMIN)
    return built


def open_profile(qtbot: QtBot, db: Database, child_id: int, account: str = ADMIN) -> ProfilePage:
    page = ProfilePage(AppContext(db, account))
    qtbot.addWidget(page)
    page.resize(1200, 760)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.show_child(child_id, origin="Children")
    wait_for_review(qtbot, page)
    return page


def wait_for_review(qtbot: QtBot, page: ProfilePage) -> None:
    if page.review.child_id is not None:
        qtbot.waitUntil(lambda: page.review.case is not None, timeout=5000)


def column(model: Any, col: int) -> list[str]:
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_finn_moves_school_twice_and_is_flagged_for_it(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    page = open_profile(qtbot, db, example.ids["Finn"])
    assert page.heading.text() == "Finn Fenwick"
    assert example.upns["Finn"] in page.identity.text()
    assert "made 2 non-standard moves" in page.summary.text()
    schools = [m.detail for m in page.timeline.marks() if m.kind == "school"]
    assert schools == ["3304001", "3304002", "3304003"]
    moves = [m for m in page.timeline.marks() if m.kind == "move"]
    assert [m.detail for m in moves] == ["non_standard", "non_standard"]
    assert moves[0].rect.center().x() < moves[1].rect.center().x()
    assert column(page.moves_model, MovesModel.COL_KIND) == ["non-standard move"] * 2
    assert column(page.moves_model, MovesModel.COL_TO) == [
        "Ash Academy (3304002)",
        "Beech School (3304003)",
    ]
    assert {f.rule for f in page.flags_model.records} == {"high_mobility", "many_secondary_schools"}
    assert page.tabs.tabText(0) == "Flags (2)" and page.tabs.tabText(2) == "Moves (2)"
    assert page.exclusions_model.rowCount() == 0
    assert page.totals.text() == "No exclusions on record."
    viewed = audit.list_entries(db, action=Action.VIEW_CHILD)
    assert [(e.account, e.target) for e in viewed] == [(ADMIN, example.upns["Finn"])]


def test_a_permanent_exclusion_is_a_larger_red_mark_with_its_story_in_the_tooltip(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    cara = open_profile(qtbot, db, example.ids["Cara"])
    (perm,) = [m for m in cara.timeline.marks() if m.kind == "exclusion"]
    assert perm.detail == "PERM"
    assert cara.timeline.mark_at(perm.rect.center()) == perm
    assert "Permanent exclusion, 20 Feb 2024" in perm.tooltip and "Ash Academy" in perm.tooltip
    assert [m.detail for m in cara.timeline.marks() if m.kind == "move"] == ["placement"]
    assert column(cara.exclusions_model, ExclusionsModel.COL_CATEGORY) == ["Permanent exclusion"]
    # The picture: the red diamond and Ash Academy's bar are really painted where marks say.
    picture = cara.timeline.grab().toImage()
    assert QColor(picture.pixel(perm.rect.center().toPoint())).name() == "#c62828"
    (ash,) = [m for m in cara.timeline.marks() if m.detail == "3304002"]
    inside = QPointF(ash.rect.right() - 3, ash.rect.center().y()).toPoint()
    assert QColor(picture.pixel(inside)).name() == school_colour("3304002").name()

    kai = open_profile(qtbot, db, example.ids["Kai"])
    (suspension,) = [m for m in kai.timeline.marks() if m.kind == "exclusion"]
    assert suspension.detail == "SUSP" and "32 sessions lost" in suspension.tooltip
    assert suspension.rect.width() < perm.rect.width()
    assert kai.timeline.mark_at(QPointF(2, 2)) is None


def test_the_case_changes_only_on_save_and_every_change_is_audited(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    add_user(db, ADMIN, "LA\\officer7", Role.OFFICER, "Olu Officer")
    page = open_profile(qtbot, db, example.ids["Kai"])
    panel = page.review
    assert panel.flag is not None and panel.flag.rule == "statutory_limit"
    assert panel.status_combo.isEnabled() and not panel.save_button.isEnabled()
    assert panel.officer_combo.findText("Olu Officer (LA\\officer7)") > 0
    assert not panel.officer_combo.isEditable()  # an officer is chosen, never typed

    # Status, officer and a note chosen together: nothing is written until Save.
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("under_review"))
    panel.officer_combo.setCurrentIndex(panel.officer_combo.findData("LA\\officer7"))
    qtbot.keyClicks(panel.note_edit, "Spoke to the head of year; meeting booked.")
    assert panel.save_button.isEnabled()
    assert case_of(db, example.ids["Kai"]).id is None
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    wait_for_review(qtbot, page)
    qtbot.waitUntil(lambda: panel.case is not None and len(panel.case.notes) == 1, timeout=5000)
    assert column(page.flags_model, FlagsModel.COL_STATUS) == ["Under review"]
    assert column(page.flags_model, FlagsModel.COL_OFFICER) == ["Olu Officer"]  # by name
    assert "Spoke to the head of year" in panel.notes.item(0).text()
    assert panel.history.count() == 3 and not panel.save_button.isEnabled()

    case = case_of(db, example.ids["Kai"])
    assert (case.status, case.assigned_to) == ("under_review", "LA\\officer7")
    [note] = notes_of(db, example.ids["Kai"])
    assert note.text == "Spoke to the head of year; meeting booked." and note.author == ADMIN
    kai = example.upns["Kai"]
    rows = audit.list_entries(db, action=Action.CHANGE_FLAG_STATUS)
    assert [(r.account, r.target) for r in rows] == [(ADMIN, kai)]
    assert rows[0].detail is not None
    assert rows[0].detail["changed"] == ["status", "officer", "note"]
    # No child's name and no note text in the audit trail.
    details = [str(e.detail) for e in audit.list_entries(db)]
    assert not any("Kendrick" in d or "head of year" in d for d in details)
    # Refreshing after a change did not count as another view.
    assert len(audit.list_entries(db, action=Action.VIEW_CHILD)) == 1


def test_a_wheel_over_the_status_box_changes_nothing(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    page = open_profile(qtbot, db, example.ids["Kai"])
    panel = page.review
    before = panel.status_combo.currentIndex()
    centre = panel.status_combo.rect().center()
    for delta in (-120, -120, 120, -360):
        wheel = QWheelEvent(
            QPointF(centre), QPointF(panel.status_combo.mapToGlobal(centre)), QPoint(0, 0),
            QPoint(0, delta), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase, False,
        )  # fmt: skip
        QApplication.sendEvent(panel.status_combo, wheel)
    assert panel.status_combo.currentIndex() == before
    assert not panel.save_button.isEnabled()
    assert case_of(db, example.ids["Kai"]).id is None


def test_closing_a_case_asks_for_a_note_and_a_refusal_writes_nothing(
    qtbot: QtBot, db: Database, example: story.Example, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    page = open_profile(qtbot, db, example.ids["Kai"])
    panel = page.review
    asked: list[str] = []

    def no_note(_parent: object, _title: str, label: str, *a: object) -> tuple[str, bool]:
        asked.append(label)
        return "", False

    monkeypatch.setattr(QInputDialog, "getMultiLineText", no_note)
    panel.status_combo.setCurrentIndex(panel.status_combo.findData("closed"))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert asked and "Why is the case closed?" in asked[0]
    assert case_of(db, example.ids["Kai"]).id is None  # cancelled: nothing written

    def a_note(*_a: object) -> tuple[str, bool]:
        return "Plan in place; school reports no further incidents.", True

    monkeypatch.setattr(QInputDialog, "getMultiLineText", a_note)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    wait_for_review(qtbot, page)
    assert case_of(db, example.ids["Kai"]).status == "closed"
    assert [n.text for n in notes_of(db, example.ids["Kai"])] == [
        "Plan in place; school reports no further incidents."
    ]


def test_a_flag_is_marked_reviewed_on_the_case(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    page = open_profile(qtbot, db, example.ids["Kai"])
    panel = page.review
    assert panel.reviewed_button.isEnabled()
    assert "not been reviewed" in panel.reviewed_label.text()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(panel.reviewed_button, Qt.MouseButton.LeftButton)
    wait_for_review(qtbot, page)
    qtbot.waitUntil(lambda: "Reviewed by" in panel.reviewed_label.text(), timeout=5000)
    qtbot.waitUntil(lambda: panel.case is not None and len(panel.case.history) == 1, timeout=5000)
    assert not panel.reviewed_button.isEnabled()
    assert [(e.what, e.flag_rule) for e in history_of(db, example.ids["Kai"])] == [
        ("reviewed", "statutory_limit")
    ]


def test_a_viewer_reads_the_case_but_cannot_change_it(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    add_user(db, ADMIN, VIEWER, Role.VIEWER)
    page = open_profile(qtbot, db, example.ids["Lee"], account=VIEWER)
    panel = page.review
    assert panel.flag is not None
    for widget in (
        panel.status_combo,
        panel.officer_combo,
        panel.note_edit,
        panel.save_button,
        panel.reviewed_button,
    ):
        assert not widget.isEnabled()
    assert panel.role_note.isVisible()
    assert "viewer" in panel.role_note.text()
    assert [e.account for e in audit.list_entries(db, action=Action.VIEW_CHILD)] == [VIEWER]


def test_an_account_without_access_sees_why(qtbot: QtBot, db: Database, example: story.Example):
    page = ProfilePage(AppContext(db, "LA\\stranger"))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        page.show_child(example.ids["Dan"], origin="Flags")
    assert "has not been given access" in page.identity.text()
    assert page.profile is None and not page.tabs.isEnabled()
    assert audit.list_entries(db, action=Action.VIEW_CHILD) == []


def test_one_click_on_a_sibling_opens_them_and_back_returns(
    qtbot: QtBot, db: Database, example: story.Example
) -> None:
    page = open_profile(qtbot, db, example.ids["Dan"])
    page.context.signals.open_child.connect(page.show_child)
    assert column(page.family_model, FamilyModel.COL_NAME) == ["Ella Dunmore"]
    assert column(page.family_model, FamilyModel.COL_FLAGS) == ["Excluded in primary school"]
    assert "2 of 2 children flagged: Excluded in primary school (1 child)" in (
        page.family_note.text()
    )
    page.tabs.setCurrentIndex(4)
    view = page.family_view
    cell = view.visualRect(view.model().index(0, FamilyModel.COL_NAME)).center()
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert page.heading.text() == "Ella Dunmore"
    assert page.back_button.text() == "\u25c0 Back to the previous child"
    with qtbot.waitSignal(page.loaded, timeout=10_000):
        qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)
    assert page.heading.text() == "Dan Dunmore"
    assert page.back_button.text() == "\u25c0 Back to Children"
    with qtbot.waitSignal(page.back_requested, timeout=2000):
        qtbot.mouseClick(page.back_button, Qt.MouseButton.LeftButton)


def test_census_history_and_badges(qtbot: QtBot, db: Database, example: story.Example) -> None:
    page = open_profile(qtbot, db, example.ids["Jay"])
    assert page.census_model.rowCount() == 9
    assert set(column(page.census_model, CensusModel.COL_SCHOOL)) == {"Elm Primary (3302001)"}
    assert "Former UPNs: " + example.jay_temporary_upn in page.identity.text()
    badges = [page.badges.itemAt(i).widget() for i in range(page.badges.count())]
    texts = [b.text() for b in badges if b is not None]
    assert "Former UPNs: 1" in texts
    assert page.flags_model.rowCount() == 0 and page.review.flag is None


def test_profile_models_pass_qtmodeltester(
    qtbot: QtBot, qtmodeltester: Any, db: Database, example: story.Example
) -> None:
    page = open_profile(qtbot, db, example.ids["Dan"])
    for model in (
        page.flags_model,
        page.exclusions_model,
        page.moves_model,
        page.census_model,
        page.family_model,
    ):
        qtmodeltester.check(model)
        assert model.rowCount() == 0 or model.data(model.index(0, 0), ROW_ROLE) is not None


def test_a_school_bar_never_ends_before_an_exclusion_from_that_school(
    qtbot: QtBot, db: Database
) -> None:
    """Oak's census last had Nia in the autumn; she was suspended there in November and first
    seen at Ash at the spring census: Oak's bar reaches the suspension, and the profile says
    she was last known at Oak that day."""
    claim_first_admin(db, ADMIN)
    b = Builder(db)
    oak, ash = b.school("Oak High", "secondary"), b.school("Ash Academy", "secondary")
    nia = b.child("Nia", "Norris")
    b.on_roll(nia, oak, [autumn(2022), spring(2023), summer(2023), autumn(2023)], "7")
    b.on_roll(nia, ash, [spring(2024), summer(2024)], "8")
    b.exclusion(nia, oak, D(2023, 11, 20), sessions=4)
    b.exclusion(nia, oak, D(2023, 12, 12), sessions=2)
    page = open_profile(qtbot, db, nia)
    oak_code = page.profile.enrolments[0].school_laestab if page.profile else ""
    (oak_bar,) = [m for m in page.timeline.marks() if m.kind == "school" and m.detail == oak_code]
    marks = [m for m in page.timeline.marks() if m.kind == "exclusion"]
    assert len(marks) == 2
    assert all(oak_bar.rect.right() >= m.rect.center().x() for m in marks)
    assert page.profile is not None
    assert page.profile.enrolments[0].end == D(2023, 12, 12)
    assert "12 Dec 2023" in oak_bar.tooltip


def test_a_missing_child_is_not_shown_at_their_old_school(qtbot: QtBot, db: Database) -> None:
    claim_first_admin(db, ADMIN)
    b = Builder(db)
    oak = b.school("Oak High", "secondary")
    gone, stays = b.child("Ola", "Gone"), b.child("Pip", "Stays")
    b.on_roll(gone, oak, [autumn(2023), spring(2024)], "8")
    b.on_roll(stays, oak, [autumn(2023), spring(2024), summer(2024)], "8")
    page = open_profile(qtbot, db, gone)
    assert "<b>missing</b>: last known at Oak High on 18 January 2024" in page.identity.text()
    assert "Year 8 at Oak High" not in page.identity.text()
    assert page.profile is not None and page.profile.place is not None
    code = page.profile.place.school_laestab
    assert page.profile.place.sentence() == (
        f"Missing: last known at Oak High ({code}) on 18 January 2024, on no school's roll "
        "since and no destination recorded."
    )


def test_an_amended_exclusion_is_marked_with_the_earlier_values_on_hover(
    qtbot: QtBot, db: Database, tmp_path: Any
) -> None:
    from imports import import_files
    from tests.gui.test_screenshots import render
    from tests.intake import arriving_returns as returns

    files = returns.amended_return(tmp_path)
    import_files(db, files.files, account="liaison1")
    claim_first_admin(db, ADMIN)
    from exclusion_monitor.store.children import child_id_for_upn

    tom = child_id_for_upn(db, returns.TOM)
    assert tom is not None
    page = open_profile(qtbot, db, tom)
    model = page.exclusions_model
    assert column(model, ExclusionsModel.COL_AMENDED) == ["amended", ""]
    assert column(model, ExclusionsModel.COL_SESSIONS) == ["6", "2"]
    tip = model.data(model.index(0, ExclusionsModel.COL_AMENDED), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Amended by a later return. Earlier:\n- batch 2 (exclusions_spring_2024")
    assert tip.endswith("said sessions 4, reasons VA, end date blank")
    assert model.data(model.index(1, 0), Qt.ItemDataRole.ToolTipRole) is None
    census = page.census_model
    assert column(census, CensusModel.COL_AMENDED) == ["amended"]
    tip = census.data(census.index(0, CensusModel.COL_FSM), Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith("said free school meals no")
    page.tabs.setCurrentIndex(1)
    folder = Path(os.environ.get("EXCLUSION_MONITOR_SCREENSHOTS") or tmp_path)
    render(page, [], 1.0, folder / "profile-amended.png")


def test_a_transferred_childs_schools_in_another_authority_are_on_the_timeline(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    """Jo came from Kent with a Common Transfer File, then appears on our census: the timeline
    shows her Kent schools before ours, and the usual transfers are transitions."""
    from exclusion_monitor.store.children import child_id_for_upn
    from operations import ImportRequest, run_imports
    from tests.cli.test_cli_ctf import JO, _transfer

    census = tmp_path / "census.csv"
    census.write_text(
        "UPN,Surname,Forename,DOB,Sex,NC Year,LAESTAB,Census date\n"
        f"{JO},Walker,Jo-Anne,01/05/2012,F,7,3304002,05/10/2023\n",
        encoding="utf-8",
    )
    claim_first_admin(db, ADMIN)
    requests = [ImportRequest(_transfer(tmp_path / "from kent.xml")), ImportRequest(census)]
    results = run_imports(db, requests, account=ADMIN).value
    assert [r.status for r in results] == ["imported", "imported"]
    child_id = child_id_for_upn(db, JO)
    assert child_id is not None
    page = open_profile(qtbot, db, child_id)
    schools = [m.detail for m in page.timeline.marks() if m.kind == "school"]
    assert schools == ["8862003", "8862001", "3304002"]
    tips = [m.tooltip.splitlines()[0] for m in page.timeline.marks() if m.kind == "school"]
    assert tips[0] == "Elm Infants (8862003), LA 886"  # its authority, on hover
    assert tips[2].endswith("(3304002), Birmingham (330)")
    moves = [m.detail for m in page.timeline.marks() if m.kind == "move"]
    assert moves == ["standard", "standard"]
    assert "on the roll of 3 schools, made 0 non-standard moves" in page.summary.text()


def test_reviews_kept_per_flag_before_cases_show_in_the_case_panel(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """A database from before cases (schema 5, a status and notes on each flag) opens with the
    child's case carrying them: the panel shows the case's status, every note with the flag it
    was written on, and the history."""
    import sqlite3

    from tests.core.test_migrations import _load_snapshot

    path = tmp_path / "v5.db"
    _load_snapshot(5, path)
    raw = sqlite3.connect(path)
    raw.execute(
        "INSERT INTO import_batches (id, file_name, file_hash, kind, imported_at, rows_read, "
        "rows_imported, rows_rejected, status, mapping, warnings) VALUES (1, 'a.csv', 'h', "
        "'census', '2024-01-01', 1, 1, 0, 'imported', '{}', '[]')"
    )
    raw.execute(
        "INSERT INTO children (id, surname, forename, date_of_birth, created_at, batch_id) "
        "VALUES (1, 'Testerton', 'Pupil', '2010-03-01', '2024-01-01', 1)"
    )
    raw.execute(
        "INSERT INTO child_identifiers (id, child_id, upn, kind, temporary, batch_id) "
        "VALUES (1, 1, 'A330400215001', 'current', 0, 1)"
    )
    raw.execute(
        "INSERT INTO flags (id, child_id, rule, rule_version, as_of, reason, first_raised, "
        "last_seen, status, assigned_to, updated_at) VALUES (1, 1, 'high_mobility', 1, "
        "'2024-01-01', 'Moved often.', '2024-01-01', '2024-01-01', 'referred', NULL, "
        "'2024-01-02 09:00:00')"
    )
    raw.execute(
        "INSERT INTO flag_reviews (flag_id, status, assigned_to, changed_by, changed_at) "
        "VALUES (1, 'referred', NULL, 'LA\\o1', '2024-01-03 10:00:00')"
    )
    raw.execute(
        "INSERT INTO review_notes (flag_id, author, written_at, text) "
        "VALUES (1, 'LA\\o1', '2024-01-03 10:05:00', 'Referred to early help.')"
    )
    raw.commit()
    raw.close()
    from exclusion_monitor.store import open_database

    db = open_database(path)
    claim_first_admin(db, ADMIN)
    try:
        page = ProfilePage(AppContext(db, ADMIN))
        qtbot.addWidget(page)
        page.resize(1200, 760)
        page.show()
        with qtbot.waitSignal(page.loaded, timeout=15_000):
            page.show_child(1, origin="Children")
        panel = page.review
        qtbot.waitUntil(lambda: panel.case is not None, timeout=10_000)
        assert panel.case is not None and panel.case.case.status == "referred"
        assert panel.status_combo.currentData() == "referred"
        notes = [panel.notes.item(i).text() for i in range(panel.notes.count())]
        assert len(notes) == 1 and "Referred to early help." in notes[0]
        assert "high mobility flag" in notes[0].lower()
        assert panel.history.count() == 1 and "Referred" in panel.history.item(0).text()
    finally:
        qtbot.waitUntil(lambda: not _jobs(), timeout=10_000)
        db.close()


def _jobs() -> bool:
    from ui.app import background

    return bool(background.running_jobs())


def test_the_window_reads_the_authority_ahead_for_the_first_profile(
    qtbot: QtBot, db: Database, example: story.Example, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the Start page has brought the flags up to date, the window reads the authority (the
    schools, their links, the censuses each returned: most of a first profile's time at an
    authority's size) in the background, so the first profile opened reads none of its own."""
    from exclusion_monitor import flagging
    from exclusion_monitor.store import open_database
    from ui.app import background
    from ui.app.main_window import MainWindow

    flagging.recompute_flags(db)  # the flags current; this process's window opens afresh below
    real = flagging.histories.load_authority
    reads: list[object] = []

    def counted(conn: Any, *, as_of: Any = None) -> Any:
        reads.append(as_of)
        return real(conn, as_of=as_of)

    monkeypatch.setattr(flagging.histories, "load_authority", counted)
    started = open_database(db.location)
    window = MainWindow(started, owns_database=True, account=ADMIN)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.start_page.loaded, timeout=15_000):
        window.show()
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
    assert len(reads) == 1
    with qtbot.waitSignal(window.profile_page.loaded, timeout=15_000):
        window.context.signals.open_child.emit(example.ids["Finn"])
    assert window.profile_page.heading.text() == "Finn Fenwick"
    assert len(reads) == 1
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)
