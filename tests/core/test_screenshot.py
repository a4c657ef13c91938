"""Screen capture on a real X server: exact pixels, monitors, regions, and what goes wrong."""
from __future__ import annotations

import pytest
from png_reader import decode_rgb_png
from xdisplay import XServer, pattern, sub_image

from capture_app.core.evidence import png
from capture_app.core.evidence.screenshot import (
    Capture,
    Monitor,
    Region,
    ScreenHint,
    ScreenshotError,
    ensure_dpi_awareness,
    grab,
    list_monitors,
    match_screens,
    session_kind,
)

WIDTH, HEIGHT = 1600, 600
# Two monitors of different sizes side by side, the second one lower: like a laptop + projector.
LEFT = (1000, 600, 0, 0)
RIGHT = (600, 400, 1000, 100)


@pytest.fixture(scope="module")
def two_monitors():
    """One wide Xvfb screen split into two RandR monitors, showing a known random pattern."""
    with XServer(WIDTH, HEIGHT, monitors=[LEFT, RIGHT]) as server:
        picture = pattern(WIDTH, HEIGHT, seed=11)
        server.paint(picture, WIDTH, HEIGHT)
        yield server, picture


def test_the_whole_desktop_is_captured_pixel_for_pixel(two_monitors):
    server, picture = two_monitors
    shot = grab("desktop", display=server.display, session="x11")
    assert shot.size == (WIDTH, HEIGHT)
    assert shot.rgb() == picture


def test_each_monitor_is_listed_and_captured_with_its_own_geometry(two_monitors):
    server, picture = two_monitors
    monitors = list_monitors(display=server.display, session="x11")
    assert [(m.width, m.height, m.left, m.top) for m in monitors] == [LEFT, RIGHT]
    for monitor, (w, h, x, y) in zip(monitors, (LEFT, RIGHT), strict=True):
        shot = grab(monitor, display=server.display, session="x11")
        assert (shot.left, shot.top, shot.width, shot.height) == (x, y, w, h)
        assert shot.rgb() == sub_image(picture, WIDTH, x, y, w, h)
        assert shot.monitors == (monitor,)
    by_number = grab(2, display=server.display, session="x11")
    assert by_number.size == (600, 400) and by_number.rgb() == sub_image(picture, WIDTH, 1000, 100, 600, 400)


def test_a_region_is_captured_exactly_and_clipped_to_the_desktop(two_monitors):
    server, picture = two_monitors
    shot = grab(Region(990, 95, 30, 20), display=server.display, session="x11")
    assert shot.rgb() == sub_image(picture, WIDTH, 990, 95, 30, 20)
    assert [m.index for m in shot.monitors] == [1, 2]  # the region spans both monitors
    edge = grab(Region(1590, 590, 50, 50), display=server.display, session="x11")
    assert (edge.width, edge.height) == (10, 10)
    assert edge.rgb() == sub_image(picture, WIDTH, 1590, 590, 10, 10)


def test_a_region_of_zero_size_is_refused_before_anything_is_captured():
    with pytest.raises(ScreenshotError) as caught:
        grab(Region(10, 10, 0, 25), session="x11", display=":0.does-not-matter")
    assert caught.value.key == "screenshot.region_empty"
    assert "leer (0 × 25 Pixel)" in caught.value.message()
    assert "Rechteck" in caught.value.message()  # what to do instead


def test_a_region_outside_every_screen_and_a_vanished_monitor_are_explained(two_monitors):
    server, _ = two_monitors
    with pytest.raises(ScreenshotError) as outside:
        grab(Region(5000, 5000, 10, 10), display=server.display, session="x11")
    assert outside.value.key == "screenshot.region_outside"
    with pytest.raises(ScreenshotError) as gone:
        grab(Monitor(3, 1600, 0, 1920, 1080), display=server.display, session="x11")
    assert gone.value.key == "screenshot.monitor_gone"
    assert "jetzt sind es 2" in gone.value.message()


def test_a_desktop_over_the_pixel_limit_is_refused(two_monitors):
    server, _ = two_monitors
    with pytest.raises(ScreenshotError) as caught:
        grab("desktop", display=server.display, session="x11", max_pixels=500_000)
    assert caught.value.key == "screenshot.too_large"
    assert "1600 × 600" in caught.value.message()


