"""The SMTP transport against a real SMTP server (aiosmtpd) on 127.0.0.1 with a test CA."""
from __future__ import annotations

import hashlib
import json
import random
from email import policy
from email.parser import BytesParser

import pytest
from sendhelpers.reports import built_bundle, paths_for, stored_report
from sendhelpers.smtp_server import MailServer, free_port, silent_server
from sendhelpers.tlsca import TestCA

from capture_app.core.platform.secrets import Secret
from capture_app.core.report.drafts import DraftStore
from capture_app.core.sending.outbox import FIX_SETTINGS, FIX_SHRINK, Outbox
from capture_app.core.sending.service import OutboxSender
from capture_app.core.sending.transports.base import (
    PermanentTransportError,
    TemporaryTransportError,
)
from capture_app.core.sending.transports.content import BundleContents
from capture_app.core.sending.transports.smtp import SmtpSettings, SmtpTransport

PASSWORD = "Sommer2026!geheim"
SUPPORT = "support@flexperto.com"


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return TestCA(tmp_path_factory.mktemp("smtp-ca"))


@pytest.fixture(autouse=True)
def trust_test_ca(ca, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


@pytest.fixture
def store(tmp_path):
    with DraftStore(paths_for(tmp_path)) as draft_store:
        yield draft_store


@pytest.fixture
def outbox(store):
    with Outbox(store, rng=random.Random(3)) as box:
        yield box


def smtp(server: MailServer, *, password: str | None = PASSWORD, **changes) -> SmtpTransport:
    settings = dict(host="127.0.0.1", port=server.port, security=server.mode, user="agent",
                    sender="meldungen@example-bank.de", recipient=SUPPORT,
                    # generous: on Debian's own Python the test server's greeting was seen
                    # to take 5 s now and then; the timeout tests set their own, short ones
                    organisation="Example Bank AG", timeout=20)
    settings.update(changes)
    return SmtpTransport(SmtpSettings(**settings), Secret(password) if password else None)


def parse(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_the_report_arrives_as_a_readable_mail_with_every_attachment(store, tmp_path, ca, mode):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with MailServer(ca, mode=mode, user="agent", password=PASSWORD) as server:
        receipt = smtp(server).send(bundle, report)
        [received] = server.messages
        assert server.login_attempts == ["agent"]

    assert received.mail_from == "meldungen@example-bank.de"
    assert received.rcpt_tos == [SUPPORT]
    message = parse(received.data)
    assert message["Message-ID"] == f"<{report.id}@example-bank.de>" == receipt.reference
    assert message["To"] == SUPPORT
    assert message["Reply-To"] == "Petra Support <petra.support@example-bank.de>"
    assert message["Subject"].startswith("[Problem melden] Example Bank AG – ")
    assert message["Subject"].endswith(report.summary)
    with BundleContents(bundle) as contents:
        body = contents.body_text()
        manifest = {f["path"].rsplit("/", 1)[-1]: f for f in contents.manifest["files"]}
        manifest_bytes = contents.manifest_bytes
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == body
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert sorted(attachments) == ["bildschirm.png", "konsole.log", "manifest.json", "report.json",
                                   "vertrag.pdf"]
    for name in ("bildschirm.png", "konsole.log", "vertrag.pdf", "report.json"):
        data = attachments[name].get_payload(decode=True)  # the bytes as the helpdesk saves them
        assert hashlib.sha256(data).hexdigest() == manifest[name]["sha256"], name
        assert attachments[name].get_content_type() == manifest[name]["media_type"]
    assert attachments["manifest.json"].get_payload(decode=True) == manifest_bytes
    assert json.loads(manifest_bytes)["report_id"] == report.id
    assert receipt.transport == "smtp" and SUPPORT in receipt.destination
    assert receipt.size == len(smtp(server).message_bytes(bundle, report))


@pytest.mark.parametrize("evil", [
    "Drucker\r\nBcc: evil@attacker.example",
    "Drucker\nX-Injected: 1",
    "Drucker\u2028Bcc: evil@attacker.example",
    "Drucker\u0085X-Injected: 1",
    "Drucker\u2029\rX-Injected: 1",
])
def test_no_header_can_be_injected_through_the_subject(store, tmp_path, ca, evil):
    report = stored_report(store, summary=evil)
    report.reporter.name = "Petra\r\nBcc: name@attacker.example"
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with MailServer(ca, user="agent", password=PASSWORD) as server:
        smtp(server).send(bundle, report)
        [received] = server.messages

    assert received.rcpt_tos == [SUPPORT]
    message = parse(received.data)
    assert message.get_all("Bcc") is None and message.get_all("X-Injected") is None
    assert len(message.get_all("Subject")) == 1
    subject = message["Subject"]
    assert not any(ch in subject for ch in "\r\n\u2028\u2029\u0085")
    assert "Drucker" in subject and ("Bcc: evil@attacker.example" in subject or "X-Injected: 1" in subject)
    header_block = received.data.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in header_block and b"\nX-Injected:" not in header_block


def test_the_same_report_gives_the_same_message_and_message_id(store, tmp_path, ca):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with MailServer(ca, user="agent", password=PASSWORD) as server:
        from datetime import datetime, timezone

        moment = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)  # Date: is the time of sending
        transport = SmtpTransport(smtp(server).settings, Secret(PASSWORD), clock=lambda: moment)
        assert transport.message_bytes(bundle, report) == transport.message_bytes(bundle, report)


def test_a_wrong_password_needs_attention_after_one_attempt(store, outbox, ca):
    report = stored_report(store)
    outbox.enqueue(report.id)
    with MailServer(ca, user="agent", password=PASSWORD) as server:
        sender = OutboxSender(outbox, lambda: smtp(server, password="falsch"))
        outcome = sender.send_next()
        assert sender.send_next() is None  # not retried on its own: no retry storm
        assert server.login_attempts == ["agent"] and server.messages == []

    assert outcome.state == "needs_attention"
    assert outcome.error.key == "sending.smtp.auth_failed"
    [item] = outbox.items()
    assert item.error.fix == FIX_SETTINGS
    message = item.error.message()
    assert "Anmeldung als „agent“ abgelehnt" in message and "535" in message
    assert "Passwort" in message and "falsch" not in message


def test_a_552_answer_needs_attention_with_the_shrink_fix(store, outbox, ca):
    report = stored_report(store)
    outbox.enqueue(report.id)
    with MailServer(ca, user="agent", password=PASSWORD) as server:
        server.refuse_data("552 5.3.4 Message size exceeds fixed maximum message size")
        outcome = OutboxSender(outbox, lambda: smtp(server)).send_next()
    assert outcome.state == "needs_attention"
    [item] = outbox.items()
    assert item.error.fix == FIX_SHRINK
    assert "552" in item.error.message() and "zu groß" in item.error.message()


def test_a_4xx_answer_is_temporary(store, outbox, ca):
    report = stored_report(store)
    outbox.enqueue(report.id)
    with MailServer(ca, user="agent", password=PASSWORD) as server:
        server.refuse_data("451 4.3.0 Mail server temporarily rejected message")
        outcome = OutboxSender(outbox, lambda: smtp(server)).send_next()
    assert outcome.state == "queued" and outcome.error.key == "sending.smtp.try_later"


def test_the_servers_size_limit_is_honoured_before_sending(store, tmp_path, ca):
    report = stored_report(store, extra_bytes=30_000)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with MailServer(ca, user="agent", password=PASSWORD, size_limit=20_000) as server:
        transport = smtp(server)
        with pytest.raises(PermanentTransportError) as caught:
            transport.send(bundle, report)
        assert server.messages == []
    assert caught.value.key == "sending.too_large"
    assert "höchstens 20 KB" in caught.value.message()


def test_the_encoded_size_includes_base64_and_mime_overhead(store, tmp_path, ca):
    report = stored_report(store, extra_bytes=300_000)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with MailServer(ca, user="agent", password=PASSWORD) as server:
        transport = smtp(server)
        measured = transport.encoded_size(bundle, report)
        transport.send(bundle, report)
        [received] = server.messages
    assert measured >= 300_000 * 4 // 3
    assert abs(len(received.data) - measured) <= 4  # the final CRLF of the DATA phase


def test_a_host_that_does_not_answer_is_a_clear_temporary_failure(store, tmp_path):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    listener, port = silent_server()
    try:
        transport = SmtpTransport(SmtpSettings(host="127.0.0.1", port=port, timeout=0.5, user="agent",
                                               sender="a@example-bank.de"), Secret(PASSWORD))
        with pytest.raises(TemporaryTransportError) as caught:
            transport.send(bundle, report)
    finally:
        listener.close()
    assert caught.value.key == "sending.smtp.timeout"
    assert f"antwortet nicht auf Port {port}" in caught.value.message()
    assert PASSWORD not in caught.value.message()


def test_a_closed_port_is_unreachable(store, tmp_path):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    transport = SmtpTransport(SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2,
                                           sender="a@example-bank.de"))
    with pytest.raises(TemporaryTransportError) as caught:
        transport.send(bundle, report)
    assert caught.value.key == "sending.smtp.unreachable"
    assert "nicht erreichbar" in caught.value.message()


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
@pytest.mark.parametrize("cert, key, words", [
    ({"expired": True}, "sending.tls.expired", "abgelaufen"),
    ({"self_signed": True}, "sending.tls.self_signed", "selbst ausgestellt"),
])
def test_a_bad_certificate_is_refused_and_the_password_never_sent(store, tmp_path, ca, mode, cert,
                                                                  key, words):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with MailServer(ca, mode=mode, user="agent", password=PASSWORD, cert_kwargs=cert) as server:
        with pytest.raises(PermanentTransportError) as caught:
            smtp(server).send(bundle, report)
        assert server.login_attempts == [] and server.messages == []
    assert caught.value.key == key
    assert words in caught.value.message()


