"""The interface every annotation tool implements.

A tool turns mouse input (in image pixel coordinates) into an :class:`Annotation`, which knows
how to paint itself onto the image. The editor's document owns the annotations, undo and redo;
tools keep only the gesture in progress.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRect, QRectF
from PySide6.QtGui import QColor, QPainter

# The stroke widths of the tool bar: a factor on the width that suits the picture's size.
WEIGHTS = (("thin", 0.5), ("medium", 1.0), ("thick", 2.0))


@dataclass
class ToolStyle:
    colour: QColor
    image_width: int
    image_height: int
    weight: float = 1.0  # thin 0.5, medium 1, thick 2

    @property
    def line_width(self) -> float:
        # Visible on a 4K screenshot shown small, not clumsy on a small crop.
        return max(1.5, max(3.0, min(self.image_width, self.image_height) / 250) * self.weight)


class Annotation:
    """Something drawn onto the screenshot, in image pixel coordinates."""

    # Redactions are painted after everything else, so nothing can be drawn over them.
    redacts = False

    def paint(self, painter: QPainter) -> None:
        raise NotImplementedError


def pixel_rect(a: QPointF, b: QPointF) -> QRect:
    """The whole pixels a dragged rectangle touches (never a fraction of one left out)."""
    left, top = math.floor(min(a.x(), b.x())), math.floor(min(a.y(), b.y()))
    right, bottom = math.ceil(max(a.x(), b.x())), math.ceil(max(a.y(), b.y()))
    return QRect(left, top, max(0, right - left), max(0, bottom - top))


class Tool:
    """A gesture that makes one annotation (or, for crop, one crop rectangle)."""

    key = ""  # editor.tool_<key> is its name, editor.tip_<key> its explanation
    shortcut = ""
    # At least this many pixels of drag, or the gesture is a stray click.
    MIN_DRAG = 2

    def __init__(self, style: ToolStyle) -> None:
        self.style = style
        self.start: QPointF | None = None
        self.end: QPointF | None = None

    def press(self, point: QPointF) -> None:
        self.start = self.end = QPointF(point)

    def move(self, point: QPointF) -> None:
        if self.start is not None:
            self.end = QPointF(point)

    def release(self, point: QPointF) -> Annotation | QRect | None:
        """The finished result, or None for a gesture too small to mean anything."""
        self.move(point)
        result = self.make() if self.start is not None else None
        self.start = self.end = None
        return result

    def preview(self) -> Annotation | QRect | None:
        return self.make() if self.start is not None else None

    def make(self) -> Annotation | QRect | None:
        raise NotImplementedError

    def dragged_rect(self) -> QRect | None:
        if self.start is None or self.end is None:
            return None
        rect = pixel_rect(self.start, self.end)
        if rect.width() < self.MIN_DRAG or rect.height() < self.MIN_DRAG:
            return None
        return rect

    @staticmethod
    def rect_f(rect: QRect) -> QRectF:
        return QRectF(rect)
