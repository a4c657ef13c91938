"""Capturing, storing, editing and redacting screenshots in the wizard (Qt offscreen).

The screen itself is faked here (offscreen Qt has none): ``grab`` returns a known picture and
records whether our windows were visible at that moment. The real X server is used in
test_capture_x11.py.
"""
from __future__ import annotations

import hashlib
import os
import struct
import sys
import zlib

import pytest
from editor_gestures import drag
from png_reader import decode_rgb_png
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from xdisplay import pattern, sub_image

from capture_app.core.evidence.grab_process import ChildCapture
from capture_app.core.evidence.screenshot import Capture, Monitor, ScreenshotError
from capture_app.core.wizard.steps import Step
from capture_app.ui.capture import grabber
from capture_app.ui.evidence.images import ImageTooLarge, read_image

pytestmark = pytest.mark.gui

SW, SH = 800, 600  # Qt's offscreen screen


def bgra(rgb: bytes) -> bytes:
    out = bytearray(len(rgb) // 3 * 4)
    out[0::4], out[1::4], out[2::4] = rgb[2::3], rgb[1::3], rgb[0::3]
    out[3::4] = b"\xff" * (len(rgb) // 3)
    return bytes(out)


class FakeScreen:
    """What the desktop shows; remembers which of our windows were on screen at each grab."""

    def __init__(self, seed: int = 21):
        self.rgb = pattern(SW, SH, seed)
        self.grabs: list[dict] = []
        self.error: Exception | None = None

    def grab(self, target, *, max_pixels):
        visible = sorted(type(w).__name__ for w in grabber.visible_windows())
        self.grabs.append({"target": target, "visible": visible})
        if self.error is not None:
            raise self.error
        return Capture(SW, SH, bgra(self.rgb), monitors=(Monitor(1, 0, 0, SW, SH),))


@pytest.fixture
def screen():
    fake = FakeScreen()
    previous = grabber.use_env(grabber.CaptureEnv(grab=fake.grab, settle_ms=20, available=True))
    yield fake
    grabber.use_env(previous)


@pytest.fixture
def wizard(controller, qtbot):
    """A wizard opened before the fake screen exists: it starts without a screenshot."""
    window = controller.new_report()
    qtbot.waitExposed(window)
    return window


def stored_rgb(window, item) -> bytes:
    data = window.env.store.attachment_path(window.report.id, item.id).read_bytes()
    return decode_rgb_png(data)[2]


def data_files(controller):
    return [p for p in controller.paths.data_dir.rglob("*") if p.is_file()]


def test_whole_screen_capture_hides_our_windows_and_adds_an_exact_screenshot(wizard, screen, qtbot):
    page = wizard.page(Step.EVIDENCE)
    assert page.screenshots.capture("desktop")
    assert not wizard.isVisible()  # hidden before the grab
    qtbot.waitUntil(lambda: len(wizard.report.evidence) == 1, timeout=10_000)
    assert screen.grabs[0]["visible"] == []  # nothing of ours was on screen
    assert wizard.isVisible()  # and everything is back
    (item,) = wizard.report.evidence
    assert item.kind == "screenshot" and item.media_type == "image/png"
    assert item.filename.startswith("Bildschirm ") and item.filename.endswith(".png")
    assert stored_rgb(wizard, item) == screen.rgb
    qtbot.waitUntil(lambda: not page.table.item(0, 0).icon().isNull(), timeout=10_000)  # thumbnail


def test_the_delay_keeps_our_windows_hidden_before_the_grab(wizard, screen, qtbot):
    page = wizard.page(Step.EVIDENCE)
    page.screenshots.delay.setValue(1)
    page.screenshots.capture("desktop")
    qtbot.wait(300)
    assert screen.grabs == [] and not wizard.isVisible()
    qtbot.waitUntil(lambda: len(wizard.report.evidence) == 1, timeout=10_000)
    assert wizard.isVisible()


def test_a_window_deleted_while_hidden_for_the_grab_is_not_brought_back(wizard, screen, qtbot):
    import shiboken6
    from PySide6.QtWidgets import QDialog

    dialog = QDialog()  # e.g. a question the app dismisses on its own meanwhile
    dialog.show()
    qtbot.waitExposed(dialog)
    page = wizard.page(Step.EVIDENCE)
    page.screenshots.delay.setValue(1)
    with qtbot.captureExceptions() as raised:
        page.screenshots.capture("desktop")
        qtbot.wait(200)
        assert not dialog.isVisible() and not wizard.isVisible()
        shiboken6.delete(dialog)
        qtbot.waitUntil(lambda: len(wizard.report.evidence) == 1, timeout=10_000)
    assert raised == []
    assert wizard.isVisible()  # the rest comes back


def at(overlay, x: int, y: int) -> QPoint:
    """Where screen pixel (x, y) is on the overlay (which need not be exactly screen-sized)."""
    return QPoint(round(x * overlay.width() / SW), round(y * overlay.height() / SH))


def overlay_drag(qtbot, overlay, start: tuple[int, int], end: tuple[int, int]) -> None:
    qtbot.mousePress(overlay, Qt.LeftButton, pos=at(overlay, *start))
    qtbot.mouseMove(overlay, pos=at(overlay, *end))
    qtbot.mouseRelease(overlay, Qt.LeftButton, pos=at(overlay, *end))


def open_overlay(page, screen, qtbot, what="region"):
    page.screenshots.capture(what)
    qtbot.waitUntil(lambda: page.screenshots.selector is not None, timeout=10_000)
    (overlay,) = page.screenshots.selector.overlays
    qtbot.waitExposed(overlay)
    return overlay


def test_a_region_is_chosen_on_the_frozen_screen_with_a_size_readout(wizard, screen, qtbot):
    page = wizard.page(Step.EVIDENCE)
    overlay = open_overlay(page, screen, qtbot)
    assert not wizard.isVisible()  # still hidden while the agent chooses
    qtbot.mousePress(overlay, Qt.LeftButton, pos=at(overlay, 100, 120))
    qtbot.mouseMove(overlay, pos=at(overlay, 301, 201))
    region = overlay.selection()
    assert (region.left, region.top, region.width, region.height) == (100, 120, 201, 81)
    assert "201 × 81 Pixel" in overlay.readout()
    qtbot.mouseRelease(overlay, Qt.LeftButton, pos=at(overlay, 301, 201))
    qtbot.waitUntil(lambda: len(wizard.report.evidence) == 1, timeout=10_000)
    assert wizard.isVisible()
    (item,) = wizard.report.evidence
    assert stored_rgb(wizard, item) == sub_image(screen.rgb, SW, 100, 120, 201, 81)


def test_a_magnifier_beside_the_pointer_shows_the_pixels_around_it_enlarged(wizard, screen, qtbot):
    from capture_app.ui.capture.overlay import LOUPE_RADIUS, LOUPE_ZOOM

    page = wizard.page(Step.EVIDENCE)
    overlay = open_overlay(page, screen, qtbot)
    qtbot.mouseMove(overlay, pos=at(overlay, 300, 200))
    assert overlay.pointer_pixel() == (300, 200)
    box = overlay.loupe_rect()
    assert box.left() > at(overlay, 300, 200).x() and box.top() > at(overlay, 300, 200).y()
    shown = overlay.grab().toImage()
    for dy in range(-LOUPE_RADIUS, LOUPE_RADIUS + 1):
        for dx in range(-LOUPE_RADIUS, LOUPE_RADIUS + 1):
            # The middle of each enlarged square has the true colour of its screen pixel.
            cx = box.left() + (dx + LOUPE_RADIUS) * LOUPE_ZOOM + LOUPE_ZOOM // 2
            cy = box.top() + (dy + LOUPE_RADIUS) * LOUPE_ZOOM + LOUPE_ZOOM // 2
            offset = ((200 + dy) * SW + 300 + dx) * 3
            expected = tuple(screen.rgb[offset:offset + 3])
            colour = shown.pixelColor(cx, cy)
            assert (colour.red(), colour.green(), colour.blue()) == expected, (dx, dy)
    # In the lower right corner it moves to the upper left of the pointer and stays on screen.
    qtbot.mouseMove(overlay, pos=at(overlay, SW - 3, SH - 3))
    corner = overlay.loupe_rect()
    assert overlay.rect().contains(corner)
    assert corner.right() < at(overlay, SW - 3, SH - 3).x()
    assert overlay.pointer_pixel() == (SW - 3, SH - 3)
    qtbot.keyClick(overlay, Qt.Key_Escape)


def test_a_click_without_dragging_is_an_empty_region_and_esc_cancels(wizard, screen, qtbot):
    page = wizard.page(Step.EVIDENCE)
    overlay = open_overlay(page, screen, qtbot)
    qtbot.mouseClick(overlay, Qt.LeftButton, pos=QPoint(200, 200))
    assert "leer (0 × 0 Pixel)" in overlay.message  # told what to do, overlay stays
    assert page.screenshots.selector is not None and overlay.isVisible()
    qtbot.keyClick(overlay, Qt.Key_Escape)
    qtbot.waitUntil(lambda: wizard.isVisible(), timeout=5000)
    assert page.screenshots.selector is None
    assert wizard.report.evidence == []
    assert page.screenshots.capture_button.isEnabled()


def test_a_console_screenshot_is_labelled_as_such(wizard, screen, qtbot):
    page = wizard.page(Step.EVIDENCE)
    overlay = open_overlay(page, screen, qtbot, "console")
    overlay_drag(qtbot, overlay, (10, 300), (500, 590))
    qtbot.waitUntil(lambda: len(wizard.report.evidence) == 1, timeout=10_000)
    (item,) = wizard.report.evidence
    assert item.shows_console
    assert item.title.startswith("Browser-Konsole")
    assert page.table.item(0, 0).text() == "Screenshot (Konsole)"


def test_a_failed_capture_says_why_and_brings_the_windows_back(wizard, screen, qtbot, no_dialogs):
    screen.error = ScreenshotError("screenshot.no_display", detail=":0")
    page = wizard.page(Step.EVIDENCE)
    page.screenshots.capture("desktop")
    qtbot.waitUntil(lambda: bool(no_dialogs), timeout=10_000)
    kind, text = no_dialogs[0]
    assert kind == "warning" and "keine grafische Anzeige" in text and "als Datei an" in text
    assert wizard.isVisible() and wizard.report.evidence == []


def test_without_a_screen_the_capture_button_explains_instead_of_hiding_windows(wizard, qtbot,
                                                                               no_dialogs):
    page = wizard.page(Step.EVIDENCE)  # the real environment: offscreen Qt has no screen
    assert not page.screenshots.capture("desktop")
    assert no_dialogs and "keine grafische Anzeige" in no_dialogs[0][1]
    assert wizard.isVisible()


def capture_one(wizard, qtbot, what="desktop"):
    page = wizard.page(Step.EVIDENCE)
    count = len(wizard.report.evidence)
    page.screenshots.capture(what)
    qtbot.waitUntil(lambda: len(wizard.report.evidence) == count + 1, timeout=10_000)
    return wizard.report.evidence[-1]


def test_redaction_replaces_the_file_and_no_copy_of_the_original_remains(controller, wizard, screen,
                                                                       qtbot):
    original = capture_one(wizard, qtbot)
    wizard.flush()
    original_path = wizard.env.store.attachment_path(wizard.report.id, original.id)
    original_hash = hashlib.sha256(original_path.read_bytes()).hexdigest()
    assert original_hash == original.sha256
    secret = sub_image(screen.rgb, SW, 40, 30, 200, 50)  # e.g. a customer's name and IBAN

    from capture_app.ui.capture.editing import edit_item

    dialogs = []
    edit_item(wizard, original, on_open=dialogs.append)
    qtbot.waitUntil(lambda: bool(dialogs), timeout=10_000)
    dialog = dialogs[0]
    dialog.choose_tool("redact")
    drag(qtbot, dialog, (40, 30), (240, 80))
    dialog.save()
    qtbot.waitUntil(lambda: wizard.report.evidence[0].id != original.id, timeout=10_000)
    edited = wizard.report.evidence[0]
    assert len(wizard.report.evidence) == 1  # in the original's place, not added
    assert edited.filename == original.filename and edited.title == original.title
    qtbot.waitUntil(lambda: not original_path.exists(), timeout=10_000)  # after the save
    assert wizard.env.store.load(wizard.report.id).evidence[0].id == edited.id

    data = wizard.env.store.attachment_path(wizard.report.id, edited.id).read_bytes()
    from capture_app.core.evidence import png
    info = png.inspect(data)
    assert info.clean and info.end == len(data)  # only image chunks, nothing after IEND
    width, height, pixels = decode_rgb_png(data)
    assert (width, height) == (SW, SH)
    assert sub_image(pixels, SW, 40, 30, 200, 50) == b"\x00" * len(secret)
    assert sub_image(pixels, SW, 300, 300, 50, 50) == sub_image(screen.rgb, SW, 300, 300, 50, 50)

    # Nothing under the data folder holds the original: no file with its hash, and no image
    # (PNG or otherwise decodable) with the secret pixels.
    wizard.flush()
    for path in data_files(controller):
        content = path.read_bytes()
        assert hashlib.sha256(content).hexdigest() != original_hash, path
        assert secret[:600] not in content, path
        if content.startswith(b"\x89PNG"):
            assert sub_image(decode_rgb_png(content)[2], SW, 40, 30, 200, 50) != secret, path


def test_redaction_saved_where_a_larger_file_was_still_ends_at_iend(wizard, screen, qtbot):
    """aCropalypse: the edited, smaller image must not keep the tail of the bigger original."""
    first = capture_one(wizard, qtbot)
    big = wizard.env.store.attachment_path(wizard.report.id, first.id).stat().st_size
    from capture_app.core.evidence import png
    from capture_app.ui.capture.evidence_files import EvidenceFiles

    small = png.encode(40, 30, bytes(40 * 30 * 3))
    done = []
    EvidenceFiles.of(wizard).store_edit(first, small, shows_console=False, on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10_000)
    new_path = wizard.env.store.attachment_path(wizard.report.id, done[0].id)
    assert new_path.read_bytes() == small and len(small) < big
    assert png.inspect(new_path.read_bytes()).trailing == 0


def test_remove_rename_and_reorder(controller, wizard, screen, qtbot):
    first = capture_one(wizard, qtbot)
    second = capture_one(wizard, qtbot, "desktop")
    page = wizard.page(Step.EVIDENCE)
    tools = page.screenshots
    tools.select(second.id)
    assert tools.up_button.isEnabled() and not tools.down_button.isEnabled()
    qtbot.mouseClick(tools.up_button, Qt.LeftButton)
    assert [e.id for e in wizard.report.evidence] == [second.id, first.id]
    assert page.table.item(0, 0).data(Qt.UserRole + 1) == second.id
    # Renaming through the title cell: the bundle's file name follows, kept unique.
    page.table.item(0, 1).setText("Fehlermeldung beim Hochladen")
    qtbot.waitUntil(lambda: page.table.item(0, 2).text() == "Fehlermeldung beim Hochladen.png",
                    timeout=5000)
    assert wizard.report.evidence[0].filename == "Fehlermeldung beim Hochladen.png"
    page.table.item(1, 1).setText("Fehlermeldung beim Hochladen")
    qtbot.waitUntil(lambda: page.table.item(1, 2).text() == "Fehlermeldung beim Hochladen (2).png",
                    timeout=5000)
    # Removing: the file is deleted once the report without it is saved.
    path = wizard.env.store.attachment_path(wizard.report.id, first.id)
    assert path.exists()
    tools.select(first.id)
    page.remove_selected()
    qtbot.waitUntil(lambda: not path.exists(), timeout=10_000)
    assert [e.id for e in wizard.env.store.load(wizard.report.id).evidence] == [second.id]


def huge_png_header(width: int, height: int) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    idat = zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def test_a_30000_by_30000_screenshot_is_refused_without_decoding_it(wizard, tmp_path, qtbot,
                                                                  no_dialogs):
    bomb = tmp_path / "riesig.png"
    bomb.write_bytes(huge_png_header(30_000, 30_000))
    page = wizard.page(Step.EVIDENCE)
    results = []
    page.add_files([bomb], "screenshot", on_done=lambda added, refused: results.append((added, refused)))
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    added, refused = results[0]
    assert added == [] and wizard.report.evidence == []
    assert "30000 × 30000" in refused[0]
    # The thumbnail and editor loader refuse it by its header too, before any decoding.
    with pytest.raises(ImageTooLarge):
        read_image(bomb, max_pixels=100_000_000)


def test_a_report_from_the_main_window_starts_with_the_screen_as_it_was(controller, screen, qtbot):
    controller.show_main_window()
    qtbot.waitExposed(controller.main_window)
    assert controller.new_report() is None  # the wizard comes once the screen is captured
    qtbot.waitUntil(lambda: len(controller.wizards) == 1, timeout=10_000)
    assert screen.grabs[0]["visible"] == []  # the main window was hidden for the grab
    window = next(iter(controller.wizards.values()))
    banner = window.capture_banner
    assert banner.preview_shown and not banner.preview.pixmap().isNull()
    qtbot.waitUntil(lambda: len(window.report.evidence) == 1, timeout=10_000)
    qtbot.waitUntil(banner.edit_button.isEnabled, timeout=10_000)
    assert stored_rgb(window, window.report.evidence[0]) == screen.rgb
    assert window.report.evidence[0].title.startswith("Bildschirm beim Melden")
    assert controller.main_window.isVisible()
    # "Entfernen" in the banner takes it out again, file included once saved.
    path = window.env.store.attachment_path(window.report.id, window.report.evidence[0].id)
    qtbot.mouseClick(banner.remove_button, Qt.LeftButton)
    assert window.report.evidence == []
    qtbot.waitUntil(lambda: not path.exists(), timeout=10_000)


def test_the_setting_turns_the_capture_at_the_start_off(controller, screen, qtbot):
    controller.config.set_user("capture.on_report_start", False)
    window = controller.new_report()
    assert window is not None and screen.grabs == []
    assert window.report.evidence == []


def test_with_the_setting_off_the_screenshot_process_of_the_start_is_ended(controller, qtbot):
    """``capture-app report`` starts its grab before the settings are read: with the capture
    turned off, that process ends, its picture unused, and the wizard opens without it."""
    controller.config.set_user("capture.on_report_start", False)
    early = ChildCapture([sys.executable, "-c", "import time; time.sleep(60)"])
    window = controller.new_report(screen=early)
    assert window is not None and window.report.evidence == []
    assert not hasattr(window, "capture_banner")
    with pytest.raises(ProcessLookupError):  # ended and collected, not left waiting all day
        os.kill(early.pid, 0)


def _start_and_close_at_once(controller, qtbot, typed: str, *, once=None) -> str:
    """Problem melden, the summary typed (if any), and the wizard closed right away (``once``:
    as soon as that event is set); returns the report's id once every screenshot being stored
    has been handled."""
    from capture_app.ui.capture.evidence_files import wait_for_pending

    controller.new_report()
    qtbot.waitUntil(lambda: len(controller.wizards) == 1, timeout=10_000)
    window = next(iter(controller.wizards.values()))
    if once is not None:
        qtbot.waitUntil(once.is_set, timeout=10_000)
    if typed:
        window.report.summary = typed
        window.mark_dirty()
    window.close()  # most likely before the screenshot was stored
    assert wait_for_pending(10_000)
    return window.report.id


def test_the_screenshot_is_encoded_only_after_the_wizards_first_frame(controller, screen, qtbot,
                                                                       monkeypatch):
    # Encoding in a worker competes with the wizard's first paint for Python's lock: the
    # agent sees the wizard first, the screenshot is stored right after.
    from PySide6.QtCore import QEvent, QObject

    from capture_app.ui.wizard.window import WizardWindow

    order: list[str] = []

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if (event.type() == QEvent.Type.Paint and isinstance(watched, WizardWindow)
                    and "painted" not in order):
                order.append("painted")
            return False

    to_png = Capture.to_png

    def encode(capture, *args, **kwargs):
        order.append("encoding")
        return to_png(capture, *args, **kwargs)

    monkeypatch.setattr(Capture, "to_png", encode)
    watcher = FirstPaint()
    QApplication.instance().installEventFilter(watcher)
    try:
        assert controller.new_report() is None  # the screen is grabbed first
        qtbot.waitUntil(lambda: len(controller.wizards) == 1, timeout=10_000)
        window = next(iter(controller.wizards.values()))
        qtbot.waitUntil(lambda: len(window.report.evidence) == 1, timeout=10_000)
    finally:
        QApplication.instance().removeEventFilter(watcher)
    assert order == ["painted", "encoding"]
    assert stored_rgb(window, window.report.evidence[0]) == screen.rgb


def test_a_screenshot_waiting_for_the_first_frame_is_stored_when_the_app_quits(controller, screen,
                                                                                qtbot, monkeypatch):
    # The app quits before the wizard was ever painted: the screenshot still reaches the report.
    from capture_app.core.report.model import Report
    from capture_app.ui.capture.evidence_files import EvidenceFiles, wait_for_pending
    from capture_app.ui.platform import first_frame

    monkeypatch.setattr(first_frame, "FALLBACK_MS", 600_000)
    window = controller.open_wizard(Report.new(), show=False)  # built, never on screen
    capture = screen.grab("desktop", max_pixels=0)
    EvidenceFiles.of(window).store_capture(capture, "as_it_was", after_first_frame=True)
    qtbot.wait(300)
    assert window.report.evidence == []  # held for the first frame
    assert wait_for_pending(10_000)  # what quitting does
    assert len(window.report.evidence) == 1
    assert stored_rgb(window, window.report.evidence[0]) == screen.rgb


def test_a_screenshot_held_for_the_first_frame_is_stored_once_the_window_is_painted(
        controller, screen, qtbot, monkeypatch):
    from capture_app.core.report.model import Report
    from capture_app.ui.capture.evidence_files import EvidenceFiles
    from capture_app.ui.platform import first_frame

    monkeypatch.setattr(first_frame, "FALLBACK_MS", 600_000)
    window = controller.open_wizard(Report.new(), show=False)
    EvidenceFiles.of(window).store_capture(screen.grab("desktop", max_pixels=0), "as_it_was",
                                           after_first_frame=True)
    qtbot.wait(300)
    assert window.report.evidence == []
    controller.open_wizard(window.report)  # shown: its first frame lets the screenshot go
    qtbot.waitUntil(lambda: len(window.report.evidence) == 1, timeout=10_000)
    assert stored_rgb(window, window.report.evidence[0]) == screen.rgb


def test_a_screenshot_held_for_a_window_never_painted_is_stored_after_a_moment(
        controller, screen, qtbot):
    # A window minimised at once, or closed before its first frame: the work is not held forever.
    from capture_app.core.report.model import Report
    from capture_app.ui.capture.evidence_files import EvidenceFiles

    window = controller.open_wizard(Report.new(), show=False)
    EvidenceFiles.of(window).store_capture(screen.grab("desktop", max_pixels=0), "as_it_was",
                                           after_first_frame=True)
    qtbot.waitUntil(lambda: len(window.report.evidence) == 1, timeout=10_000)


@pytest.mark.parametrize("typed", ["", "Kalender synchronisiert nicht"])
def test_the_capture_reaches_the_draft_even_when_the_wizard_is_closed_at_once(controller, screen,
                                                                               qtbot, typed):
    report_id = _start_and_close_at_once(controller, qtbot, typed)
    if not typed:  # nothing done: neither the draft nor its screenshot is kept
        from capture_app.core.report.drafts import DraftNotFoundError

        with pytest.raises(DraftNotFoundError):
            controller.store.load(report_id)
        folder = controller.store.attachment_dir(report_id)
        assert not folder.exists() or not any(folder.iterdir())
        return
    qtbot.waitUntil(lambda: _evidence_count(controller, report_id) == 1, timeout=10_000)
    stored = controller.store.load(report_id)
    assert stored.summary == typed
    path = controller.store.attachment_path(report_id, stored.evidence[0].id)
    assert decode_rgb_png(path.read_bytes())[2] == screen.rgb


def _hold_saves_until_the_screenshot_is_stored(controller, monkeypatch, *, fail=False):
    """The window's last save (in its worker) waits until the start screenshot has been stored,
    so the screenshot's result is delivered while the window's close waits for that save.

    Returns (encoding, stored): set when the screenshot's encoding starts and when its file is
    stored. The close must come after ``encoding``: until its first frame the wizard holds the
    screenshot back, and a close that waits for a save that waits for the screenshot would
    wait for nothing (the first frame cannot come while the close holds the UI thread).
    """
    import threading
    import time

    encoding, stored = threading.Event(), threading.Event()
    store = controller.store
    store_attachment, save = store.store_attachment, store.save
    to_png = Capture.to_png

    def encode(capture, *args, **kwargs):
        encoding.set()
        return to_png(capture, *args, **kwargs)

    def attach(*args, **kwargs):
        result = store_attachment(*args, **kwargs)
        stored.set()
        return result

    held = []

    def held_save(report, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread() and not held:
            held.append(report.id)  # the window's last save; later ones go through
            assert stored.wait(10)
            # Once the capture worker has ended, it has handed its result to the UI thread.
            deadline = time.monotonic() + 10
            while grabber.capture_pool().activeThreadCount() and time.monotonic() < deadline:
                time.sleep(0.01)
            if fail:
                raise OSError(28, "No space left on device")
        return save(report, *args, **kwargs)

    monkeypatch.setattr(Capture, "to_png", encode)
    monkeypatch.setattr(store, "store_attachment", attach)
    monkeypatch.setattr(store, "save", held_save)
    return encoding, stored


@pytest.mark.parametrize("typed", ["", "Kalender synchronisiert nicht"])
def test_a_screenshot_stored_while_the_window_waits_for_its_last_save_is_not_lost(
        controller, screen, qtbot, monkeypatch, typed):
    encoding, stored = _hold_saves_until_the_screenshot_is_stored(controller, monkeypatch)
    report_id = _start_and_close_at_once(controller, qtbot, typed, once=encoding)
    assert stored.is_set()
    if not typed:  # closed untouched: the draft is deleted, and the late file with it
        folder = controller.store.attachment_dir(report_id)
        assert not folder.exists() or not any(folder.iterdir())
        return
    stored_report = controller.store.load(report_id)
    assert stored_report.summary == typed and len(stored_report.evidence) == 1
    path = controller.store.attachment_path(report_id, stored_report.evidence[0].id)
    assert decode_rgb_png(path.read_bytes())[2] == screen.rgb


def test_a_screenshot_stored_during_a_close_the_agent_cancels_stays_in_the_window(
        controller, screen, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    encoding, _stored = _hold_saves_until_the_screenshot_is_stored(controller, monkeypatch,
                                                                    fail=True)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **kwargs: (
        warnings.append(args), QMessageBox.StandardButton.Cancel)[1])
    controller.new_report()
    qtbot.waitUntil(lambda: len(controller.wizards) == 1, timeout=10_000)
    window = next(iter(controller.wizards.values()))
    qtbot.waitUntil(encoding.is_set, timeout=10_000)
    window.report.summary = "Kalender synchronisiert nicht"
    window.mark_dirty()
    window.close()  # the save fails; "Abbrechen" keeps the window open
    assert warnings and window.isVisible()
    qtbot.waitUntil(lambda: len(window.report.evidence) == 1, timeout=10_000)
    assert stored_rgb(window, window.report.evidence[0]) == screen.rgb


def _evidence_count(controller, report_id: str) -> int:
    from capture_app.core.report.drafts import DraftNotFoundError

    try:
        return len(controller.store.load(report_id).evidence)
    except DraftNotFoundError:
        return 0


def test_every_new_control_has_an_accessible_name(wizard):
    page = wizard.page(Step.EVIDENCE)
    tools = page.screenshots
    for widget in (tools.capture_button, tools.delay, *tools.item_buttons()):
        assert widget.accessibleName().strip(), widget
    for action in tools.menu.actions():
        assert action.text().strip()


def test_the_banner_opens_the_editor_and_follows_the_redacted_version(controller, screen, qtbot,
                                                                     monkeypatch):
    from capture_app.ui.editor import dialog as editor_dialog

    opened = []
    original_open = editor_dialog.EditorDialog.open
    monkeypatch.setattr(editor_dialog.EditorDialog, "open",
                        lambda self: (opened.append(self), original_open(self)))
    controller.new_report()
    qtbot.waitUntil(lambda: len(controller.wizards) == 1, timeout=10_000)
    window = next(iter(controller.wizards.values()))
    banner = window.capture_banner
    qtbot.waitUntil(banner.edit_button.isEnabled, timeout=10_000)
    first = window.report.evidence[0]
    qtbot.mouseClick(banner.edit_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    dialog = opened[0]
    assert dialog.windowTitle().startswith("Screenshot bearbeiten – Bildschirm beim Melden")
    dialog.choose_tool("redact")
    drag(qtbot, dialog, (0, 0), (100, 100))
    dialog.save()
    qtbot.waitUntil(lambda: window.report.evidence[0].id != first.id, timeout=10_000)
    assert banner.current_item() is window.report.evidence[0]
    pixels = stored_rgb(window, window.report.evidence[0])
    assert sub_image(pixels, SW, 0, 0, 100, 100) == bytes(100 * 100 * 3)


def test_the_preview_is_the_screen_scaled_and_owns_its_pixels(qapp):
    """The strip's picture is made from the grabbed bytes without a full copy first: it must look
    like the screen, and must not point into the capture's bytes once those are gone."""
    from PySide6.QtCore import QSize

    from capture_app.ui.evidence.images import scaled, scaled_capture, to_qimage

    width, height = 1920, 1080
    pixels = bytearray(width * height * 4)
    for y in range(height):  # left half red, right half blue (BGRA)
        row = y * width * 4
        pixels[row:row + width * 2] = b"\x00\x00\xff\xff" * (width // 2)
        pixels[row + width * 2:row + width * 4] = b"\xff\x00\x00\xff" * (width // 2)
    capture = Capture(width, height, bytes(pixels))
    preview = scaled_capture(capture, QSize(240, 135))
    assert preview == scaled(to_qimage(capture), QSize(240, 135))
    assert preview.pixelColor(10, 60).name() == "#ff0000"
    assert preview.pixelColor(230, 60).name() == "#0000ff"

    # Already the preview's size: Qt hands back the same pixels. Changing the grabbed bytes
    # afterwards shows whether the preview still points into them.
    grabbed = bytearray(b"\x00\xff\x00\xff" * 8)
    same = scaled_capture(Capture(4, 2, grabbed), QSize(4, 2))  # type: ignore[arg-type]
    grabbed[:] = b"\x00\x00\x00\xff" * 8
    assert same.size() == QSize(4, 2)
    assert all(same.pixelColor(x, y).name() == "#00ff00" for x in range(4) for y in range(2))


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920), (1366, 768), (3840, 1600), (1, 1), (7, 3),
                                  (2560, 1440), (800, 600), (240, 135), (5120, 2880)])
@pytest.mark.parametrize("box", [(240, 135), (120, 72), (64, 36), (240, 240), (1, 1), (333, 77)])
def test_fitting_into_a_box_is_qts_keep_aspect_ratio(qapp, size, box):
    """The preview and thumbnails are fitted without Qt's namespace; the sizes are Qt's own."""
    from PySide6.QtCore import QSize, Qt

    from capture_app.ui.evidence.images import fitted

    qt = QSize(*size).scaled(QSize(*box), Qt.AspectRatioMode.KeepAspectRatio)
    expected = QSize(max(1, qt.width()), max(1, qt.height()))
    assert fitted(QSize(*size), QSize(*box)) == expected
