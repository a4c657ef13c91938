"""Screenshots in the running app on a real X server (Xvfb): exact pixels, our windows absent.

Each case runs the app in its own process on the xcb platform (this test process uses Qt's
offscreen platform), against one wide Xvfb screen split into two RandR monitors of different
sizes, showing a known random pattern.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from png_reader import decode_rgb_png
from xdisplay import XServer, pattern, stop, sub_image, xcb_env

from capture_app.core.report.drafts import DraftStore

pytestmark = pytest.mark.gui

WIDTH, HEIGHT = 1600, 600
MONITORS = [(1000, 600, 0, 0), (600, 400, 1000, 100)]
CHILD = Path(__file__).with_name("capture_child.py")


@pytest.fixture(scope="module")
def desktop():
    with XServer(WIDTH, HEIGHT, monitors=MONITORS) as server:
        picture = pattern(WIDTH, HEIGHT, seed=33)
        server.paint(picture, WIDTH, HEIGHT)
        yield server, picture


def run_child(server, home: Path, *args: str, **env: str) -> dict:
    result = subprocess.run([sys.executable, str(CHILD), *args], capture_output=True, text=True,
                            timeout=120, env=xcb_env(server.display, REPORT_CAPTURE_HOME=str(home),
                                                     **env))
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert result.returncode == 0 and lines, result.stderr[-3000:] + result.stdout[-2000:]
    return json.loads(lines[-1])


def test_capture_app_report_captures_the_screen_before_its_window_appears(desktop, tmp_path):
    """While the wizard is open, its draft holds the screen as it was before the window came.
    (Read from the running app: a wizard closed untouched takes its draft with it.)"""
    server, picture = desktop
    home = tmp_path / "home"
    app = subprocess.Popen([sys.executable, "-m", "capture_app", "report"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           env=xcb_env(server.display, REPORT_CAPTURE_HOME=str(home)))
    try:
        data = _start_screenshot_of_the_open_draft(home, app)
    finally:
        stop(app)
        if app.stderr:
            app.stderr.close()
    width, height, pixels = decode_rgb_png(data)
    assert (width, height) == (WIDTH, HEIGHT)
    assert pixels == picture  # exactly the screen as it was: no window of ours in it


@pytest.mark.parametrize("command", [
    None,  # from the sources: python -m capture_app.core.evidence.grab_process
    [sys.executable, "-m", "capture_app", "grab-screen"],  # the packaged app's sub-command
])
def test_the_screenshot_process_hands_over_the_screen_and_its_monitors(desktop, command,
                                                                       monkeypatch):
    from capture_app.core.evidence.grab_process import ChildCapture

    server, picture = desktop
    monkeypatch.setenv("DISPLAY", server.display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    capture = ChildCapture(command)
    shot = capture.result(60)
    assert (shot.width, shot.height, shot.left, shot.top) == (WIDTH, HEIGHT, 0, 0)
    assert shot.rgb() == picture
    assert [(m.width, m.height, m.left, m.top) for m in shot.monitors] == MONITORS
    assert shot.taken_at.tzinfo is not None
    with pytest.raises(ProcessLookupError):  # the process has ended and been collected
        os.kill(capture.pid, 0)


def _start_screenshot_of_the_open_draft(home: Path, app: subprocess.Popen) -> bytes:
    deadline = time.monotonic() + 90
    db = _paths_for(home).drafts_db
    while time.monotonic() < deadline:
        assert app.poll() is None, app.stderr.read()[-3000:] if app.stderr else "the app ended"
        if db.exists():
            with DraftStore(_paths_for(home)) as store:
                drafts = store.list_drafts()
                report = store.load(drafts[0].id) if drafts else None
                if report is not None and report.evidence:
                    (item,) = report.evidence
                    assert item.kind == "screenshot"
                    assert item.title.startswith("Bildschirm beim Melden")
                    return store.attachment_path(report.id, item.id).read_bytes()
        time.sleep(0.2)
    raise AssertionError("the open wizard's draft never held the start screenshot")


def _paths_for(home: Path):
    from capture_app.core.platform.paths import AppPaths

    return AppPaths(home / "data", home / "config", home / "system" / "config.toml")


def test_a_later_capture_hides_the_wizard_and_shows_it_again(desktop, tmp_path):
    server, picture = desktop
    result = run_child(server, tmp_path / "home", "desktop")
    assert result["wizard_visible_at_grab"] is False
    assert result["wizard_visible_after"] is True
    width, height, pixels = decode_rgb_png(Path(result["file"]).read_bytes())
    assert (width, height) == (WIDTH, HEIGHT) and pixels == picture


def test_one_monitor_of_two_is_captured_with_its_own_geometry(desktop, tmp_path):
    server, picture = desktop
    result = run_child(server, tmp_path / "home", "monitor2")
    assert "Bildschirm 2: M2 (600 × 400)" in result["menu"]
    assert result["title"].startswith("Bildschirm 2 ")
    width, height, pixels = decode_rgb_png(Path(result["file"]).read_bytes())
    assert (width, height) == (600, 400)
    assert pixels == sub_image(picture, WIDTH, 1000, 100, 600, 400)


def test_a_region_on_a_scaled_screen_is_cut_at_true_pixels(desktop, tmp_path):
    """Qt at 200 %: the agent drags in logical units, the picture keeps its physical pixels."""
    server, picture = desktop
    result = run_child(server, tmp_path / "home", "region", "10", "10", "60", "40",
                       QT_SCALE_FACTOR="2")
    # Qt sees two half-size screens; each got its own overlay.
    assert [s[2:] for s in result["screens"]] == [[500, 300, 2.0], [300, 200, 2.0]]
    assert sorted(o[2:] for o in result["overlays"]) == [[300, 200], [500, 300]]
    assert result["readout"] == "100 × 60 Pixel"
    width, height, pixels = decode_rgb_png(Path(result["file"]).read_bytes())
    assert (width, height) == (100, 60)
    # Logical (10, 10) on the second monitor = physical (1000 + 20, 100 + 20).
    assert pixels == sub_image(picture, WIDTH, 1020, 120, 100, 60)
