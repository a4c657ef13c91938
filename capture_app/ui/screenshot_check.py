"""Checking a screenshot for personal data in the background: Qt's side of ``core.screen_text``.

The picture is turned into grey pixels here (scaled down first when it is larger than the
recogniser's pixel budget), read and checked by core in a worker of :func:`text_pool` — one
thread, so two screenshots are read one after the other and the UI thread keeps a core to itself
on a two-core laptop. Nothing here runs on the UI thread but the hand-over of the result.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtGui import QImage

from capture_app.core import pii, screen_text, screenshot_pii
from capture_app.core.report import EvidenceItem, Report
from capture_app.core.screen_text import GrayImage
from capture_app.core.screenshot_pii import ScreenshotCheck

log = logging.getLogger(__name__)
_pool: QThreadPool | None = None


def text_pool() -> QThreadPool:
    """The one worker thread that reads screenshots (created on the UI thread, kept for the app)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
        # The thread (and its loaded model) stays a while for the next screenshot, then goes.
        _pool.setExpiryTimeout(120_000)
    return _pool


def gray_pixels(image: QImage) -> tuple[GrayImage, float]:
    """``image`` as grey pixels within the recogniser's pixel budget, and the scale used."""
    width, height = image.width(), image.height()
    scale = screen_text.reading_scale(width, height)
    if scale < 1.0:
        image = image.scaled(max(1, round(width * scale)), max(1, round(height * scale)),
                             Qt.AspectRatioMode.IgnoreAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        scale = image.width() / width
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = bytes(gray.constBits())[:gray.bytesPerLine() * gray.height()]
    return GrayImage(data, gray.width(), gray.height(), gray.bytesPerLine()), scale


def check_image(image: QImage, own: Sequence[pii.PiiMatch] = (), *,
                time_limit: float = screen_text.TIME_LIMIT_SECONDS) -> ScreenshotCheck:
    """Worker thread: the places with personal data on ``image`` (boxes in its pixels)."""
    gray, scale = gray_pixels(image)
    recognition = screen_text.recognise(gray, scale=scale, time_limit=time_limit)
    return screenshot_pii.check(recognition, own)


def check_file(path: Path, own: Sequence[pii.PiiMatch] = (), *, max_pixels: int) -> ScreenshotCheck:
    """Worker thread: :func:`check_image` for a stored screenshot."""
    from capture_app.ui.capture.images import read_image

    return check_image(read_image(path, max_pixels=max_pixels), own)


# Screenshots being read right now (by item id): the Review step does not start a second check.
_checking: set[str] = set()


def check_item(env: Any, report: Report, item: EvidenceItem, changed: Callable[[], None]) -> None:
    """Read a screenshot of ``report`` in the background and keep on its item what the check
    found (``screenshot_pii.record``, no text); ``changed()`` once the report was updated."""
    if item.id in _checking or not screenshot_pii.is_screenshot(item):
        return
    _checking.add(item.id)
    path = env.store.attachment_path(report.id, item.id)
    own = pii.own_contact(report.reporter)
    limit = int(env.config.get("limits.max_image_pixels"))

    def done(result: ScreenshotCheck) -> None:
        _checking.discard(item.id)
        current = report.evidence_item(item.id)
        if current is None or current.pii_check:
            return  # removed, replaced, or checked in the editor meanwhile
        screenshot_pii.record(current, result)
        report.touch()
        changed()

    def failed(exc: BaseException) -> None:
        log.info("screenshot not checked: %s", type(exc).__name__)
        done(ScreenshotCheck((), screen_text.FAILED))

    env.run(lambda: check_file(path, own, max_pixels=limit), on_success=done, on_error=failed,
            pool=text_pool())
