"""Secrets stay in the keyring: a canary never shows up in logs, drafts, bundles or errors."""
from __future__ import annotations

import base64
import io
import logging
import random
import traceback
from pathlib import Path

import keyring
import pytest
from sendhelpers.http_server import Status, TicketServer
from sendhelpers.keyring_backend import MemoryKeyring
from sendhelpers.reports import stored_report
from sendhelpers.smtp_server import MailServer
from sendhelpers.tlsca import TestCA

from capture_app.core.platform.config import Config
from capture_app.core.platform.secrets import (
    RedactingFilter,
    Secret,
    SecretStore,
    http_account,
    install_log_redaction,
    smtp_account,
)
from capture_app.core.report.drafts import DraftStore
from capture_app.core.sending.outbox import Outbox
from capture_app.core.sending.service import OutboxSender, secret_needs, transport_from_config

CANARY = "CANARY-s3cr3t-7d1f0c2a"
FORMS = (CANARY, base64.b64encode(CANARY.encode()).decode(),
         base64.b64encode(f"agent:{CANARY}".encode()).decode(),
         base64.b64encode(f"\0agent\0{CANARY}".encode()).decode())


@pytest.fixture
def backend(monkeypatch):
    memory = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(previous)


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return TestCA(tmp_path_factory.mktemp("secrets-ca"))


@pytest.fixture(autouse=True)
def trust_test_ca(ca, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))


def everything_on_disk(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def assert_no_canary(text: str | bytes, where: str) -> None:
    for form in FORMS:
        needle = form.encode() if isinstance(text, bytes) else form
        assert needle not in text, f"the secret appears in {where}"


def app_logs(caplog) -> str:
    # aiosmtpd's own server-side log ("mail.log") belongs to the test's mail server, not the app.
    return "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
                     if not r.name.startswith("mail.log"))


def configure(app_paths, **values) -> Config:
    config = Config.load(app_paths)
    for key, value in values.items():
        config.set_user(key, value)
    return config


def exception_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc)) + repr(exc) + str(exc) + exc.message() + \
        exc.message("en") + repr(exc.params) + exc.reason


def test_a_stored_secret_is_in_the_keyring_only(backend, app_paths, isolated_home):
    config = configure(app_paths, **{"sending.transport": "smtp", "smtp.host": "mail.example-bank.de",
                                     "smtp.user": "agent"})
    secrets = SecretStore()
    assert secrets.persistent
    [need] = secret_needs(config)
    assert need.account == smtp_account("mail.example-bank.de", 587, "agent")
    assert secrets.set(need.account, CANARY) is True
    assert backend.passwords[("ReportCapture", need.account)] == CANARY
    assert secrets.get(need.account).reveal() == CANARY
    assert_no_canary(everything_on_disk(isolated_home), "the app's files")
    # Changing the server does not hand the password to the new one.
    config.set_user("smtp.host", "other.example.com")
    assert secrets.get(secret_needs(config)[0].account) is None


def test_without_a_keyring_secrets_live_in_memory_only(isolated_home):
    from keyring.backends import fail

    secrets = SecretStore(fail.Keyring())
    assert not secrets.persistent
    assert secrets.set("smtp:agent@mail:587", CANARY) is False
    assert secrets.get("smtp:agent@mail:587").reveal() == CANARY
    assert SecretStore(fail.Keyring()).get("smtp:agent@mail:587") is None  # gone after a restart
    assert_no_canary(everything_on_disk(isolated_home), "the app's files")


def test_a_plaintext_keyring_counts_as_no_keyring(tmp_path):
    class PlaintextKeyring(MemoryKeyring):
        """Shaped like the plaintext file backends: it names the file it writes."""

        file_path = str(tmp_path / "keyring_pass.cfg")

    assert not SecretStore(PlaintextKeyring()).persistent
    assert SecretStore(MemoryKeyring()).persistent  # an ordinary backend is used


def test_a_secret_never_prints_itself():
    secret = Secret(CANARY)
    assert_no_canary(repr(secret) + str(secret) + f"{secret}" + repr([secret]), "repr")
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(secret)


