"""The screenshot editor: every tool changes the picture as the agent expects; undo and redo."""
from __future__ import annotations

import random

import pytest
from editor_gestures import click, drag, press
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from capture_app.ui.editor.canvas import ZOOM_STEPS
from capture_app.ui.editor.dialog import EditorDialog
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


# -- zoom -----------------------------------------------------------------------------------

def wheel(canvas, at: QPointF, notch: int, modifiers=Qt.NoModifier) -> None:
    """A mouse wheel turned at ``at`` (canvas coordinates); 120 is one notch."""
    event = QWheelEvent(at, canvas.mapToGlobal(at), QPoint(), QPoint(0, notch), Qt.NoButton,
                        modifiers, Qt.NoScrollPhase, False)
    QApplication.sendEvent(canvas, event)


def zoom_to(dialog, scale: float) -> None:
    for _ in range(20):  # bounded: there are a dozen zoom steps
        if dialog.zoom_area.scale() >= scale:
            break
        dialog.zoom_buttons["zoom_in"].click()
    assert dialog.zoom_area.scale() == scale


def show_image_point(dialog, point: tuple[float, float]) -> None:
    """Scroll so that ``point`` (image pixels) is near the middle of the window."""
    area, canvas = dialog.zoom_area, dialog.canvas
    at = canvas.from_image(QPointF(*point))
    area.horizontalScrollBar().setValue(round(at.x() - area.viewport().width() / 2))
    area.verticalScrollBar().setValue(round(at.y() - area.viewport().height() / 2))
    assert canvas.visibleRegion().contains(at.toPoint())


def test_zoomed_in_a_redaction_covers_exactly_the_pixels_dragged_over(editor, qtbot):
    original = noise_image(2400, 1800, seed=11)
    dialog = editor(original)
    fitted = dialog.zoom_area.scale()
    assert fitted < 0.5 and dialog.zoom_label.text() == f"{round(fitted * 100)} %"
    zoom_to(dialog, 4.0)
    assert dialog.zoom_label.text() == "400 %"
    assert dialog.zoom_area.horizontalScrollBar().maximum() > 0
    show_image_point(dialog, (1005, 803))
    dialog.choose_tool("redact")
    drag(qtbot, dialog, (1000.1, 800.1), (1010.9, 805.9))
    (redaction,) = dialog.document.redactions
    assert (redaction.rect.x(), redaction.rect.y(), redaction.rect.width(),
            redaction.rect.height()) == (1000, 800, 11, 6)
    flat = dialog.result_value().image
    assert {rgb(flat, x, y) for x in range(1000, 1011) for y in range(800, 806)} == {(0, 0, 0, 255)}
    for x, y in ((999, 802), (1011, 802), (1004, 799), (1004, 806)):  # one pixel outside
        assert flat.pixelColor(x, y) == original.pixelColor(x, y)


