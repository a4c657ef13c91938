"""Small helpers that every form uses: labelled rows with accessible names, and field binding.

A ``Binder`` connects widgets to dotted paths in the report (``"description.what"``); every
edit writes straight into the report and emits ``changed`` so the wizard can autosave.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from capture_app.core.platform.i18n import tr

_MISSING = object()


def get_path(obj: Any, path: str, default: Any = _MISSING) -> Any:
    """The value at a dotted path; a dict key not there yet (a case's extra facts before they
    are typed) gives ``default`` when one is given."""
    for part in path.split("."):
        if isinstance(obj, dict):
            if part not in obj and default is not _MISSING:
                return default
            obj = obj[part]
        else:
            obj = getattr(obj, part)
    return obj


def set_path(obj: Any, path: str, value: Any) -> None:
    """Write a value at a dotted path, adding the dict entries on the way that do not exist yet."""
    *parents, last = path.split(".")
    for part in parents:
        obj = obj.setdefault(part, {}) if isinstance(obj, dict) else getattr(obj, part)
    if isinstance(obj, dict):
        obj[last] = value
    else:
        setattr(obj, last, value)


def add_row(form: QFormLayout, label_key: str, widget: QWidget, *, required: bool = False,
            hint_key: str | None = None) -> QLabel:
    """A form row whose label is also the widget's accessible name (screen readers)."""
    text = tr(label_key)
    label = QLabel(f"{text} *" if required else text)
    label.setBuddy(widget)
    widget.setAccessibleName(text)
    line_edit = widget.lineEdit() if isinstance(widget, QComboBox) else None
    if line_edit is not None:
        line_edit.setAccessibleName(text)  # what a screen reader meets when typing
    if hint_key:
        widget.setAccessibleDescription(tr(hint_key))
        widget.setToolTip(tr(hint_key))
        if isinstance(widget, QLineEdit):
            widget.setPlaceholderText(tr(hint_key))
    form.addRow(label, widget)
    return label


def fill_combo(combo: QComboBox, values: Iterable[str], label_prefix: str, *,
               empty_key: str | None = "ui.common.choose") -> None:
    """Items show translated labels and carry the stored value as item data."""
    combo.clear()
    if empty_key:
        combo.addItem(tr(empty_key), "")
    for value in values:
        combo.addItem(tr(f"{label_prefix}.{value}"), value)


class Binder(QObject):
    changed = Signal(str)  # the path that changed

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._report = None
        self._bindings: list[tuple[QWidget, str]] = []
        self._loading = False
        self.widgets: dict[str, QWidget] = {}

    def bind(self, widget: QWidget, path: str) -> QWidget:
        self._bindings.append((widget, path))
        self.widgets[path] = widget
        write = self._writer(path)
        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(lambda text: write(text))
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(lambda: write(widget.toPlainText()))
        elif isinstance(widget, QComboBox):
            if widget.isEditable():
                widget.currentTextChanged.connect(lambda _t: write(self._combo_value(widget)))
            else:
                widget.currentIndexChanged.connect(lambda _i: write(self._combo_value(widget)))
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(lambda checked: write(bool(checked)))
        else:  # pragma: no cover - programming error
            raise TypeError(f"cannot bind {type(widget).__name__}")
        return widget

    @staticmethod
    def _combo_value(combo: QComboBox) -> str:
        data = combo.currentData()
        if combo.isEditable():
            text = combo.currentText().strip()
            index = combo.findText(text)
            if index >= 0 and combo.itemData(index) is not None:
                return combo.itemData(index)
            return text
        return data if data is not None else combo.currentText()

    def _writer(self, path: str) -> Callable[[Any], None]:
        def write(value: Any) -> None:
            if self._loading or self._report is None:
                return
            if get_path(self._report, path, None) == value:
                return
            set_path(self._report, path, value)
            self.changed.emit(path)
        return write

    def load(self, report) -> None:
        self._report = report
        self._loading = True
        try:
            for widget, path in self._bindings:
                value = get_path(report, path, "")
                self._show(widget, value)
        finally:
            self._loading = False

    @staticmethod
    def _show(widget: QWidget, value: Any) -> None:
        if isinstance(widget, QLineEdit):
            if widget.text() != (value or ""):
                widget.setText(value or "")
        elif isinstance(widget, QPlainTextEdit):
            if widget.toPlainText() != (value or ""):
                widget.setPlainText(value or "")
        elif isinstance(widget, QComboBox):
            index = widget.findData(value)
            if index < 0 and widget.isEditable():
                widget.setEditText(value or "")
            else:
                widget.setCurrentIndex(max(index, 0))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))


class WheelScrollsPage(QObject):
    """The mouse wheel over a closed drop-down, a number or a date field scrolls the page instead
    of changing the value: scrolling a long form must never change an answer on the way.
    The keyboard (arrow keys) still changes them."""

    WATCHED = (QComboBox, QAbstractSpinBox)

    def watch(self, root: QWidget) -> None:
        """Guard every such field under ``root`` (again after fields were added: no duplicates)."""
        for kind in self.WATCHED:
            for widget in root.findChildren(kind):
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event) -> bool:
        if event.type() != QEvent.Type.Wheel:
            return False
        area = watched.parentWidget() if isinstance(watched, QWidget) else None
        while area is not None and not isinstance(area, QAbstractScrollArea):
            area = area.parentWidget()
        if area is not None:
            QApplication.sendEvent(area.verticalScrollBar(), event)
        return True


# The field, not its children: red for what blocks the next step, amber for a hint.
INVALID_STYLE = '*[invalid="true"] { border: 2px solid #c42b1c; }'
WARNING_STYLE = '*[warning="true"] { border: 2px solid #b36b00; }'


def mark_invalid(widget: QWidget, message: str | None, *, warning: bool = False) -> None:
    """Show a field's problem on the field itself: a frame (red for an error, amber for a
    hint that does not block), the text as tooltip and for screen readers. Without a problem
    the field's own hint comes back."""
    if widget.property("base_tooltip") is None:
        widget.setProperty("base_tooltip", widget.toolTip())
        widget.setProperty("base_description", widget.accessibleDescription())
    invalid = bool(message) and not warning
    warned = bool(message) and warning
    if (bool(widget.property("invalid")) == invalid and bool(widget.property("warning")) == warned
            and (not message or widget.toolTip() == message)):
        return  # unchanged: re-polishing the style is not free
    widget.setProperty("invalid", invalid)
    widget.setProperty("warning", warned)
    base_tip, base_description = widget.property("base_tooltip"), widget.property("base_description")
    widget.setToolTip(message if message else base_tip)
    widget.setAccessibleDescription(f"{base_description}\n⚠ {message}".strip() if message
                                    else base_description)
    # A style sheet on this field only: an application-wide one would put every widget of the
    # app through the (slower) style-sheet style, at start-up too.
    widget.setStyleSheet(INVALID_STYLE if invalid else WARNING_STYLE if warned else "")
