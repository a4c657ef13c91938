"""The picture being edited, fitted into the window; mouse input goes to the current tool.

Tools work in the original image's pixel coordinates: the canvas converts from the widget
(scaled, cropped view) and back. The finished picture is drawn from a cached pixmap; a gesture
in progress is painted on top of it, so dragging stays smooth on a 4K screenshot.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from capture_app.core.i18n import tr
from capture_app.ui.editor.document import EditDocument
from capture_app.ui.editor.tools.base import Annotation, Tool


class EditorCanvas(QWidget):
    finished = Signal(object)  # what the tool made: an Annotation or a crop QRect

    def __init__(self, document: EditDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.document = document
        self.tool: Tool | None = None
        self._pixmap: QPixmap | None = None
        self.setAccessibleName(tr("editor.canvas"))
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setCursor(Qt.CrossCursor)
        document.changed.connect(self._document_changed)

    def set_tool(self, tool: Tool) -> None:
        self.tool = tool
        self.setAccessibleDescription(tr(f"editor.tip_{tool.key}"))
        self.update()

    # -- geometry

    def view_rect(self) -> QRectF:
        """Where the (cropped) picture is drawn inside the widget."""
        crop = self.document.crop
        scale = min(self.width() / max(1, crop.width()), self.height() / max(1, crop.height()))
        scale = min(scale, 1.0) if scale > 0 else 1.0  # never blow small pictures up
        w, h = crop.width() * scale, crop.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

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
        if event.button() == Qt.LeftButton and self.tool is not None:
            self.tool.press(self.to_image(event.position()))
            self.update()

    def mouseMoveEvent(self, event) -> None:
        if self.tool is not None and event.buttons() & Qt.LeftButton:
            self.tool.move(self.to_image(event.position()))
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.LeftButton and self.tool is not None and self.tool.start is not None:
            result = self.tool.release(self.to_image(event.position()))
            self.update()
            if result is not None:
                self.finished.emit(result)

    # -- painting

    def _document_changed(self) -> None:
        self._pixmap = None
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        if self._pixmap is None:
            self._pixmap = QPixmap.fromImage(self.document.render())
        view, crop = self.view_rect(), self.document.crop
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        painter.drawPixmap(view, self._pixmap, QRectF(crop))
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
                painter.setPen(QPen(QColor("#00a2ff"), 2 / self.scale(), Qt.DashLine))
                painter.drawRect(QRectF(preview))
            painter.restore()
        painter.end()
