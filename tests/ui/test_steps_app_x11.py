"""Schritte aufzeichnen in the running app on a real X server, from the button to the bundle.

The app runs in its own process on the xcb platform (tests/ui/steps_child.py), beside a real
application window on the second of two RandR monitors; xdotool clicks and types like the agent.
Also at 150 % (QT_SCALE_FACTOR=1.5): positions are the desktop's physical pixels either way.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from steps_desktop import Desktop
from xdisplay import stop

from capture_app.core.platform.paths import AppPaths
from capture_app.core.report.drafts import DraftStore

pytestmark = pytest.mark.gui

CHILD = Path(__file__).with_name("steps_child.py")
TARGET_TITLE = "Termin anlegen – Testportal"


@pytest.fixture(scope="module")
def desktop():
    with Desktop() as desk:
        yield desk


@pytest.fixture
def target(desktop):
    process, geometry = desktop.app(TARGET_TITLE, 1100, 180, 400, 260)
    yield geometry
    stop(process)


class App:
    """The app under test, following commands written to a file."""

    def __init__(self, desk: Desktop, home: Path, **env: str) -> None:
        self.home = home
        self.commands = home / "commands.txt"
        home.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), str(self.commands)], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=desk.env(REPORT_CAPTURE_HOME=str(home), **env))
        self.started = self.answer()
        assert self.started.get("event") == "recording", self.started

    def answer(self) -> dict:
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise AssertionError("the app ended: " + self.process.stderr.read()[-3000:])
            if line.startswith("{"):
                return json.loads(line)

    def send(self, command: str) -> dict:
        with self.commands.open("a", encoding="utf-8") as handle:
            handle.write(command + "\n")
        return self.answer()

    def wait_state(self, state: str, timeout: float = 30) -> dict:
        """The recorder's state once it is ``state`` (a click on the control reaches the app's
        event loop on its own time)."""
        deadline = time.monotonic() + timeout
        while True:
            answer = self.send("state")
            if answer["state"] == state or time.monotonic() > deadline:
                return answer
            time.sleep(0.1)

    def draft(self):
        paths = AppPaths(self.home / "data", self.home / "config", self.home / "system" / "config.toml")
        with DraftStore(paths) as store:
            (summary,) = store.list_drafts()
            return store, store.load(summary.id)

    def wait_for_steps(self, count: int, timeout: float = 60) -> list:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, self.process.stderr.read()[-3000:]
            _, report = self.draft()
            if len(report.steps) >= count:
                return report.steps
            assert time.monotonic() < deadline, report.steps
            time.sleep(0.1)

    def close(self) -> None:
        stop(self.process)
        for stream in (self.process.stdout, self.process.stderr):
            stream.close()


@pytest.mark.parametrize("scale", ["1", "1.5"])
def test_recording_in_the_app_to_the_exported_bundle(desktop, target, tmp_path, scale):
    app = App(desktop, tmp_path / "home", QT_SCALE_FACTOR=scale)
    try:
        own = [desktop.window(app.started["control"]), desktop.window(app.started["wizard"])]
        first = (target["x"] + 60, target["y"] + 30)
        desktop.click(*first)
        app.wait_for_steps(1)
        desktop.xdotool("type", "--delay", "30", "Termin")
        for window in own:  # the app's own windows: the control and the wizard
            desktop.click(window["x"] + 10, window["y"] + 10)
        desktop.click(*app.started["pause"])  # the control's own button: no step either
        paused = app.wait_state("paused")
        assert paused["state"] == "paused" and "Pausiert" in paused["indicator"]
        desktop.click(target["x"] + 300, target["y"] + 200)
        desktop.click(*app.started["pause"])  # now "Fortsetzen"
        recording = app.wait_state("recording")
        assert recording["state"] == "recording" and "Aufzeichnung läuft" in recording["indicator"]
        app.send("comment Jetzt kommt die Fehlermeldung")
        second = (target["x"] + 150, target["y"] + 150)
        desktop.click(*second)
        app.wait_for_steps(4)
        desktop.click(*app.started["stop"])
        stopped = app.wait_state("stopped")
        assert stopped["state"] == "stopped" and stopped["control_gone"]
        (tmp_path / "out").mkdir()
        exported = app.send(f"export {tmp_path / 'out'}")
        assert exported["error"] is None
    finally:
        app.close()
    lines = exported["steps_field"].splitlines()
    assert lines == [f"1. Klick in ‹{TARGET_TITLE}›", f"2. Eingabe in ‹{TARGET_TITLE}› (6 Tasten)",
                     "3. Kommentar: Jetzt kommt die Fehlermeldung", f"4. Klick in ‹{TARGET_TITLE}›"]
    with zipfile.ZipFile(exported["bundle"]) as bundle:
        names = set(bundle.namelist())
        sent = json.loads(bundle.read("report.json"))
        text = bundle.read("report.txt").decode()
        page = bundle.read("report.html").decode()
    assert {n for n in names if n.startswith("steps/")} == {"steps/schritt-001.png", "steps/schritt-004.png"}
    clicks = [(s["x"], s["y"], s["monitor"]) for s in sent["steps"] if s["kind"] == "click"]
    assert clicks == [(*first, 2), (*second, 2)]
    assert "Bild: steps/schritt-004.png" in text and '<img src="steps/schritt-001.png"' in page


def test_a_killed_app_keeps_the_steps_recorded_so_far(desktop, target, tmp_path):
    app = App(desktop, tmp_path / "home")
    try:
        desktop.click(target["x"] + 40, target["y"] + 40)
        desktop.click(target["x"] + 80, target["y"] + 120)
        app.wait_for_steps(2)
        os.kill(app.process.pid, signal.SIGKILL)
        app.process.wait(10)
    finally:
        app.close()
    store, report = app.draft()
    assert [(s.number, s.kind, s.window_title) for s in report.steps] == [
        (1, "click", TARGET_TITLE), (2, "click", TARGET_TITLE)]
    for step in report.steps:
        item = report.evidence_item(step.picture)
        assert store.attachment_path(report.id, item.id).stat().st_size == item.size


def test_closing_the_wizard_ends_recording_with_its_steps_saved(desktop, target, tmp_path):
    app = App(desktop, tmp_path / "home")
    try:
        desktop.click(target["x"] + 40, target["y"] + 40)
        desktop.xdotool("type", "--delay", "30", "abc")
        closed = app.send("close")
        assert closed == {"event": "close", "state": "stopped", "control_gone": True,
                          "hooks_gone": True}
        desktop.click(target["x"] + 80, target["y"] + 120)  # no longer recorded
        time.sleep(1)
        _, report = app.draft()
    finally:
        app.close()
    assert [(s.kind, s.keys) for s in report.steps] == [("click", 0), ("typing", 3)]
