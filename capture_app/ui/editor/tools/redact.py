"""Schwärzen: an opaque, solid fill burnt into the pixels.

Never blur or pixelate: both can be reversed or guessed for text. The fill is drawn with the
Source composition mode and without anti-aliasing, so every pixel inside the rectangle becomes
exactly the fill colour with full opacity, whatever was there.
"""
from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter

from capture_app.ui.editor.tools.base import Annotation, Tool

FILL = QColor(0, 0, 0)


class Redaction(Annotation):
    redacts = True

    def __init__(self, rect: QRect) -> None:
        self.rect = QRect(rect)

    def paint(self, painter: QPainter) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        painter.fillRect(self.rect, FILL)
        painter.restore()


class RedactTool(Tool):
    key = "redact"
    shortcut = "S"
    MIN_DRAG = 1

    def make(self) -> Redaction | None:
        rect = self.dragged_rect()
        return Redaction(rect) if rect is not None else None
