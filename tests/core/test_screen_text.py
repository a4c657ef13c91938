"""Reading a screenshot's text: bounds, notes when it was not (completely) read, word boxes."""
from __future__ import annotations

import pytest

from capture_app.core.privacy import screen_text
from capture_app.core.privacy.screen_text import Box, GrayImage, recognise


def blank(width=640, height=360, value=255) -> GrayImage:
    return GrayImage(bytes([value]) * (width * height), width, height, width)


def test_an_8k_screenshot_is_read_scaled_to_the_pixel_budget():
    scale = screen_text.reading_scale(7680, 4320)
    assert scale == pytest.approx(0.5)
    assert 7680 * scale * 4320 * scale <= screen_text.MAX_PIXELS
    assert screen_text.reading_scale(1920, 1080) == 1.0
    assert screen_text.reading_scale(800, 600) == 2.0  # a region: small text read larger


def test_boxes_read_at_half_size_are_given_in_the_original_pixels():
    box = Box(101, 51, 40, 9).scaled(2.0)
    assert box == Box(202, 102, 80, 18)
    # Rounded outwards: the box never loses a pixel of what it covered.
    odd = Box(3, 3, 3, 3).scaled(1.5)
    assert odd.x <= 4.5 and odd.right >= 9


def test_a_blank_picture_is_not_read_and_says_why():
    result = recognise(blank(), time_limit=5)
    assert result.words == ()
    assert result.reason == screen_text.NO_CONTRAST
    assert result.complete


def test_a_picture_in_one_dark_colour_is_not_read_either():
    assert recognise(blank(value=30)).reason == screen_text.NO_CONTRAST


def test_without_the_engine_recognition_says_it_was_skipped(monkeypatch):
    monkeypatch.setattr(screen_text, "tessdata_folder", lambda: None)
    noisy = GrayImage(bytes(range(256)) * 900, 480, 480, 480)
    result = recognise(noisy)
    assert result.reason == screen_text.NOT_INSTALLED
    assert not result.complete


def test_an_engine_failure_is_a_result_not_an_exception(monkeypatch):
    if not screen_text.engine_available():
        pytest.skip("text recognition (the 'ocr' extra) is not installed")

    def broken():
        raise RuntimeError("engine gone")

    monkeypatch.setattr(screen_text, "_engine", broken)
    noisy = GrayImage(bytes(range(256)) * 900, 480, 480, 480)
    result = recognise(noisy)
    assert result.reason == screen_text.FAILED
    assert not result.complete
    assert result.words == ()


def test_box_overlap():
    a = Box(0, 0, 10, 10)
    assert a.overlap(a) == 1.0
    assert a.overlap(Box(5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert a.overlap(Box(20, 20, 5, 5)) == 0.0
    assert a.union(Box(20, 20, 5, 5)) == Box(0, 0, 25, 25)


def test_each_reading_loads_the_engine_afresh_and_reads_the_same():
    """Nothing stays loaded between readings (the model and Tesseract's dictionary cache go
    after each): the next picture is read just as before. Grey ramps have contrast but no
    words; Tesseract finds shapes without text in them, which is a reading that found nothing,
    not a failure."""
    if not screen_text.engine_available():
        pytest.skip("text recognition (the 'ocr' extra) is not installed")
    ramps = GrayImage(bytes(range(256)) * 900, 480, 480, 480)
    first, second = recognise(ramps), recognise(ramps)
    assert first.reason == second.reason == "", (first, second)
    assert [(word.text, word.box) for word in first.words] == [(word.text, word.box) for word in second.words]
