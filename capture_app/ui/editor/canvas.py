"""The picture being edited, fitted into the window or zoomed; mouse input goes to the tool.

Tools work in the original image's pixel coordinates: the canvas converts from the widget
(scaled, cropped view) and back. The finished picture is drawn from a cached pixmap — only the
part the window shows — and a gesture in progress is painted on top of it, so dragging stays
smooth on a 4K screenshot.

Zoom (:class:`ZoomArea`): the picture starts fitted into the window. A name on a 4K screenshot
shown at a quarter of its size is a few pixels high, so the agent can zoom in up to 800 % to
black it out exactly: Ctrl + mouse wheel (around the mouse pointer), Ctrl + plus/minus, the
buttons under the picture. Zoomed in, the wheel and the scroll bars scroll, the middle mouse
button drags the picture, and a tool dragged to the edge scrolls along. From 200 % on, pixels
are drawn as sharp squares, so the edge of a redaction can be placed on the pixel.
"""
from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget

from capture_app.core.platform.i18n import tr
from capture_app.ui.editor.document import EditDocument
from capture_app.ui.editor.tools.base import Annotation, Tool

# The zoom levels Ctrl + plus/minus step through; below the fitted size the picture just fits.
ZOOM_STEPS = (0.1, 0.25, 1 / 3, 0.5, 2 / 3, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
MAX_ZOOM = ZOOM_STEPS[-1]
# From this zoom on, pixels are drawn as squares rather than smoothed.
SHARP_ZOOM = 2.0
# One notch of a mouse wheel (angleDelta units); touchpads send parts of it.
WHEEL_NOTCH = 120
# While a tool is dragged, the view scrolls to keep this many pixels around the pointer visible.
EDGE_MARGIN = 24
# Proposed redactions (personal data read on the picture): framed, not yet painted black.
PROPOSAL_COLOUR = QColor("#ff8c00")


class EditorCanvas(QWidget):
    finished = Signal(object)  # what the tool made: an Annotation or a crop QRect

    def __init__(self, document: EditDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.tool: Tool | None = None
        self.zoom: float | None = None  # None: the whole picture fits the window
        self.area: ZoomArea | None = None  # set by the ZoomArea that shows the canvas
        self._pixmap: QPixmap | None = None
        self._pan: QPointF | None = None  # global position of a middle-button drag
        self._wheel = 0  # Ctrl + wheel turned by less than a notch so far
        self.proposals: list[QRect] = []  # proposed redactions (pii_proposals), framed in orange
        self.focus_rect: QRect | None = None  # the proposal chosen in the list, framed boldly
        self.setAccessibleName(tr("editor.canvas"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        document.changed.connect(self._document_changed)

    def set_proposals(self, rects: list[QRect]) -> None:
        self.proposals = [QRect(rect) for rect in rects]
        self.update()

    def set_focus(self, rect: QRect | None) -> None:
        self.focus_rect = QRect(rect) if rect is not None else None
        self.update()

    def set_tool(self, tool: Tool) -> None:
        self.tool = tool
        self.setAccessibleDescription(tr(f"editor.tip_{tool.key}"))
        self.update()

    # -- geometry

    def view_rect(self) -> QRectF:
        """Where the (cropped) picture is drawn inside the widget."""
        crop = self.document.crop
        scale = self.zoom if self.zoom is not None else fit_scale(crop, self.width(), self.height())
        w, h = crop.width() * scale, crop.height() * scale
        # Centred on whole pixels: at a half-pixel offset a picture at 100 % would be drawn
        # blurred, and every point of it would be half a pixel off under the pointer.
        return QRectF((self.width() - w) // 2, (self.height() - h) // 2, w, h)

    def scale(self) -> float:
        return self.view_rect().width() / max(1, self.document.crop.width())

    def to_image(self, point: QPointF) -> QPointF:
        view, crop, scale = self.view_rect(), self.document.crop, self.scale()
        x = (point.x() - view.x()) / scale + crop.x()
        y = (point.y() - view.y()) / scale + crop.y()
        # Clamped to the visible picture: a drag past the edge ends at the edge.
        x = min(max(x, crop.left()), crop.left() + crop.width())
        y = min(max(y, crop.top()), crop.top() + crop.height())
        return QPointF(x, y)

    def from_image(self, point: QPointF) -> QPointF:
        view, crop, scale = self.view_rect(), self.document.crop, self.scale()
        return QPointF(view.x() + (point.x() - crop.x()) * scale,
                       view.y() + (point.y() - crop.y()) * scale)

    # -- input

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.MiddleButton and self.area is not None:
            self._pan = event.globalPosition()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        elif event.button() == Qt.MouseButton.LeftButton and self.tool is not None:
            self.tool.press(self.to_image(event.position()))
            self.update()

    def mouseMoveEvent(self, event) -> None:
        if self._pan is not None:
            moved = event.globalPosition() - self._pan
            self._pan = event.globalPosition()
            if self.area is not None:
                self.area.scroll_by(-moved.x(), -moved.y())
        elif self.tool is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self.tool.move(self.to_image(event.position()))
            if self.area is not None and self.zoom is not None:
                self.area.follow(event.position(), EDGE_MARGIN)
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.MiddleButton and self._pan is not None:
            self._pan = None
            self.setCursor(Qt.CursorShape.CrossCursor)
        elif event.button() == Qt.MouseButton.LeftButton and self.tool is not None and self.tool.start is not None:
            result = self.tool.release(self.to_image(event.position()))
            self.update()
            if result is not None:
                self.finished.emit(result)

    def wheelEvent(self, event) -> None:
        if self.area is None:
            event.ignore()
            return
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.area.wheelEvent(event)  # scrolls (Alt: sideways), as over any scroll area
            return
        event.accept()
        on_screen = event.position() + QPointF(self.pos())  # in the scroll area's viewport
        self._wheel += event.angleDelta().y()
        while abs(self._wheel) >= WHEEL_NOTCH:  # a fast turn: several notches in one event
            step = 1 if self._wheel > 0 else -1
            self._wheel -= step * WHEEL_NOTCH
            self.area.step_zoom(step, anchor=on_screen - QPointF(self.pos()))

    # -- painting

    def _document_changed(self) -> None:
        self._pixmap = None
        if self.area is not None:
            self.area.relayout()
            self.area.zoom_changed.emit()  # a crop changes the fitted percentage
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), self.palette().window())
        if self._pixmap is None:
            self._pixmap = QPixmap.fromImage(self.document.render())
        view, crop, scale = self.view_rect(), self.document.crop, self.scale()
        # Only the part on screen: zoomed in, the whole picture would be metres wide.
        target = QRectF(event.rect()).intersected(view)
        if not target.isEmpty():
            source = QRectF(crop.x() + (target.x() - view.x()) / scale,
                            crop.y() + (target.y() - view.y()) / scale,
                            target.width() / scale, target.height() / scale)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, scale < SHARP_ZOOM)
            painter.drawPixmap(target, self._pixmap, source)
        if self.proposals:
            self._paint_proposals(painter, view, crop)
        preview = self.tool.preview() if self.tool is not None else None
        if preview is not None:
            painter.save()
            painter.setClipRect(view)
            painter.translate(view.topLeft())
            painter.scale(self.scale(), self.scale())
            painter.translate(-crop.x(), -crop.y())
            if isinstance(preview, Annotation):
                preview.paint(painter)
            elif isinstance(preview, QRect):  # the crop being chosen
                painter.setPen(QPen(QColor("#00a2ff"), 2 / self.scale(), Qt.PenStyle.DashLine))
                painter.drawRect(QRectF(preview))
            painter.restore()
        painter.end()


    def _paint_proposals(self, painter: QPainter, view: QRectF, crop: QRect) -> None:
        scale = self.scale()
        painter.save()
        painter.setClipRect(view)
        painter.setPen(QPen(PROPOSAL_COLOUR, 2, Qt.PenStyle.DashLine))
        fill = QColor(PROPOSAL_COLOUR)
        fill.setAlpha(60)
        painter.setBrush(fill)
        for rect in self.proposals:
            if rect == self.focus_rect:
                painter.setPen(QPen(PROPOSAL_COLOUR, 4, Qt.PenStyle.SolidLine))
            # Drawn in widget pixels, so the frame stays as wide at any zoom.
            painter.drawRect(QRectF(view.x() + (rect.x() - crop.x()) * scale - 2,
                                    view.y() + (rect.y() - crop.y()) * scale - 2,
                                    rect.width() * scale + 4, rect.height() * scale + 4))
            if rect == self.focus_rect:
                painter.setPen(QPen(PROPOSAL_COLOUR, 2, Qt.PenStyle.DashLine))
        painter.restore()


def fit_scale(crop: QRect, width: int, height: int) -> float:
    """The scale at which ``crop`` fits ``width`` × ``height``; small pictures stay at 100 %."""
    scale = min(width / max(1, crop.width()), height / max(1, crop.height()))
    return min(scale, 1.0) if scale > 0 else 1.0


class ZoomArea(QScrollArea):
    """Shows the canvas fitted into the window or zoomed in, with scroll bars.

    Zoomed, the canvas is exactly as large as the zoomed picture and the scroll area centres it
    when it is narrower than the window. The image point under the pointer (or the middle of the
    window) stays where it is while zooming — also when scroll bars appear a moment later and
    make the window smaller — until the agent scrolls.
    """

    zoom_changed = Signal()

    def __init__(self, canvas: EditorCanvas, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        canvas.area = self
        # (image point, position in the viewport) kept in place after a zoom step
        self._anchor: tuple[QPointF, QPointF] | None = None
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidgetResizable(True)
        self.setWidget(canvas)
        self.setFocusProxy(canvas)
        for bar in (self.horizontalScrollBar(), self.verticalScrollBar()):
            bar.actionTriggered.connect(self._scrolled)  # dragged, clicked, wheel, keys

    def fit_scale(self) -> float:
        room = self.maximumViewportSize()  # fitted, there are no scroll bars
        return fit_scale(self.canvas.document.crop, room.width(), room.height())

    def scale(self) -> float:
        return self.canvas.zoom if self.canvas.zoom is not None else self.fit_scale()

    def set_zoom(self, zoom: float | None, anchor: QPointF | None = None) -> None:
        """Zoom to ``zoom`` (None: fit); the image point at ``anchor`` (canvas coordinates, by
        default the middle of the window) stays where it is on screen."""
        canvas = self.canvas
        if zoom is not None:
            zoom = min(zoom, MAX_ZOOM)
            if zoom <= self.fit_scale() + 1e-9:
                zoom = None  # smaller than fitted only leaves empty space around the picture
        if zoom == canvas.zoom:
            return
        offset = QPointF(canvas.pos())
        if anchor is None:
            anchor = QPointF(self.viewport().width() / 2, self.viewport().height() / 2) - offset
        self._anchor = (canvas.to_image(anchor), anchor + offset) if zoom is not None else None
        canvas.zoom = zoom
        self.relayout()
        canvas.update()
        self.zoom_changed.emit()

    def step_zoom(self, steps: int, anchor: QPointF | None = None) -> None:
        """One zoom step in (``steps`` > 0) or out, from the current scale."""
        current = self.scale()
        if steps > 0:
            bigger = [z for z in ZOOM_STEPS if z > current * 1.001]
            if bigger:
                self.set_zoom(bigger[0], anchor)
        else:
            smaller = [z for z in ZOOM_STEPS if z < current * 0.999]
            self.set_zoom(smaller[-1] if smaller else None, anchor)

    def scroll_by(self, dx: float, dy: float) -> None:
        self._anchor = None
        for bar, delta in ((self.horizontalScrollBar(), dx), (self.verticalScrollBar(), dy)):
            bar.setValue(bar.value() + round(delta))

    def follow(self, point: QPointF, margin: int) -> None:
        """Scroll so that ``point`` (canvas coordinates) and ``margin`` around it are visible."""
        self._anchor = None
        self.ensureVisible(round(point.x()), round(point.y()), margin, margin)

    def relayout(self) -> None:
        """Size the canvas for the zoom: the viewport when fitted, the zoomed picture else.
        The caller announces ``zoom_changed`` (the zoom may have fallen back to fitted)."""
        canvas = self.canvas
        if canvas.zoom is not None and canvas.zoom <= self.fit_scale() + 1e-9:
            canvas.zoom = None  # the window grew or the crop shrank: zoomed is now fitted
            self._anchor = None
        if canvas.zoom is None:
            self.setWidgetResizable(True)
            return
        self.setWidgetResizable(False)
        crop = canvas.document.crop
        canvas.resize(math.ceil(crop.width() * canvas.zoom), math.ceil(crop.height() * canvas.zoom))
        self._keep_anchor()

    def _keep_anchor(self) -> None:
        if self._anchor is None or self.canvas.zoom is None:
            return
        point, on_screen = self._anchor
        target = self.canvas.from_image(point) - on_screen
        self.horizontalScrollBar().setValue(round(target.x()))
        self.verticalScrollBar().setValue(round(target.y()))

    def _scrolled(self, _action: int) -> None:
        self._anchor = None

    def viewportEvent(self, event) -> bool:
        handled = super().viewportEvent(event)
        if event.type() == QEvent.Type.Resize:
            self._keep_anchor()  # scroll bars came or went after a zoom step
        return handled

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.relayout()
        self.zoom_changed.emit()  # fitted, the percentage follows the window size
