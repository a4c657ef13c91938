"""A short text at the clicked point, on a light box so it stays readable on any background."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

from capture_app.ui.editor.tools.base import Annotation, Tool, ToolStyle


class Label(Annotation):
    def __init__(self, at: QPointF, text: str, colour: QColor, pixel_size: int) -> None:
        self.at, self.text, self.colour, self.pixel_size = QPointF(at), text, QColor(colour), pixel_size

    def font(self) -> QFont:
        font = QFont("DejaVu Sans")
        font.setPixelSize(self.pixel_size)
        font.setBold(True)
        return font

    def bounds(self) -> QRectF:
        metrics = QFontMetricsF(self.font())
        box = metrics.boundingRect(QRectF(0, 0, 4000, 4000), Qt.TextFlag.TextWordWrap, self.text)
        pad = self.pixel_size / 4
        return QRectF(self.at.x(), self.at.y(), box.width() + 2 * pad, box.height() + 2 * pad)

    def paint(self, painter: QPainter) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        box = self.bounds()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 225))
        painter.drawRoundedRect(box, self.pixel_size / 5, self.pixel_size / 5)
        painter.setPen(self.colour)
        painter.setFont(self.font())
        pad = self.pixel_size / 4
        painter.drawText(box.adjusted(pad, pad, -pad, -pad), Qt.TextFlag.TextWordWrap, self.text)
        painter.restore()


class TextTool(Tool):
    key = "text"
    shortcut = "T"

    def __init__(self, style: ToolStyle, ask_text: Callable[[], str | None] | None = None) -> None:
        super().__init__(style)
        self.ask_text = ask_text

    def pixel_size(self) -> int:
        return int(max(16, min(self.style.image_width, self.style.image_height) / 36))

    def release(self, point: QPointF) -> Label | None:
        self.start = self.end = None
        text = self.ask_text() if self.ask_text is not None else None
        if not text or not text.strip():
            return None
        return Label(point, text.strip(), self.style.colour, self.pixel_size())

    def preview(self) -> None:
        return None

    def make(self) -> None:  # pragma: no cover - text is made on release
        return None
