"""Numbered step markers ①②③: the order in which the agent clicked, on the picture itself."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from capture_app.ui.editor.tools.base import Annotation, Tool, ToolStyle


class StepMarker(Annotation):
    def __init__(self, centre: QPointF, number: int, colour: QColor, radius: float) -> None:
        self.centre, self.number, self.colour, self.radius = QPointF(centre), number, QColor(colour), radius

    def paint(self, painter: QPainter) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        painter.setPen(QPen(QColor("white"), max(2.0, self.radius / 6)))
        painter.setBrush(self.colour)
        painter.drawEllipse(self.centre, self.radius, self.radius)
        font = QFont("DejaVu Sans")
        font.setBold(True)
        font.setPixelSize(int(self.radius * (1.1 if self.number < 10 else 0.85)))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        box = QRectF(self.centre.x() - self.radius, self.centre.y() - self.radius,
                     2 * self.radius, 2 * self.radius)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(self.number))
        painter.restore()


class StepMarkerTool(Tool):
    key = "step"
    shortcut = "N"

    def __init__(self, style: ToolStyle, next_number: Callable[[], int] | None = None) -> None:
        super().__init__(style)
        self.next_number = next_number or (lambda: 1)

    def radius(self) -> float:
        return max(14.0, min(self.style.image_width, self.style.image_height) / 45)

    def release(self, point: QPointF) -> StepMarker:
        self.start = self.end = None
        return StepMarker(point, self.next_number(), self.style.colour, self.radius())

    def preview(self) -> None:
        return None

    def make(self) -> None:  # pragma: no cover - a marker is made on release
        return None
