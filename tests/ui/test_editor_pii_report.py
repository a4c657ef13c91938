"""Screenshots are checked for personal data after capture or import; Prüfen lists those with
places left to decide and asks before they are sent; the report keeps counts, never text."""
from __future__ import annotations

import json

import pytest
from factories import second_level_report
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from text_screens import text_screen

from capture_app.core.evidence.importing import import_evidence
from capture_app.core.evidence.screenshot import Capture
from capture_app.core.platform import i18n
from capture_app.core.privacy import screen_text
from capture_app.core.wizard.steps import Step
from capture_app.ui.privacy.pii_review import confirm_screenshots

pytestmark = [pytest.mark.gui,
              pytest.mark.skipif(not screen_text.engine_available(),
                                 reason="text recognition (the 'ocr' extra) is not installed")]

LINES = ["Kundin: Erika Mustermann    E-Mail: erika.mustermann@beispiel-bank.de",
         "Konto: IBAN DE89 3704 0044 0532 0130 00    Termin 14.03.2026 10:30",
         "Rückruf unter Tel. +49 30 2206623 33 (Status: Ausstehend)"]
SECRETS = ("erika", "DE89", "2206623")


@pytest.fixture
def answers(monkeypatch):
    """QMessageBox.question answered by the test; what was asked is recorded."""
    asked, replies = [], []

    def question(parent, title, text, *args, **kwargs):
        asked.append(text)
        return replies.pop(0) if replies else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked, replies


def test_prufen_checks_an_imported_screenshot_and_asks_before_it_is_sent(controller, qtbot,
                                                                         tmp_path, answers):
    i18n.set_language("de")
    asked, replies = answers
    picture = tmp_path / "kalender.png"
    assert text_screen(LINES)[0].save(str(picture))
    report = second_level_report()
    item = import_evidence(report, picture, "screenshot", controller.store.store_attachment)
    assert item.pii_check == ""
    controller.store.save(report)
    window = controller.open_wizard(report, Step.REVIEW)
    qtbot.addWidget(window)
    page = window.page(Step.REVIEW)
    page.refresh()
    qtbot.waitUntil(lambda: window.report.evidence_item(item.id).pii_check != "", timeout=60_000)
    checked = window.report.evidence_item(item.id)
    assert (checked.pii_check, checked.pii_places, checked.pii_open) == ("checked", 3, 3)
    qtbot.waitUntil(lambda: "3 mögliche personenbezogene Daten im Bild" in page.pii.screens.text())
    assert page.pii.screens.isVisibleTo(page)
    # Sending asks first; "No" stops it.
    replies.append(QMessageBox.StandardButton.No)
    assert confirm_screenshots(page, window.report) is False
    assert "kalender.png" in asked[0] or (item.title and item.title in asked[0])
    # What is saved says the check ran and how many places are open, not what they say.
    window.flush()
    saved = json.dumps(controller.store.load(report.id).to_dict())
    assert '"pii_check": "checked"' in saved
    assert not any(secret in saved for secret in SECRETS)


def to_capture(image) -> Capture:
    from PySide6.QtGui import QImage

    bgra = image.convertToFormat(QImage.Format.Format_RGB32)
    pixels = bytes(bgra.constBits())[:bgra.sizeInBytes()]
    return Capture(bgra.width(), bgra.height(), pixels)


def test_a_captured_screenshot_is_checked_and_redacting_all_in_the_editor_is_recorded(
        controller, qtbot, answers):
    asked, _replies = answers
    from capture_app.ui.capture.editing import edit_item
    from capture_app.ui.capture.evidence_files import EvidenceFiles

    window = controller.new_report()
    qtbot.waitExposed(window)
    stored = []
    EvidenceFiles.of(window).store_capture(to_capture(text_screen(LINES)[0]), "desktop",
                                           on_done=stored.append)
    qtbot.waitUntil(lambda: bool(stored), timeout=20_000)
    item = stored[0]
    qtbot.waitUntil(lambda: window.report.evidence_item(item.id).pii_check != "", timeout=60_000)
    assert window.report.evidence_item(item.id).pii_open == 3

    dialogs = []
    edit_item(window, window.report.evidence_item(item.id), on_open=dialogs.append)
    qtbot.waitUntil(lambda: bool(dialogs), timeout=20_000)
    dialog = dialogs[0]
    qtbot.waitUntil(lambda: dialog.text_check.result is not None, timeout=60_000)
    dialog.text_check.accept_all()
    dialog.save()
    qtbot.waitUntil(lambda: window.report.evidence[0].id != item.id
                    and window.report.evidence[0].pii_check != "", timeout=20_000)
    edited = window.report.evidence[0]
    assert (edited.pii_check, edited.pii_places, edited.pii_redacted, edited.pii_open) == (
        "checked", 3, 3, 0)
    # Nothing left to decide: sending does not ask.
    assert confirm_screenshots(window, window.report) is True
    assert asked == []


def test_prufen_opens_the_screenshot_with_open_places_in_the_editor(controller, qtbot, tmp_path,
                                                                      answers):
    i18n.set_language("de")
    picture = tmp_path / "kalender.png"
    assert text_screen(LINES)[0].save(str(picture))
    report = second_level_report()
    item = import_evidence(report, picture, "screenshot", controller.store.store_attachment)
    controller.store.save(report)
    window = controller.open_wizard(report, Step.REVIEW)
    qtbot.addWidget(window)
    page = window.page(Step.REVIEW)
    page.refresh()
    qtbot.waitUntil(lambda: window.report.evidence_item(item.id).pii_open == 3, timeout=60_000)
    qtbot.waitUntil(lambda: page.pii.open_screen_button.isVisibleTo(page))
    from capture_app.ui.editor.dialog import EditorDialog

    qtbot.mouseClick(page.pii.open_screen_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(isinstance(w, EditorDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()), timeout=20_000)
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, EditorDialog))
    qtbot.waitUntil(lambda: dialog.text_check.result is not None, timeout=60_000)
    dialog.text_check.accept_all()
    dialog.save()
    qtbot.waitUntil(lambda: window.report.evidence[0].pii_redacted == 3, timeout=20_000)
    qtbot.waitUntil(lambda: not page.pii.open_screen_button.isVisibleTo(page))
    assert "noch nicht geprüft" not in page.pii.screens.text()

