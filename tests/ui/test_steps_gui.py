"""The recorded steps in the wizard: the list, deleting, redacting a picture, the steps field.

Steps are made here the way the recorder makes them (core.evidence.steps.store_picture into the
real draft store); recording itself runs on a real X server in test_steps_app_x11.py.
"""
from __future__ import annotations

import random

import pytest
from editor_gestures import drag
from png_reader import decode_rgb_png
from PySide6.QtWidgets import QApplication

from capture_app.core.evidence.screenshot import Capture
from capture_app.core.evidence.steps import Shot, add_step, store_picture
from capture_app.core.report.model import Step as RecordedStep
from capture_app.core.wizard.steps import Step

W, H = 120, 80
NOISE = random.Random(7).randbytes(W * H * 4)


@pytest.fixture
def wizard(controller, qtbot):
    window = controller.new_report()
    qtbot.waitExposed(window)
    return window


def record(window, *steps: RecordedStep) -> None:
    for step in steps:
        item = None
        if step.kind == "click":
            item = store_picture(window.report.id, step, Shot(Capture(W, H, NOISE), 1),
                                 window.env.store.store_attachment)
            step.picture = item.id
        add_step(window.report, step, item)
    window.mark_dirty()
    window.flush()


def clicks(*where: str) -> list[RecordedStep]:
    return [RecordedStep(number=n, kind="click", at="2026-11-27T13:03:12+00:00", x=20, y=20,
                         button="left", window_title=title, application="firefox")
            for n, title in enumerate(where, 1)]


def open_list(window, qtbot):
    page = window.page(Step.EVIDENCE)
    page.refresh()
    assert page.step_tools.show_button.isEnabled()
    page.step_tools.show_button.click()
    dialog = page.step_tools.dialog
    qtbot.waitExposed(dialog)
    return page, dialog


def test_the_evidence_step_shows_the_steps_as_one_line_not_one_row_per_picture(wizard, qtbot):
    record(wizard, *clicks("Portal", "Kalender"))
    page = wizard.page(Step.EVIDENCE)
    page.refresh()
    assert page.table.rowCount() == 0
    assert page.step_tools.summary.text() == "2 Schritte aufgezeichnet."


def test_deleting_a_step_renumbers_the_rest_and_its_picture_leaves_the_data_folder(wizard, qtbot):
    record(wizard, *clicks("Portal", "Kalender", "Outlook"))
    store = wizard.env.store
    first_file = store.attachment_path(wizard.report.id, wizard.report.steps[0].picture)
    _page, dialog = open_list(wizard, qtbot)
    # Each step shows its picture small beside its text.
    qtbot.waitUntil(lambda: all(not dialog.table.item(r, 2).icon().isNull() for r in range(3)),
                    timeout=10_000)
    dialog.table.selectRow(0)
    dialog.delete_button.click()
    assert [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())] == [
        "Klick in ‹Kalender›", "Klick in ‹Outlook›"]
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == ["1", "2"]
    wizard.flush()
    qtbot.waitUntil(lambda: not first_file.exists(), timeout=10_000)
    saved = store.load(wizard.report.id)
    assert [(s.number, s.window_title) for s in saved.steps] == [(1, "Kalender"), (2, "Outlook")]
    assert saved.evidence_item(saved.steps[0].picture).filename == "schritt-001.png"


def test_a_step_picture_is_redacted_in_the_editor_and_stays_the_steps_picture(wizard, qtbot):
    record(wizard, *clicks("Portal"))
    old = wizard.report.steps[0].picture
    old_file = wizard.env.store.attachment_path(wizard.report.id, old)
    _page, dialog = open_list(wizard, qtbot)
    dialog.table.selectRow(0)
    assert dialog.edit_button.isEnabled()
    before = set(QApplication.topLevelWidgets())
    dialog.edit_button.click()
    from capture_app.ui.editor.dialog import EditorDialog

    qtbot.waitUntil(lambda: any(isinstance(w, EditorDialog) and w.isVisible()
                                for w in set(QApplication.topLevelWidgets()) - before), timeout=10_000)
    editor = next(w for w in QApplication.topLevelWidgets() if isinstance(w, EditorDialog)
                  and w.isVisible())
    editor.choose_tool("redact")
    drag(qtbot, editor, (60, 10), (110, 40))
    editor.save()
    qtbot.waitUntil(lambda: wizard.report.steps[0].picture != old, timeout=10_000)
    step = wizard.report.steps[0]
    item = wizard.report.evidence_item(step.picture)
    assert item.kind == "step" and item.filename == "schritt-001.png"
    wizard.flush()
    qtbot.waitUntil(lambda: not old_file.exists(), timeout=10_000)  # no unredacted copy stays
    _, _, rgb = decode_rgb_png(wizard.env.store.attachment_path(wizard.report.id, item.id).read_bytes())
    assert rgb[(20 * W + 80) * 3:(20 * W + 80) * 3 + 3] == b"\x00\x00\x00"


