"""Choosing a region: one full-screen overlay per screen over the frozen desktop picture.

Crosshair, a magnifier beside the pointer (the pixels around it, eight times as large, so an
edge can be hit exactly on a HiDPI screen), a live size readout in true pixels, Esc cancels,
Enter or releasing the mouse accepts. The overlay shows the already captured picture, so it
cannot appear in the image and nothing on screen changes while the agent selects. Positions
are converted from the widget's logical coordinates to the monitor's physical pixels by
proportion, which holds for any scale factor.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QObject, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

from capture_app.core.evidence.screenshot import Capture, Monitor, Region, ScreenHint, match_screens
from capture_app.core.platform.i18n import tr
from capture_app.ui.evidence.images import to_qimage

# The magnifier: this many screen pixels on each side of the one under the pointer, each drawn
# this many (logical) pixels large, this far from the pointer.
LOUPE_RADIUS = 7
LOUPE_ZOOM = 8
LOUPE_OFFSET = 24


class RegionOverlay(QWidget):
    chosen = Signal(object)  # Region in desktop pixels
    cancelled = Signal()

    def __init__(self, image: QImage, area: Region, screen=None) -> None:
        super().__init__(None, Qt.WindowType.Window | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.image = image
        self.area = area  # the part of the desktop this overlay shows, in physical pixels
        self.setAccessibleName(tr("capture.overlay_name"))
        self.setAccessibleDescription(tr("capture.overlay_hint"))
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if screen is not None:
            self.setScreen(screen)
            self.setGeometry(screen.geometry())
        self._origin: QPointF | None = None
        self._current: QPointF | None = None
        self._mouse: QPointF | None = None
        self.message = tr("capture.overlay_hint")

    # -- geometry

    def _scale(self) -> tuple[float, float]:
        return (self.area.width / max(1, self.width()), self.area.height / max(1, self.height()))

    def to_pixels(self, point: QPointF) -> tuple[float, float]:
        sx, sy = self._scale()
        x = min(max(point.x(), 0.0), float(self.width())) * sx
        y = min(max(point.y(), 0.0), float(self.height())) * sy
        return x, y

    def selection(self) -> Region | None:
        """The selection in desktop pixels: every pixel the rectangle touches."""
        if self._origin is None or self._current is None:
            return None
        (x0, y0), (x1, y1) = self.to_pixels(self._origin), self.to_pixels(self._current)
        left, top = math.floor(min(x0, x1)), math.floor(min(y0, y1))
        right, bottom = math.ceil(max(x0, x1)), math.ceil(max(y0, y1))
        if max(x0, x1) - min(x0, x1) < 1e-9:
            right = left
        if max(y0, y1) - min(y0, y1) < 1e-9:
            bottom = top
        return Region(self.area.left + left, self.area.top + top, right - left, bottom - top)

    def pointer_pixel(self) -> tuple[int, int] | None:
        """The pixel under the pointer, in this overlay's picture."""
        if self._mouse is None:
            return None
        x, y = self.to_pixels(self._mouse)
        return (min(int(x), self.image.width() - 1), min(int(y), self.image.height() - 1))

    def loupe_rect(self) -> QRect | None:
        """Where the magnifier is drawn: below right of the pointer, or where there is room."""
        if self._mouse is None:
            return None
        side = (2 * LOUPE_RADIUS + 1) * LOUPE_ZOOM
        x, y = int(self._mouse.x()) + LOUPE_OFFSET, int(self._mouse.y()) + LOUPE_OFFSET
        if x + side > self.width():
            x = int(self._mouse.x()) - LOUPE_OFFSET - side
        if y + side > self.height():
            y = int(self._mouse.y()) - LOUPE_OFFSET - side
        return QRect(max(0, x), max(0, y), side, side)

    def readout(self) -> str:
        """The live size of the selection, in true pixels of the screen."""
        region = self.selection()
        if region is None:
            return ""
        return tr("capture.size_readout", width=region.width, height=region.height)

    def _selection_rect(self) -> QRectF | None:
        if self._origin is None or self._current is None:
            return None
        return QRectF(self._origin, self._current).normalized()

    # -- events

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._origin = self._current = event.position()
            self.update()

    def mouseMoveEvent(self, event) -> None:
        self._mouse = event.position()
        if self._origin is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._current = event.position()
        self.update()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._origin is not None:
            self._current = event.position()
            self.accept_selection()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept_selection()
        else:
            super().keyPressEvent(event)

    def accept_selection(self) -> None:
        region = self.selection()
        if region is None or region.width <= 0 or region.height <= 0:
            # A click without dragging: say what to do and stay open.
            self.message = tr("screenshot.region_empty", width=region.width if region else 0,
                              height=region.height if region else 0)
            self._origin = self._current = None
            self.update()
            return
        self.chosen.emit(region)

    # -- painting

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        target = QRectF(self.rect())
        painter.drawImage(target, self.image)
        painter.fillRect(target, QColor(0, 0, 0, 110))
        chosen = self._selection_rect()
        if chosen is not None:
            sx, sy = self._scale()
            source = QRectF(chosen.x() * sx, chosen.y() * sy, chosen.width() * sx, chosen.height() * sy)
            painter.drawImage(chosen, self.image, source)
            painter.setPen(QPen(QColor("#00a2ff"), 1))
            painter.drawRect(chosen.adjusted(0, 0, -1, -1))
        if self._mouse is not None:
            painter.setPen(QPen(QColor(255, 255, 255, 200), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(0, self._mouse.y()), QPointF(self.width(), self._mouse.y()))
            painter.drawLine(QPointF(self._mouse.x(), 0), QPointF(self._mouse.x(), self.height()))
            self._loupe(painter)
        if chosen is not None and self.readout():
            # Under the magnifier, which follows the pointer (the corner being dragged).
            box = self.loupe_rect()
            at = (box.bottomLeft() + QPoint(0, 6) if box is not None
                  else chosen.bottomRight().toPoint() + QPoint(6, 6))
            self._label(painter, at, self.readout())
        self._label(painter, QPoint(16, 16), self.message)
        painter.end()

    def _loupe(self, painter: QPainter) -> None:
        box, pixel = self.loupe_rect(), self.pointer_pixel()
        if box is None or pixel is None:
            return  # no pointer over the overlay yet
        x, y = pixel
        source = QRect(x - LOUPE_RADIUS, y - LOUPE_RADIUS, 2 * LOUPE_RADIUS + 1,
                       2 * LOUPE_RADIUS + 1)
        painter.fillRect(box, QColor(0, 0, 0))  # beyond the edge of the screen
        # Without smoothing: every pixel is a sharp square (Qt clips a source beyond the image).
        painter.drawImage(box, self.image, source)
        painter.setPen(QPen(QColor("#00a2ff"), 1))
        painter.drawRect(box.adjusted(0, 0, -1, -1))
        middle = box.topLeft() + QPoint(LOUPE_RADIUS * LOUPE_ZOOM, LOUPE_RADIUS * LOUPE_ZOOM)
        painter.setPen(QPen(QColor("#ffffff"), 1))
        painter.drawRect(QRect(middle - QPoint(1, 1), QPoint(middle.x() + LOUPE_ZOOM,
                                                             middle.y() + LOUPE_ZOOM)))

    def _label(self, painter: QPainter, at: QPoint, text: str) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(9.0, font.pointSizeF()))
        painter.setFont(font)
        box = painter.fontMetrics().boundingRect(QRect(0, 0, 640, 200), Qt.TextFlag.TextWordWrap, text)
        box.moveTopLeft(at)
        box = box.adjusted(-6, -4, 6, 4)
        if box.right() > self.width():
            box.moveRight(self.width() - 4)
        if box.bottom() > self.height():
            box.moveBottom(self.height() - 4)
        painter.fillRect(box, QColor(0, 0, 0, 190))
        painter.setPen(QColor("#ffffff"))
        painter.drawText(box.adjusted(6, 4, -6, -4), Qt.TextFlag.TextWordWrap, text)


