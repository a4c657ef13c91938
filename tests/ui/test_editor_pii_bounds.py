"""Bad input stays bounded: an 8K screenshot, pure noise, a time limit that runs out, blank pictures."""
from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter
from text_screens import span_rect, text_screen

from capture_app.core.privacy import pii, screen_text
from capture_app.core.privacy.screen_text import Box
from capture_app.ui.evidence.screenshot_check import check_image, gray_pixels

pytestmark = [pytest.mark.gui,
              pytest.mark.skipif(not screen_text.engine_available(),
                                 reason="text recognition (the 'ocr' extra) is not installed")]

LINE = "Rückfragen bitte an erika.mustermann@beispiel-bank.de oder Tel. 0171 2345678"


def as_box(rect: QRect) -> Box:
    return Box(rect.x(), rect.y(), rect.width(), rect.height())


def test_an_8k_screenshot_is_read_within_the_pixel_budget_and_boxes_fit_the_original():
    # An 8K screen runs at 200 %: its text is twice as large as on a 1080p screen.
    small, rects = text_screen([LINE], width=3840, height=2160, pixel_size=15)
    big = small.scaled(7680, 4320)
    gray, scale = gray_pixels(big)
    assert gray.width * gray.height <= screen_text.MAX_PIXELS and scale == pytest.approx(0.5)
    result = check_image(big)
    assert result.ran
    planted = {pii.EMAIL: span_rect(LINE, "erika.mustermann@beispiel-bank.de", rects[0]),
               pii.PHONE: span_rect(LINE, "0171 2345678", rects[0])}
    assert sorted(p.kind for p in result.places) == sorted(planted)
    for place in result.places:
        doubled = as_box(planted[place.kind]).scaled(2.0)
        assert place.box.overlap(doubled) >= 0.5, (place, doubled)


def test_pure_noise_is_read_without_a_finding_and_without_an_error():
    data = random.Random(5).randbytes(1920 * 1080 * 4)
    noise = QImage(data, 1920, 1080, 1920 * 4, QImage.Format.Format_RGB32).copy()
    result = check_image(noise)
    assert result.places == ()
    assert result.reason in ("", screen_text.TIME_LIMIT)


def test_when_the_time_limit_runs_out_the_check_says_it_is_incomplete():
    lines = [LINE] * 30
    image, _ = text_screen(lines, width=1920, height=1080, line_gap=1.6)
    result = check_image(image, time_limit=0.001)
    assert result.reason == screen_text.TIME_LIMIT
    assert not result.ran


def test_a_blank_screenshot_is_not_read():
    image = QImage(1920, 1080, QImage.Format.Format_RGB32)
    image.fill(QColor("#f5f5f5"))
    painter = QPainter(image)
    painter.fillRect(0, 0, 1920, 40, QColor("#f0f0f0"))  # a faint bar: still no contrast for text
    painter.end()
    result = check_image(image)
    assert result.places == () and result.reason == screen_text.NO_CONTRAST and result.ran


def test_pixels_converted_in_strips_are_the_whole_picture():
    image, _ = text_screen([LINE] * 12, width=1366, height=768)
    gray, scale = gray_pixels(image)
    whole = image.convertToFormat(QImage.Format.Format_Grayscale8)
    assert scale == 1.0 and (gray.width, gray.height, gray.stride) == (1366, 768, whole.bytesPerLine())
    pixels, stride = bytes(whole.constBits()), whole.bytesPerLine()
    # Row by row: the bytes padding a row to a multiple of four are not pixels.
    assert all(gray.data[y * stride:y * stride + 1366] == pixels[y * stride:y * stride + 1366]
               for y in range(768))
    odd = image.scaled(4099, 2305)  # above the budget, not a round size: the strips add up
    gray, scale = gray_pixels(odd)
    assert gray.height == round(2305 * gray.width / 4099) or abs(gray.height - 2305 * scale) <= 1
    assert len(gray.data) == gray.stride * gray.height


def test_very_small_text_in_a_region_is_read_at_twice_its_size():
    image, rects = text_screen([LINE], width=600, height=60, pixel_size=7, left=6, top=6)
    gray, scale = gray_pixels(image)
    assert scale == 2.0 and (gray.width, gray.height) == (1200, 120)
    result = check_image(image)
    assert sorted(p.kind for p in result.places) == [pii.EMAIL, pii.PHONE]
    for place in result.places:
        part = "0171 2345678" if place.kind == pii.PHONE else "erika.mustermann@beispiel-bank.de"
        planted = as_box(span_rect(LINE, part, rects[0], pixel_size=7))
        assert place.box.overlap(planted) >= 0.5, (place.box, planted)
