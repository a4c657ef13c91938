"""Icons: the Lucide set (ISC licence, ``resources/icons/lucide/LICENSE``) and the app icon.

Lucide draws with ``stroke="currentColor"``; each icon is rendered from its SVG at the size
and device pixel ratio asked for (crisp at 100–200 % scaling) in the palette's text colour at
that moment, so it follows the switch to dark mode. ``tone`` gives an icon a signal colour
(ok, warning, error, accent) instead.
"""
from __future__ import annotations

import math
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from capture_app.core.platform.resources import read_bytes, resource_path

if TYPE_CHECKING:
    from PySide6.QtSvg import QSvgRenderer

ICON_SET = "lucide"
TONES = ("text", "muted", "accent", "ok", "warning", "error", "on_accent")


@cache
def _svg(name: str) -> bytes:
    return read_bytes("icons", ICON_SET, f"{name}.svg")


def _colour(tone: str, mode: QIcon.Mode) -> str:
    from capture_app.ui.platform.theme import colours

    palette = colours()
    if mode == QIcon.Mode.Disabled:
        return palette.disabled_text
    if mode == QIcon.Mode.Selected:  # on the highlight colour, whatever the tone
        return QApplication.palette().color(QPalette.ColorRole.HighlightedText).name()
    if tone == "text":
        return QApplication.palette().color(QPalette.ColorRole.WindowText).name()
    return str(getattr(palette, tone))


class PaintedEngine(QIconEngine):
    """An icon painted anew for every size and device pixel ratio; subclasses give ``paint``."""

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State,
                     scale: float) -> QPixmap:
        # Rounded up: at 125 % or 175 % a pixel more rather than an edge cut off.
        pixmap = QPixmap(QSize(math.ceil(size.width() * scale), math.ceil(size.height() * scale)))
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, QRect(0, 0, pixmap.width(), pixmap.height()), mode, state)
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        return size


class TintedSvgEngine(PaintedEngine):
    """Renders one Lucide SVG in the colour of its tone, at any size and pixel ratio."""

    def __init__(self, name: str, tone: str = "text") -> None:
        super().__init__()
        self.name = name
        self.tone = tone
        self._renderers: dict[str, QSvgRenderer] = {}

    def _renderer(self, mode: QIcon.Mode) -> QSvgRenderer:
        colour = _colour(self.tone, mode)
        renderer = self._renderers.get(colour)
        if renderer is None:
            from PySide6.QtSvg import QSvgRenderer  # on first use: not needed for the first frame

            data = _svg(self.name).replace(b"currentColor", colour.encode("ascii"))
            renderer = QSvgRenderer(QByteArray(data))
            self._renderers[colour] = renderer
        return renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        side = min(rect.width(), rect.height())
        target = QRectF(rect.x() + (rect.width() - side) / 2, rect.y() + (rect.height() - side) / 2,
                        side, side)
        self._renderer(mode).render(painter, target)

    def clone(self) -> QIconEngine:
        return TintedSvgEngine(self.name, self.tone)

    def key(self) -> str:
        return "TintedSvgEngine"

    def iconName(self) -> str:
        return self.name


def icon(name: str, tone: str = "text") -> QIcon:
    """The Lucide icon ``name`` (file name without ``.svg``) in the palette's colour for ``tone``."""
    if tone not in TONES:
        raise ValueError(f"unknown tone {tone!r}")
    _svg(name)  # a missing file fails here, not silently at paint time
    return QIcon(TintedSvgEngine(name, tone))


APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    """The app's own icon (windows, task bar): its SVG rendered at every usual size
    (``packaging/icons/render_pngs.py``), so it is sharp at 100–200 % scaling without loading
    Qt's SVG module into the app idling in the tray."""
    icon = QIcon()
    for size in APP_ICON_SIZES:
        icon.addFile(str(resource_path("icons", "app", f"report-capture-{size}.png")), QSize(size, size))
    return icon
