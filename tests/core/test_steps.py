"""The step recorder's decisions: what becomes a step, what is counted, what is never kept.

The desktop is a stand-in here (the X11 adapter is tested on a real X server in
tests/test_steps_x11.py); the pictures go through the real draft store.
"""
from __future__ import annotations

import dataclasses
import threading
from datetime import datetime, timezone

import pytest
from png_reader import decode_rgb_png

from capture_app.core.evidence.screenshot import Capture
from capture_app.core.evidence.screenshot_evidence import insert_item
from capture_app.core.evidence.steps import (
    Shot,
    StepLimits,
    StepRecorder,
    WindowInfo,
    delete_steps,
    describe,
    mark_click,
    shortcut_name,
    steps_text,
)
from capture_app.core.platform.config import Config
from capture_app.core.report.drafts import DraftStore
from capture_app.core.report.model import Report, Step, new_id

MOMENT = datetime(2026, 11, 27, 13, 3, 12, tzinfo=timezone.utc)
OWN_PID = 4242


class Desk:
    """Two monitors side by side, each 40×30; windows by x range."""

    def __init__(self) -> None:
        self.windows = [(0, 40, WindowInfo("Termin anlegen – Portal", "firefox", 100)),
                        (40, 60, WindowInfo("Schritte aufzeichnen", "capture-app", OWN_PID)),
                        (60, 80, WindowInfo("Outlook", "outlook", 101))]
        self.active = self.windows[0][2]
        self.grabs = 0

    def window_at(self, x: int, y: int) -> WindowInfo:
        return next((w for lo, hi, w in self.windows if lo <= x < hi), WindowInfo())

    def active_window(self) -> WindowInfo:
        return self.active

    def element_at(self, x: int, y: int, window: WindowInfo) -> tuple[str, str]:
        return ("Speichern", "Schaltfläche") if window.application == "firefox" else ("", "")

    def grab_monitor_at(self, x: int, y: int) -> Shot:
        self.grabs += 1
        left = 0 if x < 40 else 40
        return Shot(Capture(40, 30, bytes([200, 200, 200, 255]) * 1200, left, 0), 1 if x < 40 else 2)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(app_paths):
    with DraftStore(app_paths) as draft_store:
        yield draft_store


def recorder(store, report, desk=None, clock=None, **limits):
    got: list[Step] = []
    lock = threading.Lock()

    def on_step(step, item):
        with lock:
            from capture_app.core.evidence.steps import add_step
            add_step(report, step, item)
            store.save(report)
            got.append(step)

    rec = StepRecorder(report.id, desk or Desk(), store.store_attachment, on_step,
                       limits=StepLimits(**limits), own_pid=OWN_PID, clock=lambda: MOMENT,
                       monotonic=clock or Clock())
    return rec


def test_each_click_is_a_step_with_window_monitor_element_and_a_marked_picture(store):
    report = Report.new(now=MOMENT)
    rec = recorder(store, report)
    rec.start()
    rec.click(10, 12)
    rec.click(70, 5, "right")
    rec.stop()
    saved = store.load(report.id)
    assert [(s.number, s.kind, s.window_title, s.application, s.monitor, s.x, s.y, s.button)
            for s in saved.steps] == [
        (1, "click", "Termin anlegen – Portal", "firefox", 1, 10, 12, "left"),
        (2, "click", "Outlook", "outlook", 2, 70, 5, "right")]
    assert describe(saved.steps[0]) == "Klick auf „Speichern“ (Schaltfläche) in ‹Termin anlegen – Portal›"
    assert describe(saved.steps[1], "en") == "Right-click in ‹Outlook›"
    first = saved.evidence_item(saved.steps[0].picture)
    assert first is not None and first.kind == "step"
    width, height, rgb = decode_rgb_png(store.attachment_path(report.id, first.id).read_bytes())
    assert (width, height) == (40, 30)
    marker = rgb[(12 * 40 + 10 + 14) * 3:(12 * 40 + 10 + 14) * 3 + 3]  # on the ring
    centre = rgb[(12 * 40 + 10) * 3:(12 * 40 + 10) * 3 + 3]
    assert marker == bytes([0xE0, 0, 0]) and centre == bytes([200, 200, 200])


def test_clicks_faster_than_the_capture_rate_are_one_step_without_a_second_picture(store):
    report = Report.new(now=MOMENT)
    desk, clock = Desk(), Clock()
    rec = recorder(store, report, desk, clock, min_interval=0.5)
    rec.start()
    rec.click(10, 10)
    clock.now += 0.2
    rec.click(10, 10)
    clock.now += 2
    rec.click(12, 10)
    rec.stop()
    saved = store.load(report.id)
    assert [s.clicks for s in saved.steps] == [2, 1]
    assert describe(saved.steps[0]).startswith("Doppelklick auf")
    assert desk.grabs == 2 and len([e for e in saved.evidence if e.kind == "step"]) == 2


