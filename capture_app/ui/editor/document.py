"""What the editor edits: the original picture, the annotations on it, the crop — with undo.

The original pixels are never changed; :meth:`EditDocument.flatten` paints everything onto a
copy. Redactions are painted last, after every other annotation, so no translucent highlight
or text box can cover a blacked-out area with anything but black.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QRect, Signal
from PySide6.QtGui import QImage, QPainter, QUndoCommand, QUndoStack

from capture_app.core.platform.i18n import tr
from capture_app.ui.editor.tools.base import Annotation
from capture_app.ui.editor.tools.step_marker import StepMarker


class _Add(QUndoCommand):
    def __init__(self, document: EditDocument, annotation: Annotation, text: str) -> None:
        super().__init__(text)
        self.document, self.annotation = document, annotation

    def redo(self) -> None:
        self.document.annotations.append(self.annotation)
        self.document.changed.emit()

    def undo(self) -> None:
        self.document.annotations.remove(self.annotation)
        self.document.changed.emit()


class _Crop(QUndoCommand):
    def __init__(self, document: EditDocument, rect: QRect) -> None:
        super().__init__(tr("editor.tool_crop"))
        self.document, self.new, self.old = document, QRect(rect), QRect(document.crop)

    def redo(self) -> None:
        self.document.crop = QRect(self.new)
        self.document.changed.emit()

    def undo(self) -> None:
        self.document.crop = QRect(self.old)
        self.document.changed.emit()


class EditDocument(QObject):
    changed = Signal()

    def __init__(self, image: QImage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.original = image.convertToFormat(QImage.Format.Format_RGB32)
        self.annotations: list[Annotation] = []
        self.crop = QRect(0, 0, self.original.width(), self.original.height())
        self.undo_stack = QUndoStack(self)

    @property
    def bounds(self) -> QRect:
        return QRect(0, 0, self.original.width(), self.original.height())

    def add(self, annotation: Annotation, name: str = "") -> None:
        self.undo_stack.push(_Add(self, annotation, name))

    def set_crop(self, rect: QRect) -> bool:
        rect = rect.intersected(self.crop)
        if rect.isEmpty() or rect == self.crop:
            return False
        self.undo_stack.push(_Crop(self, rect))
        return True

    def next_step_number(self) -> int:
        return 1 + sum(isinstance(a, StepMarker) for a in self.annotations)

    @property
    def modified(self) -> bool:
        return bool(self.annotations) or self.crop != self.bounds

    @property
    def redactions(self) -> list[Annotation]:
        return [a for a in self.annotations if a.redacts]

    def render(self, extra: Annotation | None = None) -> QImage:
        """The whole picture (not cropped) with every annotation, ``extra`` (a preview) too."""
        image = self.original.copy()
        painter = QPainter(image)
        drawn = [a for a in self.annotations if not a.redacts]
        if extra is not None and not extra.redacts:
            drawn.append(extra)
        covering = self.redactions + ([extra] if extra is not None and extra.redacts else [])
        for annotation in drawn + covering:
            annotation.paint(painter)
        painter.end()
        return image

    def flatten(self) -> QImage:
        """What is saved: annotations burnt into the pixels, cropped, opaque."""
        return self.render().copy(self.crop).convertToFormat(QImage.Format.Format_RGB32)
