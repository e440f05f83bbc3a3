"""Every message box and file dialog goes through here, so tests can patch one place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QPagedPaintDevice
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox, QWidget

if TYPE_CHECKING:
    from ui.app.report_output import PrintChoice


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, text)


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """A line of text the person types, or None when they cancel."""
    answer, ok = QInputDialog.getText(parent, title, label, text=text)
    return answer if ok else None


def show_about(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.about(parent, title, text)


def choose_database_file(parent: QWidget | None, folder: str = "") -> str | None:
    """Ask for an existing database file to open; None when cancelled."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Open database", folder, "Exclusion Monitor databases (*.db);;All files (*)"
    )
    return path or None


def choose_import_files(parent: QWidget | None, folder: str = "") -> list[str]:
    """Ask for spreadsheets to import; an empty list when cancelled."""
    paths, _ = QFileDialog.getOpenFileNames(
        parent,
        "Add files to import",
        folder,
        "Spreadsheets, CSV and Common Transfer Files (*.xlsx *.xlsm *.xls *.ods *.csv *.xml);;"
        "All files (*)",
    )
    return list(paths)


def choose_save_file(
    parent: QWidget | None, title: str, suggested: str, file_filter: str
) -> str | None:
    """Ask where to save a new file; None when cancelled. The dialog itself asks before it
    returns a file that exists (Qt's default), so the answer is permission to replace it."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


def choose_output_file(
    parent: QWidget | None,
    title: str,
    suggested: str,
    file_filter: str,
    suffixes: tuple[str, ...],
) -> Path | None:
    """Where to write an export or printout, ending in one of `suffixes` (the first is added
    when the name has none of them); None when cancelled.

    The file may then be replaced: the save dialog asked about the name it returned, and this
    asks about a name it changed. The writer still refuses a link or a database whatever the
    answer (exclusion_monitor/output_files.py).
    """
    chosen = choose_save_file(parent, title, suggested, file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() in suffixes:
        return path
    path = path.with_name(path.name + suffixes[0])
    if path.exists() and not confirm(
        parent, title, f"{path.name} already exists in {path.parent}.\n\nReplace it?"
    ):
        return None
    return path


def choose_print(
    parent: QWidget | None,
    schools: list[tuple[str, str]],
    filter_description: str,
    *,
    family: bool,
    initials: bool,
) -> PrintChoice | None:
    """Ask what to print (ui/app/print_dialog.py); None when cancelled."""
    from ui.app.print_dialog import PrintDialog

    dialog = PrintDialog(
        schools, filter_description, family=family, initials=initials, parent=parent
    )
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


def pdf_file_problem(device: QPagedPaintDevice) -> str | None:
    """Why a printer set (in the print dialog) to write a PDF file may not write it there: the
    same refusals as every file the app writes (a link, a folder, a database, a missing folder).
    Nothing is painted, so no file is made, when there is one."""
    from PySide6.QtPrintSupport import QPrinter

    from exclusion_monitor.errors import OutputFileError
    from exclusion_monitor.output_files import check_destination

    if not isinstance(device, QPrinter) or device.outputFormat() != QPrinter.OutputFormat.PdfFormat:
        return None
    name = device.outputFileName()
    if not name:
        return None
    try:
        check_destination(name, overwrite=True)  # the print dialog asked about replacing it
    except OutputFileError as exc:
        return str(exc)
    return None


def print_preview(
    parent: QWidget | None, title: str, landscape: bool, paint: Callable[[QPagedPaintDevice], int]
) -> None:
    """Print preview (then a printer or PDF) of what `paint(device)` draws on its pages."""
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    from ui.reports.pdf import page_layout

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout(landscape))
    printer.setDocName(title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Print preview - {title}")

    def guarded(device: QPagedPaintDevice) -> None:
        problem = pdf_file_problem(device)
        if problem is not None:
            show_error(dialog, "Print", problem)
            return
        paint(device)

    dialog.paintRequested.connect(guarded)
    dialog.resize(1000, 720)
    dialog.exec()
