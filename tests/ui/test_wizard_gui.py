"""The whole wizard driven as an agent would, for a 2nd-level e-signature case, up to the export."""
from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from capture_app.core.wizard.steps import Step

pytestmark = pytest.mark.gui

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def make_png(path: Path, colour: str = "#3366cc") -> Path:
    image = QImage(64, 48, QImage.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path), "PNG")
    return path


def select_case(window, case_id: str) -> None:
    tree = window.pages[Step.TRIAGE].tree
    for i in range(tree.topLevelItemCount()):
        top = tree.topLevelItem(i)
        for j in range(top.childCount()):
            if top.child(j).data(0, Qt.UserRole + 1) == case_id:
                tree.setCurrentItem(top.child(j))
                return
    raise AssertionError(case_id)


def set_combo(combo, value: str) -> None:
    index = combo.findData(value)
    if index < 0:
        index = combo.findText(value)
    if index >= 0:
        combo.setCurrentIndex(index)
    else:
        combo.setEditText(value)


def type_into(qtbot, widget, text: str) -> None:
    """Type like a keyboard does, umlauts included (QTest.keyClicks only knows ASCII)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    for char in text:
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, char))


def test_second_level_esignature_report_from_triage_to_exported_bundle(
        controller, qtbot, tmp_path, no_dialogs):
    window = controller.new_report()
    qtbot.addWidget(window)
    assert window.current is Step.TRIAGE
    assert not window.next_button.isHidden()  # nothing chosen yet: "Weiter" is there, blocked by core
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.TRIAGE
    assert "Bitte wählen Sie aus" in window.problems.text()

    select_case(window, "esign_upload_fails")
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.DETAILS

    details = window.pages[Step.DETAILS]
    qtbot.mouseClick(window.next_button, Qt.LeftButton)  # empty form: stays, names the fields
    assert window.current is Step.DETAILS
    assert "„Zusammenfassung“ ist ein Pflichtfeld" in window.problems.text()
    assert details.field_widget("summary").property("invalid") is True
    assert red_frame(details.field_widget("summary"))  # what the agent sees
    type_into(qtbot, details.field_widget("summary"), "Vertrag lässt sich nicht hochladen")
    set_combo(details.field_widget("description.affected"), "advisor")
    set_combo(details.field_widget("description.area"), "e-Signatur")
    type_into(qtbot, details.field_widget("description.url"), "https://bank.flexperto.com/esign/77")
    type_into(qtbot, details.field_widget("description.what"),
              "Beim Hochladen erscheint 'Upload fehlgeschlagen' nach 100 %.")
    set_combo(details.field_widget("description.urgency"), "high")
    assert details.field_widget("summary").property("invalid") is False
    assert not red_frame(details.field_widget("summary"))
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.TIME

    time_page = window.pages[Step.TIME]
    time_page.zone.setEditText("Europe/Berlin")  # the agent's machine may run in UTC
    qtbot.mouseClick(time_page.window_mode, Qt.LeftButton)
    assert window.report.occurred.mode == "window"
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from PySide6.QtCore import QDateTime
    end = QDateTime(datetime.now(ZoneInfo("Europe/Berlin")).replace(tzinfo=None)).addSecs(-600)
    time_page.start.setDateTime(end.addSecs(-3600))
    time_page.end.setDateTime(end)
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.ENVIRONMENT, window.problems.text()
    assert window.report.occurred.start.endswith(("+01:00", "+02:00"))  # Berlin offset stored

    env = window.pages[Step.ENVIRONMENT]
    qtbot.mouseClick(env.other_machine, Qt.LeftButton)
    set_combo(env.field_widget("advisor_environment.device_type"), "laptop")
    set_combo(env.field_widget("advisor_environment.browser"), "Edge")
    type_into(qtbot, env.field_widget("advisor_environment.browser_version"), "131.0.2903.70")
    unknown = env.unknown_boxes["customer_environment"]
    unknown.setFocus()
    qtbot.keyClick(unknown, Qt.Key_Space)
    assert not env.side_forms["customer_environment"].isEnabled()
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.EVIDENCE, window.problems.text()

    evidence = window.pages[Step.EVIDENCE]
    qtbot.mouseClick(window.next_button, Qt.LeftButton)  # the case requires the document
    assert window.current is Step.EVIDENCE
    assert "fehlerhafte Dokument" in window.problems.text()
    pdf = tmp_path / "Vertrag ohne Daten.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    results = []
    evidence.add_files([pdf], "document", on_done=lambda a, r: results.append((a, r)))
    qtbot.waitUntil(lambda: len(results) == 1, timeout=10_000)
    screenshot = make_png(tmp_path / "fehler.png")
    evidence.add_files([screenshot], "screenshot", on_done=lambda a, r: results.append((a, r)))
    qtbot.waitUntil(lambda: len(results) == 2, timeout=10_000)
    assert [len(added) for added, _ in results] == [1, 1]
    assert evidence.table.rowCount() == 2
    qtbot.mouseClick(window.next_button, Qt.LeftButton)  # not yet confirmed free of personal data
    assert window.current is Step.EVIDENCE
    assert "keine personenbezogenen Daten" in window.problems.text()
    confirm = evidence.table.item(0, 4)
    confirm.setCheckState(Qt.Checked)
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.REVIEW, window.problems.text()

    review = window.pages[Step.REVIEW]
    qtbot.waitUntil(lambda: review.review is not None, timeout=10_000)
    names = [item.name for item in review.review]
    assert "documents/Vertrag ohne Daten.pdf" in names and "screenshots/fehler.png" in names
    assert "Vertrag lässt sich nicht hochladen" in review.preview.toPlainText()

    out = tmp_path / "export"
    out.mkdir()
    exported = []
    review.export_to(out, on_done=lambda receipt, error: exported.append((receipt, error)))
    qtbot.waitUntil(lambda: len(exported) == 1, timeout=20_000)
    receipt, error = exported[0]
    assert error is None
    bundle = Path(receipt.destination) / receipt.reference
    assert bundle.parent == out and bundle.suffix == ".zip"
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        report = json.loads(archive.read("report.json"))
        html = archive.read("report.html").decode("utf-8")
        for entry in manifest["files"]:
            assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
        assert archive.read("documents/Vertrag ohne Daten.pdf") == MINIMAL_PDF
    assert report["triage"]["case_id"] == "esign_upload_fails"
    assert report["advisor_environment"]["browser_version"] == "131.0.2903.70"
    assert report["customer_environment"]["unknown"] is True
    assert "Vertrag lässt sich nicht hochladen" in html

    # Everything typed is in the autosaved draft too.
    assert window.flush()
    stored = controller.store.load(window.report.id)
    assert stored.summary == "Vertrag lässt sich nicht hochladen"
    assert [item.kind for item in stored.evidence] == ["document", "screenshot"]
    assert stored.evidence[0].no_personal_data_confirmed is True


def red_frame(widget) -> bool:
    """The field is drawn with the red frame of a field that needs attention."""
    image = widget.grab().toImage()
    y = image.height() // 2
    left = image.pixelColor(0, y)
    return left.red() > 150 and left.green() < 90 and left.blue() < 90


def frame_colour(widget) -> tuple[int, int, int]:
    image = widget.grab().toImage()
    colour = image.pixelColor(0, image.height() // 2)
    return colour.red(), colour.green(), colour.blue()


def test_a_hint_is_framed_amber_and_does_not_block_an_error_is_framed_red(controller, qtbot):
    from factories import second_level_report

    report = second_level_report()  # every field filled, no evidence
    controller.store.save(report)
    window = controller.resume(report.id)
    qtbot.addWidget(window)
    assert window.go_to(Step.EVIDENCE)
    evidence = window.pages[Step.EVIDENCE]
    table = evidence.field_widget("evidence")
    assert "Hinweis" in window.problems.text() and "Screenshot" in window.problems.text()
    # A missing screenshot is a hint: an amber frame, not the red one of a field to fix.
    assert table.property("warning") is True and table.property("invalid") is False
    assert frame_colour(table) == (0xb3, 0x6b, 0x00)
    assert not red_frame(table)
    assert "Screenshot" in table.toolTip()
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.REVIEW  # a hint never holds the agent back
    window.go_to(Step.DETAILS)
    summary = window.pages[Step.DETAILS].field_widget("summary")
    summary.clear()  # a required field emptied
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.DETAILS
    assert summary.property("invalid") is True and summary.property("warning") is False
    assert frame_colour(summary) == (0xc4, 0x2b, 0x1c)


def details_of(controller, qtbot, case_id: str):
    """A new report with ``case_id`` chosen, on its Beschreibung step."""
    window = controller.new_report()
    qtbot.addWidget(window)
    select_case(window, case_id)
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.DETAILS
    return window, window.pages[Step.DETAILS]


def fill_details(qtbot, details, summary="Kalender zeigt keine Termine") -> None:
    type_into(qtbot, details.field_widget("summary"), summary)
    set_combo(details.field_widget("description.affected"), "advisor")
    set_combo(details.field_widget("description.area"), "Kalender")
    type_into(qtbot, details.field_widget("description.what"),
              "Neue Termine erscheinen seit Montag nicht im Outlook-Kalender.")
    set_combo(details.field_widget("description.urgency"), "normal")


@pytest.mark.parametrize("case_id, values", [
    ("calendar_sync_missing", {"calendar_system": "Exchange 2019",
                               "calendar_account": "berater.müller@bank.de"}),
    ("change_email_address", {"old_email": "alt@bank.de", "new_email": "neu@bank.de"}),
])
def test_the_facts_a_case_asks_for_are_typed_in_and_let_the_agent_on(
        controller, qtbot, case_id, values):
    window, details = details_of(controller, qtbot, case_id)
    fill_details(qtbot, details)
    for field_id, text in values.items():
        type_into(qtbot, details.field_widget(f"description.case_fields.{field_id}"), text)
    assert window.report.description.case_fields == values
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.TIME, window.problems.text()
    assert window.flush()
    assert controller.store.load(window.report.id).description.case_fields == values


def fully_in_view(widget) -> bool:
    """Shown, and not a pixel of it clipped by a scroll area or the window's edge."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


