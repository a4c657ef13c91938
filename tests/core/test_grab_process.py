"""The first screenshot of ``capture-app report`` in a process of its own: which way it is
taken, and what the app hears when that process fails, hangs or lies. (Its pictures on a real
X server: tests/ui/test_capture_x11.py.)"""
from __future__ import annotations

import os
import sys
import time

import pytest

from capture_app.core.evidence import grab_process
from capture_app.core.evidence.grab_process import ChildCapture, child_command, start_early_capture
from capture_app.core.evidence.screenshot import ScreenshotError


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def answering(line: str, pixels: str = "b''") -> list[str]:
    """A stand-in for the child: writes ``pixels`` into the in-memory file, then ``line`` as
    its answer (both Python expressions)."""
    return python(f"import os, sys\nos.write(3, {pixels})\n"
                  f"sys.stdout.write({line})\nsys.stdout.flush()\n")


@pytest.mark.parametrize("env, way", [
    ({"DISPLAY": ":0"}, "process"),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, None),  # nothing of ours is ever shown
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, None),  # asks the portal later
    ({}, None),
])
def test_the_early_capture_starts_only_where_it_can_see_the_screen(env, way, monkeypatch):
    import capture_app.core.evidence.screenshot as screenshot

    monkeypatch.setattr(grab_process, "ChildCapture", lambda: "process")
    monkeypatch.setattr(screenshot, "EarlyCapture", lambda: "thread")
    assert start_early_capture(env) == way


def test_where_the_screenshot_process_cannot_start_the_grab_runs_in_a_thread(monkeypatch):
    import capture_app.core.evidence.screenshot as screenshot

    def cannot_start():
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(grab_process, "ChildCapture", cannot_start)
    monkeypatch.setattr(screenshot, "EarlyCapture", lambda: "thread")
    assert start_early_capture({"DISPLAY": ":0"}) == "thread"


def test_the_packaged_app_starts_itself_with_the_sub_command(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert child_command() == [sys.executable, "grab-screen"]


def test_the_reason_the_process_could_not_grab_reaches_the_app(monkeypatch):
    # The real child, pointed at a display that does not exist.
    monkeypatch.setenv("DISPLAY", ":4711")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    capture = ChildCapture()
    with pytest.raises(ScreenshotError) as caught:
        capture.result(30)
    assert caught.value.key == "screenshot.no_display"
    assert "Cannot connect to display" in caught.value.params["detail"]
    assert gone(capture.pid)


def test_a_process_that_ends_without_an_answer_is_a_screenshot_that_failed():
    capture = ChildCapture(python("raise SystemExit(3)"))
    with pytest.raises(ScreenshotError) as caught:
        capture.result(30)
    assert caught.value.key == "screenshot.failed"
    assert "ended without an answer" in caught.value.params["detail"]
    with pytest.raises(ScreenshotError):  # asked again: the same answer, nothing left open
        capture.result(30)


def test_a_process_that_does_not_answer_in_time_is_ended():
    capture = ChildCapture(python("import time; time.sleep(60)"))
    started = time.monotonic()
    with pytest.raises(ScreenshotError) as caught:
        capture.result(0.5)
    assert time.monotonic() - started < 10
    assert caught.value.params["detail"] == "no answer after 0.5 s"
    assert gone(capture.pid)


def test_a_capture_not_wanted_after_all_ends_its_process():
    capture = ChildCapture(python("import time; time.sleep(60)"))
    capture.discard()
    assert gone(capture.pid)
    with pytest.raises(ScreenshotError):
        capture.result(1)


def test_a_process_that_claims_more_pixels_than_it_wrote_is_refused_not_read():
    # Mapping the in-memory file beyond what was written would crash the app on the first read.
    liar = answering(repr('{"width": 10, "height": 10, "left": 0, "top": 0, "monitors": [], '
                          '"taken_at": "2026-12-07T10:00:00+00:00"}\n'), pixels="bytes(4)")
    with pytest.raises(ScreenshotError) as caught:
        ChildCapture(liar).result(30)
    assert caught.value.params["detail"] == "4 bytes of pixels instead of 400"


def test_the_pixels_come_over_as_written_with_the_pictures_facts():
    painter = answering(repr('{"width": 2, "height": 3, "left": -2, "top": 5, "monitors": '
                             '[{"index": 1, "left": -2, "top": 5, "width": 2, "height": 3, '
                             '"primary": true, "name": "M1"}], '
                             '"taken_at": "2026-12-07T10:00:00+00:00"}\n'), pixels="bytes(range(24))")
    capture = ChildCapture(painter)
    shot = capture.result(30)
    assert (shot.width, shot.height, shot.left, shot.top) == (2, 3, -2, 5)
    assert bytes(shot.pixels) == bytes(range(24))
    assert [(m.index, m.width, m.primary, m.name) for m in shot.monitors] == [(1, 2, True, "M1")]
    assert shot.taken_at.isoformat() == "2026-12-07T10:00:00+00:00"
    assert shot.rgb() == bytes(x for p in range(6) for x in (4 * p + 2, 4 * p + 1, 4 * p))
    assert capture.result(1) is shot and gone(capture.pid)


@pytest.mark.parametrize("line", [
    "this is not json\n",
    '{"width": "wide", "height": 1}\n',
    '{"width": 1}\n',  # facts missing
    '{"width": -1, "height": 1, "left": 0, "top": 0, "monitors": [], '
    '"taken_at": "2026-12-07T10:00:00+00:00"}\n',
    '{"width": 1, "height": 1, "left": 0, "top": 0, "monitors": [{"index": 1, "colour": 3}], '
    '"taken_at": "2026-12-07T10:00:00+00:00"}\n',
    '{"width": 1, "height": 1, "left": 0, "top": 0, "monitors": [], '
    '"taken_at": "2026-12-07T10:00:00"}\n',  # a moment without its zone
    '{"error": "config.broken", "params": {}}\n',  # not a screenshot's reason
    '[1, 2, 3]\n',
])
def test_an_answer_the_app_cannot_read_is_a_screenshot_that_failed_not_a_crash(line):
    capture = ChildCapture(answering(repr(line), pixels="bytes(4)"))
    with pytest.raises(ScreenshotError) as caught:
        capture.result(30)
    assert caught.value.key == "screenshot.failed"
    assert caught.value.params["detail"].startswith("unreadable answer from the screenshot process")
    assert caught.value.message()  # the wizard can say it
    assert gone(capture.pid)


def test_an_answer_that_never_ends_is_cut_off():
    capture = ChildCapture(answering("'x' * 200_000", pixels="bytes(4)"))  # no end of line, ever
    with pytest.raises(ScreenshotError) as caught:
        capture.result(30)
    assert caught.value.params["detail"] == "unreadable answer from the screenshot process"
    assert gone(capture.pid)