def test_typing_keeps_the_number_of_keys_never_the_keys(store):
    report = Report.new(now=MOMENT)
    rec = recorder(store, report)
    rec.start()
    for key in "geheim123":
        rec.key(key, True)
        rec.key(key, False)
    rec.click(10, 10)
    rec.stop()
    saved = store.load(report.id)
    assert [(s.kind, s.keys) for s in saved.steps] == [("typing", 9), ("click", 0)]
    assert describe(saved.steps[0]) == "Eingabe in ‹Termin anlegen – Portal› (9 Tasten)"
    assert describe(dataclasses.replace(saved.steps[0], keys=1), "de").endswith("(1 Taste)")
    stored = store.paths.drafts_db.read_bytes() + b"".join(
        p.read_bytes() for p in store.paths.drafts_db.parent.glob("*-wal"))
    assert b"geheim" not in stored


def test_shortcuts_are_named_and_shift_or_altgr_still_type(store):
    report = Report.new(now=MOMENT)
    rec = recorder(store, report)
    rec.start()
    for events in (["ctrl", "c"], ["alt", "tab"], ["shift", "a"], ["alt_gr", "q"], ["f5"]):
        for key in events:
            rec.key(key, True)
        for key in reversed(events):
            rec.key(key, False)
    rec.stop()
    saved = store.load(report.id)
    assert [(s.kind, s.shortcut, s.keys) for s in saved.steps] == [
        ("shortcut", "Ctrl+C", 0), ("shortcut", "Alt+Tab", 0), ("typing", "", 2),
        ("shortcut", "F5", 0)]
    assert shortcut_name({"shift", "ctrl"}, "t") == "Ctrl+Shift+T"
    assert describe(saved.steps[0]) == "Tastenkombination Strg+C in ‹Termin anlegen – Portal›"
    assert describe(saved.steps[0], "en") == "Shortcut Ctrl+C in ‹Termin anlegen – Portal›"


def test_own_windows_and_paused_time_are_not_recorded(store):
    report = Report.new(now=MOMENT)
    desk = Desk()
    rec = recorder(store, report, desk)
    rec.start()
    rec.click(50, 10)  # the recorder's own control
    rec.pause()
    rec.click(10, 10)
    rec.key("x")
    rec.resume()
    desk.active = desk.windows[1][2]
    rec.key("k")  # typing a comment into the control
    rec.comment("Jetzt kommt der Fehler")
    rec.click(70, 10)
    rec.stop()
    saved = store.load(report.id)
    assert [(s.kind, s.window_title or s.comment) for s in saved.steps] == [
        ("comment", "Jetzt kommt der Fehler"), ("click", "Outlook")]
    assert desk.grabs == 1


def test_recording_ends_at_the_step_limit_and_at_the_time_limit(store):
    report = Report.new(now=MOMENT)
    stopped: list[str] = []
    rec = recorder(store, report, max_steps=3)
    rec.on_stopped = stopped.append
    clock = rec.monotonic
    rec.start()
    for n in range(5):
        clock.now += 1
        rec.click(10 + n, 10)
    rec._worker.join(10)
    assert rec.state == "stopped" and rec.stop_reason == "max_steps" and stopped == ["max_steps"]
    assert len(store.load(report.id).steps) == 3

    timed = recorder(store, Report.new(now=MOMENT), max_seconds=60)
    timed.start()
    timed.monotonic.now += 30
    timed.pause()
    timed.monotonic.now += 600  # paused time does not count
    timed.resume()
    assert not timed.check_time()
    timed.monotonic.now += 31
    assert timed.check_time() and timed.stop_reason == "max_time"
    timed.stop()  # waits for its worker to end


def test_limits_come_from_the_settings_and_an_organisation_can_lock_them(app_paths):
    org = app_paths.system_config_file
    org.parent.mkdir(parents=True, exist_ok=True)
    org.write_text('locked = ["steps"]\n[steps]\nenabled = false\nmax_steps = 20\n',
                   encoding="utf-8")
    config = Config.load(app_paths)
    assert config.get("steps.enabled") is False and config.is_locked("steps.enabled")
    limits = StepLimits.from_config(config)
    assert (limits.max_steps, limits.max_seconds, limits.min_interval) == (20, 900, 0.5)


