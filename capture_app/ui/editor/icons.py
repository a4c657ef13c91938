"""The editor's tool bar icons, drawn as vector shapes at whatever size and pixel ratio they are
shown (crisp at 100–200 % scaling), in the palette's colours of the moment (light or dark).

A checked tool (the one in use) is drawn on a filled tile in the highlight colour: which tool is
active is seen at a glance, not only from a slightly sunken button.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QIcon,
    QIconEngine,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import QApplication

from capture_app.ui.platform.icons import PaintedEngine

# Every glyph is drawn in a 24 × 24 box, scaled to the icon's size.
BOX = 24.0


def _pen(colour: QColor, width: float = 2.0) -> QPen:
    return QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)


def _redact(p: QPainter, ink: QColor) -> None:
    p.setPen(_pen(ink, 1.6))
    p.drawLine(QPointF(4, 6), QPointF(20, 6))
    p.drawLine(QPointF(4, 18), QPointF(14, 18))
    p.fillRect(QRectF(4, 9.5, 16, 5), ink)


def _rectangle(p: QPainter, ink: QColor) -> None:
    p.setPen(_pen(ink))
    p.drawRoundedRect(QRectF(4, 6, 16, 12), 1.5, 1.5)


def _arrow(p: QPainter, ink: QColor) -> None:
    p.setPen(_pen(ink))
    p.drawLine(QPointF(5, 19), QPointF(18, 6))
    p.drawPolyline([QPointF(10, 6), QPointF(18, 6), QPointF(18, 14)])


def _text(p: QPainter, ink: QColor) -> None:
    p.setPen(_pen(ink, 2.2))
    p.drawLine(QPointF(5, 5), QPointF(19, 5))
    p.drawLine(QPointF(12, 5), QPointF(12, 19))
    p.drawLine(QPointF(9, 19), QPointF(15, 19))


def _step(p: QPainter, ink: QColor) -> None:
    p.setPen(_pen(ink))
    p.drawEllipse(QRectF(3.5, 3.5, 17, 17))
    path = QPainterPath()
    path.moveTo(9.5, 9)
    path.lineTo(12.5, 7)
    path.lineTo(12.5, 17)
    p.drawPath(path)


def _highlighter(p: QPainter, ink: QColor) -> None:
    band = QColor("#f5c400")
    p.fillRect(QRectF(3, 12, 18, 6), band)
    p.setPen(_pen(ink, 1.6))
    p.drawLine(QPointF(5, 15), QPointF(19, 15))
    p.drawLine(QPointF(5, 7), QPointF(15, 7))


def _crop(p: QPainter, ink: QColor) -> None:
    p.setPen(_pen(ink))
    p.drawPolyline([QPointF(7, 3), QPointF(7, 17), QPointF(21, 17)])
    p.drawPolyline([QPointF(3, 7), QPointF(17, 7), QPointF(17, 21)])


def _turn(p: QPainter, ink: QColor, mirrored: bool) -> None:
    if mirrored:
        p.translate(BOX, 0)
        p.scale(-1, 1)
    p.setPen(_pen(ink))
    path = QPainterPath()
    path.moveTo(9, 8)
    path.lineTo(15, 8)
    path.arcTo(QRectF(10, 8, 10, 10), 90, -180)
    path.lineTo(6, 18)
    p.drawPath(path)
    p.drawPolyline([QPointF(12, 4), QPointF(8, 8), QPointF(12, 12)])


def _width(weight: float) -> Callable[[QPainter, QColor], None]:
    def draw(p: QPainter, ink: QColor) -> None:
        p.setPen(QPen(ink, weight, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(4, 12), QPointF(20, 12))
    return draw


GLYPHS: dict[str, Callable[[QPainter, QColor], None]] = {
    "redact": _redact, "rectangle": _rectangle, "arrow": _arrow, "text": _text, "step": _step,
    "highlighter": _highlighter, "crop": _crop,
    "undo": lambda p, ink: _turn(p, ink, False), "redo": lambda p, ink: _turn(p, ink, True),
    "width_thin": _width(1.5), "width_medium": _width(3.5), "width_thick": _width(6.0),
}


class GlyphEngine(PaintedEngine):
    """One glyph of ``GLYPHS``, drawn anew for each size, mode and state."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        palette = QApplication.palette()
        role = QPalette.ColorRole
        ink = palette.color(role.WindowText)
        if mode == QIcon.Mode.Disabled:
            ink = palette.color(QPalette.ColorGroup.Disabled, role.WindowText)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(rect.width(), rect.height())
        painter.translate(rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2)
        painter.scale(side / BOX, side / BOX)
        if state == QIcon.State.On:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(palette.color(role.Highlight)))
            painter.drawRoundedRect(QRectF(0, 0, BOX, BOX), 4, 4)
            ink = palette.color(role.HighlightedText)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        GLYPHS[self.name](painter, ink)
        painter.restore()

    def clone(self) -> QIconEngine:
        return GlyphEngine(self.name)


def glyph_icon(name: str) -> QIcon:
    return QIcon(GlyphEngine(name))


def swatch_icon(colour: str, size: int = 16) -> QIcon:
    """A filled square of ``colour`` for the colour list."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QApplication.palette().color(QPalette.ColorRole.Mid), 1))
    painter.setBrush(QColor(colour))
    painter.drawRoundedRect(QRectF(1.5, 1.5, size - 3, size - 3), 3, 3)
    painter.end()
    return QIcon(pixmap)

