"""The screenshot editor: every tool changes the picture as the agent expects; undo and redo."""
from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QAbstractButton, QWidget

from capture_app.ui.editor.dialog import EditorDialog
from editor_gestures import click, drag, press
from capture_app.ui.editor.tools import TOOLS

pytestmark = pytest.mark.gui

W, H = 400, 300


def noise_image(width: int = W, height: int = H, seed: int = 1) -> QImage:
    data = random.Random(seed).randbytes(width * height * 3)
    return QImage(data, width, height, width * 3, QImage.Format_RGB888).copy()


def flat_image(colour: str = "#ffffff", width: int = W, height: int = H) -> QImage:
    image = QImage(width, height, QImage.Format_RGB32)
    image.fill(QColor(colour))
    return image


def rgb(image: QImage, x: int, y: int) -> tuple[int, int, int, int]:
    c = image.pixelColor(x, y)
    return c.red(), c.green(), c.blue(), c.alpha()


@pytest.fixture
def editor(qtbot, no_dialogs):
    # no_dialogs: closing an edited picture at teardown asks "discard?" — answered yes.
    def make(image: QImage, **options) -> EditorDialog:
        dialog = EditorDialog(image, title="Bildschirm 14:03", **options)
        qtbot.addWidget(dialog)
        dialog.resize(1000, 700)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()  # keyboard shortcuts go to the active window
        qtbot.waitActive(dialog)
        return dialog
    return make


def test_redaction_is_an_opaque_solid_fill(editor, qtbot):
    dialog = editor(noise_image())
    dialog.choose_tool("redact")
    drag(qtbot, dialog, (50, 40), (150, 90))
    result = dialog.result_value()
    assert result.redacted
    flat = result.image
    assert {rgb(flat, x, y) for x in range(50, 150) for y in range(40, 90)} == {(0, 0, 0, 255)}
    # Outside it the picture is unchanged.
    original = noise_image()
    for x, y in ((49, 60), (150, 60), (100, 39), (100, 90)):
        assert flat.pixelColor(x, y) == original.pixelColor(x, y)


def test_on_a_picture_shown_smaller_the_redaction_covers_every_pixel_it_touches(editor, qtbot):
    big = noise_image(2400, 1800, seed=5)  # shown at well under half size
    dialog = editor(big)
    assert dialog.canvas.scale() < 0.5
    dialog.choose_tool("redact")
    drag(qtbot, dialog, (333.3, 222.2), (777.7, 555.5))
    (redaction,) = dialog.document.redactions
    rect = redaction.rect
    # Widget positions fall between image pixels: the fill reaches outward to whole pixels.
    start = dialog.canvas.to_image(dialog.canvas.from_image(QPointF(333.3, 222.2)).toPoint())
    end = dialog.canvas.to_image(dialog.canvas.from_image(QPointF(777.7, 555.5)).toPoint())
    assert rect.left() <= start.x() and rect.top() <= start.y()
    assert rect.left() + rect.width() >= end.x() and rect.top() + rect.height() >= end.y()
    flat = dialog.result_value().image
    colours = {rgb(flat, x, y) for x in range(rect.left(), rect.left() + rect.width(), 7)
               for y in range(rect.top(), rect.top() + rect.height(), 7)}
    corners = {rgb(flat, x, y) for x in (rect.left(), rect.left() + rect.width() - 1)
               for y in (rect.top(), rect.top() + rect.height() - 1)}
    assert colours | corners == {(0, 0, 0, 255)}


def test_nothing_painted_later_can_show_through_a_redaction(editor, qtbot):
    dialog = editor(flat_image("#ffffff"))
    dialog.choose_tool("redact")
    drag(qtbot, dialog, (100, 100), (200, 150))
    # A highlighter and a text box drawn over the blacked-out area afterwards.
    dialog.choose_tool("highlighter")
    drag(qtbot, dialog, (80, 90), (220, 160))
    dialog.ask_text = lambda: "Hier war die IBAN"
    dialog.choose_tool("text")
    click(qtbot, dialog, (110, 110))
    flat = dialog.result_value().image
    assert {rgb(flat, x, y) for x in range(100, 200) for y in range(100, 150)} == {(0, 0, 0, 255)}
    assert rgb(flat, 85, 95) == (255, 230, 0, 255)  # the highlighter itself was drawn


def test_blur_and_pixelate_are_not_offered():
    keys = {tool.key for tool in TOOLS}
    assert keys == {"redact", "rectangle", "arrow", "text", "step", "highlighter", "crop"}
    assert not {"blur", "pixelate", "mosaic"} & keys


def test_undo_and_redo_restore_the_picture_exactly(editor, qtbot):
    original = noise_image(seed=7)
    dialog = editor(original)
    dialog.choose_tool("redact")
    drag(qtbot, dialog, (10, 10), (60, 60))
    dialog.choose_tool("rectangle")
    drag(qtbot, dialog, (100, 100), (200, 200))
    assert dialog.undo_button.isEnabled() and not dialog.redo_button.isEnabled()
    qtbot.mouseClick(dialog.undo_button, Qt.LeftButton)
    qtbot.mouseClick(dialog.undo_button, Qt.LeftButton)
    assert dialog.document.flatten() == original.convertToFormat(QImage.Format_RGB32)
    assert dialog.result_value().image is None  # nothing left to save: no new file
    assert not dialog.undo_button.isEnabled() and dialog.redo_button.isEnabled()
    press(qtbot, dialog, Qt.Key_Y, Qt.ControlModifier)  # redo by keyboard
    assert rgb(dialog.document.flatten(), 30, 30) == (0, 0, 0, 255)
    press(qtbot, dialog, Qt.Key_Z, Qt.ControlModifier)
    assert dialog.document.flatten() == original.convertToFormat(QImage.Format_RGB32)


