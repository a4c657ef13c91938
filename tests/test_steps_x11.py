"""The step recorder on a real X server: xdotool clicks and types into real application windows.

Xvfb has one wide screen split into two RandR monitors (1000×600 and 600×400 beside it) and
openbox manages the windows; the recorder listens through the RECORD extension and writes into
a real draft store.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from png_reader import decode_rgb_png
from steps_desktop import Desktop
from xdisplay import stop

from capture_app.core.evidence.step_hooks import XRecordHooks
from capture_app.core.evidence.step_windows import X11Platform
from capture_app.core.evidence.steps import StepRecorder, add_step, describe
from capture_app.core.report.drafts import DraftStore
from capture_app.core.report.model import Report, Step

ATSPI_CHILD = Path(__file__).with_name("steps_atspi_child.py")

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def desktop():
    with Desktop() as desk:
        yield desk


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


def test_the_clicked_elements_name_and_role_come_from_the_accessibility_bus(desktop):
    session = shutil.which("dbus-run-session")
    assert session, "dbus-run-session is missing (Debian package dbus-daemon)"
    env = desktop.env()
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    result = subprocess.run([session, "--", sys.executable, str(ATSPI_CHILD)], env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    steps = json.loads(result.stdout.strip().splitlines()[-1])
    assert [(s["window_title"], s["element_name"], s["element_role"]) for s in steps] == [
        ("Termin speichern", "Speichern", "push button"), ("Termin speichern", "", "")]
    assert describe(Step(**steps[0])) == "Klick auf „Speichern“ (push button) in ‹Termin speichern›"
