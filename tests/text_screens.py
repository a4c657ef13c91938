"""Screenshots with text at known places, drawn by Qt as a browser or app would show them."""
from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter


def text_screen(lines: list[str], *, width: int = 1280, height: int = 720, pixel_size: int = 15,
                dark: bool = False, left: int = 40, top: int = 40,
                line_gap: float = 1.9) -> tuple[QImage, list[QRect]]:
    """A picture with ``lines`` of anti-aliased text, and the rectangle each line takes."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#1f2329") if dark else QColor("#ffffff"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    font = QFont("DejaVu Sans")
    font.setPixelSize(pixel_size)
    painter.setFont(font)
    painter.setPen(QColor("#e6e6e6") if dark else QColor("#202124"))
    metrics = QFontMetrics(font)
    rects = []
    y = top
    for line in lines:
        painter.drawText(left, y + metrics.ascent(), line)
        rects.append(QRect(left, y, metrics.horizontalAdvance(line), metrics.height()))
        y += round(metrics.height() * line_gap)
    painter.end()
    return image, rects


def span_rect(line: str, part: str, rect: QRect, pixel_size: int = 15) -> QRect:
    """Where ``part`` of ``line`` (drawn in ``rect`` by :func:`text_screen`) is."""
    font = QFont("DejaVu Sans")
    font.setPixelSize(pixel_size)
    metrics = QFontMetrics(font)
    start = line.index(part)
    x = rect.x() + metrics.horizontalAdvance(line[:start])
    return QRect(x, rect.y(), metrics.horizontalAdvance(part), rect.height())