def test_crop_keeps_only_the_chosen_part_and_later_tools_work_inside_it(editor, qtbot):
    original = noise_image(seed=3)
    dialog = editor(original)
    dialog.choose_tool("crop")
    drag(qtbot, dialog, (100, 50), (300, 250))
    flat = dialog.document.flatten()
    assert (flat.width(), flat.height()) == (200, 200)
    assert flat.pixelColor(0, 0) == original.pixelColor(100, 50)
    assert flat.pixelColor(199, 199) == original.pixelColor(299, 249)
    # After cropping, a redaction is placed where the agent sees it in the cropped view.
    dialog.choose_tool("redact")
    drag(qtbot, dialog, (110, 60), (120, 70))
    assert rgb(dialog.document.flatten(), 15, 15) == (0, 0, 0, 255)
    assert dialog.document.flatten().pixelColor(25, 25) == original.pixelColor(125, 75)


def test_rectangle_arrow_and_highlighter_draw_in_the_chosen_colour(editor, qtbot):
    dialog = editor(flat_image("#ffffff"))
    dialog.colour.setCurrentIndex(dialog.colour.findData("#0067b8"))
    dialog.choose_tool("rectangle")
    drag(qtbot, dialog, (20, 20), (120, 80))
    dialog.choose_tool("arrow")
    drag(qtbot, dialog, (200, 200), (350, 200))
    dialog.choose_tool("highlighter")
    drag(qtbot, dialog, (200, 40), (300, 60))
    flat = dialog.document.flatten()
    assert rgb(flat, 21, 50) == (0, 0x67, 0xB8, 255)  # the frame's left edge
    assert rgb(flat, 70, 50) == (255, 255, 255, 255)  # inside the frame: untouched
    assert rgb(flat, 270, 200) == (0, 0x67, 0xB8, 255)  # the arrow's shaft
    assert rgb(flat, 340, 203) == (0, 0x67, 0xB8, 255)  # its head is wider than the shaft
    assert rgb(flat, 270, 203) == (255, 255, 255, 255)
    assert rgb(flat, 250, 50) == (255, 230, 0, 255)  # highlighted white turns marker yellow


def test_step_markers_count_up_and_text_is_written_where_clicked(editor, qtbot):
    dialog = editor(flat_image("#ffffff"))
    dialog.choose_tool("step")
    for x in (50, 150, 250):
        click(qtbot, dialog, (x, 100))
    numbers = [a.number for a in dialog.document.annotations]
    assert numbers == [1, 2, 3]
    qtbot.mouseClick(dialog.undo_button, Qt.LeftButton)
    click(qtbot, dialog, (300, 200))
    assert [a.number for a in dialog.document.annotations] == [1, 2, 3]  # the undone one is reused
    flat = dialog.document.flatten()
    assert rgb(flat, 41, 100) == (0xD9, 0x1E, 0x18, 255)  # the marker's red disc
    assert rgb(flat, 50, 100) == (255, 255, 255, 255)  # with its white number in the middle
    assert rgb(flat, 100, 100) == (255, 255, 255, 255)  # between two markers: untouched
    dialog.ask_text = lambda: "Fehlermeldung"
    dialog.choose_tool("text")
    click(qtbot, dialog, (20, 220))
    flat = dialog.document.flatten()
    changed = sum(flat.pixelColor(x, y) != QColor("white") for x in range(20, 200) for y in range(220, 260))
    assert changed > 100  # letters were drawn there
    dialog.ask_text = lambda: "   "
    click(qtbot, dialog, (20, 20))
    assert len(dialog.document.annotations) == 4  # an empty text adds nothing


def test_console_label_alone_changes_no_pixels(editor):
    dialog = editor(noise_image(), shows_console=False)
    dialog.console.setChecked(True)
    result = dialog.result_value()
    assert result.image is None and result.shows_console is True
    assert dialog.modified


def test_closing_with_changes_asks_first(editor, qtbot, no_dialogs, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    dialog = editor(flat_image())
    dialog.choose_tool("redact")
    drag(qtbot, dialog, (10, 10), (50, 50))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.No)
    dialog.reject()
    assert dialog.isVisible()  # "No": keep editing
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    dialog.reject()
    assert not dialog.isVisible()


def test_every_control_of_the_editor_has_a_name(editor):
    dialog = editor(flat_image())
    unnamed = [type(w).__name__ for w in dialog.findChildren(QWidget)
               if isinstance(w, QAbstractButton) and not (w.accessibleName() or w.text())]
    assert unnamed == []
    assert dialog.canvas.accessibleName()
    assert dialog.colour.accessibleName()
