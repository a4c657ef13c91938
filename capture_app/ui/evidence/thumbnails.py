"""Small pictures of screenshots for lists, decoded in a worker thread.

A full-screen PNG takes tens of milliseconds to decode; a list of drafts would hold up the
window for each. ``Thumbnails.request`` returns a cached picture at once, or None and calls
``ready(path)`` on the UI thread once it is decoded.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPixmap

from capture_app.ui.platform.tasks import run_in_background


def read_thumbnail(path: Path, size: QSize) -> QImage:
    """The picture in ``path`` scaled to fit ``size`` (worker thread; a QImage, not a QPixmap)."""
    from capture_app.ui.evidence.images import image_reader  # in the worker, when first needed

    reader = image_reader(path)
    reader.setAutoTransform(True)
    original = reader.size()
    if original.isValid() and not original.isEmpty():
        reader.setScaledSize(original.scaled(size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise OSError(reader.errorString())
    return image


class Thumbnails:
    def __init__(self, size: QSize, ready: Callable[[Path], None]) -> None:
        self.size = size
        self.ready = ready
        self._done: dict[tuple[Path, int], QPixmap] = {}
        self._pending: set[tuple[Path, int]] = set()

    @staticmethod
    def _key(path: Path) -> tuple[Path, int] | None:
        try:
            return path, os.stat(path).st_mtime_ns
        except OSError:
            return None

    def request(self, path: Path | None) -> QPixmap | None:
        key = self._key(path) if path is not None else None
        if key is None:
            return None
        if key in self._done:
            return self._done[key]
        if key not in self._pending:
            self._pending.add(key)
            size = QSize(self.size)
            run_in_background(lambda: read_thumbnail(key[0], size),
                              on_success=lambda image: self._decoded(key, image),
                              on_error=lambda _exc: self._pending.discard(key))
        return None

    def _decoded(self, key: tuple[Path, int], image: QImage) -> None:
        self._pending.discard(key)
        self._done[key] = QPixmap.fromImage(image)
        self.ready(key[0])
