"""The editor proposes the places on a screenshot where personal data was read, to redact them."""
from __future__ import annotations

import os
import sys
import threading

import pytest
from PySide6.QtCore import QPointF, QRect, Qt
from text_screens import span_rect, text_screen

from capture_app.core.platform import i18n
from capture_app.core.privacy import pii, screen_text
from capture_app.core.privacy.screenshot_pii import CHECKED, SKIPPED
from capture_app.ui.editor.dialog import EditorDialog

pytestmark = pytest.mark.gui

needs_engine = pytest.mark.skipif(not screen_text.engine_available(),
                                  reason="text recognition (the 'ocr' extra) is not installed")

LINES = ["Kundin: Erika Mustermann    E-Mail: erika.mustermann@beispiel-bank.de",
         "Konto: IBAN DE89 3704 0044 0532 0130 00    Termin 14.03.2026 10:30",
         "Rückruf unter Tel. +49 30 2206623 33 (Status: Ausstehend)",
         "Berater: Max Berater, Filiale Mitte, Raum 4.12"]
PLANTED = [(0, "erika.mustermann@beispiel-bank.de"), (1, "DE89 3704 0044 0532 0130 00"),
           (2, "+49 30 2206623 33")]


@pytest.fixture
def open_editor(qtbot, no_dialogs):
    def make(image, **options) -> EditorDialog:
        dialog = EditorDialog(image, title="Kalender", **options)
        qtbot.addWidget(dialog)
        dialog.resize(1100, 760)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog
    return make


def wait_checked(qtbot, dialog) -> None:
    qtbot.waitUntil(lambda: dialog.text_check.result is not None, timeout=60_000)


def black(image, rect: QRect) -> bool:
    return all(image.pixelColor(x, y).rgb() & 0xFFFFFF == 0
               for x in range(rect.left(), rect.right() + 1, 2)
               for y in range(rect.top(), rect.bottom() + 1, 2))


def no_ink_left(image, rect: QRect, background: int = 0xFFFFFF) -> bool:
    """Every pixel of ``rect`` is the solid fill or the plain background: no trace of the text."""
    return all(image.pixelColor(x, y).rgb() & 0xFFFFFF in (0, background)
               for x in range(rect.left(), rect.right() + 1)
               for y in range(rect.top(), rect.bottom() + 1))


def overlap(a: QRect, b: QRect) -> float:
    inter = a.intersected(b)
    if inter.isEmpty():
        return 0.0
    area = inter.width() * inter.height()
    return area / (a.width() * a.height() + b.width() * b.height() - area)


@needs_engine
@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_places_with_personal_data_are_proposed_over_the_text(open_editor, qtbot, dark):
    i18n.set_language("de")
    image, rects = text_screen(LINES, dark=dark)
    dialog = open_editor(image)
    wait_checked(qtbot, dialog)
    proposals = dialog.text_check.proposals
    assert dialog.text_check.status.text().startswith("3 Stellen gefunden")
    assert sorted(p.kind for p in proposals) == sorted([pii.EMAIL, pii.IBAN, pii.PHONE])
    for line, part in PLANTED:
        planted = span_rect(LINES[line], part, rects[line])
        best = max(overlap(p.rect, planted) for p in proposals)
        assert best >= 0.5, (part, [p.rect for p in proposals], planted)
    # The proposals are framed on the picture, the picture itself is unchanged so far.
    assert len(dialog.canvas.proposals) == 3
    assert not dialog.document.modified


@needs_engine
def test_redact_all_covers_every_proposal_with_the_solid_fill(open_editor, qtbot):
    image, rects = text_screen(LINES)
    dialog = open_editor(image)
    wait_checked(qtbot, dialog)
    qtbot.mouseClick(dialog.text_check.accept_all_button, Qt.MouseButton.LeftButton)
    result = dialog.result_value()
    assert result.redacted
    for line, part in PLANTED:
        assert no_ink_left(result.image, span_rect(LINES[line], part, rects[line]))
    # The name without a rule for it is left for the agent to see and decide.
    name = span_rect(LINES[0], "Erika Mustermann", rects[0])
    assert not black(result.image, name)
    assert result.text_check.state == CHECKED
    assert (result.text_check.places, result.text_check.redacted, result.text_check.open) == (3, 3, 0)
    assert dialog.canvas.proposals == []  # nothing left to decide
    # One undo takes the three fills back; the proposals are open again.
    dialog.document.undo_stack.undo()
    assert dialog.text_check.outcome().open == 3
    assert len(dialog.canvas.proposals) == 3


