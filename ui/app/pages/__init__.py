"""The pages of the main window, in navigation order.

To add a page: write `ui/app/pages/<name>_page.py` with a `Page` subclass (pages/base.py): set
TITLE, build the widgets in `__init__(context)`, load data in `activated()` / `refresh()` through
`run_in_background`, remember layout in `save_state` / `restore_state`, and emit
`context.signals.open_child` to show a child. Then replace its placeholder in `PAGES` below with
the class. The window gives each page a navigation entry, a View menu item with Ctrl+<n>, and
calls the hooks; nothing else needs to change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ui.app.pages.base import AppContext, AppSignals, Page
from ui.app.pages.children_page import ChildrenPage
from ui.app.pages.flags_page import FlagsPage
from ui.app.pages.placeholder_page import PlaceholderPage

PageFactory = Callable[[AppContext], Page]


def _coming(title: str, text: str) -> PageFactory:
    return partial(PlaceholderPage, title=title, text=text)


PAGES: list[tuple[str, PageFactory]] = [
    (
        "Dashboard",
        _coming(
            "Dashboard",
            "<p><b>Coming in the next version.</b> Headline figures and charts: exclusions per "
            "term, per school (rate per 100 on roll against the authority), by reason, primary "
            "exclusions, and by pupil group (sex, FSM, SEN, ethnicity), with small numbers "
            "suppressed.</p><p>For now, the Children page lists every child with their current "
            "school, year group and number of flags.</p>",
        ),
    ),
    ("Flags", FlagsPage),
    ("Children", ChildrenPage),
    (
        "Families",
        _coming(
            "Families",
            "<p><b>Coming in the next version.</b> Brothers and sisters linked by family "
            "reference or address, each with their own flags and the family's count of needs, "
            "for whole-family support; link and unlink children here.</p>",
        ),
    ),
    (
        "Schools",
        _coming(
            "Schools",
            "<p><b>Coming in the next version.</b> The school register with each school's roll, "
            "suspensions and permanent exclusions this year, rates per 100 on roll, and the "
            "children flagged there.</p><p>For now, filter the Children page by school.</p>",
        ),
    ),
    (
        "Imports",
        _coming(
            "Imports",
            "<p><b>Coming in the next version.</b> Drop census, exclusion, enrolment and school "
            "returns here, check each file's detected kind and column mapping, import with a "
            "progress bar, send schools their rejected rows, and undo a batch. Near-matches of "
            "children wait here for an officer to merge or keep apart.</p><p>For now, import from "
            "the command line: <code>exclusion-monitor import FILE</code>.</p>",
        ),
    ),
    (
        "Settings",
        _coming(
            "Settings",
            "<p><b>Coming in the next version.</b> Flag rule thresholds (with the defaults and "
            "<i>Restore defaults</i>), term dates, and the database location.</p><p>For now, "
            "<i>File &gt; Open database...</i> opens another database file.</p>",
        ),
    ),
]

PAGE_NAMES = [name for name, _ in PAGES]

__all__ = ["PAGES", "PAGE_NAMES", "AppContext", "AppSignals", "Page", "PageFactory"]
