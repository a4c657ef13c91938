"""The editor window: tool bar, picture (zoomable), undo/redo, "shows the browser console", save."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import QPointF, QRect, QSize, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from capture_app.core.platform.i18n import tr
from capture_app.core.privacy.pii import PiiMatch
from capture_app.ui.editor.canvas import MAX_ZOOM, EditorCanvas, ZoomArea
from capture_app.ui.editor.document import EditDocument
from capture_app.ui.editor.icons import glyph_icon, swatch_icon
from capture_app.ui.editor.pii_proposals import CheckOutcome, TextCheckPanel
from capture_app.ui.editor.tools import TOOLS, Tool, ToolStyle
from capture_app.ui.editor.tools.base import WEIGHTS
from capture_app.ui.editor.tools.step_marker import StepMarkerTool
from capture_app.ui.editor.tools.text import TextTool
from capture_app.ui.platform.screen_fit import resize_to_fit, screen_room

# The editor's first size: at least this, and most of the screen where it is larger — the
# bigger the picture is shown, the more exactly a redaction can be placed.
MIN_SIZE = (1100, 760)
SCREEN_SHARE = 0.85

COLOURS = (("red", "#d91e18"), ("blue", "#0067b8"), ("green", "#2f855a"), ("black", "#000000"))


def _icon_button(glyph: str, name: str, tooltip: str) -> QToolButton:
    """An icon-only tool bar button, named for screen readers, explained in its tooltip."""
    button = QToolButton()
    button.setIcon(glyph_icon(glyph))
    button.setIconSize(QSize(24, 24))
    button.setAutoRaise(True)
    button.setText(name)
    button.setAccessibleName(name.replace("&", ""))
    button.setToolTip(tooltip.replace("&", ""))
    return button


def preferred_size(room: QRect | None) -> tuple[int, int]:
    """The editor's size before fitting it into ``room``, the screen's free area."""
    width, height = MIN_SIZE
    if room is None:
        return width, height
    return (max(width, int(room.width() * SCREEN_SHARE)),
            max(height, int(room.height() * SCREEN_SHARE)))


@dataclass
class EditResult:
    image: QImage | None  # None: the pixels were not changed
    shows_console: bool
    redacted: bool
    text_check: CheckOutcome | None = None  # None: the picture was still being read


class EditorDialog(QDialog):
    saved = Signal(object)  # EditResult

    def __init__(self, image: QImage, *, title: str, shows_console: bool = False,
                 parent: QWidget | None = None, own_contact: Sequence[PiiMatch] = (),
                 check_text: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("editor.window_title", title=title))
        self.setAccessibleName(tr("editor.window_title", title=title))
        resize_to_fit(self, *preferred_size(screen_room(parent or self)))
        self.document = EditDocument(image, self)
        self.initial_console = shows_console
        self.ask_text = self._ask_text  # replaced in tests: the text tool's input
        self._build(shows_console)
        self.choose_tool(TOOLS[0].key)
        if check_text:  # personal data on the picture, read in the background
            self.text_check.start(image, own_contact)
        else:
            self.text_check.hide()

    def _build(self, shows_console: bool) -> None:
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_toolbar())
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName(tr("editor.hint_name"))
        layout.addWidget(self.hint)
        self.text_check = TextCheckPanel(self.document)
        layout.addWidget(self.text_check)
        self.canvas = EditorCanvas(self.document)
        self.text_check.changed.connect(
            lambda: self.canvas.set_proposals(self.text_check.open_rects()))
        self.text_check.focused.connect(self._show_proposal)
        self.canvas.finished.connect(self._finished)
        self.zoom_area = ZoomArea(self.canvas)
        layout.addWidget(self.zoom_area, 1)
        layout.addLayout(self._build_bottom(shows_console))

    def _build_toolbar(self) -> QHBoxLayout:
        """The tools as icons (the one in use on a highlighted tile), colour, stroke width,
        undo and redo."""
        bar = QHBoxLayout()
        bar.setSpacing(2)
        self.tool_group = QButtonGroup(self)
        self.tool_group.setExclusive(True)
        self.tool_buttons: dict[str, QToolButton] = {}
        for tool in TOOLS:
            name = tr(f"editor.tool_{tool.key}")
            button = _icon_button(tool.key, name, f"{name} ({tool.shortcut})\n{tr(f'editor.tip_{tool.key}')}")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, key=tool.key: self.choose_tool(key))
            QShortcut(QKeySequence(tool.shortcut), self, lambda key=tool.key: self.choose_tool(key))
            self.tool_group.addButton(button)
            self.tool_buttons[tool.key] = button
            bar.addWidget(button)
        bar.addSpacing(16)
        colour_label = QLabel(tr("editor.colour"))
        self.colour = QComboBox()
        for key, value in COLOURS:
            self.colour.addItem(swatch_icon(value), tr(f"editor.colour_{key}"), value)
        self.colour.setAccessibleName(tr("editor.colour").replace("&", ""))
        colour_label.setBuddy(self.colour)
        self.colour.currentIndexChanged.connect(lambda _i: self.choose_tool(self.tool.key))
        bar.addWidget(colour_label)
        bar.addWidget(self.colour)
        bar.addSpacing(16)
        self._build_widths(bar)
        bar.addStretch(1)
        self._build_undo_redo(bar)
        return bar

    def _build_widths(self, bar: QHBoxLayout) -> None:
        """Thin, medium, thick (keys 1, 2, 3) for frames and arrows."""
        bar.addWidget(QLabel(tr("editor.width")))
        self.width_group = QButtonGroup(self)
        self.width_group.setExclusive(True)
        self.width_buttons: dict[str, QToolButton] = {}
        for number, (key, _weight) in enumerate(WEIGHTS, start=1):
            name = tr(f"editor.width_{key}")
            button = _icon_button(f"width_{key}", name, f"{tr('editor.width_name')}: {name} ({number})")
            button.setCheckable(True)
            button.setChecked(key == "medium")
            button.clicked.connect(lambda _=False: self.choose_tool(self.tool.key))
            QShortcut(QKeySequence(str(number)), self, button.click)
            self.width_group.addButton(button)
            self.width_buttons[key] = button
            bar.addWidget(button)

    def _build_undo_redo(self, bar: QHBoxLayout) -> None:
        self.undo_button = QPushButton(glyph_icon("undo"), tr("editor.undo"))
        self.redo_button = QPushButton(glyph_icon("redo"), tr("editor.redo"))
        stack = self.document.undo_stack
        for push, action, keys in ((self.undo_button, stack.undo, QKeySequence.StandardKey.Undo),
                                   (self.redo_button, stack.redo, QKeySequence.StandardKey.Redo)):
            push.setAccessibleName(push.text().replace("&", ""))
            shown = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
            push.setToolTip(f"{push.text().replace('&', '')} ({shown})")
            push.clicked.connect(action)
            QShortcut(keys, self, action)
            bar.addWidget(push)
        if QKeySequence("Ctrl+Y") not in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo):
            # Windows users expect Ctrl+Y; a second shortcut for the same keys would block both.
            QShortcut(QKeySequence("Ctrl+Y"), self, stack.redo)
        stack.canUndoChanged.connect(self.undo_button.setEnabled)
        stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)

    def _build_bottom(self, shows_console: bool) -> QHBoxLayout:
        """Whether the picture shows the console, the zoom, cancel and save."""
        bottom = QHBoxLayout()
        self.console = QCheckBox(tr("editor.shows_console"))
        self.console.setAccessibleName(tr("editor.shows_console").replace("&", ""))
        self.console.setToolTip(tr("editor.shows_console_tip"))
        self.console.setChecked(shows_console)
        bottom.addWidget(self.console)
        bottom.addStretch(1)
        self._build_zoom(bottom)
        bottom.addSpacing(24)
        self.cancel_button = QPushButton(tr("editor.cancel"))
        self.save_button = QPushButton(tr("editor.save"))
        for button in (self.cancel_button, self.save_button):
            button.setAccessibleName(button.text().replace("&", ""))
            bottom.addWidget(button)
        self.save_button.setDefault(True)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.save)
        return bottom

    def _build_zoom(self, row: QHBoxLayout) -> None:
        """Zoom out, the current zoom, zoom in, fit — under the picture, like an image viewer."""
        area = self.zoom_area
        self.zoom_buttons: dict[str, QToolButton] = {}
        actions = (("zoom_out", lambda: area.step_zoom(-1), QKeySequence.StandardKey.ZoomOut),
                   ("zoom_in", lambda: area.step_zoom(1), QKeySequence.StandardKey.ZoomIn),
                   ("zoom_fit", lambda: area.set_zoom(None), QKeySequence("Ctrl+0")),
                   ("zoom_actual", lambda: area.set_zoom(1.0), QKeySequence("Ctrl+1")))
        self.zoom_label = QLabel()
        self.zoom_label.setAccessibleName(tr("editor.zoom_level_name"))
        self.zoom_label.setMinimumWidth(self.zoom_label.fontMetrics().horizontalAdvance("800 %") + 8)
        for index, (key, action, keys) in enumerate(actions):
            button = QToolButton()
            button.setText(tr(f"editor.{key}"))
            button.setAccessibleName(tr(f"editor.{key}_name"))
            button.setToolTip(tr(f"editor.{key}_tip"))
            button.clicked.connect(action)
            # a key sequence or a standard key (all its bindings): both are what QShortcut takes
            QShortcut(cast(QKeySequence, keys), self, action)
            self.zoom_buttons[key] = button
            row.addWidget(button)
            if index == 0:
                row.addWidget(self.zoom_label)
        if QKeySequence("Ctrl+=") not in QKeySequence.keyBindings(QKeySequence.StandardKey.ZoomIn):
            # US keyboards: "+" is Shift+"=", so "Ctrl+=" is what people press.
            QShortcut(QKeySequence("Ctrl+="), self, lambda: area.step_zoom(1))
        area.zoom_changed.connect(self._zoom_changed)
        self._zoom_changed()

    def _zoom_changed(self) -> None:
        area = self.zoom_area
        percent = round(area.scale() * 100)
        self.zoom_label.setText(tr("editor.zoom_level", percent=percent))
        fitted = self.canvas.zoom is None
        self.zoom_buttons["zoom_fit"].setEnabled(not fitted)
        self.zoom_buttons["zoom_out"].setEnabled(not fitted)
        self.zoom_buttons["zoom_in"].setEnabled(area.scale() < MAX_ZOOM)
        self.zoom_buttons["zoom_actual"].setEnabled(percent != 100 and area.fit_scale() < 1.0)

    # -- tools

    def _style(self) -> ToolStyle:
        weight = next(factor for key, factor in WEIGHTS if self.width_buttons[key].isChecked())
        return ToolStyle(QColor(self.colour.currentData()), self.document.original.width(),
                         self.document.original.height(), weight)

    def make_tool(self, key: str) -> Tool:
        cls = next(t for t in TOOLS if t.key == key)
        if cls is TextTool:
            return TextTool(self._style(), ask_text=lambda: self.ask_text())
        if cls is StepMarkerTool:
            return StepMarkerTool(self._style(), next_number=self.document.next_step_number)
        return cls(self._style())

    def choose_tool(self, key: str) -> None:
        self.tool = self.make_tool(key)
        self.tool_buttons[key].setChecked(True)
        self.canvas.set_tool(self.tool)
        self.hint.setText(tr(f"editor.tip_{key}"))

    def _finished(self, result) -> None:
        if isinstance(result, QRect):
            self.document.set_crop(result)
        else:
            self.document.add(result, tr(f"editor.tool_{self.tool.key}"))

    def _show_proposal(self, rect: QRect | None) -> None:
        """The place chosen in the list of proposals: framed boldly, scrolled into view."""
        self.canvas.set_focus(rect)
        if rect is not None and self.canvas.zoom is not None:
            centre = self.canvas.from_image(QPointF(rect.center()))
            self.zoom_area.ensureVisible(round(centre.x()), round(centre.y()),
                                         rect.width() // 2 + 40, rect.height() // 2 + 40)

    def _ask_text(self) -> str | None:
        text, ok = QInputDialog.getText(self, tr("editor.tool_text").replace("&", ""),
                                        tr("editor.text_prompt"))
        return text if ok else None

    # -- closing

    @property
    def modified(self) -> bool:
        return self.document.modified or self.console.isChecked() != self.initial_console

    def result_value(self) -> EditResult:
        image = self.document.flatten() if self.document.modified else None
        return EditResult(image, self.console.isChecked(), bool(self.document.redactions),
                          self.text_check.outcome() if self.text_check.isVisibleTo(self) else None)

    def save(self) -> None:
        self.saved.emit(self.result_value())
        self.accept()

    def reject(self) -> None:
        if self.modified:
            answer = QMessageBox.question(self, tr("editor.discard_title"),
                                          tr("editor.discard_question"))
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()