def test_send_queue_and_export_stay_in_the_fixed_button_bar_of_a_small_window(controller, qtbot):
    from factories import second_level_report
    from PySide6.QtWidgets import QScrollArea

    report = second_level_report()
    controller.store.save(report)
    window = controller.resume(report.id)
    qtbot.addWidget(window)
    window.resize(1000, 560)
    assert window.current is Step.REVIEW
    review = window.pages[Step.REVIEW]
    qtbot.waitUntil(lambda: review.review is not None, timeout=10_000)
    buttons = (review.send_buttons.send_button, review.send_buttons.queue_button,
               review.export_button)
    scroll = review.findChild(QScrollArea)
    scroll.verticalScrollBar().setValue(0)  # the page shown from its top, as it opens
    for button in buttons:
        assert fully_in_view(button), button.text()
        assert not scroll.isAncestorOf(button)  # not scrolled with the page
    assert review.send_buttons.send_button.isDefault()  # the primary action
    window.go_back()
    assert not any(button.isVisible() for button in buttons)
    assert window.next_button.isDefault() and fully_in_view(window.next_button)


def test_enter_in_a_field_presses_the_steps_primary_button(controller, qtbot):
    window, details = details_of(controller, qtbot, "other_technical")
    fill_details(qtbot, details)
    qtbot.keyClick(details.field_widget("summary"), Qt.Key_Return)
    assert window.current is Step.TIME, window.problems.text()