class RegionSelector(QObject):
    """Overlays on every screen for one frozen capture; emits ``chosen`` or ``cancelled`` once."""

    chosen = Signal(object)  # Region
    cancelled = Signal()

    def __init__(self, capture: Capture, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.capture = capture
        self.overlays: list[RegionOverlay] = []
        screens = QGuiApplication.screens()
        monitors = list(capture.monitors)
        if monitors and screens:
            hints = [ScreenHint(s.geometry().x(), s.geometry().y(), s.geometry().width(),
                                s.geometry().height(), s.devicePixelRatio()) for s in screens]
            pairs = list(zip(screens, match_screens(hints, monitors), strict=True))
        else:  # a portal picture: no monitor layout, show it on the primary screen
            pairs = [(QGuiApplication.primaryScreen(), None)]
        for screen, monitor in pairs:
            area = self._area(monitor)
            if area is None:
                continue
            image = to_qimage(capture.crop(area))
            overlay = RegionOverlay(image, area, screen)
            overlay.chosen.connect(self._chosen)
            overlay.cancelled.connect(self._cancelled)
            self.overlays.append(overlay)
        self._done = False

    def _area(self, monitor: Monitor | None) -> Region | None:
        c = self.capture
        if monitor is None:
            return Region(c.left, c.top, c.width, c.height)
        area = Region(monitor.left, monitor.top, monitor.width, monitor.height).clipped_to(
            c.left, c.top, c.width, c.height)
        return area if area.width > 0 and area.height > 0 else None

    def show(self) -> None:
        for overlay in self.overlays:
            overlay.showFullScreen()
        if self.overlays:
            self.overlays[0].activateWindow()
            self.overlays[0].setFocus()

    def _finish(self) -> None:
        self._done = True
        for overlay in self.overlays:
            overlay.hide()
            overlay.deleteLater()
        self.overlays = []

    def _chosen(self, region: Region) -> None:
        if not self._done:
            self._finish()
            self.chosen.emit(region)

    def _cancelled(self) -> None:
        if not self._done:
            self._finish()
            self.cancelled.emit()
