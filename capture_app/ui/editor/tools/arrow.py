"""An arrow pointing at the problem: a line with a filled head at the end of the drag."""
from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF, Qt

from capture_app.ui.editor.tools.base import Annotation, Tool


class Arrow(Annotation):
    def __init__(self, start: QPointF, end: QPointF, colour: QColor, width: float) -> None:
        self.start, self.end, self.colour, self.width = QPointF(start), QPointF(end), QColor(colour), width

    def paint(self, painter: QPainter) -> None:
        line = QLineF(self.start, self.end)
        head = self.width * 4.5
        angle = math.atan2(-line.dy(), line.dx())
        left = self.end - QPointF(math.cos(angle - math.pi / 7) * head, -math.sin(angle - math.pi / 7) * head)
        right = self.end - QPointF(math.cos(angle + math.pi / 7) * head, -math.sin(angle + math.pi / 7) * head)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(self.colour, self.width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        # The shaft stops inside the head so its round cap does not poke out of the tip.
        shaft = QLineF(self.start, self.end)
        if shaft.length() > head:
            shaft.setLength(shaft.length() - head * 0.6)
        painter.drawLine(shaft)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour)
        painter.drawPolygon(QPolygonF([self.end, left, right]))
        painter.restore()


class ArrowTool(Tool):
    key = "arrow"
    shortcut = "P"

    def make(self) -> Arrow | None:
        if self.start is None or self.end is None:
            return None
        if QLineF(self.start, self.end).length() < self.MIN_DRAG * 4:
            return None
        return Arrow(self.start, self.end, self.style.colour, self.style.line_width)
