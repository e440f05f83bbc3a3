"""Every message box and file dialog goes through here, so tests can patch one place."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, text)


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def show_about(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.about(parent, title, text)


def choose_database_file(parent: QWidget | None, folder: str = "") -> str | None:
    """Ask for an existing database file to open; None when cancelled."""
    path, _ = QFileDialog.getOpenFileName(
        parent, "Open database", folder, "Exclusion Monitor databases (*.db);;All files (*)"
    )
    return path or None


def choose_save_file(
    parent: QWidget | None, title: str, suggested: str, file_filter: str
) -> str | None:
    """Ask where to save a file; None when cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


def show_print_preview(dialog: QDialog) -> None:
    """Show a print preview dialog (modal); tests patch this to look at it without blocking."""
    dialog.exec()
