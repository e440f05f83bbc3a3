"""The main window: navigation, global search, pages and the status bar."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from exclusion_monitor import APP_NAME
from exclusion_monitor.identity import os_account
from exclusion_monitor.store import Database
from exclusion_monitor.store.children import count_children, list_children
from ui.app.children_table_model import ChildrenTableModel

PAGES = ["Dashboard", "Flags", "Children", "Families", "Schools", "Imports", "Settings"]

_PAGE_NOTES = {
    "Dashboard": "Headline counts and charts of exclusions by term, school, reason and pupil "
    "group will appear here once data has been imported.",
    "Flags": "The flag review queue: children whose exclusions escalate or who move school "
    "unusually often, with their reasons and review status.",
    "Families": "Brothers and sisters linked by family reference or address, with each "
    "child's flags, for whole-family support.",
    "Schools": "The school register with each school's roll, exclusions and rates.",
    "Imports": "Census, exclusion, enrolment and school returns are imported from here; "
    "for now use the command line: exclusion-monitor import FILE.",
    "Settings": "Flag rule thresholds, term dates and the database location.",
}


class MainWindow(QMainWindow):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.setWindowTitle(f"{APP_NAME} - {db.location}")
        self.resize(1200, 760)

        self.nav = QListWidget()
        self.nav.addItems(PAGES)
        self.nav.setMaximumWidth(180)
        self.stack = QStackedWidget()
        self.children_model = ChildrenTableModel()
        self.children_view = QTableView()
        self.children_view.setModel(self.children_model)
        self.children_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.children_view.horizontalHeader().setStretchLastSection(True)
        for name in PAGES:
            self.stack.addWidget(self._page(name))
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)

        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search by name or UPN (Ctrl+F)")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMaximumWidth(360)
        toolbar = QToolBar("Search")
        toolbar.setObjectName("search_toolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.search_box)
        self.addToolBar(toolbar)
        find = QAction("Find", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.search_box.setFocus)
        self.addAction(find)

        self.status_db = QLabel()
        self.status_user = QLabel()
        self.statusBar().addWidget(self.status_db, 1)
        self.statusBar().addPermanentWidget(self.status_user)
        self.refresh()
        self.nav.setCurrentRow(PAGES.index("Children"))
        self._restore_layout()

    def _page(self, name: str) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel(f"<h2>{name}</h2>")
        layout.addWidget(title)
        if name == "Children":
            layout.addWidget(self.children_view)
            return page
        note = QLabel(_PAGE_NOTES[name])
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(note, 1)
        return page

    def refresh(self) -> None:
        self.children_model.set_rows(list_children(self.db, limit=5000))
        total = count_children(self.db)
        self.status_db.setText(f"Database: {self.db.location}  |  {total:,} children")
        self.status_user.setText(f"User: {os_account()}")

    def _restore_layout(self) -> None:
        settings = QSettings()
        geometry = settings.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        super().closeEvent(event)
