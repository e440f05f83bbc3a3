"""How one pending file will be read: its kind, the census date when the file has none, and the
column mapping as a preview of the first rows with a drop-down over each column."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from imports.kinds import SPECS, Kind, field_label
from ui.app.date_entry import DateEntry
from ui.app.import_models import (
    CENSUS_DATE_NEEDED,
    MAPS_TO_ROW,
    MappingPreviewModel,
    PendingFile,
    kind_label,
)

IGNORE = "Ignore this column"
NOTHING_SELECTED = "Select a file in the list above to see how its columns will be read."
NO_FILES = (
    "<b>No files yet.</b> Add the returns schools and the census team sent: drop them on this "
    "page or use <i>Add files...</i>. Each file's kind is detected from its column headers; "
    "select one to see its first rows and how each column will be read, and fix it here before "
    "importing. Nothing is imported until you press Import."
)


class MappingEditor(QWidget):
    """Shows the selected pending file and lets the user fix how it is read."""

    # The mapping, census date or anything else that decides readiness has changed.
    changed = Signal()
    # The user chose another kind for the file: it must be read again as that kind.
    kind_chosen = Signal(str)
    # "Save this mapping for files like this".
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending: PendingFile | None = None
        self.combos: list[QComboBox | None] = []
        self.idle_text = NO_FILES  # what the note says with no file selected

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("kind_combo")
        for kind in Kind:
            self.kind_combo.addItem(kind_label(kind.value), kind.value)
        self.kind_combo.setToolTip("What the file holds; detected from its column headers")
        self.kind_combo.setPlaceholderText("Choose the kind...")
        self.kind_label = QLabel("Kind:")
        self.kind_label.setBuddy(self.kind_combo)
        self.date_label = QLabel("Census date:")
        self.date_edit = DateEntry("Census date", kept="The census date is still {date}.")
        self.date_edit.setObjectName("census_date_edit")
        self.date_label.setBuddy(self.date_edit.edit)
        self.save_button = QPushButton("Save this mapping for files like this")
        self.save_button.setObjectName("save_mapping_button")
        self.save_button.setToolTip(
            "The next file with exactly these column headers is read the same way"
        )
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.kind_label)
        bar.addWidget(self.kind_combo)
        bar.addSpacing(12)
        bar.addWidget(self.date_label)
        bar.addWidget(self.date_edit)
        bar.addStretch(1)
        self.proposals_button = QPushButton("Use the proposed columns")
        self.proposals_button.setObjectName("use_proposals_button")
        self.proposals_button.setToolTip(
            "Read each column highlighted below as the field it may be (check them first)"
        )
        bar.addWidget(self.proposals_button)
        bar.addWidget(self.save_button)

        self.note = QLabel(NOTHING_SELECTED)
        self.note.setObjectName("mapping_note")
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.note.setTextFormat(Qt.TextFormat.RichText)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = MappingPreviewModel()
        self.view = QTableView()
        self.view.setObjectName("mapping_preview")
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setWordWrap(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setHighlightSections(False)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.note)
        layout.addWidget(self.view, 1)

        self.kind_combo.activated.connect(self._kind_activated)
        self.date_edit.chosen.connect(self._date_chosen)
        self.save_button.clicked.connect(self.save_requested)
        self.proposals_button.clicked.connect(self.use_proposals)
        self.set_file(None)

    # --- showing a file ------------------------------------------------------------------------

    def set_file(self, pending: PendingFile | None) -> None:
        self.pending = pending
        preview = pending.preview if pending else None
        readable = preview is not None and preview.kind is not None
        self.model.set_file(pending if readable else None)
        self._make_combos()
        # A file that opened but whose kind was not recognised can still be read as a kind.
        opened = preview is not None and bool(preview.sheets)
        self.kind_label.setVisible(opened)
        self.kind_combo.setVisible(opened)
        # A Common Transfer File's columns are the intake's own: there is no mapping to save.
        ctf = preview is not None and preview.file_format == "ctf"
        self.save_button.setVisible(readable and not ctf)
        self.view.setVisible(readable)
        if opened and pending is not None:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(pending.kind))
        self._show_date()
        self.update_note()

    def _show_date(self) -> None:
        pending = self.pending
        wanted = pending is not None and pending.preview is not None and pending.needs_census_date
        self.date_label.setVisible(wanted)
        self.date_edit.setVisible(wanted)
        if not wanted or pending is None:
            return
        self.date_edit.set_date(pending.census_date)
        suggested = pending.preview.suggested_census_date if pending.preview else None
        self.date_edit.set_start(suggested)
        self.date_edit.set_placeholder(
            f"dd/mm/yyyy, e.g. {suggested:%d/%m/%Y}" if suggested else "dd/mm/yyyy"
        )

    def _make_combos(self) -> None:
        self.combos = []
        pending = self.pending
        kind = pending.kind if pending else None
        if pending is None or kind is None:
            return
        spec = SPECS[Kind(kind)]
        required = set(spec.required)
        for column, header in enumerate(self.model.headers):
            if not header:
                self.combos.append(None)
                continue
            combo = QComboBox()
            combo.setObjectName(f"maps_to_{column}")
            combo.addItem(IGNORE, "")
            for name in spec.fields:
                label = spec.labels.get(name) or field_label(name)
                combo.addItem(f"{label} (required)" if name in required else label, name)
            combo.setCurrentIndex(max(0, combo.findData(self.model.field_of(column))))
            combo.setAccessibleName(f"What the column '{header}' holds")
            combo.currentIndexChanged.connect(lambda _i, c=column: self._combo_changed(c))
            self.view.setIndexWidget(self.model.index(MAPS_TO_ROW, column), combo)
            self.combos.append(combo)
        self._mark_proposals()
        self._fit_columns()

    def _mark_proposals(self) -> None:
        """A column that may be a field is highlighted until the user chooses its use."""
        proposals = self.pending.proposals if self.pending else {}
        for column, combo in enumerate(self.combos):
            if combo is None:
                continue
            header = self.model.headers[column]
            proposed = proposals.get(header)
            if proposed:
                combo.setStyleSheet("QComboBox { background: #fff3cd; }")
                combo.setToolTip(
                    f"The column '{header}' may be the {field_label(proposed)} column: it is "
                    "not read unless you choose that here (or Use the proposed columns)"
                )
            else:
                combo.setStyleSheet("")
                combo.setToolTip(f"What the column '{header}' holds")
        self.proposals_button.setVisible(bool(proposals))

    def use_proposals(self) -> None:
        """Read every proposed column as the field it may be."""
        if self.pending is None:
            return
        for header, field_name in list(self.pending.proposals.items()):
            self.choose_field(header, field_name)

    def _fit_columns(self) -> None:
        header = self.view.horizontalHeader()
        metrics = self.view.fontMetrics()
        for column, combo in enumerate(self.combos):
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
            wanted = metrics.horizontalAdvance(title) + 24
            if combo is not None:
                wanted = max(wanted, combo.sizeHint().width())
            for row in self.model.rows[:20]:
                if column < len(row):
                    wanted = max(wanted, metrics.horizontalAdvance(row[column]) + 16)
            header.resizeSection(column, min(max(wanted, 90), 280))
        if self.combos:
            sample = next((c for c in self.combos if c is not None), None)
            if sample is not None:
                self.view.setRowHeight(MAPS_TO_ROW, sample.sizeHint().height() + 4)

    # --- changes -------------------------------------------------------------------------------

    def _combo_changed(self, column: int) -> None:
        combo = self.combos[column]
        if combo is None:
            return
        if self.pending is not None:
            self.pending.decided.add(self.model.headers[column])
        self.model.setData(self.model.index(MAPS_TO_ROW, column), combo.currentData())
        # A field moved here from another column: that column's drop-down now says "ignore".
        for other, other_combo in enumerate(self.combos):
            if other_combo is None or other == column:
                continue
            wanted = other_combo.findData(self.model.field_of(other))
            if other_combo.currentIndex() != wanted:
                other_combo.blockSignals(True)
                other_combo.setCurrentIndex(max(0, wanted))
                other_combo.blockSignals(False)
        self._mark_proposals()
        self._show_date()
        self.update_note()
        self.changed.emit()

    def _kind_activated(self, _index: int) -> None:
        kind = self.kind_combo.currentData()
        if self.pending is not None and kind and kind != self.pending.kind:
            self.kind_chosen.emit(kind)

    def _date_chosen(self, day: dt.date) -> None:
        if self.pending is None:
            return
        self.pending.census_date = day
        self.update_note()
        self.changed.emit()

    def choose_census_date(self, text: str) -> None:
        """Type a census date into the box and press Enter (as the user would)."""
        self.date_edit.edit.setText(text)
        self.date_edit.edit.editingFinished.emit()

    def choose_field(self, header: str, field_name: str) -> None:
        """Pick `field_name` in the drop-down over the column `header` (as the user would)."""
        column = self.model.headers.index(header)
        combo = self.combos[column]
        assert combo is not None
        combo.setCurrentIndex(combo.findData(field_name))

    def combo_for(self, header: str) -> QComboBox | None:
        return self.combos[self.model.headers.index(header)]

    # --- what the note says --------------------------------------------------------------------

    def update_note(self) -> None:
        self.note.setText(self.note_text())

    def note_text(self) -> str:
        pending = self.pending
        if pending is None:
            return self.idle_text
        name = html.escape(pending.name)
        if pending.preview is None and pending.failed is None:
            return f"Reading <b>{name}</b>..."
        refusal = pending.refusal
        if refusal:
            return (
                f"<span style='color:#a01010'><b>{name} cannot be imported.</b></span> "
                f"{html.escape(refusal)}"
            )
        preview = pending.preview
        assert preview is not None
        label = kind_label(pending.kind)
        if preview.file_format == "ctf":
            # No sheet or header row to speak of: the XML was read into one row per school.
            read = (
                f"<b>{name}</b>: a Common Transfer File, read as {html.escape(label)}: one row "
                "for each school in each pupil's history."
            )
        else:
            article = "an" if label[:1].upper() in "AEIOU" else "a"
            read = (
                f"<b>{name}</b>: sheet '{html.escape(preview.sheet or '')}', header on row "
                f"{preview.header_row}, read as {article} {html.escape(label)} file."
            )
        parts = [read]
        if preview.profile_name:
            parts.append(f"Mapping from the saved profile '{html.escape(preview.profile_name)}'.")
        missing = [m for m in pending.missing() if m != CENSUS_DATE_NEEDED]
        needs_date = pending.needs_census_date and pending.census_date is None
        todo = []
        if missing:
            listed = "; ".join(html.escape(m) for m in missing)
            todo.append(
                f"no column for {listed}: choose the column that holds it in its drop-down below"
            )
        if needs_date:
            todo.append("the file has no census date or term column: choose the census date above")
        if todo:
            parts.append(
                "<br><span style='color:#a01010'><b>Not ready:</b> " + "; ".join(todo) + ".</span>"
            )
        elif pending.needs_census_date and pending.census_date is not None:
            parts.append(
                f"Every row gets the census date {pending.census_date:%d/%m/%Y} (the file has "
                "no census date column)."
            )
        for header, proposed in pending.proposals.items():
            parts.append(
                f"<br><span style='color:#8a5a00'><b>Check:</b> the column "
                f"'{html.escape(header)}' may be the {html.escape(field_label(proposed))} "
                "column; it is not read unless you choose that in its drop-down (highlighted) "
                "or Use the proposed columns.</span>"
            )
        not_used = pending.not_used()
        if not_used:
            listed = ", ".join(html.escape(h) for h in not_used)
            parts.append(f"<br>Not used: {listed}.")
        for warning in preview.warnings:
            parts.append(f"<br>Note: {html.escape(warning)}")
        return " ".join(parts)
