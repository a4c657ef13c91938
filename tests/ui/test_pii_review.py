"""The Review step flags e-mail addresses, phone numbers and IBANs in what is sent, and masks them."""
from __future__ import annotations

import pytest
from factories import second_level_report
from PySide6.QtCore import Qt

from capture_app.core.evidence.importing import import_evidence
from capture_app.core.wizard.steps import Step

pytestmark = pytest.mark.gui

EMAIL = "kundin.beispiel@example-mail.de"
PHONE = "0151 23456789"
IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture
def review(controller, qtbot, tmp_path):
    report = second_level_report()
    report.description.what = f"Kundin ({EMAIL}, Tel. {PHONE}) sieht nach dem Login eine leere Seite."
    report.description.actual = f"Auszahlung auf {IBAN} wird angezeigt."
    log = tmp_path / "konsole.txt"
    log.write_text("app.js:3 Angemeldet als berater.muster@example-bank.de\n"
                   "app.js:9 Uncaught TypeError: x is undefined\n", encoding="utf-8")
    item = import_evidence(report, log, "console", controller.store.store_attachment)
    window, page = open_review(controller, qtbot, report)
    return window, page, report, item


def open_review(controller, qtbot, report):
    """``report`` saved and open at Prüfen, with the personal-data scan done."""
    controller.store.save(report)
    window = controller.open_wizard(report, Step.REVIEW)
    qtbot.addWidget(window)
    page = window.page(Step.REVIEW)
    with qtbot.waitSignal(page.pii.finished, timeout=20000):
        page.refresh()
    return window, page


def test_findings_are_listed_with_where_they_are_and_marked_in_the_preview(review):
    _window, page, _report, _item = review
    panel = page.pii
    rows = [[panel.table.item(r, c).text() for c in range(3)] for r in range(panel.table.rowCount())]
    kinds = sorted(row[0] for row in rows)
    assert kinds == ["E-Mail-Adresse", "E-Mail-Adresse", "IBAN", "Telefonnummer"]
    where = {row[0] + "|" + row[1] for row in rows}
    assert "E-Mail-Adresse|Was ist passiert?" in where
    assert "IBAN|Tatsächliches Verhalten" in where
    assert "E-Mail-Adresse|konsole.txt, Zeile 1" in where
    assert any(EMAIL in row[2] for row in rows)
    assert "4 mögliche personenbezogene Daten" in panel.summary.text()
    # The preview (the e-mail text as sent) has them highlighted.
    assert {EMAIL, PHONE, IBAN} <= set(panel.highlighter.marked)


def test_mask_all_masks_the_report_and_the_attached_log_in_one_click(review, controller, qtbot):
    window, page, report, item = review
    old_path = controller.store.attachment_path(report.id, item.id)
    with qtbot.waitSignal(page.pii.finished, timeout=20000):
        qtbot.mouseClick(page.pii.mask_all_button, Qt.LeftButton)
    assert page.pii.findings == []
    assert "Keine E-Mail-Adressen" in page.pii.summary.text()
    assert report.description.what == "Kundin ([E-MAIL], Tel. [TELEFON]) sieht nach dem Login eine leere Seite."
    assert report.description.actual == "Auszahlung auf [IBAN] wird angezeigt."
    masked = report.evidence[0]
    assert masked.id != item.id and masked.filename == item.filename  # a new file, same name
    text = controller.store.attachment_path(report.id, masked.id).read_text(encoding="utf-8")
    assert text.startswith("app.js:3 Angemeldet als [E-MAIL]\n")
    assert "berater.muster@example-bank.de" in old_path.read_text(encoding="utf-8")  # never rewritten
    assert EMAIL not in page.preview.toPlainText()
    window.flush()
    saved = controller.store.load(report.id)
    assert saved.evidence[0].id == masked.id and "[TELEFON]" in saved.description.what


def test_masking_a_selection_keeps_the_rest(review, qtbot):
    _window, page, report, _item = review
    panel = page.pii
    iban_row = next(r for r in range(panel.table.rowCount()) if panel.table.item(r, 0).text() == "IBAN")
    panel.table.selectRow(iban_row)
    with qtbot.waitSignal(panel.finished, timeout=20000):
        qtbot.mouseClick(panel.mask_selected_button, Qt.LeftButton)
    assert report.description.actual == "Auszahlung auf [IBAN] wird angezeigt."
    assert EMAIL in report.description.what and PHONE in report.description.what
    assert sorted(panel.table.item(r, 0).text() for r in range(panel.table.rowCount())) == [
        "E-Mail-Adresse", "E-Mail-Adresse", "Telefonnummer"]


AGENT_EMAIL = "petra.support@example-bank.de"
AGENT_PHONE = "+49 30 1234567"


@pytest.fixture
def review_with_own_contact(controller, qtbot):
    report = second_level_report()
    report.reporter.name = "Petra Support"
    report.reporter.email = AGENT_EMAIL
    report.reporter.phone = AGENT_PHONE
    report.description.what = (f"Kundin ({EMAIL}) sieht eine leere Seite. Rückfragen bitte an "
                               f"{AGENT_EMAIL} oder 030 1234567.")
    window, page = open_review(controller, qtbot, report)
    return window, page, report


def test_the_agents_own_contact_data_is_told_apart_and_never_masked(review_with_own_contact, qtbot):
    _window, page, report = review_with_own_contact
    panel = page.pii
    contexts = [panel.table.item(r, 2).text() for r in range(panel.table.rowCount())]
    assert len(contexts) == 1 and EMAIL in contexts[0]  # only the customer's address is flagged
    assert panel.own_box.isVisibleTo(page)
    own = panel.own_label.text()
    assert panel.own_box.title() == "Ihre eigenen Kontaktdaten (werden mitgesendet)"
    assert AGENT_EMAIL in own and AGENT_PHONE in own
    # In the preview, the agent's data is marked as theirs, the customer's as to be checked.
    assert EMAIL in panel.highlighter.marked
    assert AGENT_EMAIL not in panel.highlighter.marked and AGENT_PHONE not in panel.highlighter.marked
    assert {AGENT_EMAIL, AGENT_PHONE} <= panel.highlighter.own_marked

    with qtbot.waitSignal(panel.finished, timeout=20000):
        qtbot.mouseClick(panel.mask_all_button, Qt.LeftButton)
    assert report.description.what == ("Kundin ([E-MAIL]) sieht eine leere Seite. Rückfragen bitte an "
                                       f"{AGENT_EMAIL} oder 030 1234567.")
    assert (report.reporter.email, report.reporter.phone) == (AGENT_EMAIL, AGENT_PHONE)
    preview = page.preview.toPlainText()
    assert AGENT_EMAIL in preview and AGENT_PHONE in preview
    # Not "no e-mail addresses found" while the preview still shows (and marks) the agent's.
    summary = panel.summary.text()
    assert "Kunden" in summary and "Ihre eigenen" in summary
    assert AGENT_EMAIL in panel.own_label.text()
    assert panel.highlighter.marked <= {EMAIL}  # nothing of the customer's left to mark
    assert {AGENT_EMAIL, AGENT_PHONE} <= panel.highlighter.own_marked