def click_step(qtbot, window, number: int) -> None:
    item = window.step_list.item(number - 1)
    rect = window.step_list.visualItemRect(item)
    qtbot.mouseClick(window.step_list.viewport(), Qt.LeftButton, pos=rect.center())


def test_clicking_another_step_keeps_everything_typed_on_this_one(controller, qtbot):
    window, details = details_of(controller, qtbot, "change_email_address")
    type_into(qtbot, details.field_widget("summary"), "Adresse nach Heirat")
    details.field_widget("description.area").lineEdit().selectAll()  # over the case's preset
    type_into(qtbot, details.field_widget("description.area").lineEdit(), "Profil")
    type_into(qtbot, details.field_widget("description.case_fields.old_email"), "alt@bank.de")
    click_step(qtbot, window, 3)  # blocked (required fields missing): stays on step 2
    click_step(qtbot, window, 1)
    assert window.current is Step.TRIAGE
    click_step(qtbot, window, 2)
    assert window.current is Step.DETAILS
    assert details.field_widget("summary").text() == "Adresse nach Heirat"
    assert details.field_widget("description.area").currentText() == "Profil"
    assert details.field_widget("description.case_fields.old_email").text() == "alt@bank.de"


def turn_wheel(widget, notches: int = -1) -> None:
    """The mouse wheel turned with the pointer over ``widget`` (negative: towards the user)."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * notches), Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase,
                        False)
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_a_closed_drop_down_scrolls_the_page_and_changes_nothing(controller, qtbot):
    from PySide6.QtWidgets import QScrollArea

    window = controller.new_report()
    qtbot.addWidget(window)
    window.resize(900, 500)
    window.show()
    select_case(window, "other_technical")
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    details = window.pages[Step.DETAILS]
    scroll = details.findChild(QScrollArea).verticalScrollBar()
    assert scroll.maximum() > 0
    for path in ("description.frequency", "description.affected", "description.urgency"):
        combo = details.field_widget(path)
        before, position = combo.currentIndex(), scroll.value()
        turn_wheel(combo)
        assert combo.currentIndex() == before, path
        assert scroll.value() > position or scroll.value() == scroll.maximum(), path
        scroll.setValue(0)
    assert window.report.description.frequency == ""


def test_the_wheel_over_a_date_or_the_time_zone_changes_nothing(controller, qtbot):
    from factories import second_level_report

    report = second_level_report()
    controller.store.save(report)
    window = controller.resume(report.id)
    qtbot.addWidget(window)
    assert window.go_to(Step.TIME)
    time_page = window.pages[Step.TIME]
    shown = time_page.at.dateTime()
    turn_wheel(time_page.at, 1)
    turn_wheel(time_page.zone, 1)
    assert time_page.at.dateTime() == shown
    assert window.report.occurred.timezone == "Europe/Berlin" == time_page.zone.currentText()
    assert window.report.occurred.at == "2026-11-27T10:15:00+01:00"


def test_a_case_fields_error_clears_once_it_is_filled(controller, qtbot):
    window, details = details_of(controller, qtbot, "change_email_address")
    fill_details(qtbot, details)
    qtbot.mouseClick(window.next_button, Qt.LeftButton)  # the two addresses are missing
    old = details.field_widget("description.case_fields.old_email")
    assert old.property("invalid") is True and red_frame(old)
    type_into(qtbot, old, "alt@bank.de")
    assert old.property("invalid") is False and not red_frame(old)
    assert "Bisherige" not in window.problems.text()


@pytest.fixture
def screen_as_it_was():
    """The desktop as the report starts: a plain picture, grabbed by the app at the start."""
    from capture_app.core.evidence.screenshot import Capture, Monitor
    from capture_app.ui.capture import grabber

    width, height = 800, 600
    pixels = bytes([40, 90, 160, 255]) * (width * height)
    previous = grabber.use_env(grabber.CaptureEnv(
        grab=lambda target, *, max_pixels: Capture(width, height, pixels,
                                                   monitors=(Monitor(1, 0, 0, width, height),)),
        settle_ms=20, available=True))
    yield
    grabber.use_env(previous)


def started_report(controller, qtbot):
    controller.show_main_window()
    qtbot.waitExposed(controller.main_window)
    controller.new_report()
    qtbot.waitUntil(lambda: len(controller.wizards) == 1, timeout=10_000)
    window = next(iter(controller.wizards.values()))
    qtbot.waitUntil(lambda: len(window.report.evidence) == 1, timeout=10_000)
    qtbot.waitUntil(window.capture_banner.edit_button.isEnabled, timeout=10_000)
    assert window.flush()
    return window


def drafts(controller) -> list[str]:
    return [draft.id for draft in controller.store.list_drafts()]


def test_closing_an_untouched_wizard_leaves_no_draft_and_no_screenshot(
        controller, qtbot, screen_as_it_was):
    window = started_report(controller, qtbot)
    report_id = window.report.id
    folder = controller.store.attachment_dir(report_id)
    assert report_id in drafts(controller) and any(folder.iterdir())
    window.close()
    assert report_id not in drafts(controller)
    qtbot.waitUntil(lambda: not folder.exists() or not any(folder.iterdir()), timeout=10_000)


def test_a_wizard_the_agent_typed_in_keeps_its_draft_on_close_and_on_escape(
        controller, qtbot, screen_as_it_was):
    window = started_report(controller, qtbot)
    search = window.pages[Step.TRIAGE].search
    type_into(qtbot, search, "Kalender zeigt nichts")
    qtbot.keyClick(search, Qt.Key_Escape)  # Esc never loses what was typed
    assert search.text() == "Kalender zeigt nichts" or window.report.id in drafts(controller)
    window.close()
    assert window.report.id in drafts(controller)
    assert controller.store.load(window.report.id).evidence  # the screenshot stays with it


def test_the_start_screenshot_banner_gives_the_later_steps_their_room(
        controller, qtbot, screen_as_it_was):
    window = started_report(controller, qtbot)
    banner = window.capture_banner
    assert banner.isVisible()  # step 1: check the screenshot for personal data
    select_case(window, "other_technical")
    qtbot.mouseClick(window.next_button, Qt.LeftButton)
    assert window.current is Step.DETAILS
    assert not banner.isVisible()  # the screenshot is under Nachweise from here on
    window.go_back()
    assert banner.isVisible()


def test_the_start_screenshot_is_a_slim_strip_that_unfolds_and_folds_back(
        controller, qtbot, screen_as_it_was):
    from capture_app.ui.platform import theme

    window = started_report(controller, qtbot)
    window.resize(1280, 720)
    strip = window.capture_banner
    qtbot.waitUntil(lambda: strip.isVisible() and not strip.preview.isVisible(), timeout=5_000)
    assert not strip.thumb.pixmap().isNull()  # the picture is there, small
    assert strip.toggle_button.accessibleName() == "Screenshot größer zeigen"
    folded, form_folded = strip.height(), window.stack.height()
    assert folded <= theme.space(18)  # was a banner of ~155 px

    qtbot.mouseClick(strip.toggle_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: strip.height() > folded + 100, timeout=5_000)
    assert strip.expanded and strip.preview.isVisible() and not strip.preview.pixmap().isNull()
    assert strip.toggle_button.accessibleName() == "Screenshot kleiner zeigen"
    assert window.stack.height() < form_folded - 100  # the preview took the form's room

    qtbot.mouseClick(strip.toggle_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.stack.height() == form_folded, timeout=5_000)
    assert not strip.expanded and not strip.preview.isVisible()
    assert strip.edit_button.isVisible() and strip.remove_button.isVisible()  # still at hand


def step_icons(window) -> dict[Step, tuple[str, str]]:
    """Each step's state and the name of the icon the step list shows for it."""
    from capture_app.core.wizard.steps import applicable_steps
    from capture_app.ui.wizard.window import STEP_STATE_ROLE

    shown = {}
    for row, step in enumerate(applicable_steps(window.report)):
        item = window.step_list.item(row)
        assert not item.icon().pixmap(16, 16).toImage().isNull()
        shown[step] = (item.data(STEP_STATE_ROLE), item.icon().name())
    return shown