def test_a_server_without_starttls_is_not_used_in_the_clear(store, tmp_path, ca):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with MailServer(ca, mode="plain", user="agent", password=PASSWORD) as server:
        with pytest.raises(PermanentTransportError) as caught:
            smtp(server, security="starttls").send(bundle, report)
        assert server.login_attempts == [] and server.messages == []
    assert caught.value.key == "sending.smtp.no_starttls"


def test_connection_check_reports_encryption_login_and_size(ca):
    with MailServer(ca, user="agent", password=PASSWORD, size_limit=10 * 1024 * 1024) as server:
        text = smtp(server).check()
        assert server.messages == []
        with pytest.raises(PermanentTransportError) as caught:
            smtp(server, password="falsch").check()
    assert "127.0.0.1" in text and "10 MB" in text and "angemeldet" in text
    assert caught.value.key == "sending.smtp.auth_failed"


def test_an_invalid_sender_or_missing_password_is_refused_before_connecting(store, tmp_path, ca):
    report = stored_report(store)
    report.reporter.email = "keine-adresse"
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with MailServer(ca, user="agent", password=PASSWORD) as server:
        with pytest.raises(PermanentTransportError) as caught:
            smtp(server, sender="").send(bundle, report)
        assert caught.value.key == "sending.smtp.bad_sender"
        with pytest.raises(PermanentTransportError) as caught:
            smtp(server, password=None).send(bundle, report)
        assert caught.value.key == "sending.credentials_missing"
        assert server.login_attempts == []


def test_the_date_header_is_the_time_of_sending_and_the_receipt_lists_every_file(store, tmp_path, ca):
    from datetime import datetime, timezone
    from email.utils import parsedate_to_datetime

    report = stored_report(store)  # created 27 November 2026
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    sending = datetime(2026, 12, 3, 9, 30, 15, tzinfo=timezone.utc)  # queued, sent days later
    with MailServer(ca, user="agent", password=PASSWORD) as server:
        transport = SmtpTransport(smtp(server).settings, Secret(PASSWORD), clock=lambda: sending)
        receipt = transport.send(bundle, report)
        [received] = server.messages
    message = parse(received.data)
    assert parsedate_to_datetime(message["Date"]) == sending
    attachments = {part.get_filename(): part.get_payload(decode=True)
                   for part in message.iter_attachments()}
    listed = {name: (size, digest) for name, size, digest in receipt.files}
    assert sorted(listed) == sorted(attachments)
    for name, data in attachments.items():  # what the helpdesk stores, file by file
        assert listed[name] == (len(data), hashlib.sha256(data).hexdigest()), name