def test_zoomed_in_every_image_pixel_is_shown_as_a_sharp_square(editor):
    original = noise_image(2400, 1800, seed=12)
    dialog = editor(original)
    zoom_to(dialog, 4.0)
    show_image_point(dialog, (1005, 803))
    canvas = dialog.canvas
    corner = canvas.from_image(QPointF(1000, 800)).toPoint()
    shown = canvas.grab(QRect(corner.x(), corner.y(), 40, 24)).toImage()  # 10 × 6 image pixels
    for dy in range(24):
        for dx in range(40):
            assert shown.pixelColor(dx, dy) == original.pixelColor(1000 + dx // 4, 800 + dy // 4), (dx, dy)


def test_ctrl_wheel_zooms_around_the_pointer_and_the_plain_wheel_scrolls(editor, qtbot):
    dialog = editor(noise_image(2400, 1800, seed=3))
    area, canvas = dialog.zoom_area, dialog.canvas
    fitted = area.scale()
    # From the fitted picture one notch of Ctrl + wheel is one step up.
    wheel(canvas, canvas.from_image(QPointF(1200, 900)), 120, Qt.ControlModifier)
    assert area.scale() == min(z for z in ZOOM_STEPS if z > fitted)
    area.set_zoom(1.0)
    show_image_point(dialog, (1700, 1300))
    on_screen = canvas.mapTo(area.viewport(), canvas.from_image(QPointF(1700, 1300)).toPoint())

    def under_pointer() -> QPointF:
        return canvas.to_image(QPointF(canvas.mapFrom(area.viewport(), on_screen)))

    # One notch, then a fast turn of two notches in one event.
    for notches, expected in ((1, 1.5), (2, 3.0)):
        wheel(canvas, QPointF(canvas.mapFrom(area.viewport(), on_screen)), 120 * notches,
              Qt.ControlModifier)
        qtbot.wait(20)  # scroll bars that appear shrink the window a moment later
        assert area.scale() == expected
        # The pixel under the pointer stays under the pointer.
        point = under_pointer()
        assert abs(point.x() - 1700) <= 1 and abs(point.y() - 1300) <= 1, (expected, point)
    # A touchpad sends parts of a notch: a quarter at a time adds up to one step.
    for _ in range(4):
        wheel(canvas, QPointF(canvas.mapFrom(area.viewport(), on_screen)), 30, Qt.ControlModifier)
    assert area.scale() == 4.0
    # Without Ctrl the wheel scrolls the picture and leaves the zoom alone.
    top = area.verticalScrollBar().value()
    wheel(canvas, QPointF(canvas.mapFrom(area.viewport(), on_screen)), -120)
    assert area.verticalScrollBar().value() > top and area.scale() == 4.0
    # Zooming out never makes the picture smaller than the window.
    for _ in range(12):
        wheel(canvas, QPointF(canvas.mapFrom(area.viewport(), on_screen)), -120, Qt.ControlModifier)
    assert canvas.zoom is None and area.scale() == fitted
    assert area.horizontalScrollBar().maximum() == 0


def test_zoom_shortcuts_and_buttons(editor, qtbot):
    dialog = editor(noise_image(2400, 1800, seed=4))
    area, buttons = dialog.zoom_area, dialog.zoom_buttons
    fitted = area.scale()
    assert not buttons["zoom_out"].isEnabled() and not buttons["zoom_fit"].isEnabled()
    press(qtbot, dialog, Qt.Key_Plus, Qt.ControlModifier)
    assert area.scale() == min(z for z in ZOOM_STEPS if z > fitted)
    press(qtbot, dialog, Qt.Key_1, Qt.ControlModifier)
    assert area.scale() == 1.0 and dialog.zoom_label.text() == "100 %"
    assert not buttons["zoom_actual"].isEnabled()
    press(qtbot, dialog, Qt.Key_Minus, Qt.ControlModifier)
    assert area.scale() == 2 / 3
    press(qtbot, dialog, Qt.Key_0, Qt.ControlModifier)
    assert dialog.canvas.zoom is None and area.scale() == fitted
    zoom_to(dialog, 8.0)
    assert not buttons["zoom_in"].isEnabled()
    # Zoomed in, the arrow keys scroll the picture.
    left, top = area.horizontalScrollBar().value(), area.verticalScrollBar().value()
    press(qtbot, dialog, Qt.Key_Right)
    press(qtbot, dialog, Qt.Key_Down)
    assert area.horizontalScrollBar().value() > left and area.verticalScrollBar().value() > top
    buttons["zoom_fit"].click()
    assert area.scale() == fitted and buttons["zoom_in"].isEnabled()


def test_middle_button_drags_the_zoomed_picture(editor, qtbot):
    dialog = editor(noise_image(2400, 1800, seed=6))
    zoom_to(dialog, 2.0)
    area, canvas = dialog.zoom_area, dialog.canvas
    show_image_point(dialog, (1200, 900))
    left, top = area.horizontalScrollBar().value(), area.verticalScrollBar().value()
    start = canvas.from_image(QPointF(1200, 900)).toPoint()
    qtbot.mousePress(canvas, Qt.MiddleButton, pos=start)
    qtbot.mouseMove(canvas, pos=start + QPointF(-100, -60).toPoint())
    qtbot.mouseRelease(canvas, Qt.MiddleButton, pos=start + QPointF(-100, -60).toPoint())
    # Dragging the picture to the upper left shows more of its lower right part.
    assert area.horizontalScrollBar().value() == left + 100
    assert area.verticalScrollBar().value() == top + 60
    assert dialog.document.annotations == []  # panning draws nothing


def test_a_small_picture_is_not_blown_up_and_can_still_be_zoomed(editor, qtbot):
    dialog = editor(noise_image())  # 400 × 300 in a 1000 × 700 window
    area, buttons = dialog.zoom_area, dialog.zoom_buttons
    assert area.scale() == 1.0 and dialog.zoom_label.text() == "100 %"
    assert not buttons["zoom_actual"].isEnabled()
    buttons["zoom_in"].click()
    assert area.scale() == 1.5
    dialog.choose_tool("crop")
    drag(qtbot, dialog, (100, 100), (200, 180))
    assert dialog.zoom_label.text() == "150 %"
    # Zoomed and cropped, the tools still work in image pixels.
    dialog.choose_tool("redact")
    drag(qtbot, dialog, (120, 120), (140, 130))
    flat = dialog.result_value().image
    assert (flat.width(), flat.height()) == (100, 80)
    assert {rgb(flat, x, y) for x in range(20, 40) for y in range(20, 30)} == {(0, 0, 0, 255)}


def test_after_a_crop_the_fitted_percentage_is_shown_anew(editor, qtbot):
    dialog = editor(noise_image(2400, 1800, seed=8))
    before = dialog.zoom_label.text()
    dialog.choose_tool("crop")
    drag(qtbot, dialog, (0, 0), (600, 450))  # a quarter of each side: fits at a larger scale
    assert dialog.canvas.zoom is None
    assert dialog.zoom_label.text() == f"{round(dialog.zoom_area.scale() * 100)} %" != before
