"""The main window as the agent's home: support status, "Problem melden" with its shortcut,
drafts with their first screenshot, the outbox at a glance with the fix for what needs attention."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from capture_app.core.hours.support_hours import load_support_hours
from capture_app.core.sending.outbox import FIX_EDIT

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for sendhelpers
from sendhelpers.keyring_backend import MemoryKeyring
from sendhelpers.reports import stored_report

pytestmark = pytest.mark.gui

TUESDAY_10_BERLIN = datetime(2026, 12, 8, 9, 0, tzinfo=timezone.utc)
SATURDAY_10_BERLIN = datetime(2026, 12, 12, 9, 0, tzinfo=timezone.utc)


def home(controller, now: datetime, zone: str = "Europe/Berlin"):
    from capture_app.ui.main_window import MainWindow

    window = MainWindow(controller.store, config=controller.config, clock=lambda: now,
                        case_title=controller.case_title)
    hours, _problems = load_support_hours(controller.config)
    window.set_support_hours(hours, zone)
    return window


def test_support_open_says_until_when_in_the_agents_time_with_the_phone_number(controller, qtbot):
    window = home(controller, TUESDAY_10_BERLIN, zone="Europe/London")
    qtbot.addWidget(window)
    panel = window.support
    assert panel.is_open is True
    assert panel.state.text() == "Der Flexperto-Support ist jetzt erreichbar"
    # 18:00 in Berlin is 17:00 in London, and the agent is told it is their own clock.
    assert "bis 17:00 Uhr Ihrer Ortszeit" in panel.when.text()
    assert panel.phone_label.text() == "Telefon: +49 30 2206623 33"
    assert panel.call_button.isEnabled()


def test_support_closed_names_the_next_opening_and_the_phone_number(controller, qtbot):
    controller.config.set_user("support.phone", "+49 30 1234567")
    window = home(controller, SATURDAY_10_BERLIN)
    qtbot.addWidget(window)
    panel = window.support
    assert panel.is_open is False
    assert panel.state.text() == "Der Flexperto-Support ist gerade geschlossen"
    assert "Wieder erreichbar Montag, 09:00 Uhr" in panel.when.text()
    # Sentences, each with its full stop, also after the bracket of the time left.
    assert ".) Samstag" not in panel.when.text() and "). Samstag ist kein Support-Tag." in panel.when.text()
    assert panel.phone_label.text() == "Telefon: +49 30 1234567"


def test_the_status_moves_on_with_the_clock(controller, qtbot):
    now = [datetime(2026, 12, 8, 16, 59, tzinfo=timezone.utc)]  # 17:59 in Berlin
    window = home(controller, now[0])
    qtbot.addWidget(window)
    window.support.clock = lambda: now[0]
    window.support.update_status()
    assert window.support.is_open is True
    now[0] = datetime(2026, 12, 8, 17, 1, tzinfo=timezone.utc)
    window.support.update_status()
    assert window.support.is_open is False
    assert "Wieder erreichbar morgen, 09:00 Uhr" in window.support.when.text()


def test_the_report_button_and_the_empty_drafts_show_the_configured_shortcut(controller, qtbot):
    controller.config.set_user("hotkey.report", "Ctrl+Shift+F9")
    window = home(controller, TUESDAY_10_BERLIN)
    qtbot.addWidget(window)
    window.show()
    assert window.hotkey_label.isVisible()
    assert "Ctrl+Shift+F9" in window.hotkey_label.text() or "Strg+Umschalt+F9" in window.hotkey_label.text()
    assert window.hotkey in window.report_button.toolTip()
    assert window.table.isHidden()
    empty = window.empty_hint
    assert empty.isVisible()
    assert "Noch keine Entwürfe" in empty.text() and "„Problem melden“" in empty.text()
    assert window.hotkey in empty.text()
    assert window.resume_button.isHidden()  # nothing to resume: no buttons that do nothing


def test_the_default_shortcut_is_shown_without_a_setting(controller, qtbot):
    window = home(controller, TUESDAY_10_BERLIN)
    qtbot.addWidget(window)
    assert window.hotkey.replace("Strg", "Ctrl") == "Ctrl+Alt+P"


def test_a_draft_is_listed_with_its_first_screenshot_summary_case_and_last_change(controller, qtbot):
    report = stored_report(controller.store, summary="Kalender synchronisiert nicht")
    window = home(controller, TUESDAY_10_BERLIN)
    qtbot.addWidget(window)
    assert window.table.rowCount() == 1 and not window.empty_hint.isVisibleTo(window)
    assert window.table.item(0, 0).text() == "Kalender synchronisiert nicht"
    case = controller.case_title(report.triage.case_id)
    assert case and case in window.table.item(0, 1).text()
    assert window.table.item(0, 2).text()[:2].isdigit()  # "27.11.2026 15:00"
    qtbot.waitUntil(lambda: window.has_picture(0), timeout=10_000)
    picture = window.table.item(0, 0).icon().pixmap(window.table.iconSize())
    image = picture.toImage()
    centre = image.pixelColor(image.width() // 2, image.height() // 2)
    fixture = QImage(str(controller.store.attachment_path(report.id, report.evidence[0].id)))
    assert centre == fixture.pixelColor(fixture.width() // 2, fixture.height() // 2)


def test_a_draft_without_screenshot_has_no_picture(controller, qtbot):
    stored_report(controller.store, with_evidence=False)
    window = home(controller, TUESDAY_10_BERLIN)
    qtbot.addWidget(window)
    assert window.table.rowCount() == 1
    assert not window.has_picture(0)
    assert not window.table.item(0, 0).icon().isNull()  # the sign for "no screenshot"


@pytest.fixture
def service(controller):
    from capture_app.core.platform.secrets import SecretStore
    from capture_app.ui.sending.sender import SendingService

    controller.sending = SendingService(controller.config, controller.store,
                                        secrets=SecretStore(MemoryKeyring()))
    controller.sending.changed.connect(controller._sending_changed)
    yield controller.sending
    controller.sending.shutdown(10_000)


def test_the_outbox_state_and_a_report_that_needs_attention_fixed_with_one_click(
        controller, service, qtbot, tmp_path, no_dialogs):
    controller.config.set_user("sending.transport", "export")
    controller.config.set_user("export.folder", str(tmp_path / "export"))
    main = controller.show_main_window()
    assert "nichts wartet" in main.outbox.state.text()
    report = stored_report(controller.store)
    controller.store.attachment_path(report.id, report.evidence[0].id).unlink()  # a file is gone
    service.outbox.enqueue(report.id)
    service.wake()
    qtbot.waitUntil(lambda: len(main.outbox.rows) == 1, timeout=20_000)
    [row] = main.outbox.rows
    assert "1 Meldung braucht Ihre Aufmerksamkeit" in main.outbox.state.text()
    assert "Videoberatung bricht ab" in row.text.text()
    [item] = service.outbox.items()
    assert item.error is not None and item.error.fix == FIX_EDIT
    assert row.fix_button.text().replace("&", "") == "Bearbeiten"

    qtbot.mouseClick(row.fix_button, Qt.LeftButton)
    assert report.id in controller.wizards  # back in the wizard, to put the screenshot back
    assert [d.id for d in controller.store.list_drafts()] == [report.id]
    qtbot.waitUntil(lambda: main.outbox.rows == [], timeout=5_000)
    assert "nichts wartet" in main.outbox.state.text()


def test_waiting_reports_are_counted(controller, service, qtbot):
    controller.config.set_user("sending.transport", "mail_client")
    main = controller.show_main_window()
    for summary in ("Erste", "Zweite"):
        service.outbox.enqueue(stored_report(controller.store, summary=summary).id)
    service.changed.emit()
    assert "2 Meldungen darauf, dass Sie sie senden" in main.outbox.state.text()
    assert main.outbox.rows == []


def test_at_its_smallest_the_home_cuts_no_wrapped_text(controller, qtbot):
    from PySide6.QtWidgets import QLabel

    for n in range(4):
        stored_report(controller.store, summary=f"Meldung {n}: Termine fehlen im Kalender des Beraters")
    window = home(controller, SATURDAY_10_BERLIN)
    qtbot.addWidget(window)
    window.show()
    window.resize(200, 200)  # as small as the agent can drag it
    qtbot.waitUntil(lambda: window.size() == window.minimumSize(), timeout=5_000)
    qtbot.wait(50)
    cut = [label.text()[:40] for label in window.findChildren(QLabel)
           if label.isVisible() and label.wordWrap() and label.text()
           and label.height() < label.heightForWidth(label.width())]
    assert cut == []


def test_the_call_button_dials_support(controller, qtbot, monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(controller, "call_support", lambda: calls.append("call"))
    main = controller.show_main_window()
    qtbot.mouseClick(main.support.call_button, Qt.LeftButton)
    assert calls == ["call"]
