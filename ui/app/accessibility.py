"""What a screen reader says of each control, in one place. A field is named by the label laid
out just before it ("School:" before the school box): `name_fields` makes that label the field's
buddy (so Alt+the label's mnemonic reaches it) and gives the field the label's words as its
accessible name, for every field a page or dialog built without one. `unnamed_controls` lists
the controls a screen reader would announce with no name at all (the accessibility test holds it
empty on every page and dialog)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

FIELDS = (QComboBox, QLineEdit, QAbstractSpinBox, QPlainTextEdit, QTextEdit, QAbstractItemView)


def label_words(label: QLabel) -> str:
    """A label's text as a name: no mnemonic ampersand, no closing colon, no markup."""
    import re
    from html import unescape

    text = re.sub(r"<[^>]+>", "", label.text())
    return unescape(text).replace("&&", "\0").replace("&", "").replace("\0", "&").strip(" :")


def _name_in_layout(layout: QLayout) -> None:
    previous: QLabel | None = None
    for i in range(layout.count()):
        item = layout.itemAt(i)
        if item is None:
            continue
        child_layout = item.layout()
        if child_layout is not None:
            _name_in_layout(child_layout)
            previous = None
            continue
        widget = item.widget()
        if widget is None:
            continue
        if isinstance(widget, QLabel):
            previous = widget if widget.buddy() is None and label_words(widget) else None
            continue
        if previous is not None and isinstance(widget, FIELDS) and not widget.accessibleName():
            previous.setBuddy(widget)
            widget.setAccessibleName(label_words(previous))
        previous = None


def name_fields(root: QWidget) -> None:
    """Name each field of `root` (and the widgets inside it) from the label laid out before it,
    and each table or list by what it lists; Tab leaves a table (the arrows move inside it)."""
    for widget in [root, *root.findChildren(QWidget)]:
        layout = widget.layout()
        if layout is not None:
            _name_in_layout(layout)
    for view in root.findChildren(QAbstractItemView):  # a table or list: what it lists
        if view.objectName().startswith("qt_"):
            continue  # a part Qt builds (a calendar's days), named by Qt
        view.setTabKeyNavigation(False)  # arrows move within it; Tab moves on (no trap)
        if not view.accessibleName() and view.objectName():
            view.setAccessibleName(view.objectName().replace("_", " ").capitalize())
    for box in root.findChildren(QGroupBox):  # a lone field in a titled box is named by it
        fields = [w for w in box.findChildren(QWidget) if isinstance(w, FIELDS)]
        if len(fields) == 1 and not fields[0].accessibleName() and box.title():
            fields[0].setAccessibleName(box.title().replace("&", ""))


def _named(widget: QWidget) -> bool:
    if widget.accessibleName():
        return True
    if isinstance(widget, QAbstractButton):
        return bool(widget.text().replace("&", "").strip() or widget.toolTip())
    if isinstance(widget, QLineEdit) and widget.placeholderText():
        return True
    buddies = [label for label in widget.window().findChildren(QLabel) if label.buddy() is widget]
    return bool(buddies)


def unnamed_controls(root: QWidget) -> list[str]:
    """The visible controls of `root` that a screen reader would announce without a name."""
    found = []
    for widget in root.findChildren(QWidget):
        interactive = isinstance(widget, (*FIELDS, QAbstractButton, QTabWidget))
        if not interactive or not widget.isVisibleTo(root) or widget.parent() is None:
            continue
        if isinstance(widget.parent(), (QComboBox, QAbstractSpinBox, QAbstractItemView)):
            continue  # the parts Qt builds inside a control are named by the control
        if isinstance(widget, QTabWidget) or _named(widget):
            continue
        name = widget.objectName() or type(widget).__name__
        found.append(f"{type(widget).__name__} {name!r} in {type(root).__name__}")
    return found


class _NameDialogsOnShow(QObject):
    """Names the fields of every dialog as it is first shown (print, link, mapping...)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QDialog):
            name_fields(watched)
        return False


_namer: _NameDialogsOnShow | None = None


def name_every_dialog() -> None:
    """Have every dialog the application shows named as it appears (installed once)."""
    global _namer
    app = QApplication.instance()
    if app is not None and _namer is None:
        _namer = _NameDialogsOnShow(app)
        app.installEventFilter(_namer)
