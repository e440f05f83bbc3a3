"""The timeline stays legible for a child who moved often: move labels never overlap, never leave
the widget and no label's line runs through another; close exclusions are all visible; the
legend lists exactly the kinds of mark drawn, and placements look as the legend says."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from exclusion_monitor.store import Database
from exclusion_monitor.store.users import claim_first_admin
from tests.core.builders import Builder, D, autumn, spring, summer
from ui.app import background
from ui.app.pages import AppContext
from ui.app.pages.profile_page import ProfilePage
from ui.app.timeline_labels import place_labels
from ui.app.timeline_legend import MOVE_SHORT, MOVE_WORDS, school_colour
from ui.app.timeline_widget import TimelineMark, TimelineWidget

ADMIN = "LA\\admin1"


def open_profile(qtbot: QtBot, db: Database, child_id: int, width: int) -> ProfilePage:
    page = ProfilePage(AppContext(db, ADMIN))
    qtbot.addWidget(page)
    page.resize(width, 760)
    page.show()
    with qtbot.waitSignal(page.loaded, timeout=15_000):
        page.show_child(child_id, origin="Children")
    settle(qtbot)
    return page


def settle(qtbot: QtBot) -> None:
    """Let the profile's follow-up reads (the review panel's) finish."""
    qtbot.waitUntil(lambda: not background.running_jobs(), timeout=10_000)


@pytest.fixture
def restless(db: Database) -> tuple[int, int, str]:
    """Ivy: six schools in two years, weeks apart, a spell at the pupil referral unit (a main
    registration there), three suspensions in one week, a lunchtime one and a permanent
    exclusion. Also Jon, at one school, suspended once."""
    claim_first_admin(db, ADMIN)
    b = Builder(db)
    oak, ash = b.school("Oak Hill High School", "secondary"), b.school("Ash Academy", "secondary")
    beech, elm = b.school("Beech School", "secondary"), b.school("Elm Park College", "secondary")
    pru = b.school("Hawthorn Centre", "pru_ap")
    ivy = b.child("Ivy", "Rowe")
    stays = [
        (oak, D(2022, 9, 5), D(2023, 1, 20)),
        (ash, D(2023, 2, 6), D(2023, 3, 10)),
        (beech, D(2023, 3, 20), D(2023, 5, 26)),
        (pru, D(2023, 6, 5), D(2023, 7, 14)),
        (elm, D(2023, 9, 4), D(2023, 10, 13)),
        (oak, D(2023, 10, 30), D(2024, 2, 9)),
        (ash, D(2024, 2, 26), None),
    ]
    for school, entry, leaving in stays:
        b.enrolment(ivy, school, entry, leaving)
    b.census(ivy, oak, autumn(2022), "7")
    b.census(ivy, ash, spring(2023), "7")
    b.census(ivy, beech, summer(2023), "7")
    b.census(ivy, elm, autumn(2023), "8")
    b.census(ivy, oak, spring(2024), "8")
    b.census(ivy, ash, summer(2024), "8")
    for day in (D(2023, 11, 13), D(2023, 11, 15), D(2023, 11, 17)):
        b.exclusion(ivy, oak, day, sessions=4)
    b.exclusion(ivy, oak, D(2024, 1, 10), "LNCH", 1)
    b.exclusion(ivy, oak, D(2024, 2, 2), "PERM", 0)
    jon = b.child("Jon", "Rowe")
    b.on_roll(jon, oak, [autumn(2023), spring(2024), summer(2024)], "8")
    b.exclusion(jon, oak, D(2024, 3, 4), sessions=2)
    return ivy, jon, b.upn_of(ivy)


def _labelled(timeline: TimelineWidget) -> list[TimelineMark]:
    return [m for m in timeline.marks() if m.kind == "move" and m.label]


@pytest.mark.parametrize("width", [1920, 1366, 900, 620])
def test_move_labels_never_overlap_and_stay_inside(
    qtbot: QtBot, db: Database, restless: tuple[int, int, str], width: int
) -> None:
    page = open_profile(qtbot, db, restless[0], width)
    timeline = page.timeline
    moves = [m for m in timeline.marks() if m.kind == "move"]
    assert len(moves) == 6  # every move is drawn, labelled or not
    labelled = _labelled(timeline)
    assert labelled, "at least the first move has room for a label"
    for i, a in enumerate(labelled):
        kind = MOVE_WORDS[next(k for k in MOVE_WORDS if str(k) == a.detail)]
        assert a.label in (kind, MOVE_SHORT[next(k for k in MOVE_SHORT if str(k) == a.detail)])
        assert a.label_rect is not None
        assert a.label_rect.left() >= 0 and a.label_rect.right() <= timeline.width()
        for b in labelled[i + 1 :]:
            assert not a.rect.intersects(b.rect), (a.label, b.label, width)
        # The line from a label down to its move passes no label on a lower level.
        x = timeline.x_of(a.date)
        for b in labelled:
            if b.rect.top() > a.rect.top():
                assert not (b.rect.left() - 1 <= x <= b.rect.right() + 1), (a.label, b.label)
    # Every move can still be read from its tooltip.
    assert all(m.tooltip.count("\n") == 1 and " to " in m.tooltip for m in moves)
    if width == 1920:  # room for every word in full
        assert [m.label for m in moves] == [
            "non-standard move", "non-standard move", "placement", "placement",
            "non-standard move", "non-standard move",
        ]  # fmt: skip


def test_close_exclusions_are_each_visible(
    qtbot: QtBot, db: Database, restless: tuple[int, int, str]
) -> None:
    page = open_profile(qtbot, db, restless[0], 1366)
    marks = [m for m in page.timeline.marks() if m.kind == "exclusion"]
    assert [m.detail for m in marks] == ["SUSP", "SUSP", "SUSP", "LNCH", "PERM"]
    for i, a in enumerate(marks):
        for b in marks[i + 1 :]:
            assert not a.rect.intersects(b.rect), (a.tooltip, b.tooltip)


def test_the_legend_lists_what_is_drawn_and_placements_look_as_it_says(
    qtbot: QtBot, db: Database, restless: tuple[int, int, str]
) -> None:
    ivy, jon, _ = restless
    page = open_profile(qtbot, db, ivy, 1366)
    timeline = page.timeline
    words = [i.words for i in timeline.legend()]
    assert words == [
        "suspension (size: sessions)",
        "lunchtime suspension",
        "permanent exclusion",
        "non-standard move",
        "placement",
        "placement: PRU, AP or dual registration",
        f"as of {page.profile.as_of.day} {page.profile.as_of:%b %Y}" if page.profile else "",
    ]
    # The pupil referral unit is drawn in the placements lane, hatched in its own colour.
    (placement,) = [m for m in timeline.marks() if m.kind == "placement"]
    assert "Hawthorn Centre" in placement.tooltip
    assert all("Hawthorn Centre" not in m.tooltip for m in timeline.marks() if m.kind == "school")
    picture = timeline.grab().toImage()
    inside = placement.rect.adjusted(2, 2, -2, -2)
    colours = {
        QColor(picture.pixel(int(inside.left()) + dx, int(inside.center().y()))).name()
        for dx in range(int(inside.width()))
    }
    assert school_colour(placement.detail).name() in colours and len(colours) > 1
    # Every legend entry is inside the widget.
    assert all(
        i.rect is not None and i.rect.bottom() <= timeline.height() for i in timeline.legend()
    )

    page.show_child(jon, origin="Children")
    qtbot.waitUntil(lambda: page.profile is not None and page.profile.child.forename == "Jon")
    settle(qtbot)
    assert [i.words for i in page.timeline.legend()][:-1] == ["suspension (size: sessions)"]


def test_a_narrow_window_wraps_the_legend_and_the_timeline_grows_to_show_it(
    qtbot: QtBot, db: Database, restless: tuple[int, int, str]
) -> None:
    page = open_profile(qtbot, db, restless[0], 1920)
    wide = page.timeline.height()
    page.resize(620, 760)
    qtbot.waitUntil(lambda: page.timeline.width() < 620)
    lines = {i.rect.top() for i in page.timeline.legend() if i.rect is not None}
    assert len(lines) >= 3
    qtbot.waitUntil(lambda: page.timeline.height() > wide)
    assert all(
        i.rect is not None and i.rect.bottom() <= page.timeline.height()
        for i in page.timeline.legend()
    )


def test_labels_take_a_second_level_then_a_short_word_then_none() -> None:
    def width(text: str) -> float:
        return 6.0 * len(text)

    wordings = ("non-standard move", "non-std")
    apart = place_labels([(100, wordings), (400, wordings)], width, levels=2, low=0, high=800)
    assert [(p.text, p.level) for p in apart if p] == [("non-standard move", 0)] * 2
    # 30 apart: the second's full word would cover the first one's line; its short word fits
    # on the second level, clear of that line.
    near = place_labels([(100, wordings), (130, wordings)], width, levels=2, low=0, high=800)
    assert [(p.text, p.level) for p in near if p] == [("non-standard move", 0), ("non-std", 1)]
    same = place_labels([(100, wordings)] * 3, width, levels=2, low=0, high=800)
    assert same[0] is not None and same[1:] == [None, None]
    edge = place_labels([(795, wordings)], width, levels=2, low=0, high=800)
    assert edge[0] is not None and edge[0].right == 800
    assert place_labels([(50, wordings)], width, levels=2, low=0, high=30) == [None]