def test_deleting_steps_renumbers_the_rest_and_their_pictures_and_edits_follow(store):
    report = Report.new(now=MOMENT)
    rec = recorder(store, report)
    rec.start()
    for x in (1, 61, 2):
        rec.monotonic.now += 1
        rec.click(x, 1)
    rec.stop()
    second_picture = report.steps[1].picture
    gone = delete_steps(report, {1})
    assert len(gone) == 1 and [s.number for s in report.steps] == [1, 2]
    assert report.evidence_item(second_picture).filename == "schritt-001.png"
    redacted = dataclasses.replace(report.evidence_item(second_picture), id=new_id())
    insert_item(report, redacted, replacing=second_picture)  # what the editor's save does
    assert report.steps[0].picture == redacted.id
    assert steps_text(report).splitlines() == ["1. Klick in ‹Outlook›",
                                               "2. Klick auf „Speichern“ (Schaltfläche) in ‹Termin anlegen – Portal›"]


def test_the_marker_is_clipped_at_the_picture_edge():
    capture = Capture(10, 10, bytes(400), 100, 50)
    pixels = mark_click(capture, 100, 50)  # the corner
    assert len(pixels) == 400 and pixels != bytes(400)


def test_the_bundle_has_the_steps_as_a_list_a_step_by_step_page_and_pictures_in_steps(store, tmp_path):
    import json
    import zipfile

    import jsonschema

    from capture_app import __version__
    from capture_app.core.platform.resources import read_text
    from capture_app.core.sending.bundle import build_bundle, review_items

    report = Report.new(now=MOMENT, agent_timezone="Europe/Berlin")
    rec = recorder(store, report)
    rec.start()
    rec.click(10, 12)
    for key in "abc":
        rec.key(key)
    rec.comment("Hier erscheint der Fehler")
    rec.monotonic.now += 1
    rec.click(70, 5)
    rec.stop()
    from capture_app.core.privacy.screenshot_pii import unchecked

    # Prüfen reads the step pictures for personal data like every screenshot.
    assert {item.id for item in unchecked(report)} == {s.picture for s in report.steps if s.picture}
    report.evidence_item(report.steps[-1].picture).excluded = True  # the agent left one out
    locate = lambda item: store.attachment_path(report.id, item.id)  # noqa: E731
    listed = {entry.name: entry.excluded for entry in review_items(report, locate, "de")}
    assert listed["steps/schritt-001.png"] is False and listed["steps/schritt-004.png"] is True
    info = build_bundle(report, locate, tmp_path / "b.zip", app_version=__version__, language="de")
    with zipfile.ZipFile(info.path) as archive:
        files = set(archive.namelist())
        text = archive.read("report.txt").decode()
        page = archive.read("report.html").decode()
        sent = json.loads(archive.read("report.json"))
    assert {"steps/schritt-001.png"} == {name for name in files if name.startswith("steps/")}
    assert "1. 14:03:12 — Klick auf „Speichern“ (Schaltfläche) in ‹Termin anlegen – Portal›\n" \
           "    Bild: steps/schritt-001.png" in text
    assert "2. 14:03:12 — Eingabe in ‹Termin anlegen – Portal› (3 Tasten)" in text
    assert "3. 14:03:12 — Kommentar: Hier erscheint der Fehler" in text
    assert "4. 14:03:12 — Klick in ‹Outlook›" in text and "schritt-004" not in text
    assert '<img src="steps/schritt-001.png"' in page and "data:image" not in page
    assert page.count("<li id=\"step-") == 4
    jsonschema.Draft202012Validator(json.loads(read_text("report.schema.json"))).validate(sent)
    assert [s["kind"] for s in sent["steps"]] == ["click", "typing", "comment", "click"]


def test_python_switches_threads_faster_only_while_recording(store):
    import sys

    before = sys.getswitchinterval()
    first, second = recorder(store, Report.new(now=MOMENT)), recorder(store, Report.new(now=MOMENT))
    first.start()
    second.start()
    assert sys.getswitchinterval() <= 0.0005
    first.stop()
    assert sys.getswitchinterval() <= 0.0005  # the other one still records
    second.stop()
    assert sys.getswitchinterval() == before


def test_clicks_are_told_apart_by_their_own_time_when_the_desktop_gives_one(store):
    report = Report.new(now=MOMENT)
    rec = recorder(store, report, min_interval=0.5)  # the arrival clock stands still
    rec.start()
    rec.click(10, 10, "left", 5000.0)
    rec.click(10, 10, "left", 5000.2)  # a double-click
    rec.click(30, 10, "left", 5001.0)  # arrived at the same moment, clicked a second later
    rec.stop()
    assert [s.clicks for s in store.load(report.id).steps] == [2, 1]


def test_a_duplicated_draft_keeps_each_steps_picture(store):
    report = Report.new(now=MOMENT)
    rec = recorder(store, report)
    rec.start()
    rec.click(10, 12)
    rec.comment("danach")
    rec.stop()
    copy = store.duplicate(report.id)
    (click, comment) = copy.steps
    picture = copy.evidence_item(click.picture)
    assert picture is not None and picture.kind == "step" and picture.id != report.steps[0].picture
    assert store.attachment_path(copy.id, picture.id).is_file() and comment.picture == ""