def test_the_log_filter_masks_secrets_from_any_library(backend):
    SecretStore().set("http-bearer:https://x:", CANARY)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("some.library")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    install_log_redaction(logger)
    try:
        logger.debug("send: Authorization: Bearer %s", CANARY)
        try:
            raise RuntimeError(f"token {CANARY} refused")
        except RuntimeError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    assert any(isinstance(f, RedactingFilter) for f in handler.filters)
    assert "Authorization: Bearer" in stream.getvalue()
    assert_no_canary(stream.getvalue(), "the log")


def test_forced_401_tls_and_smtp_auth_failures_never_reveal_the_secret(
        backend, app_paths, isolated_home, caplog, ca, tmp_path):
    caplog.set_level(logging.DEBUG)
    secrets = SecretStore()
    store = DraftStore(app_paths)
    outbox = Outbox(store, rng=random.Random(2))
    errors = []
    try:
        # 1. HTTP 401 from a server that even echoes the token back.
        with TicketServer() as server:
            config = configure(app_paths, **{"sending.transport": "http", "http.endpoint": server.url,
                                             "http.auth": "bearer"})
            secrets.set(http_account(server.url, "bearer"), CANARY)
            server.script.append(Status(401, {"Content-Type": "application/json"},
                                        f'{{"message": "token {CANARY} is not valid"}}'.encode()))
            report = stored_report(store, summary="401")
            outbox.enqueue(report.id)
            outcome = OutboxSender(outbox, lambda: transport_from_config(config, secrets)).send_next()
            assert outcome.state == "needs_attention"
            assert server.posts()[0].headers["Authorization"] == f"Bearer {CANARY}"  # it was used
            errors.append(outcome.error)

        # 2. TLS: a self-signed server certificate.
        with TicketServer(tls=ca.server_context("self", self_signed=True)) as secure:
            config.set_user("http.endpoint", secure.url)
            secrets.set(http_account(secure.url, "bearer"), CANARY)
            report = stored_report(store, summary="tls")
            outbox.enqueue(report.id)
            outcome = OutboxSender(outbox, lambda: transport_from_config(config, secrets)).send_next()
            assert outcome.error.key == "sending.tls.self_signed"
            errors.append(outcome.error)

        # 3. SMTP: the server refuses the password.
        with MailServer(ca, user="agent", password="the-right-one") as mail:
            config = configure(app_paths, **{"sending.transport": "smtp", "smtp.host": "127.0.0.1",
                                             "smtp.port": mail.port, "smtp.user": "agent",
                                             "smtp.sender": "agent@example-bank.de"})
            secrets.set(smtp_account("127.0.0.1", mail.port, "agent"), CANARY)
            report = stored_report(store, summary="smtp")
            outbox.enqueue(report.id)
            outcome = OutboxSender(outbox, lambda: transport_from_config(config, secrets)).send_next()
            assert outcome.error.key == "sending.smtp.auth_failed"
            assert mail.login_attempts == ["agent"]
            errors.append(outcome.error)

        for error in errors:
            assert_no_canary(exception_text(error), f"the error {error.key}")
        for item in outbox.items():
            assert_no_canary(item.error.message() + item.error.message("en") + repr(item), "the outbox")
        for report_id in [i.report_id for i in outbox.items()]:
            bundle = outbox.bundle_path(report_id)
            if bundle.exists():
                assert_no_canary(bundle.read_bytes(), "a bundle")
    finally:
        outbox.close()
        store.close()
    assert_no_canary(app_logs(caplog), "the log at DEBUG level")
    assert_no_canary(everything_on_disk(isolated_home), "the drafts, outbox, bundles or settings")


def test_the_keyring_is_loaded_only_when_a_secret_is_needed():
    """An app idling in the tray, or sending through the mail program, never needs the keyring
    and its Secret Service stack (megabytes held all day)."""
    import subprocess
    import sys

    probe = ("import sys\n"
             "from capture_app.core.platform.secrets import SecretStore, shared_store\n"
             "store, shared = SecretStore(), shared_store()\n"
             "print('keyring' in sys.modules)\n"
             "store.get('smtp:mail.example.org:587:agent')\n"
             "print('keyring' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "True"]
