"""The step recorder on a real X server: xdotool clicks and types into real application windows.

Xvfb has one wide screen split into two RandR monitors (1000×600 and 600×400 beside it) and
openbox manages the windows; the recorder listens through the RECORD extension and writes into
a real draft store.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from png_reader import decode_rgb_png
from xdisplay import start_xvfb, stop

from capture_app.core.evidence.step_hooks import X11Platform, XRecordHooks
from capture_app.core.evidence.steps import StepRecorder, add_step
from capture_app.core.report.drafts import DraftStore
from capture_app.core.report.model import Report

pytestmark = pytest.mark.gui

TARGET = Path(__file__).with_name("steps_target_app.py")
MONITORS = [(1000, 600, 0, 0), (600, 400, 1000, 100)]


class Desktop:
    def __init__(self) -> None:
        self.display = ""
        self.processes: list[subprocess.Popen] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, DISPLAY=self.display, QT_QPA_PLATFORM="xcb", **extra)
        for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "QT_SCALE_FACTOR"):
            if name not in extra:
                env.pop(name, None)
        return env

    def start(self) -> Desktop:
        for tool in ("openbox", "xdotool", "xrandr", "xprop"):
            assert shutil.which(tool), f"{tool} is missing: `python3 dev.py test` installs it"
        server, self.display = start_xvfb(1600, 600)
        self.processes.append(server)
        for index, (w, h, x, y) in enumerate(MONITORS):
            subprocess.run(["xrandr", "--setmonitor", f"M{index + 1}", f"{w}/{w // 4}x{h}/{h // 4}+{x}+{y}",
                            "screen" if index == 0 else "none"], env=self.env(), check=True,
                           capture_output=True, timeout=20)
        self.processes.append(subprocess.Popen(["openbox"], env=self.env(), stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 30
        while "window id" not in subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"],
                                                env=self.env(), capture_output=True, text=True,
                                                timeout=20).stdout:
            assert time.monotonic() < deadline, "openbox did not start"
            time.sleep(0.05)
        return self

    def app(self, title: str, x: int, y: int, width: int = 360, height: int = 240,
            **env: str) -> tuple[subprocess.Popen, dict[str, int]]:
        """A real Qt application window; its client area's place on the desktop."""
        process = subprocess.Popen([sys.executable, str(TARGET), title, str(x), str(y), str(width),
                                    str(height)], env=self.env(**env), stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        self.processes.append(process)
        assert process.stdout.readline().strip() == "ready"
        wid = self.xdotool("search", "--sync", "--name", title).split()[0]
        shell = self.xdotool("getwindowgeometry", "--shell", wid)
        geometry = {k.lower(): int(v) for k, v in (line.split("=") for line in shell.split())
                    if k in ("X", "Y", "WIDTH", "HEIGHT", "WINDOW")}
        return process, geometry

    def xdotool(self, *args: str) -> str:
        return subprocess.run(["xdotool", *args], env=self.env(), capture_output=True, text=True,
                              timeout=30, check=True).stdout

    def click(self, x: int, y: int) -> None:
        """One click; the next comes after the capture rate (faster ones are one step)."""
        self.xdotool("mousemove", str(x), str(y), "click", "1")
        time.sleep(0.6)

    def stop(self) -> None:
        for process in reversed(self.processes):
            stop(process)
            if process.stdout:
                process.stdout.close()


@pytest.fixture(scope="module")
def desktop():
    desk = Desktop().start()
    try:
        yield desk
    finally:
        desk.stop()


@pytest.fixture
def store(app_paths):
    with DraftStore(app_paths) as draft_store:
        yield draft_store


class Recording:
    """The recorder as the app runs it: hooks → recorder → every step saved with the draft."""

    def __init__(self, desk: Desktop, store: DraftStore, own_pid: int | None = None) -> None:
        self.store = store
        self.report = Report.new()
        store.save(self.report)
        self.recorder = StepRecorder(self.report.id, X11Platform(desk.display),
                                     store.store_attachment, self._saved,
                                     own_pid=os.getpid() if own_pid is None else own_pid)
        self.hooks = XRecordHooks(self.recorder.click, self.recorder.key, desk.display)

    def _saved(self, step, item) -> None:
        add_step(self.report, step, item)
        self.store.save(self.report)

    def __enter__(self) -> Recording:
        self.hooks.start()
        self.recorder.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.hooks.stop()
        self.recorder.stop()

    def wait_for(self, count: int, timeout: float = 30) -> None:
        """Until ``count`` steps are in the saved draft (events arrive from the X server)."""
        deadline = time.monotonic() + timeout
        while len(self.store.load(self.report.id).steps) < count:
            assert time.monotonic() < deadline, self.store.load(self.report.id).steps
            time.sleep(0.05)


def test_clicks_on_two_monitors_become_steps_with_window_title_and_position(desktop, store):
    left, left_geo = desktop.app("Termin anlegen – Testportal", 100, 100)
    right, right_geo = desktop.app("Kalender Outlook", 1100, 150)
    try:
        with Recording(desktop, store) as rec:
            desktop.click(left_geo["x"] + 40, left_geo["y"] + 30)
            rec.wait_for(1)
            desktop.click(right_geo["x"] + 200, right_geo["y"] + 100)
            rec.wait_for(2)
    finally:
        stop(left)
        stop(right)
    saved = store.load(rec.report.id)
    assert [(s.kind, s.window_title, s.application, s.monitor, s.x, s.y) for s in saved.steps] == [
        ("click", "Termin anlegen – Testportal", "steps-target", 1, left_geo["x"] + 40, left_geo["y"] + 30),
        ("click", "Kalender Outlook", "steps-target", 2, right_geo["x"] + 200, right_geo["y"] + 100)]
    # The second picture is the second monitor alone, the click marked at its place there.
    item = saved.evidence_item(saved.steps[1].picture)
    width, height, rgb = decode_rgb_png(store.attachment_path(saved.id, item.id).read_bytes())
    assert (width, height) == (600, 400)
    mx, my = right_geo["x"] + 200 - 1000 + 14, right_geo["y"] + 100 - 100
    assert rgb[(my * width + mx) * 3:(my * width + mx) * 3 + 3] == bytes([0xE0, 0, 0])


def test_typing_is_counted_shortcuts_named_and_paused_clicks_left_out(desktop, store):
    app, geo = desktop.app("Formular Beratung", 200, 150)
    try:
        with Recording(desktop, store) as rec:
            desktop.click(geo["x"] + 60, geo["y"] + 30)  # into the text field
            rec.wait_for(1)
            desktop.xdotool("type", "--delay", "20", "geheim")
            desktop.xdotool("key", "ctrl+a", "alt+Tab")
            rec.wait_for(3)
            rec.recorder.pause()
            desktop.click(geo["x"] + 60, geo["y"] + 90)
            time.sleep(1)  # what the hook would have seen by now
            rec.recorder.resume()
            desktop.click(geo["x"] + 100, geo["y"] + 30)
            rec.wait_for(5)
    finally:
        stop(app)
    saved = store.load(rec.report.id)
    assert [(s.kind, s.keys, s.shortcut, s.window_title) for s in saved.steps] == [
        ("click", 0, "", "Formular Beratung"), ("typing", 6, "", "Formular Beratung"),
        ("shortcut", 0, "Ctrl+A", "Formular Beratung"), ("shortcut", 0, "Alt+Tab", "Formular Beratung"),
        ("click", 0, "", "Formular Beratung")]
    assert saved.steps[-1].x == geo["x"] + 100  # the paused click is not there


def test_clicks_on_the_recording_apps_own_windows_are_not_steps(desktop, store):
    own, own_geo = desktop.app("Schritte aufzeichnen", 600, 300, 200, 120)
    other, other_geo = desktop.app("Anderes Programm", 50, 50)
    try:
        with Recording(desktop, store, own_pid=own.pid) as rec:
            desktop.click(own_geo["x"] + 20, own_geo["y"] + 20)
            desktop.xdotool("type", "notiz")
            time.sleep(1)
            desktop.click(other_geo["x"] + 20, other_geo["y"] + 20)
            rec.wait_for(1)
            time.sleep(0.5)
    finally:
        stop(own)
        stop(other)
    saved = store.load(rec.report.id)
    assert [s.window_title for s in saved.steps] == ["Anderes Programm"]
