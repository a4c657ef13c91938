"""Sending from the app: Review's "Senden"/"In Postausgang", the outbox window, settings."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QLineEdit, QWidget

from capture_app.core.platform.secrets import SecretStore, http_account
from capture_app.core.wizard.steps import Step

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for sendhelpers
from sendhelpers.http_server import Status, TicketServer
from sendhelpers.keyring_backend import MemoryKeyring
from sendhelpers.reports import add_evidence, stored_report
from sendhelpers.tlsca import TestCA

pytestmark = pytest.mark.gui
TOKEN = "gui-token-1234"


@pytest.fixture
def server():
    with TicketServer() as ticket_server:
        # An intake that lists the files it stored: the app can check them (see use_http).
        ticket_server.answer_json = lambda ticket: {"ticket": {"id": ticket["id"]}, "id": ticket["id"],
                                                    "files": ticket_server.listing(ticket["id"])}
        yield ticket_server


@pytest.fixture
def keyring_backend():
    return MemoryKeyring()


@pytest.fixture
def service(controller, keyring_backend):
    from capture_app.ui.sending.sender import SendingService

    controller.sending = SendingService(controller.config, controller.store,
                                        secrets=SecretStore(keyring_backend))
    controller.sending.changed.connect(controller._sending_changed)
    yield controller.sending
    controller.sending.shutdown(10_000)
    if controller.outbox_window is not None:
        controller.outbox_window.close()


def use_http(controller, service, url: str, *, check_files: bool = True) -> None:
    for key, value in (("sending.transport", "http"), ("http.endpoint", url), ("http.auth", "bearer")):
        controller.config.set_user(key, value)
    if check_files:  # where the server's answer lists what it stored
        controller.config.set_user("http.files_path", "files")
        controller.config.set_user("http.file_sha256_field", "sha256")
    service.secrets.set(http_account(url, "bearer"), TOKEN)


def review_of(controller, qtbot, report):
    window = controller.resume(report.id)
    assert window.current is Step.REVIEW, window.problems.text()
    page = window.pages[Step.REVIEW]
    qtbot.waitUntil(lambda: page.review is not None, timeout=10_000)
    return window, page


def test_send_from_review_creates_the_ticket_and_the_outbox_keeps_the_receipt(
        controller, service, server, qtbot, no_dialogs):
    use_http(controller, service, server.url)
    report = stored_report(controller.store)
    _window, page = review_of(controller, qtbot, report)
    assert page.send_buttons.isVisibleTo(page)

    qtbot.mouseClick(page.send_buttons.send_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: service.last_message is not None, timeout=20_000)

    kind, text = service.last_message
    assert kind == "information" and "T-1001" in text and "gesendet" in text
    assert report.id not in controller.wizards  # the wizard closed: a queued report is not edited
    assert len(server.tickets) == 1
    assert server.posts()[0].headers["Idempotency-Key"] == report.id
    outbox = controller.show_outbox()
    assert outbox.table.rowCount() == 1
    assert outbox.table.item(0, 1).text() == "Gesendet"
    assert "T-1001" in outbox.table.item(0, 4).text()
    outbox.table.selectRow(0)
    assert "SHA-256" in outbox.details.text() and "Ticket-Schnittstelle" in outbox.details.text()
    assert outbox.delete_button.text().replace("&", "") == "Lokale Daten löschen"


def test_queue_while_the_server_is_down_then_send_now(controller, service, server, qtbot, no_dialogs):
    use_http(controller, service, server.url)
    server.script.append(Status(503, {"Retry-After": "3600"}, b'{"message": "Wartung bis 12 Uhr"}'))
    report = stored_report(controller.store)
    _window, page = review_of(controller, qtbot, report)

    qtbot.mouseClick(page.send_buttons.queue_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(server.posts()) == 1, timeout=20_000)
    outbox = controller.show_outbox()
    qtbot.waitUntil(lambda: outbox.table.rowCount() == 1
                    and outbox.table.item(0, 1).text() == "Wartet", timeout=10_000)
    assert "Postausgang" in service.last_message[1]
    assert outbox.table.item(0, 2).text() == "1"  # attempts
    assert outbox.table.item(0, 3).text() != "—"  # the next try is shown
    outbox.table.selectRow(0)
    assert "Wartung bis 12 Uhr" in outbox.details.text()
    assert controller.queued_count() == 1

    qtbot.mouseClick(outbox.send_button, Qt.LeftButton)  # don't wait an hour
    qtbot.waitUntil(lambda: outbox.table.item(0, 1).text() == "Gesendet", timeout=20_000)
    assert len(server.tickets) == 1 and controller.queued_count() == 0


def test_network_back_and_start_up_send_what_waits(controller, service, server, qtbot):
    use_http(controller, service, server.url)
    first = stored_report(controller.store, summary="vor dem Start")
    service.outbox.enqueue(first.id)
    service.start()  # as the app does once its window is up
    qtbot.waitUntil(lambda: service.outbox.state(first.id) == "sent", timeout=20_000)

    server.script.append(Status(503, {"Retry-After": "3600"}))
    second = stored_report(controller.store, summary="offline gelegt")
    service.outbox.enqueue(second.id)
    service.wake()
    qtbot.waitUntil(lambda: len(server.posts()) == 2, timeout=20_000)
    qtbot.waitUntil(lambda: service.outbox.state(second.id) == "queued", timeout=10_000)
    qtbot.wait(300)
    assert len(server.posts()) == 2  # it waits for the Retry-After hour …

    from PySide6.QtNetwork import QNetworkInformation

    service.network_changed(QNetworkInformation.Reachability.Online)  # … unless the network is back
    qtbot.waitUntil(lambda: service.outbox.state(second.id) == "sent", timeout=20_000)
    assert len(server.tickets) == 2


def test_a_report_sent_in_the_background_gives_its_memory_back_afterwards(controller, service, server,
                                                                         qtbot, monkeypatch):
    """Nothing of the app open, a queued report goes out: the memory its bundle and upload
    freed is handed back to the system once it has been sent."""
    from capture_app.ui import app as app_module

    returned = []
    monkeypatch.setattr(app_module, "return_freed_memory",
                        lambda: returned.append(service.outbox.state(report.id)))
    monkeypatch.setattr(app_module, "MEMORY_BACK_MS", 300)
    use_http(controller, service, server.url)
    report = stored_report(controller.store, summary="im Hintergrund")
    service.outbox.enqueue(report.id)
    service.start()
    qtbot.waitUntil(lambda: service.outbox.state(report.id) == "sent", timeout=20_000)
    qtbot.waitUntil(lambda: "sent" in returned, timeout=5000)


def test_needs_attention_shows_the_reason_and_edit_takes_it_back(
        controller, service, server, qtbot, no_dialogs):
    use_http(controller, service, server.url)
    server.script.append(Status(422, {}, b'{"message": "Feld email fehlt"}'))
    report = stored_report(controller.store)
    _window, page = review_of(controller, qtbot, report)
    qtbot.mouseClick(page.send_buttons.send_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: service.last_message is not None, timeout=20_000)
    kind, text = service.last_message
    assert kind == "warning" and "Feld email fehlt" in text and "Aufmerksamkeit" in text

    outbox = controller.show_outbox()
    outbox.table.selectRow(0)
    assert outbox.table.item(0, 1).text() == "Braucht Aufmerksamkeit"
    assert "So beheben Sie es" in outbox.details.text()
    assert outbox.send_button.text().replace("&", "") == "Erneut versuchen"
    qtbot.mouseClick(outbox.edit_button, Qt.LeftButton)
    assert report.id in controller.wizards  # back in the wizard, editable
    assert [d.id for d in controller.store.list_drafts()] == [report.id]
    assert outbox.table.isHidden()


def test_too_large_offers_to_downscale_and_review_shows_the_result(
        controller, service, server, qtbot, no_dialogs, tmp_path, monkeypatch):
    use_http(controller, service, server.url)
    controller.config.set_user("http.max_upload_mb", 1)
    report = stored_report(controller.store, with_evidence=False)
    # Pixel noise: a screenshot whose PNG cannot compress (the worst case for the size).
    noise = QImage(os.urandom(760 * 760 * 3), 760, 760, 760 * 3, QImage.Format_RGB888).copy()
    big = tmp_path / "gross.png"
    assert noise.save(str(big), "PNG")
    assert big.stat().st_size > 1024 * 1024
    add_evidence(controller.store, report, "screenshot", "gross.png", "image/png", big.read_bytes())
    controller.store.save(report)
    window, page = review_of(controller, qtbot, report)
    before = page.review.total_size

    from capture_app.ui.sending import send_actions

    shown = []

    def accept(dialog):
        shown.append([box.text() for box, _ in dialog.boxes])
        return send_actions.QDialog.Accepted

    monkeypatch.setattr(send_actions.BudgetDialog, "exec", accept)
    qtbot.mouseClick(page.send_buttons.send_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(shown), timeout=20_000)
    assert server.posts() == []  # nothing the server would refuse is sent
    assert any("verkleinern" in text for text in shown[0])
    qtbot.waitUntil(lambda: bool(no_dialogs)
                    or (page.review is not None and page.review.total_size < before), timeout=20_000)
    assert no_dialogs == []
    [item] = window.report.evidence
    assert item.id != report.evidence[0].id and item.size < 1024 * 1024
    scaled = QImage(str(controller.store.attachment_path(report.id, item.id)))
    assert 0 < scaled.width() < 760  # a real, smaller image

    qtbot.mouseClick(page.send_buttons.send_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(server.tickets) == 1, timeout=20_000)


def test_settings_section_stores_the_token_in_the_keyring_and_tests_the_connection(
        controller, service, server, qtbot, no_dialogs, keyring_backend, monkeypatch, tmp_path):
    from capture_app.ui.sending.transport_settings import TransportSettings
    from capture_app.ui.settings_dialog import SettingsDialog

    monkeypatch.setattr("capture_app.core.platform.secrets.shared_store", lambda: service.secrets)
    dialog = SettingsDialog(controller.config)
    box = dialog.transport_box
    assert isinstance(box, TransportSettings)
    combo = box.editors["sending.transport"]
    combo.setCurrentIndex(combo.findData("http"))
    assert box.stack.currentWidget() is box.pages["http"]
    box.editors["http.endpoint"].setText("tickets.example-bank.de/api")
    dialog._save()
    assert any("https://" in text for kind, text in no_dialogs)  # a URL without scheme is refused
    assert controller.config.get("http.endpoint") == ""

    box.editors["http.endpoint"].setText(server.url)
    box.secret_fields["#http_secret"].setText(TOKEN)
    results = []
    box.test_connection(on_done=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    assert results[0].startswith("✔") and "erreichbar" in results[0]
    assert server.requests[-1].headers.get("Authorization") == f"Bearer {TOKEN}"
    assert server.posts() == []  # testing sends no report

    dialog._save()
    assert controller.config.get("sending.transport") == "http"
    assert keyring_backend.passwords[("ReportCapture", http_account(server.url, "bearer"))] == TOKEN
    assert TOKEN not in controller.paths.user_config_file.read_text()

    ca = TestCA(tmp_path / "ca")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
    with TicketServer(tls=ca.server_context("self", self_signed=True)) as secure:
        box.editors["http.endpoint"].setText(secure.url)
        box.secret_fields["#http_secret"].setText(TOKEN)  # a token is never reused for another server
        results.clear()
        box.test_connection(on_done=results.append)
        qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    assert results[0].startswith("✖") and "selbst ausgestellt" in results[0]


def test_main_window_opens_the_outbox_and_every_control_is_named(controller, service, qtbot):
    controller.show_main_window()
    main = controller.main_window
    assert main.outbox_button.text().replace("&", "") == "Postausgang"
    qtbot.mouseClick(main.outbox_button, Qt.LeftButton)
    outbox = controller.outbox_window
    assert outbox is not None and outbox.isVisible()
    assert outbox.empty_hint.isVisible()
    unnamed = [type(w).__name__ for w in outbox.findChildren(QWidget)
               if isinstance(w, (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView))
               and not w.objectName().startswith("qt_") and not w.accessibleName().strip()
               and w.focusPolicy() != Qt.NoFocus]
    assert unnamed == []
    assert controller.queued_count() == 0


@pytest.mark.parametrize("controller", ["en"], indirect=True)
def test_the_outbox_speaks_english(controller, service, server, qtbot, no_dialogs):
    use_http(controller, service, server.url)
    report = stored_report(controller.store)
    service.outbox.enqueue(report.id)
    outbox = controller.show_outbox()
    assert outbox.windowTitle() == "Outbox"
    assert outbox.table.item(0, 1).text() == "Waiting"
    assert outbox.send_button.text().replace("&", "") == "Send now"


# --- the mail program: handed over, not sent ---------------------------------------------------


def use_mail_client(controller, tmp_path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    controller.config.set_user("sending.transport", "mail_client")
    controller.config.set_user("export.folder", str(folder))
    return folder


def test_send_through_the_mail_program_is_handed_over_until_the_agent_marks_it_sent(
        controller, service, qtbot, no_dialogs, tmp_path, monkeypatch):
    from sendhelpers.mailer import registered_mail_handler

    mails = registered_mail_handler(tmp_path / "xdg", monkeypatch)
    folder = use_mail_client(controller, tmp_path)
    report = stored_report(controller.store)
    _window, page = review_of(controller, qtbot, report)

    qtbot.mouseClick(page.send_buttons.send_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: service.last_message is not None, timeout=20_000)
    _kind, text = service.last_message
    assert len(mails()) == 1
    assert "erst gesendet" in text and "Senden" in text
    outbox = controller.show_outbox()
    outbox.table.selectRow(0)
    assert outbox.table.item(0, 1).text() == "Im E-Mail-Programm – dort senden"
    assert outbox.table.item(0, 4).text() == "—"  # no receipt: nothing is known to be sent
    assert outbox.send_button.text().replace("&", "") == "Erneut öffnen"
    assert outbox.mark_sent_button.isVisibleTo(outbox) and outbox.mark_sent_button.isEnabled()
    [exported] = list(folder.iterdir())
    assert exported.name in outbox.details.text()

    service.last_message = None
    qtbot.mouseClick(outbox.send_button, Qt.LeftButton)  # "Erneut öffnen"
    qtbot.waitUntil(lambda: service.last_message is not None, timeout=20_000)
    assert len(mails()) == 2
    qtbot.waitUntil(lambda: outbox.table.item(0, 1).text() == "Im E-Mail-Programm – dort senden",
                    timeout=10_000)

    outbox.table.selectRow(0)
    qtbot.mouseClick(outbox.mark_sent_button, Qt.LeftButton)
    assert any(kind == "question" and "gesendet" in text for kind, text in no_dialogs)
    qtbot.waitUntil(lambda: outbox.table.item(0, 1).text() == "Gesendet", timeout=10_000)
    assert service.outbox.state(report.id) == "sent"
    outbox.table.selectRow(0)
    assert not outbox.mark_sent_button.isVisibleTo(outbox)


def test_queued_for_the_mail_program_waits_for_the_agent_not_for_a_next_try(
        controller, service, qtbot, no_dialogs, tmp_path, monkeypatch):
    from sendhelpers.mailer import registered_mail_handler

    mails = registered_mail_handler(tmp_path / "xdg", monkeypatch)
    use_mail_client(controller, tmp_path)
    report = stored_report(controller.store)
    _window, page = review_of(controller, qtbot, report)

    qtbot.mouseClick(page.send_buttons.queue_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: service.last_message is not None, timeout=20_000)
    assert "nicht im Hintergrund" in service.last_message[1]
    outbox = controller.show_outbox()
    qtbot.waitUntil(lambda: outbox.table.rowCount() == 1, timeout=10_000)
    outbox.table.selectRow(0)
    assert outbox.table.item(0, 3).text() == "Wartet auf Sie"
    assert "Nächster Versuch automatisch" not in outbox.details.text()
    assert "Jetzt senden" in outbox.details.text()
    qtbot.wait(300)
    assert mails() == []  # nothing opened behind the agent's back


def test_a_hand_over_open_since_yesterday_is_reminded(controller, service, qtbot, tmp_path):
    from datetime import datetime, timedelta, timezone

    from capture_app.core.sending.outbox import Outbox
    from capture_app.core.sending.service import OutboxSender
    from capture_app.core.sending.transports.export import ExportTransport

    folder = tmp_path / "share"
    folder.mkdir()
    report = stored_report(controller.store)
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)
    with Outbox(controller.store, clock=lambda: friday) as then:
        then.enqueue(report.id)
        OutboxSender(then, lambda: ExportTransport(folder)).send_next()
    monday = friday + timedelta(days=3)
    service.outbox._clock = lambda: monday  # the app runs again on Monday at 16:00 Berlin
    reminders = []
    service.handover_reminder.connect(reminders.append)
    service.check_handovers()
    qtbot.waitUntil(lambda: bool(reminders), timeout=10_000)
    [reminder] = reminders
    assert "Videoberatung bricht ab" in reminder.body and reminder.opens == "outbox"
    service.check_handovers()
    qtbot.wait(300)
    assert len(reminders) == 1  # once


def test_quitting_while_an_attempt_runs_prints_no_error(tmp_path):
    import subprocess

    child = Path(__file__).with_name("quit_while_sending_child.py")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    from capture_app.core.platform.paths import HOME_ENV, SYSTEM_CONFIG_ENV

    env[HOME_ENV] = str(tmp_path / "home")
    env[SYSTEM_CONFIG_ENV] = str(tmp_path / "home" / "system" / "config.toml")
    result = subprocess.run([sys.executable, str(child)], env=env, capture_output=True, text=True,
                            timeout=60)
    assert "posted" in result.stdout, result.stderr
    assert "RuntimeError" not in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unanswered_attempt_is_shown_as_maybe_arrived_and_the_receipt_lists_every_file(
        controller, service, server, qtbot, no_dialogs):
    from sendhelpers.http_server import Reset

    use_http(controller, service, server.url)
    server.script.append(Reset(commit=True))
    report = stored_report(controller.store)
    service.outbox.enqueue(report.id)
    service.wake()
    outbox = controller.show_outbox()
    qtbot.waitUntil(lambda: outbox.table.rowCount() == 1
                    and outbox.table.item(0, 1).text().startswith("Wartet – möglicherweise"),
                    timeout=20_000)
    outbox.table.selectRow(0)
    assert "Möglicherweise schon angekommen" in outbox.details.text()

    qtbot.mouseClick(outbox.send_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: outbox.table.item(0, 1).text() == "Gesendet", timeout=20_000)
    assert len(server.tickets) == 1  # the server recognised the repeated request
    outbox.table.selectRow(0)
    details = outbox.details.text()
    for name in ("bildschirm.png", "konsole.log", "vertrag.pdf", "report.json", "manifest.json"):
        assert f"Datei „{name}“" in details, name


# --- the settings show what the chosen way of sending needs ------------------------------------


def choose(box, key, value) -> None:
    combo = box.editors[key]
    combo.setCurrentIndex(combo.findData(value))


def test_a_helpdesk_profile_asks_only_for_address_account_secret_and_queue(controller, service, qtbot):
    from capture_app.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(controller.config)
    box = dialog.transport_box
    choose(box, "sending.transport", "http")
    choose(box, "http.profile", "zendesk")
    shown = {key for key in box.rows if box.is_shown(key)}
    assert shown == {"http.profile", "http.endpoint", "http.user", "#http_secret", "http.queue"}
    assert not box.technical.isChecked()

    choose(box, "http.profile", "jira_service_management")
    assert box.is_shown("http.request_type")

    choose(box, "http.profile", "generic")
    choose(box, "http.auth", "bearer")
    assert not box.is_shown("http.token_header") and not box.is_shown("http.user")
    assert not box.is_shown("http.field_title") and not box.is_shown("http.ticket_id_path")
    choose(box, "http.auth", "header")
    assert box.is_shown("http.token_header")
    box.technical.setChecked(True)  # IT sets up the form upload once
    assert box.is_shown("http.field_title") and box.is_shown("http.priority_map")
    dialog.close()


def test_the_organisation_can_hide_and_lock_sending_settings(qapp, app_paths):
    from capture_app.core.platform.config import Config
    from capture_app.ui.sending.transport_settings import TransportSettings

    app_paths.system_config_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.system_config_file.write_text(
        'locked = ["sending", "http"]\n'
        '[sending]\ntransport = "http"\nhidden_settings = ["http.endpoint", "http.profile"]\n'
        '[http]\nprofile = "django_helpdesk"\nendpoint = "https://helpdesk.example-bank.de/"\nqueue = "3"\n',
        encoding="utf-8")
    config = Config.load(app_paths)
    box = TransportSettings(config, secrets=None)
    assert not box.is_shown("http.endpoint") and not box.is_shown("http.profile")
    assert box.is_shown("http.queue") and not box.editors["http.queue"].isEnabled()  # locked
    assert box.is_shown("#http_secret") and box.is_shown("http.user")
    assert "http.endpoint" not in box.values()


def test_a_refused_request_points_to_the_settings(controller, service, server, qtbot, no_dialogs):
    use_http(controller, service, server.url)
    server.script.append(Status(400, {"Content-Type": "application/json"},
                                b'{"queue": ["This field is required."]}'))
    report = stored_report(controller.store)
    service.outbox.enqueue(report.id)
    service.wake()
    outbox = controller.show_outbox()
    qtbot.waitUntil(lambda: outbox.table.rowCount() == 1
                    and outbox.table.item(0, 1).text() == "Braucht Aufmerksamkeit", timeout=20_000)
    outbox.table.selectRow(0)
    assert "Korrigieren Sie die Einstellungen" in outbox.details.text()
    assert outbox.settings_button.isDefault() and not outbox.send_button.isDefault()


def test_an_intake_that_cannot_say_which_files_it_kept_shows_accepted_not_sent(
        controller, service, server, qtbot, no_dialogs):
    use_http(controller, service, server.url, check_files=False)
    report = stored_report(controller.store)
    _window, page = review_of(controller, qtbot, report)

    qtbot.mouseClick(page.send_buttons.send_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: service.last_message is not None, timeout=20_000)

    kind, text = service.last_message
    assert kind == "warning" and "T-1001" in text and "Angenommen – Dateien nicht geprüft" in text
    assert "nicht „Gesendet“" in text
    outbox = controller.show_outbox()
    assert outbox.table.item(0, 1).text() == "Angenommen – Dateien nicht geprüft"
    outbox.table.selectRow(0)
    details = outbox.details.text()
    assert "Beleg: angenommen am" in details and "nicht bestätigt" in details
    assert "Dateiliste in der Antwort" in details  # what IT can add
    assert "Datei „vertrag.pdf“" in details
    from capture_app.core.platform import i18n

    i18n.set_language("en")  # the controller fixture sets German back
    outbox.refresh()
    assert outbox.table.item(0, 1).text() == "Accepted – files not checked"


def test_a_file_the_intake_lost_shows_needs_attention_with_the_count(
        controller, service, server, qtbot, no_dialogs):
    use_http(controller, service, server.url)
    server.drops = {"vertrag.pdf"}
    report = stored_report(controller.store)
    service.outbox.enqueue(report.id)
    service.wake()
    outbox = controller.show_outbox()
    qtbot.waitUntil(lambda: outbox.table.rowCount() == 1
                    and outbox.table.item(0, 1).text() == "Braucht Aufmerksamkeit", timeout=20_000)
    outbox.table.selectRow(0)
    assert "1 von 5 Dateien fehlen dort (vertrag.pdf)" in outbox.details.text()
    assert "Gesendet" not in outbox.table.item(0, 1).text()


NETWORK_WATCH = r"""
import sys
from pathlib import Path
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
from capture_app.core.report.drafts import DraftStore
from capture_app.core.platform.paths import AppPaths
from capture_app.core.platform.config import Config
from capture_app.ui.sending.sender import SendingService
root = Path(sys.argv[1])
paths = AppPaths(root / "data", root / "config", root / "system.toml")
def run_for(ms):
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
with DraftStore(paths) as store:
    service = SendingService(Config.load(paths), store)
    service.start()
    run_for(1500)
    print(QNetworkInformation.instance() is not None, flush=True)
    service.shutdown()
"""


def test_an_empty_outbox_does_not_watch_the_network(tmp_path):
    """Idling in the tray with nothing to send, the app loads no network backend (GLib's
    network monitor and its thread, megabytes all day); a waiting report does (see
    test_network_back_and_start_up_send_what_waits)."""
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", NETWORK_WATCH, str(tmp_path)], capture_output=True,
                            text=True, timeout=60, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False"]
