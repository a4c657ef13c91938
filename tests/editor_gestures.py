"""Mouse and keyboard on the screenshot editor, in image pixel coordinates (for GUI tests)."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtWidgets import QApplication


def drag(qtbot, dialog, start: tuple[float, float], end: tuple[float, float]) -> None:
    """Drag on the canvas between two points given in image pixels."""
    canvas = dialog.canvas
    a = canvas.from_image(QPointF(*start)).toPoint()
    b = canvas.from_image(QPointF(*end)).toPoint()
    qtbot.mousePress(canvas, Qt.LeftButton, pos=a)
    qtbot.mouseMove(canvas, pos=QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    qtbot.mouseMove(canvas, pos=b)
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=b)


def press(qtbot, dialog, key, modifier=Qt.NoModifier) -> None:
    """A key press as the agent makes it: to the focused control of the active editor."""
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    dialog.canvas.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.canvas, timeout=5000)
    qtbot.keyClick(dialog.canvas, key, modifier)


def click(qtbot, dialog, at: tuple[float, float]) -> None:
    point = dialog.canvas.from_image(QPointF(*at)).toPoint()
    qtbot.mousePress(dialog.canvas, Qt.LeftButton, pos=point)
    qtbot.mouseRelease(dialog.canvas, Qt.LeftButton, pos=point)
