"""Between captured pixels, Qt images and PNG bytes — safe to call from worker threads.

QImage (unlike QPixmap) may be created and changed outside the UI thread, so decoding,
scaling and encoding all happen in workers; the UI thread only turns finished thumbnails into
pixmaps.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QImageReader

from capture_app.core.evidence import png
from capture_app.core.evidence.screenshot import Capture

THUMBNAIL = QSize(120, 72)


def to_qimage(capture: Capture) -> QImage:
    """The capture as a QImage sharing nothing with it (BGRA bytes are Qt's RGB32 layout)."""
    image = QImage(capture.pixels, capture.width, capture.height, capture.width * 4,
                   QImage.Format.Format_RGB32)
    return image.copy()  # the QImage must not point into a bytes object that may go away


def scaled_capture(capture: Capture, size: QSize = THUMBNAIL) -> QImage:
    """``capture`` scaled to fit ``size``, without copying the whole picture first (a full
    screen is 8 MB: the preview shown as the wizard opens is made a few ms sooner)."""
    view = QImage(capture.pixels, capture.width, capture.height, capture.width * 4,
                  QImage.Format.Format_RGB32)  # points into the capture's bytes, during this call
    small = scaled(view, size)
    # Scaled to its own size, Qt hands back the same pixels: those must not stay shared.
    return small.copy() if small.size() == view.size() else small


def to_capture(image: QImage, *, source: str = "image") -> Capture:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    stride = image.bytesPerLine()
    data = bytes(image.constBits())[: stride * image.height()]
    row = image.width() * 4
    if stride != row:
        data = b"".join(data[y * stride:y * stride + row] for y in range(image.height()))
    return Capture(image.width(), image.height(), data, source=source)


def encode_png(image: QImage) -> bytes:
    """The image flattened to opaque RGB and encoded with only the chunks a PNG needs."""
    flat = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(flat.constBits())[: flat.bytesPerLine() * flat.height()]
    return png.encode(flat.width(), flat.height(), data, layout="RGB", stride=flat.bytesPerLine())


def fitted(size: QSize, box: QSize) -> QSize:
    """``size`` scaled to fit ``box``, keeping its proportions: Qt's ``KeepAspectRatio``, without
    its namespace (whose first use builds all its enums, ~20 ms on the way to the wizard)."""
    width, height = max(1, size.width()), max(1, size.height())
    wide = box.height() * width // height
    if wide <= box.width():
        return QSize(max(1, wide), max(1, box.height()))
    return QSize(max(1, box.width()), max(1, box.width() * height // width))


def scaled(image: QImage, size: QSize = THUMBNAIL) -> QImage:
    """``image`` smoothly scaled to fit ``size``, keeping its proportions."""
    target = fitted(image.size(), size)
    return image.copy() if target == image.size() else image.smoothScaled(target.width(), target.height())


class ImageTooLarge(Exception):
    def __init__(self, width: int, height: int) -> None:
        super().__init__(f"{width}×{height}")
        self.width, self.height = width, height


def image_reader(path: Path | str) -> QImageReader:
    """A reader for ``path``, told the format its first bytes name (PNG, JPEG, GIF, WebP, BMP).

    Attachments are stored without a file name extension; without the format Qt loads every
    image plugin it has to find the one that reads the file (PDF, TIFF, SVG … with Qt's PDF and
    network modules and Kerberos: ~3 MB that stay for the rest of the day, and a few
    milliseconds). Anything else is left to Qt, which then says what is wrong.
    """
    from capture_app.core.evidence import filetypes

    reader = QImageReader(str(path))
    try:
        with open(path, "rb") as handle:
            head = handle.read(32)
    except OSError:
        return reader
    kind = filetypes.sniff(head)
    if kind in filetypes.IMAGE_TYPES:
        reader.setFormat(kind.key.encode("ascii"))  # Qt's names: png, jpeg, gif, webp, bmp
    return reader


def read_image(path: Path | str, *, max_pixels: int, size: QSize | None = None) -> QImage:
    """Decode an image file; its header decides first whether it is small enough to decode.

    ``size`` decodes straight to that size (a thumbnail never holds the full image). Raises
    ``ImageTooLarge`` or ``OSError``.
    """
    reader = image_reader(path)
    reader.setAutoTransform(False)
    header = reader.size()
    if not header.isValid():
        raise OSError(reader.errorString() or "unreadable image")
    if header.width() * header.height() > max_pixels:
        raise ImageTooLarge(header.width(), header.height())
    if size is not None:
        reader.setScaledSize(fitted(header, size))
    image = reader.read()
    if image.isNull():
        raise OSError(reader.errorString() or "unreadable image")
    return image