def test_one_click_fills_the_steps_field_and_asks_before_replacing_text(wizard, qtbot, no_dialogs):
    record(wizard, *clicks("Portal"), RecordedStep(number=2, kind="typing", at="2026-11-27T13:03:20+00:00",
                                                   window_title="Portal", keys=7))
    page = wizard.page(Step.EVIDENCE)
    page.refresh()
    page.step_tools.fill_button.click()
    assert wizard.report.description.steps == "1. Klick in ‹Portal›\n2. Eingabe in ‹Portal› (7 Tasten)"
    assert no_dialogs == []
    wizard.report.description.steps = "Termin öffnen"
    page.step_tools.fill_button.click()
    assert no_dialogs and no_dialogs[0][0] == "question"
    details = wizard.page(Step.DETAILS)
    assert details.binder.widgets["description.steps"].toPlainText().startswith("1. Klick in")


def test_the_tray_offers_recording_while_a_report_is_open(controller, qtbot):
    from capture_app.ui.hours.presence import Presence

    presence = Presence(controller, tray_available=False, notifier=object())
    assert "steps" not in [entry.key for entry in presence.entries()]
    window = controller.new_report()
    keys = [entry.key for entry in presence.entries()]
    assert keys[:2] == ["report", "steps"]
    window._discarding = True
    window.close()
    assert "steps" not in [entry.key for entry in presence.entries()]


def test_an_organisation_that_switched_recording_off_gets_no_button_and_no_tray_entry(
        controller, wizard, qtbot):
    assert controller.can_record_steps()
    controller.config.set_user("steps.enabled", False)
    page = wizard.page(Step.EVIDENCE)
    page.refresh()
    assert not page.step_tools.record_button.isEnabled()
    assert not controller.can_record_steps()


def test_on_wayland_the_button_adds_a_step_by_hand_and_says_why(controller, qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from capture_app.ui.capture import grabber

    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    window = controller.new_report()
    qtbot.waitExposed(window)
    page = window.page(Step.EVIDENCE)
    button = page.step_tools.record_button
    assert button.text() == "Schritt &hinzufügen …"
    assert "nicht automatisch aufzeichnen" in button.toolTip()
    # The desktop's screenshot (on Wayland the portal's; here a known picture) and the note.
    screen = Capture(W, H, NOISE)
    previous = grabber.use_env(grabber.CaptureEnv(grab=lambda target, *, max_pixels: screen,
                                                  settle_ms=20, available=True))
    monkeypatch.setattr(QInputDialog, "getMultiLineText",
                        lambda *args, **kwargs: ("Termin geöffnet, Speichern gedrückt", True))
    try:
        button.click()
        qtbot.waitUntil(lambda: bool(window.report.steps), timeout=10_000)
    finally:
        grabber.use_env(previous)
    (step,) = window.report.steps
    item = window.report.evidence_item(step.picture)
    assert (step.kind, step.comment) == ("comment", "Termin geöffnet, Speichern gedrückt")
    assert item.kind == "step" and item.filename == "schritt-001.png"
    assert page.table.rowCount() == 0  # with its step, not among the files


def test_a_click_that_cannot_become_a_step_is_said_on_the_control(wizard, qtbot, monkeypatch):
    """A grab that fails (the display went away) must not vanish silently: the control, which
    stays on top, says so and how to make up for it."""
    from capture_app.core.evidence import step_hooks, step_windows
    from capture_app.core.evidence.screenshot import ScreenshotError
    from capture_app.core.evidence.steps import WindowInfo
    from capture_app.ui.steps.recording import StepSession

    class Desk:
        def window_at(self, x, y):
            return WindowInfo("Termin anlegen – Portal", "firefox", 100)

        def active_window(self):
            return self.window_at(0, 0)

        def element_at(self, x, y, window):
            return "", ""

        def grab_monitor_at(self, x, y):
            raise ScreenshotError("screenshot.no_display", detail=":1 closed")

    class Hooks:
        def __init__(self, click, key):
            self.click = click

        def start(self):
            pass

        def stop(self):
            pass

    made = []
    monkeypatch.setattr(step_hooks, "recording_support", lambda *args, **kwargs: "")
    monkeypatch.setattr(step_hooks, "hooks_for",
                        lambda click, key, *args, **kwargs: made.append(Hooks(click, key)) or made[-1])
    monkeypatch.setattr(step_windows, "platform_for", lambda *args, **kwargs: Desk())
    session = StepSession.of(wizard)
    assert session.start()
    made[0].click(10, 10, "left", 1.0)
    qtbot.waitUntil(lambda: session.control is not None and session.control.problem.isVisible(),
                    timeout=5000)
    text = session.control.problem.text()
    assert "Nicht als Schritt aufgenommen: 1" in text and ":1 closed" in text and "Kommentar" in text
    session.stop()
    assert wizard.report.steps == []