def test_the_step_list_marks_done_error_and_current_with_icons(controller, qtbot):
    window, details = details_of(controller, qtbot, "other_technical")
    shown = step_icons(window)
    assert shown[Step.TRIAGE] == ("done", "circle-check")
    assert shown[Step.DETAILS] == ("current", "circle-dot")
    assert shown[Step.TIME] == ("open", "circle")
    window.go_next()  # the summary is missing: refused, the step keeps the agent
    assert window.current is Step.DETAILS
    window.go_back()
    shown = step_icons(window)
    assert shown[Step.TRIAGE] == ("current", "circle-dot")
    assert shown[Step.DETAILS] == ("error", "circle-alert")  # seen, and something is missing
    assert "fehlen" in window.step_list.item(1).toolTip()
    window.go_next()
    fill_details(qtbot, details)
    window.go_back()
    assert step_icons(window)[Step.DETAILS] == ("done", "circle-check")


def test_each_steps_main_action_is_the_one_default_button_and_stays_in_view(controller, qtbot):
    from factories import second_level_report
    from PySide6.QtWidgets import QPushButton, QScrollArea

    from capture_app.core.wizard.steps import applicable_steps

    report = second_level_report()
    controller.store.save(report)
    window = controller.resume(report.id)
    qtbot.addWidget(window)
    window.resize(1000, 560)
    assert window.current is Step.REVIEW  # complete: it opens at Prüfen, checked first
    review = window.pages[Step.REVIEW]
    qtbot.waitUntil(lambda: review.review is not None, timeout=10_000)
    window._refresh_buttons()
    steps = applicable_steps(report)
    for step in [Step.REVIEW] + [s for s in steps if s is not Step.REVIEW]:
        if step is not Step.REVIEW:
            assert window.go_to(step)
        page = window.pages[step]
        expected = page.primary_button() or window.next_button
        defaults = [b for b in window.findChildren(QPushButton) if b.isDefault() and b.isVisible()]
        assert defaults == [expected], (step, [b.text() for b in defaults])
        scroll = page.findChild(QScrollArea)
        if scroll is not None:
            scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
            assert not scroll.isAncestorOf(expected)
        assert fully_in_view(expected), step