def test_without_a_display_the_message_says_so_and_what_to_do(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    with pytest.raises(ScreenshotError) as caught:
        grab("desktop")
    assert caught.value.key == "screenshot.no_display"
    assert "keine grafische Anzeige" in caught.value.message()
    assert "als Datei an" in caught.value.message()
    assert "no graphical display" in caught.value.message("en")


def test_a_display_that_does_not_answer_gives_the_same_clear_message():
    with pytest.raises(ScreenshotError) as caught:
        grab("desktop", display=":397", session="x11")  # no server on :397
    assert caught.value.key == "screenshot.no_display"
    assert caught.value.params["detail"]


def test_a_wayland_session_is_recognised_and_never_grabbed_with_mss():
    assert session_kind({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux") == "wayland"
    assert session_kind({"XDG_SESSION_TYPE": "wayland"}, "linux") == "wayland"
    assert session_kind({"DISPLAY": ":0"}, "linux") == "x11"
    assert session_kind({}, "linux") == "none"
    assert session_kind({}, "win32") == "windows"
    assert session_kind({}, "darwin") == "macos"
    with pytest.raises(ScreenshotError) as caught:
        grab("desktop", session="wayland")
    assert caught.value.key == "screenshot.wayland"


def test_a_capture_encodes_to_a_png_with_the_same_pixels(two_monitors):
    server, picture = two_monitors
    shot = grab(Region(100, 50, 257, 33), display=server.display, session="x11")
    data = shot.to_png()
    assert png.inspect(data).clean
    assert decode_rgb_png(data) == (257, 33, sub_image(picture, WIDTH, 100, 50, 257, 33))


def test_cropping_a_capture_keeps_desktop_coordinates():
    # 4 × 3 BGRA image at desktop position (10, 20); pixel value = its own coordinates.
    pixels = bytes(b for y in range(3) for x in range(4) for b in (x, y, 7, 255))
    shot = Capture(4, 3, pixels, left=10, top=20, monitors=(Monitor(1, 0, 0, 100, 100),))
    part = shot.crop(Region(11, 21, 2, 5))  # taller than the image: clipped
    assert (part.left, part.top, part.width, part.height) == (11, 21, 2, 2)
    assert part.pixels == bytes(b for y in (1, 2) for x in (1, 2) for b in (x, y, 7, 255))
    assert part.rgb() == bytes(b for y in (1, 2) for x in (1, 2) for b in (7, y, x))
    with pytest.raises(ScreenshotError):
        shot.crop(Region(0, 0, 5, 5))  # entirely left of the image


def test_scaled_toolkit_screens_are_matched_to_their_physical_monitors():
    monitors = [Monitor(1, 0, 0, 2880, 1800), Monitor(2, 2880, 0, 1920, 1080)]
    # A 200 % laptop panel and a 100 % external screen, as Qt reports them.
    hints = [ScreenHint(1440, 0, 1920, 1080, 1.0), ScreenHint(0, 0, 1440, 900, 2.0)]
    assert match_screens(hints, monitors) == [monitors[1], monitors[0]]
    # Two equal screens: the order on the desk decides.
    twins = [Monitor(1, 1920, 0, 1920, 1080), Monitor(2, 0, 0, 1920, 1080)]
    assert match_screens([ScreenHint(0, 0, 1920, 1080), ScreenHint(1920, 0, 1920, 1080)], twins) == [
        twins[1], twins[0]]
    # A misreported scale still gets a monitor rather than none.
    assert match_screens([ScreenHint(0, 0, 1000, 700, 1.25)], monitors[:1]) == [monitors[0]]


class RecordedDpiApi:
    """Answers recorded from Windows versions: None = the call does not exist there."""

    def __init__(self, aware, v2, per_monitor, system):
        self.answers = {"is_per_monitor_aware": aware, "set_per_monitor_v2": v2,
                        "set_per_monitor": per_monitor, "set_system_aware": system}
        self.calls: list[str] = []

    def __getattr__(self, name):
        if name not in self.__dict__.get("answers", {}):
            raise AttributeError(name)

        def call():
            self.calls.append(name)
            return self.answers[name]
        return call


@pytest.mark.parametrize("answers, level, calls", [
    # Qt already made the process per-monitor aware: nothing is changed.
    ((True, True, True, True), "already", ["is_per_monitor_aware"]),
    # Windows 10 1703 and later.
    ((False, True, True, True), "per_monitor_v2", ["is_per_monitor_aware", "set_per_monitor_v2"]),
    # Windows 8.1: no awareness contexts yet, shcore's per-monitor awareness.
    ((None, None, True, True), "per_monitor", ["is_per_monitor_aware", "set_per_monitor_v2",
                                               "set_per_monitor"]),
    # Windows 7: only system awareness.
    ((None, None, None, True), "system", ["is_per_monitor_aware", "set_per_monitor_v2",
                                          "set_per_monitor", "set_system_aware"]),
    ((None, None, None, None), "unaware", ["is_per_monitor_aware", "set_per_monitor_v2",
                                           "set_per_monitor", "set_system_aware"]),
])
def test_windows_dpi_awareness_takes_the_best_level_the_system_has(answers, level, calls):
    api = RecordedDpiApi(*answers)
    assert ensure_dpi_awareness(api) == level
    assert api.calls == calls
