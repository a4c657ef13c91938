"""Screenshots as evidence items: stored write-once, renamed, reordered, replaced; the early grab."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest
from factories import evidence_item

from capture_app.core.evidence import png
from capture_app.core.evidence.screenshot import Capture, EarlyCapture, ScreenshotError
from capture_app.core.evidence.screenshot_evidence import (
    ScreenshotSaveError,
    default_title,
    edited_item,
    insert_item,
    move_item,
    new_screenshot_item,
    removable,
    rename_item,
)
from capture_app.core.report.drafts import DraftStore
from capture_app.core.report.model import Report

MOMENT = datetime(2026, 11, 27, 13, 3, 12, tzinfo=timezone.utc)


@pytest.fixture
def store(app_paths):
    with DraftStore(app_paths) as draft_store:
        yield draft_store


def a_png(width: int = 8, height: int = 6, shade: int = 0) -> bytes:
    return png.encode(width, height, bytes([shade]) * (width * height * 3))


def test_a_capture_is_stored_as_a_new_file_with_its_hash(store):
    report = Report.new()
    data = a_png()
    item = new_screenshot_item(report.id, data, store.store_attachment, title="Bildschirm 14:03:12",
                               now=MOMENT)
    assert item.kind == "screenshot" and item.media_type == "image/png"
    assert item.filename == "Bildschirm 14-03-12.png"  # no colons in file names
    assert item.sha256 == hashlib.sha256(data).hexdigest() and item.size == len(data)
    assert store.attachment_path(report.id, item.id).read_bytes() == data


def test_only_clean_images_within_the_limit_are_stored(store):
    report = Report.new()
    with pytest.raises(ScreenshotSaveError) as tail:
        new_screenshot_item(report.id, a_png() + b"old tail", store.store_attachment, title="x")
    assert tail.value.key == "screenshot.not_clean"
    with pytest.raises(ScreenshotSaveError) as broken:
        new_screenshot_item(report.id, b"\x89PNG\r\n\x1a\nbroken", store.store_attachment, title="x")
    assert broken.value.key == "screenshot.not_an_image"
    with pytest.raises(ScreenshotSaveError) as big:
        new_screenshot_item(report.id, a_png(100, 100), store.store_attachment, title="x",
                            max_pixels=5_000)
    assert "100 × 100" in big.value.message()
    assert not store.attachment_dir(report.id).exists()  # nothing was written


def test_an_edit_is_a_new_item_in_the_old_ones_place(store):
    report = Report.new()
    first = insert_item(report, new_screenshot_item(report.id, a_png(), store.store_attachment,
                                                    title="Fehler"))
    second = insert_item(report, evidence_item("document", filename="scan.jpg", media_type="image/jpeg",
                                               no_personal_data_confirmed=True))
    edited = edited_item(first, report.id, a_png(shade=9), store.store_attachment, shows_console=True)
    assert edited.id != first.id and edited.filename == first.filename and edited.shows_console
    insert_item(report, edited, replacing=first.id)
    assert [e.id for e in report.evidence] == [edited.id, second.id]
    # An edited JPEG scan becomes a PNG, and its confirmation must be given again.
    scan = edited_item(second, report.id, a_png(shade=3), store.store_attachment)
    assert scan.filename == "scan.png" and scan.kind == "document"
    assert scan.no_personal_data_confirmed is False
    # The old files may go only once the saved report no longer lists them.
    store.save(report)
    assert removable(store.load(report.id), [first.id, edited.id]) == [first.id]
    assert removable(None, [first.id]) == []


def test_renaming_moves_the_file_name_along_and_keeps_it_unique():
    report = Report.new()
    a = insert_item(report, evidence_item(filename="a.png", title="a"))
    b = insert_item(report, evidence_item(filename="b.png", title="b"))
    assert rename_item(report, a.id, "Fehler: Upload")
    assert (a.title, a.filename) == ("Fehler: Upload", "Fehler- Upload.png")
    assert rename_item(report, b.id, "Fehler: Upload")
    assert b.filename == "Fehler- Upload (2).png"
    assert not rename_item(report, b.id, "   ")  # an empty title is not taken
    assert b.title == "Fehler: Upload"


def test_reordering_stops_at_both_ends():
    report = Report.new()
    items = [insert_item(report, evidence_item(filename=f"{n}.png")) for n in "abc"]
    assert move_item(report, items[2].id, -1)
    assert [e.filename for e in report.evidence] == ["a.png", "c.png", "b.png"]
    assert not move_item(report, items[0].id, -1)
    assert not move_item(report, items[1].id, +1)
    assert not move_item(report, "no-such-id", +1)


def test_reordering_moves_past_step_pictures_which_are_listed_with_their_steps():
    report = Report.new()
    a = insert_item(report, evidence_item(filename="a.png"))
    insert_item(report, evidence_item("step", filename="schritt-001.png"))
    insert_item(report, evidence_item(filename="b.png"))
    insert_item(report, evidence_item("step", filename="schritt-002.png"))
    assert move_item(report, a.id, +1)
    assert [e.filename for e in report.evidence if e.kind != "step"] == ["b.png", "a.png"]
    assert not move_item(report, a.id, +1)  # the last file: only step pictures follow


def test_titles_are_in_the_agents_language():
    assert default_title("console", MOMENT).startswith("Browser-Konsole ")
    assert default_title("monitor", MOMENT, number=2, language="en").startswith("Screen 2 ")


def test_the_early_capture_hands_over_its_picture_or_its_error():
    shot = Capture(1, 1, b"\x00\x00\x00\xff")
    assert EarlyCapture(lambda: shot).result(5) is shot
    failing = EarlyCapture(lambda: (_ for _ in ()).throw(ScreenshotError("screenshot.no_display",
                                                                           detail=":0")))
    with pytest.raises(ScreenshotError) as caught:
        failing.result(5)
    assert caught.value.key == "screenshot.no_display"
    crashing = EarlyCapture(lambda: 1 / 0)
    with pytest.raises(ScreenshotError) as odd:
        crashing.result(5)
    assert odd.value.key == "screenshot.failed"


