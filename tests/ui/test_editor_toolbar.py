"""The editor's tool bar as the agent sees it: tools as icons with name and key in the tooltip,
the tool in use on a highlighted tile, colours and stroke widths at hand, undo and redo visible."""
from __future__ import annotations

import pytest
from editor_gestures import drag, press
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication

from capture_app.core.platform.i18n import tr
from capture_app.ui.editor.dialog import COLOURS, EditorDialog
from capture_app.ui.editor.tools import TOOLS

pytestmark = pytest.mark.gui


def white(width: int = 400, height: int = 300) -> QImage:
    image = QImage(width, height, QImage.Format_RGB32)
    image.fill(QColor("#ffffff"))
    return image


@pytest.fixture
def dialog(qtbot, no_dialogs):
    editor = EditorDialog(white(), title="Bildschirm 14:03", check_text=False)
    qtbot.addWidget(editor)
    editor.resize(1100, 700)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    qtbot.waitActive(editor)
    return editor


def highlight_share(widget) -> float:
    """How much of the widget is painted in the palette's highlight colour."""
    image = widget.grab().toImage()
    highlight = QApplication.palette().color(QPalette.ColorRole.Highlight)
    hits = sum(1 for x in range(image.width()) for y in range(image.height())
               if image.pixelColor(x, y).rgb() == highlight.rgb())
    return hits / (image.width() * image.height())


def test_every_tool_is_an_icon_named_with_its_key(dialog):
    for tool in TOOLS:
        button = dialog.tool_buttons[tool.key]
        name = tr(f"editor.tool_{tool.key}")
        assert not button.icon().isNull(), tool.key
        assert button.toolButtonStyle() == Qt.ToolButtonIconOnly
        assert button.width() <= 40, (tool.key, button.width())  # an icon, not a text button
        assert button.accessibleName() == name
        assert button.toolTip().startswith(f"{name} ({tool.shortcut})"), button.toolTip()


def test_the_tool_in_use_and_only_it_is_on_a_highlighted_tile(dialog, qtbot):
    press(qtbot, dialog, Qt.Key_P)  # the arrow's key
    assert dialog.tool.key == "arrow"
    checked = [key for key, button in dialog.tool_buttons.items() if button.isChecked()]
    assert checked == ["arrow"]
    assert highlight_share(dialog.tool_buttons["arrow"]) > 0.3
    assert all(highlight_share(button) == 0 for key, button in dialog.tool_buttons.items()
               if key != "arrow")
    assert dialog.hint.text().startswith(tr("editor.tool_arrow"))


def frame_pixels(dialog, qtbot) -> int:
    dialog.choose_tool("rectangle")
    drag(qtbot, dialog, (100, 80), (300, 220))
    image = dialog.result_value().image
    dialog.document.undo_stack.undo()
    return sum(1 for x in range(image.width()) for y in range(image.height())
               if image.pixelColor(x, y).rgb() != QColor("#ffffff").rgb())


def test_a_thicker_stroke_draws_a_thicker_frame(dialog, qtbot):
    assert dialog.width_buttons["medium"].isChecked()
    press(qtbot, dialog, Qt.Key_1)  # thin
    assert dialog.width_buttons["thin"].isChecked()
    thin = frame_pixels(dialog, qtbot)
    qtbot.mouseClick(dialog.width_buttons["thick"], Qt.LeftButton)
    thick = frame_pixels(dialog, qtbot)
    assert thin > 0 and thick > 2.5 * thin, (thin, thick)
    for button in dialog.width_buttons.values():
        assert not button.icon().isNull() and button.toolTip() and button.accessibleName()


def test_each_colour_is_shown_as_its_swatch(dialog):
    for index, (_key, value) in enumerate(COLOURS):
        assert dialog.colour.itemData(index) == value
        swatch = dialog.colour.itemIcon(index).pixmap(16, 16).toImage()
        assert swatch.pixelColor(8, 8).name() == value


def test_undo_and_redo_are_visible_with_icons_and_their_keys(dialog, qtbot):
    for button, key in ((dialog.undo_button, QKeySequence.StandardKey.Undo),
                        (dialog.redo_button, QKeySequence.StandardKey.Redo)):
        assert button.isVisible() and not button.icon().isNull()
        assert QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText) in button.toolTip()
    dialog.choose_tool("rectangle")
    drag(qtbot, dialog, (10, 10), (60, 60))
    assert dialog.undo_button.isEnabled() and not dialog.redo_button.isEnabled()


@pytest.mark.parametrize("height", [700, 701])
def test_at_100_percent_a_redaction_covers_exactly_the_dragged_pixels_at_any_window_size(
        qtbot, no_dialogs, height):
    editor = EditorDialog(white(), title="Bildschirm 14:03", check_text=False)
    qtbot.addWidget(editor)
    editor.resize(1101, height)  # odd and even room around the picture
    editor.show()
    qtbot.waitExposed(editor)
    assert editor.zoom_area.scale() == 1.0
    editor.choose_tool("redact")
    drag(qtbot, editor, (50, 40), (150, 90))
    image = editor.result_value().image
    black = {(x, y) for x in range(0, 200) for y in range(0, 130)
             if image.pixelColor(x, y).rgb() == QColor("#000000").rgb()}
    assert black == {(x, y) for x in range(50, 150) for y in range(40, 90)}
