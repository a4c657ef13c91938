"""Checking a screenshot for personal data in the background: Qt's side of ``core.screen_text``.

The picture is turned into grey pixels here (scaled down first when it is larger than the
recogniser's pixel budget), read and checked by core in a worker of :func:`text_pool` — one
thread, so two screenshots are read one after the other and the UI thread keeps a core to itself
on a two-core laptop. Nothing here runs on the UI thread but the hand-over of the result.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThread, QThreadPool
from PySide6.QtGui import QImage

from capture_app.core.privacy import pii, screen_text, screenshot_pii
from capture_app.core.privacy.screen_text import GrayImage
from capture_app.core.privacy.screenshot_pii import ScreenshotCheck
from capture_app.core.report.model import EvidenceItem, Report

log = logging.getLogger(__name__)
_pool: QThreadPool | None = None
# The text worker's nice value on Linux (0 is the UI thread's): it gets the cores the UI thread
# does not need.
WORKER_NICE = 10
# Pixels converted at a time (see gray_pixels): a few milliseconds of work.
STRIP_PIXELS = 200_000


def text_pool() -> QThreadPool:
    """The one worker thread that reads screenshots (created on the UI thread, kept for the app)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
        # The thread stays a while for the next screenshot, then goes (the model goes after
        # each reading: see screen_text.recognise).
        _pool.setExpiryTimeout(120_000)
    return _pool


def gray_pixels(image: QImage) -> tuple[GrayImage, float]:
    """``image`` as grey pixels at the recogniser's reading scale, and the scale used.

    Converted (and scaled) in strips of about :data:`STRIP_PIXELS` pixels: Qt keeps Python's
    interpreter lock while it converts, which for a whole 8K picture stops the UI thread for 70 ms.
    """
    width, height = image.width(), image.height()
    scale = screen_text.reading_scale(width, height)
    out_width, out_height = max(1, round(width * scale)), max(1, round(height * scale))
    rows: list[bytes] = []
    stride = 0
    strip_rows = max(8, STRIP_PIXELS // max(1, width))
    for top in range(0, height, strip_rows):
        count = min(strip_rows, height - top)
        strip = image.copy(0, top, width, count)
        if scale != 1.0:
            # Each strip's share of the output rows, so the strips add up to the whole height.
            first, last = round(top * out_height / height), round((top + count) * out_height / height)
            if last <= first:
                continue
            strip = strip.scaled(out_width, last - first, Qt.AspectRatioMode.IgnoreAspectRatio,
                                 Qt.TransformationMode.SmoothTransformation)
        gray = strip.convertToFormat(QImage.Format.Format_Grayscale8)
        stride = gray.bytesPerLine()
        rows.append(bytes(gray.constBits())[:stride * gray.height()])
    data = b"".join(rows)
    rows_read = len(data) // stride if stride else 0
    return GrayImage(data, out_width, rows_read, stride), out_width / width


_lowered = threading.local()


def yield_to_ui() -> None:
    """Give the worker thread a lower priority than the UI thread, once per thread.

    Reading a screenshot keeps a core busy for about a second; on a two-core laptop where
    something else runs too, the UI thread would wait for the scheduler's next turn (50 ms and
    more) while the agent types. Linux takes a thread's own nice value; Qt's thread priority
    does that on Windows and macOS (Linux ignores it).
    """
    if threading.current_thread() is threading.main_thread() or getattr(_lowered, "done", False):
        return
    _lowered.done = True
    thread = QThread.currentThread()
    if thread is not None:
        thread.setPriority(QThread.Priority.LowPriority)
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICE)
        except OSError as exc:  # not allowed here: the thread keeps its priority
            log.info("text worker priority unchanged: %s", exc)


def check_image(image: QImage, own: Sequence[pii.PiiMatch] = (), *,
                time_limit: float = screen_text.TIME_LIMIT_SECONDS) -> ScreenshotCheck:
    """Worker thread: the places with personal data on ``image`` (boxes in its pixels)."""
    yield_to_ui()
    gray, scale = gray_pixels(image)
    recognition = screen_text.recognise(gray, scale=scale, time_limit=time_limit)
    return screenshot_pii.check(recognition, own)


def check_file(path: Path, own: Sequence[pii.PiiMatch] = (), *, max_pixels: int) -> ScreenshotCheck:
    """Worker thread: :func:`check_image` for a stored screenshot."""
    from capture_app.ui.evidence.images import read_image

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
