"""Highlighter: a translucent marker over text, the way one marks a printout.

It keeps what is underneath readable — which is why it is never offered for hiding anything.
"""
from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter

from capture_app.ui.editor.tools.base import Annotation, Tool

MARKER = QColor(255, 230, 0)


class Highlight(Annotation):
    def __init__(self, rect: QRect) -> None:
        self.rect = QRect(rect)

    def paint(self, painter: QPainter) -> None:
        painter.save()
        # Multiply darkens like ink: black text stays black, white paper turns yellow.
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        painter.fillRect(self.rect, MARKER)
        painter.restore()


class HighlighterTool(Tool):
    key = "highlighter"
    shortcut = "M"

    def make(self) -> Highlight | None:
        rect = self.dragged_rect()
        return Highlight(rect) if rect is not None else None