def test_closing_the_wizard_while_review_is_computed_raises_nothing(controller, qtbot, monkeypatch):
    """The review list and the personal-data check run in the background; a wizard closed
    before they end must not have them write into its deleted widgets (pytest-qt fails the test
    on any exception raised in Qt's event loop)."""
    import threading

    from factories import second_level_report

    from capture_app.core.privacy import pii
    from capture_app.core.sending import bundle

    gate = threading.Event()
    started = threading.Semaphore(0)
    real_review, real_find = bundle.review_items, pii.find_in_report

    def held(real):
        def call(*args, **kwargs):
            started.release()
            gate.wait(10)
            return real(*args, **kwargs)
        return call

    report = second_level_report()
    controller.store.save(report)
    monkeypatch.setattr(bundle, "review_items", held(real_review))
    monkeypatch.setattr(pii, "find_in_report", held(real_find))
    try:
        window = controller.resume(report.id)
        assert window.current is Step.REVIEW
        review = window.pages[Step.REVIEW]
        assert started.acquire(timeout=10) and started.acquire(timeout=10)  # both are running
        window._discarding = True
        window.close()
        controller.wizards.pop(report.id, None)
        window.deleteLater()
        qtbot.waitUntil(lambda: not _alive(review), timeout=5_000)
    finally:
        gate.set()
    qtbot.wait(500)  # the results arrive, for a window that is gone


def _alive(widget) -> bool:
    from shiboken6 import isValid

    return isValid(widget)
