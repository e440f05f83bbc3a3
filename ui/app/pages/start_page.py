"""The Start page: the work waiting for the person at the desk, where the app opens. New flags
since their last visit, the cases assigned to them, cases nobody has acted on for weeks, imports
with rejected rows to send back, and, in the demo, the planted stories. Each line opens the child
(or the Imports page)."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor.display import uk_date, uk_time
from exclusion_monitor.roles import Action
from operations.viewing import WaitingChild, WorkWaiting, leave_start_page, work_waiting
from ui.app.background import Progress, run_in_background
from ui.app.pages.base import AppContext, Page

log = logging.getLogger(__name__)
CHILD_ROLE = Qt.ItemDataRole.UserRole
SHOWN = 50  # lines a panel lists; the rest are counted


def _panel(title: str, name: str) -> tuple[QGroupBox, QLabel, QListWidget]:
    box = QGroupBox(title)
    box.setObjectName(name)
    note = QLabel("")
    note.setWordWrap(True)
    listing = QListWidget()
    listing.setObjectName(f"{name}_list")
    listing.setAccessibleName(title)
    listing.setAlternatingRowColors(True)
    listing.setCursor(Qt.CursorShape.PointingHandCursor)
    layout = QVBoxLayout(box)
    layout.addWidget(note)
    layout.addWidget(listing, 1)
    return box, note, listing


class StartPage(Page):
    TITLE = "Start"
    LOADS_WHEN_FIRST_SHOWN = True
    # The work waiting has been read (or could not be).
    loaded = Signal()
    # A batch's line was chosen: the Imports page should show it.
    open_imports = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.work: WorkWaiting | None = None
        self._loading = False
        self.intro = QLabel("Reading the work waiting...")
        self.intro.setWordWrap(True)
        self.intro.setObjectName("start_intro")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        top = QGridLayout()
        top.addWidget(self.intro, 0, 0)
        top.addWidget(self.refresh_button, 0, 1, Qt.AlignmentFlag.AlignRight)
        self.layout_.addLayout(top)

        self.new_box, self.new_note, self.new_list = _panel("New flags", "new_flags")
        self.mine_box, self.mine_note, self.mine_list = _panel("Cases assigned to me", "my_cases")
        self.idle_box, self.idle_note, self.idle_list = _panel("No action for a while", "idle")
        self.rejected_box, self.rejected_note, self.rejected_list = _panel(
            "Imports with rejected rows", "rejected"
        )
        self.demo_box, self.demo_note, self.demo_list = _panel("Demo guide", "demo_guide")
        grid = QGridLayout()
        grid.addWidget(self.new_box, 0, 0)
        grid.addWidget(self.mine_box, 0, 1)
        grid.addWidget(self.idle_box, 1, 0)
        grid.addWidget(self.rejected_box, 1, 1)
        grid.addWidget(self.demo_box, 2, 0, 1, 2)
        self.layout_.addLayout(grid, 1)
        self.demo_box.hide()
        for listing in (self.new_list, self.mine_list, self.idle_list, self.demo_list):
            listing.itemActivated.connect(self._open)
            listing.itemClicked.connect(self._open)
        self.rejected_list.itemActivated.connect(lambda _i: self.open_imports.emit())
        self.rejected_list.itemClicked.connect(lambda _i: self.open_imports.emit())
        context.signals.data_changed.connect(self.reload_if_loaded)
        context.signals.reviews_changed.connect(self.reload_if_loaded)

    # --- loading -------------------------------------------------------------------------------

    def activated(self) -> None:
        """Read the work waiting each time the page is shown (it is what changes most)."""
        self.shown_once = True
        self.refresh()

    def refresh(self) -> None:
        if self._loading or self.context.user is None:
            return
        self._loading = True
        db, account = self.db, self.context.account

        def read(_progress: Progress) -> WorkWaiting:
            return work_waiting(db, account)

        run_in_background(
            read,
            self._loaded,
            self._failed,
            on_cancelled=self._done_loading,
            owner=self,
            writes=True,  # the flags may be brought up to date first
            name="work waiting",
        )

    def _done_loading(self) -> None:
        self._loading = False

    def _failed(self, error: BaseException) -> None:
        self._loading = False
        self.intro.setText(f"The work waiting could not be read: {error}")
        self.loaded.emit()

    def _loaded(self, work: WorkWaiting) -> None:
        self._loading = False
        self.work = work
        name = self.context.user.display_name if self.context.user else None
        since = (
            "in the last 14 days (your first visit)"
            if work.first_visit
            else f"since your last visit ({uk_time(work.since)})"
        )
        self.intro.setText(
            f"<b>Work waiting{' for ' + name if name else ''}.</b> New flags are those raised "
            f"{since}. Click a line to open the child."
        )
        self.intro.setTextFormat(Qt.TextFormat.RichText)
        self._fill(self.new_list, self.new_note, work.new_flags, "No new flags.")
        self._fill(self.mine_list, self.mine_note, work.mine, "No open case is assigned to you.")
        # Cases are assigned to those who work them (a viewer never has one).
        self.mine_box.setVisible(self.context.allows(Action.ADD_NOTE))
        self.idle_box.setTitle(f"No action for {work.idle_weeks} weeks or more")
        self._fill(self.idle_list, self.idle_note, work.idle, "Every open case has moved lately.")
        self.rejected_list.clear()
        for batch in work.rejected:
            rows = f"{batch.rows_rejected} row{'s' if batch.rows_rejected != 1 else ''}"
            item = QListWidgetItem(
                f"{batch.file_name}: {rows} rejected (imported {uk_date(batch.imported_at)})"
            )
            item.setToolTip("Open the Imports page to save the rows for the school")
            self.rejected_list.addItem(item)
        # Rejected rows go back to schools from the Imports page: for those who may send them.
        self.rejected_box.setVisible(self.context.allows(Action.EXPORT_REJECTED_ROWS))
        self.rejected_note.setText(
            "Send each school its rows back from the Imports page."
            if work.rejected
            else "No import of the last 60 days has rejected rows."
        )
        self.demo_list.clear()
        for story in work.stories:
            item = QListWidgetItem(f"{story.upn}  {story.why}")
            item.setData(CHILD_ROLE, story.child_id)
            self.demo_list.addItem(item)
        self.demo_note.setText(
            "This is a demonstration authority of invented children. Each story was planted "
            "to show what the tool finds: click one to open the child."
        )
        self.demo_box.setVisible(bool(work.stories))
        self.loaded.emit()

    def _fill(
        self, listing: QListWidget, note: QLabel, children: list[WaitingChild], empty: str
    ) -> None:
        listing.clear()
        for child in children[:SHOWN]:
            item = QListWidgetItem(f"{child.name} ({child.upn}): {child.why}")
            item.setData(CHILD_ROLE, child.child_id)
            listing.addItem(item)
        more = len(children) - SHOWN
        note.setText(
            empty
            if not children
            else f"{len(children)} child{'ren' if len(children) != 1 else ''}"
            + (f"; the first {SHOWN} are listed." if more > 0 else ".")
        )

    # --- acting --------------------------------------------------------------------------------

    def _open(self, item: QListWidgetItem) -> None:
        child_id = item.data(CHILD_ROLE)
        if child_id is not None:
            self.context.signals.open_child.emit(int(child_id))

    def hideEvent(self, event: QHideEvent) -> None:
        # Leaving for another page counts as having seen the work (closing the app on this page
        # does not: the next start shows the same new flags again, which loses nothing).
        window = self.window()
        if window is not self and window.isVisible():
            self.leave()
        super().hideEvent(event)

    def leave(self) -> None:
        """The user has seen the work waiting: the next visit's new flags start from now."""
        if self.work is None or self.context.user is None:
            return
        db, account = self.db, self.context.account
        run_in_background(
            lambda _p: leave_start_page(db, account),
            lambda _r: None,
            lambda error: log.warning("the last visit was not remembered: %s", error),
            owner=self,
            writes=True,
            name="start page visit",
        )