@needs_engine
def test_each_proposal_can_be_redacted_or_dismissed(open_editor, qtbot):
    i18n.set_language("en")
    image, _rects = text_screen(LINES)
    dialog = open_editor(image)
    wait_checked(qtbot, dialog)
    panel = dialog.text_check
    panel.list.item(0).setSelected(True)
    qtbot.mouseClick(panel.accept_button, Qt.MouseButton.LeftButton)
    panel.list.item(1).setSelected(True)
    qtbot.mouseClick(panel.dismiss_button, Qt.MouseButton.LeftButton)
    rows = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert rows[0].endswith("redacted") and rows[1].endswith("dismissed") and rows[2].endswith("open")
    outcome = dialog.result_value().text_check
    assert (outcome.places, outcome.redacted, outcome.open) == (3, 1, 1)
    assert len(dialog.canvas.proposals) == 1
    i18n.set_language("de")


@needs_engine
def test_the_picture_is_read_in_a_worker_never_on_the_ui_thread(open_editor, qtbot, monkeypatch):
    threads, niceness = [], []
    real = screen_text.recognise

    def watched(*args, **kwargs):
        threads.append(threading.current_thread())
        if sys.platform.startswith("linux"):  # and below the UI thread's priority
            niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return real(*args, **kwargs)

    monkeypatch.setattr(screen_text, "recognise", watched)
    dialog = open_editor(text_screen(LINES)[0])
    wait_checked(qtbot, dialog)
    assert threads and threading.main_thread() not in threads
    if sys.platform.startswith("linux"):
        assert niceness and min(niceness) > os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def test_without_the_engine_the_editor_says_the_check_was_skipped(open_editor, qtbot, monkeypatch):
    i18n.set_language("de")
    monkeypatch.setattr(screen_text, "tessdata_folder", lambda: None)
    dialog = open_editor(text_screen(LINES)[0])
    wait_checked(qtbot, dialog)
    assert dialog.text_check.status.text().startswith("Übersprungen")
    assert "nicht installiert" in dialog.text_check.status.text()
    assert dialog.result_value().text_check.state == SKIPPED
    assert dialog.canvas.proposals == []


@needs_engine
def test_a_picture_without_any_text_is_checked_not_skipped(open_editor, qtbot):
    """A picture with contrast but no words (here grey ramps side by side, as in a photo or a
    camera picture): Tesseract finds shapes it reads no text in. The agent is told nothing was
    found, not that the check failed."""
    from PySide6.QtGui import QImage

    i18n.set_language("de")
    ramps = bytes(range(256)) * (1280 * 720 // 256)
    picture = QImage(ramps, 1280, 720, 1280, QImage.Format.Format_Grayscale8).copy()
    dialog = open_editor(picture)
    wait_checked(qtbot, dialog)
    assert dialog.text_check.status.text().startswith("Keine E-Mail-Adressen"), \
        dialog.text_check.status.text()
    assert dialog.result_value().text_check.state == CHECKED


@needs_engine
def test_the_outcome_for_the_report_holds_no_recognised_text(open_editor, qtbot):
    dialog = open_editor(text_screen(LINES)[0])
    wait_checked(qtbot, dialog)
    outcome = repr(dialog.result_value().text_check)
    assert "erika" not in outcome and "DE89" not in outcome and "2206623" not in outcome


@needs_engine
def test_a_place_cropped_away_is_no_longer_open(open_editor, qtbot):
    image, rects = text_screen(LINES)
    dialog = open_editor(image)
    wait_checked(qtbot, dialog)
    # Keep only the first line (the e-mail address): the IBAN and the phone number are cut away.
    dialog.document.set_crop(QRect(0, 0, image.width(), rects[1].top() - 4))
    outcome = dialog.result_value().text_check
    assert (outcome.places, outcome.open) == (3, 1)
    assert len(dialog.canvas.proposals) == 1


@needs_engine
def test_choosing_a_proposal_in_the_list_shows_it_on_the_picture(open_editor, qtbot):
    image, _rects = text_screen(LINES, width=2560, height=1440)
    dialog = open_editor(image)
    wait_checked(qtbot, dialog)
    dialog.zoom_area.set_zoom(4.0)
    panel = dialog.text_check
    last = panel.proposals[-1].rect
    panel.list.item(len(panel.proposals) - 1).setSelected(True)
    assert dialog.canvas.focus_rect == last
    # Zoomed in, the view scrolled to it: its middle is inside the visible part of the picture.
    middle = dialog.canvas.from_image(QPointF(last.center())).toPoint()
    visible = dialog.zoom_area.viewport().rect().translated(
        dialog.zoom_area.horizontalScrollBar().value(), dialog.zoom_area.verticalScrollBar().value())
    assert visible.contains(middle)
