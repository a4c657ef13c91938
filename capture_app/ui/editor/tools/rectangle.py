"""A frame around what matters."""
from __future__ import annotations

from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QColor, QPainter, QPen

from capture_app.ui.editor.tools.base import Annotation, Tool


class Frame(Annotation):
    def __init__(self, rect: QRect, colour: QColor, width: float) -> None:
        self.rect, self.colour, self.width = QRect(rect), QColor(colour), width

    def paint(self, painter: QPainter) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.colour, self.width))
        painter.setBrush(QColor(0, 0, 0, 0))
        half = self.width / 2
        painter.drawRect(QRectF(self.rect).adjusted(half, half, -half, -half))
        painter.restore()


class RectangleTool(Tool):
    key = "rectangle"
    shortcut = "R"

    def make(self) -> Frame | None:
        rect = self.dragged_rect()
        return Frame(rect, self.style.colour, self.style.line_width) if rect is not None else None
