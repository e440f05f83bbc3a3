"""The pages of the main window, in navigation order.

To add a page: write `ui/app/pages/<name>_page.py` with a `Page` subclass (pages/base.py): set
TITLE, build the widgets in `__init__(context)`, load data in `refresh()` through
`run_in_background` (set LOADS_WHEN_FIRST_SHOWN to have it run the first time the page is shown,
and connect data_changed to `reload_if_loaded`), remember layout in `save_state` /
`restore_state`, and emit `context.signals.open_child` to show a child. Then add it to `PAGES`
below. The window gives each page a navigation entry, a View menu item with Ctrl+<n>, and calls
the hooks; nothing else needs to change.
"""

from __future__ import annotations

from collections.abc import Callable

from ui.app.pages.base import AppContext, AppSignals, Page
from ui.app.pages.children_page import ChildrenPage
from ui.app.pages.dashboard_page import DashboardPage
from ui.app.pages.families_page import FamiliesPage
from ui.app.pages.flags_page import FlagsPage
from ui.app.pages.imports_page import ImportsPage
from ui.app.pages.region_page import RegionPage
from ui.app.pages.schools_page import SchoolsPage
from ui.app.pages.settings_page import SettingsPage
from ui.app.pages.start_page import StartPage

PageFactory = Callable[[AppContext], Page]


PAGES: list[tuple[str, PageFactory]] = [
    ("Start", StartPage),
    ("Dashboard", DashboardPage),
    ("Flags", FlagsPage),
    ("Children", ChildrenPage),
    ("Families", FamiliesPage),
    ("Schools", SchoolsPage),
    ("Region", RegionPage),
    ("Imports", ImportsPage),
    ("Settings", SettingsPage),
]

PAGE_NAMES = [name for name, _ in PAGES]

__all__ = ["PAGES", "PAGE_NAMES", "AppContext", "AppSignals", "Page", "PageFactory"]
