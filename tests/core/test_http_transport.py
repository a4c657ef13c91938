"""The HTTP transport against a real, fault-injecting ticket server on 127.0.0.1."""
from __future__ import annotations

import base64
import hashlib
import http.client
import json
import random
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sendhelpers.http_server import Hang, Redirect, Reset, Status, TicketServer, parse_multipart
from sendhelpers.reports import built_bundle, paths_for, stored_report
from sendhelpers.tlsca import TestCA

from capture_app.core.platform.secrets import Secret
from capture_app.core.report.drafts import DraftStore
from capture_app.core.sending.outbox import FIX_SETTINGS, FIX_SHRINK, Outbox
from capture_app.core.sending.service import OutboxSender
from capture_app.core.sending.transports.base import (
    PermanentTransportError,
    TemporaryTransportError,
)
from capture_app.core.sending.transports.content import BundleContents, subject_for
from capture_app.core.sending.transports.http import (
    FieldMapping,
    HttpSettings,
    HttpTransport,
    retry_after,
    ticket_id,
)

TOKEN = "tok-7f3a9c1e-geheim"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance_to(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path):
    with DraftStore(paths_for(tmp_path)) as draft_store:
        yield draft_store


@pytest.fixture
def outbox(store, clock):
    with Outbox(store, clock=clock, rng=random.Random(7)) as box:
        yield box


@pytest.fixture
def server():
    with TicketServer() as ticket_server:
        yield ticket_server


def transport_for(url: str, *, auth="bearer", token=TOKEN, clock=None, **changes) -> HttpTransport:
    settings = HttpSettings(endpoint=url, auth=auth, connect_timeout=3, read_timeout=5,
                            organisation="Example Bank AG", **changes)
    return HttpTransport(settings, Secret(token) if token else None,
                         **({"clock": clock} if clock else {}))


def sender_for(outbox, transport) -> OutboxSender:
    return OutboxSender(outbox, lambda: transport)


def test_a_report_arrives_as_one_multipart_ticket_with_every_file(store, server, tmp_path):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    transport = transport_for(server.url)

    receipt = transport.send(bundle, report)

    [request] = server.posts()
    assert request.headers["Idempotency-Key"] == report.id
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert int(request.headers["Content-Length"]) == request.size == receipt.size
    assert request.sha256 == hashlib.sha256(request.body).hexdigest()
    assert receipt.sha256 == hashlib.sha256(bundle.read_bytes()).hexdigest()  # no helpdesk keeps the body
    assert receipt.reference == "T-1001" and receipt.transport == "http"
    assert TOKEN not in json.dumps(receipt.to_dict())
    parts = parse_multipart(request.headers["Content-Type"], request.body)
    fields = {p.name: p for p in parts if p.filename is None}
    assert fields["subject"].data.decode() == subject_for(report, "Example Bank AG")
    assert "Example Bank AG" in fields["subject"].data.decode()
    assert fields["email"].data.decode() == "petra.support@example-bank.de"
    with BundleContents(bundle) as contents:
        assert fields["description"].data.decode() == contents.body_text()
        manifest = {f["path"].rsplit("/", 1)[-1]: f for f in contents.manifest["files"]}
    files = [p for p in parts if p.name == "attachments[]"]
    assert sorted(p.filename for p in files) == ["bildschirm.png", "konsole.log", "vertrag.pdf"]
    for part in files:
        assert hashlib.sha256(part.data).hexdigest() == manifest[part.filename]["sha256"]
        assert part.content_type == manifest[part.filename]["media_type"]
    [report_json] = [p for p in parts if p.name == "report"]
    assert json.loads(report_json.data)["id"] == report.id
    [manifest_part] = [p for p in parts if p.name == "manifest"]
    assert json.loads(manifest_part.data)["report_id"] == report.id


def test_the_measured_size_is_exactly_what_travels(store, server, tmp_path):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    transport = transport_for(server.url)
    measured = transport.encoded_size(bundle, report)
    transport.send(bundle, report)
    assert server.posts()[0].size == measured


@pytest.mark.parametrize("extra_bytes", [0, 400_000])
def test_small_and_streamed_bodies_are_the_same_bytes(store, server, tmp_path, extra_bytes):
    """A small report goes out built in memory, a large one streamed: same bytes either way
    (the receipt's hash and the server's deduplication rely on it)."""
    from requests_toolbelt.multipart.encoder import MultipartEncoder

    from capture_app.core.sending.transports import http as http_module
    from capture_app.core.sending.transports.content import BundleContents

    report = stored_report(store, summary="Ärger mit der Übertragung – Kamera schwarz",
                           extra_bytes=extra_bytes)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    transport = transport_for(server.url)  # the default mapping: every kind of field
    with BundleContents(bundle) as contents:
        parts, handles, boundary, _files = transport._parts(contents, report, bundle)
        encoder = MultipartEncoder(fields=parts, boundary=boundary)
        streamed = encoder.read(int(encoder.len))
        for handle in handles:
            handle.close()
        parts, handles, boundary, _files = transport._parts(contents, report, bundle)
        small = http_module._small_body(parts, boundary)
        for handle in handles:
            handle.close()
    if extra_bytes:
        assert small is None  # too large to hold: streamed
    else:
        assert small is not None and bytes(small) == streamed
        assert small.content_type == encoder.content_type
    receipt = transport.send(bundle, report)
    [request] = server.posts()
    assert request.body == streamed and request.size == len(streamed)
    assert receipt.size == len(streamed)


def test_field_mapping_addresses_another_ticket_api(store, server, tmp_path):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    server.answer_json = lambda ticket: {"data": [{"ticket": {"number": ticket["id"]}}]}
    mapping = FieldMapping(title="ticket[title]", body="ticket[comment]", requester_email="",
                           files="uploads", json="", manifest="", bundle="bundle")
    receipt = transport_for(server.url, fields=mapping, ticket_id_path="data[0].ticket.number",
                            auth="header", token_header="X-Intake-Token").send(bundle, report)

    [request] = server.posts()
    assert request.headers["X-Intake-Token"] == TOKEN and "Authorization" not in request.headers
    names = [p.name for p in parse_multipart(request.headers["Content-Type"], request.body)]
    assert names[:2] == ["ticket[title]", "ticket[comment]"]
    assert "email" not in names and "report" not in names and "manifest" not in names
    assert names.count("uploads") == 3 and names.count("bundle") == 1
    [zip_part] = [p for p in parse_multipart(request.headers["Content-Type"], request.body)
                  if p.name == "bundle"]
    assert zip_part.data == bundle.read_bytes()
    assert receipt.reference == "T-1001"


def test_basic_auth_sends_user_and_password(store, server, tmp_path):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    transport_for(server.url, auth="basic", user="intake").send(bundle, report)
    expected = "Basic " + base64.b64encode(f"intake:{TOKEN}".encode()).decode()
    assert server.posts()[0].headers["Authorization"] == expected


# --- the outbox policy per answer --------------------------------------------------------------


def queue(store, outbox):
    report = stored_report(store)
    outbox.enqueue(report.id)
    return report


def run_until_settled(outbox, sender, clock, limit=20):
    """Attempt whenever something is due, jumping the clock to the next due time."""
    outcomes = []
    for _ in range(limit):
        outcome = sender.send_next()
        if outcome is not None:
            outcomes.append(outcome)
            continue
        due = outbox.next_due()
        if due is None:
            return outcomes
        clock.advance_to(due)
    raise AssertionError("did not settle")


def test_503_with_retry_after_five_times_then_201_creates_exactly_one_ticket(
        store, outbox, server, clock):
    report = queue(store, outbox)
    server.script.extend(Status(503, {"Retry-After": "120"}, b'{"message": "Wartung"}')
                         for _ in range(5))
    sender = sender_for(outbox, transport_for(server.url, clock=clock))

    delays = []
    for _ in range(5):
        before = clock.now
        outcome = sender.send_next()
        assert outcome.state == "queued"
        assert isinstance(outcome.error, TemporaryTransportError)
        assert outcome.error.retry_after == 120
        delays.append((outcome.next_attempt_at - before).total_seconds())
        assert sender.send_next() is None  # nothing is sent before the server's Retry-After
        clock.advance_to(outcome.next_attempt_at)
    final = sender.send_next()

    assert final.state == "sent" and final.receipt.reference == "T-1001"
    assert all(delay >= 120 for delay in delays)
    posts = server.posts()
    assert len(posts) == 6
    assert {p.headers["Idempotency-Key"] for p in posts} == {report.id}
    assert len({p.sha256 for p in posts}) == 1  # every attempt carried the very same body
    assert list(server.tickets) == ["T-1001"]
    [item] = outbox.items()
    assert (item.state, item.attempts, item.receipt.reference) == ("sent", 6, "T-1001")


def test_connection_reset_after_the_server_committed_still_one_ticket(store, outbox, server, clock):
    report = queue(store, outbox)
    server.script.append(Reset(commit=True))
    sender = sender_for(outbox, transport_for(server.url, clock=clock))

    outcomes = run_until_settled(outbox, sender, clock)

    assert [o.state for o in outcomes] == ["queued", "sent"]
    # The whole request went out and no answer came: it may have arrived, and the agent is told.
    assert outcomes[0].error.key == "sending.http.no_answer" and outcomes[0].error.ambiguous
    assert "möglicherweise" in outcomes[0].error.message()
    assert [r.outcome for r in server.posts()] == ["reset", "replayed"]
    assert len(server.tickets) == 1
    assert outbox.receipt(report.id).reference == next(iter(server.tickets))


@pytest.mark.parametrize("status, fix", [(400, FIX_SETTINGS), (413, FIX_SHRINK), (422, FIX_SETTINGS)])
def test_client_errors_need_attention_and_are_not_retried(store, outbox, server, clock, status, fix):
    report = queue(store, outbox)
    server.script.append(Status(status, {"Content-Type": "application/json"},
                                json.dumps({"message": f"Feld subject ungültig ({status})"}).encode()))
    sender = sender_for(outbox, transport_for(server.url, clock=clock))

    outcomes = run_until_settled(outbox, sender, clock)

    assert [o.state for o in outcomes] == ["needs_attention"]
    assert len(server.posts()) == 1 and server.tickets == {}
    [item] = outbox.items()
    assert item.state == "needs_attention" and item.next_attempt_at == ""
    assert item.error.fix == fix
    message = item.error.message()
    assert f"HTTP {status}" in message and f"Feld subject ungültig ({status})" in message
    assert store.load(report.id).id == report.id  # the report is kept, editable again


def test_429_backs_off_exponentially_and_honours_retry_after(store, outbox, server, clock):
    queue(store, outbox)
    server.script.extend([Status(429), Status(429), Status(429), Status(429, {"Retry-After": "900"})])
    sender = sender_for(outbox, transport_for(server.url, clock=clock))

    delays = []
    for _ in range(4):
        before = clock.now
        outcome = sender.send_next()
        assert outcome.state == "queued"
        delays.append((outcome.next_attempt_at - before).total_seconds())
        clock.advance_to(outcome.next_attempt_at)
    assert sender.send_next().state == "sent"

    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60 and 60 <= delays[2] <= 120
    assert delays[3] >= 900
    assert len(server.posts()) == 5 and len(server.tickets) == 1


def test_a_server_that_does_not_answer_in_time_is_retried_later(store, outbox, server, clock):
    queue(store, outbox)
    server.script.append(Hang(3))
    transport = transport_for(server.url, clock=clock)
    transport.settings = HttpSettings(**{**transport.settings.__dict__, "read_timeout": 0.4})
    sender = sender_for(outbox, transport)

    outcomes = run_until_settled(outbox, sender, clock)

    assert [o.state for o in outcomes] == ["queued", "sent"]
    assert outcomes[0].error.key == "sending.http.no_answer" and outcomes[0].error.ambiguous
    assert "keine Antwort" in outcomes[0].error.message()
    assert len(server.tickets) == 1


def test_unreachable_server_stays_queued_with_a_clear_reason(store, outbox, clock):
    with TicketServer() as gone:
        url = gone.url
    queue(store, outbox)
    outcome = sender_for(outbox, transport_for(url, clock=clock)).send_next()
    assert outcome.state == "queued"
    assert outcome.error.key == "sending.http.unreachable"
    assert "bleibt im Postausgang" in outcome.error.message()


def test_401_needs_attention_with_a_settings_fix_and_no_token_in_the_reason(
        store, outbox, server, clock):
    queue(store, outbox)
    server.script.append(Status(401, {}, f"invalid token {TOKEN}".encode()))
    outcome = sender_for(outbox, transport_for(server.url, clock=clock)).send_next()
    assert outcome.state == "needs_attention"
    [item] = outbox.items()
    assert item.error.fix == FIX_SETTINGS
    assert TOKEN not in item.error.message() and "HTTP 401" in item.error.message()


# --- redirects and credentials -----------------------------------------------------------------


def test_a_redirect_to_another_host_does_not_forward_credentials(store, tmp_path):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with TicketServer("127.0.0.1") as origin, TicketServer("127.0.0.2") as elsewhere:
        origin.script.append(Redirect(307, elsewhere.url))
        for auth in ("bearer", "header"):
            transport_for(origin.url, auth=auth).send(bundle, report)
        assert [p.headers.get("Authorization") for p in origin.posts()] == [f"Bearer {TOKEN}", None]
        assert origin.posts()[1].headers["X-API-Key"] == TOKEN  # same origin: credentials kept
        [moved] = elsewhere.posts()
        assert moved.headers["Idempotency-Key"] == report.id  # the body was sent again, whole
        assert moved.sha256 == origin.posts()[0].sha256
        assert "Authorization" not in moved.headers
        assert all(TOKEN not in value for value in moved.headers.values())


def test_a_redirect_within_the_same_origin_keeps_credentials(store, server, tmp_path):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    server.script.append(Redirect(308, "/api/v2/tickets"))
    receipt = transport_for(server.url).send(bundle, report)
    _first, second = server.posts()
    assert second.path == "/api/v2/tickets"
    assert second.headers["Authorization"] == f"Bearer {TOKEN}"
    assert receipt.reference == "T-1001"


def test_a_moved_endpoint_needs_a_settings_change(store, outbox, server, clock):
    queue(store, outbox)
    server.script.append(Redirect(301, "https://neu.example.com/intake"))
    outcome = sender_for(outbox, transport_for(server.url, clock=clock)).send_next()
    assert outcome.state == "needs_attention"
    assert "https://neu.example.com/intake" in outcome.error.message()


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url, key", [
    ("tickets.example.com/api", "sending.url.no_scheme"),
    ("ftp://tickets.example.com/api", "sending.url.no_scheme"),
    ("https:///api", "sending.url.no_host"),
    ("https://ticket s.example.com", "sending.url.spaces"),
    ("https://user:pw@tickets.example.com", "sending.url.credentials_in_url"),
    ("", "sending.http.not_configured"),
])
def test_an_unusable_endpoint_is_refused_before_anything_is_sent(store, tmp_path, url, key):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with pytest.raises(PermanentTransportError) as caught:
        transport_for(url).send(bundle, report)
    assert caught.value.key == key
    if key == "sending.url.no_scheme":
        assert "https://" in caught.value.message() and "Einstellungen" in caught.value.message()


def test_missing_token_is_a_clear_needs_attention(store, tmp_path, server):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with pytest.raises(PermanentTransportError) as caught:
        transport_for(server.url, token="").send(bundle, report)
    assert caught.value.key == "sending.credentials_missing"
    assert "Token" in caught.value.message()
    assert server.posts() == []


def test_a_configured_upload_limit_is_checked_before_sending(store, server, tmp_path):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with pytest.raises(PermanentTransportError) as caught:
        transport_for(server.url, max_upload_bytes=2_000).send(bundle, report)
    assert caught.value.key == "sending.too_large"
    assert server.posts() == []


# --- TLS ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return TestCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def trust_test_ca(ca, monkeypatch):
    # Where OpenSSL — and truststore's OS-store path on Linux — finds the trusted roots.
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


def test_https_with_a_certificate_from_a_trusted_ca_works(store, tmp_path, ca, trust_test_ca):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with TicketServer(tls=ca.server_context("valid")) as secure:
        receipt = transport_for(secure.url).send(bundle, report)
        assert receipt.reference == "T-1001" and len(secure.tickets) == 1


@pytest.mark.parametrize("kind, key, words", [
    ("expired", "sending.tls.expired", "abgelaufen"),
    ("self_signed", "sending.tls.self_signed", "selbst ausgestellt"),
    ("wrong_host", "sending.tls.wrong_host", "anderen Namen"),
])
def test_a_bad_certificate_is_refused_with_a_german_message_and_nothing_is_sent(
        store, outbox, clock, ca, trust_test_ca, kind, key, words):
    options = {"expired": {"expired": True}, "self_signed": {"self_signed": True},
               "wrong_host": {"hosts": ("tickets.example.com",)}}[kind]
    queue(store, outbox)
    with TicketServer(tls=ca.server_context(kind, **options)) as secure:
        outcome = sender_for(outbox, transport_for(secure.url, clock=clock)).send_next()
        assert secure.posts() == []
    assert outcome.state == "needs_attention"
    assert outcome.error.key == key
    assert words in outcome.error.message() and "127.0.0.1" in outcome.error.message()


def test_the_servers_ca_is_not_trusted_unless_the_system_trusts_it(store, tmp_path, ca, monkeypatch):
    other = TestCA(tmp_path / "other-ca")
    monkeypatch.setenv("SSL_CERT_FILE", str(other.ca_file))
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    with TicketServer(tls=ca.server_context("valid")) as secure:
        with pytest.raises(PermanentTransportError) as caught:
            transport_for(secure.url).send(bundle, report)
        assert secure.posts() == []
    assert caught.value.key == "sending.tls.untrusted"


# --- proxies ------------------------------------------------------------------------------------


class _Proxy(BaseHTTPRequestHandler):
    """A forward proxy for http:// targets that may require Proxy-Authorization."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        owner = self.server.owner
        owner["seen"].append(dict(self.headers.items()))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if owner["credentials"] and self.headers.get("Proxy-Authorization") != owner["credentials"]:
            self.send_response(407)
            self.send_header("Proxy-Authenticate", 'Basic realm="proxy"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        target = http.client.HTTPConnection(self.headers["Host"], timeout=5)
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("proxy-authorization", "proxy-connection")}
        target.request("POST", self.path, body=body, headers=headers)
        answer = target.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.getheader("Content-Type", "text/plain"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def proxy():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    server.daemon_threads = True
    server.owner = {"seen": [], "credentials": ""}
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_the_environment_proxy_is_used_with_its_credentials(store, server, tmp_path, proxy, monkeypatch):
    proxy.owner["credentials"] = "Basic " + base64.b64encode(b"proxyuser:pr0xy-pw").decode()
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://proxyuser:pr0xy-pw@127.0.0.1:{proxy.server_address[1]}")
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    receipt = transport_for(server.url).send(bundle, report)
    assert receipt.reference == "T-1001"
    assert len(proxy.owner["seen"]) == 1 and len(server.tickets) == 1


def _dead_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again: nothing listens there


def test_a_configured_proxy_wins_over_the_environment(store, server, tmp_path, proxy, monkeypatch):
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_dead_port()}")  # would fail
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    transport = transport_for(server.url, proxy_url=f"http://127.0.0.1:{proxy.server_address[1]}")
    assert transport.send(bundle, report).reference == "T-1001"
    assert len(proxy.owner["seen"]) == 1


def test_no_proxy_hosts_are_reached_directly(store, server, tmp_path, proxy, monkeypatch):
    for name in ("no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    assert transport_for(server.url).send(bundle, report).reference == "T-1001"
    assert proxy.owner["seen"] == [] and len(server.tickets) == 1


def test_a_configured_proxy_with_a_password_from_the_keyring(store, server, tmp_path, proxy, monkeypatch,
                                                            app_paths):
    import keyring
    from sendhelpers.keyring_backend import MemoryKeyring

    from capture_app.core.platform.config import Config
    from capture_app.core.platform.secrets import SecretStore, proxy_account
    from capture_app.core.sending.service import transport_from_config

    proxy.owner["credentials"] = "Basic " + base64.b64encode(b"agent:p@ss:w/rd %").decode()
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    proxy_url = f"http://127.0.0.1:{proxy.server_address[1]}"
    config = Config.load(app_paths)
    for key, value in (("sending.transport", "http"), ("http.endpoint", server.url),
                       ("http.auth", "none"), ("network.proxy", proxy_url),
                       ("network.proxy_user", "agent")):
        config.set_user(key, value)
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    secrets = SecretStore()
    assert secrets.persistent
    secrets.set(proxy_account(proxy_url, "agent"), "falsch")
    with pytest.raises(PermanentTransportError) as caught:
        transport_from_config(config, secrets).send(bundle, report)
    assert caught.value.key == "sending.proxy_auth"
    assert "Proxy" in caught.value.message() and server.tickets == {}

    secrets.set(proxy_account(proxy_url, "agent"), "p@ss:w/rd %")
    assert transport_from_config(config, secrets).send(bundle, report).reference == "T-1001"
    assert "p@ss:w/rd %" not in str(config.as_dict()) and "p@ss:w/rd %" not in app_paths.user_config_file.read_text()


# --- small parts --------------------------------------------------------------------------------


def test_ticket_id_paths():
    answer = json.dumps({"id": 7, "ticket": {"id": "INC-1"}, "data": [{"id": "A"}, {"id": "B"}]})
    assert ticket_id(answer, "id") == "7"
    assert ticket_id(answer, "ticket.id") == "INC-1"
    assert ticket_id(answer, "$.data[1].id") == "B"
    assert ticket_id(answer, "data.0.id") == "A"
    assert ticket_id(answer, "missing.id") == ""
    assert ticket_id("<html>", "id") == ""


def test_retry_after_as_seconds_or_http_date():
    now = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
    assert retry_after("120", now) == 120
    assert retry_after("Fri, 27 Nov 2026 09:05:00 GMT", now) == 300
    assert retry_after("Fri, 27 Nov 2026 08:00:00 GMT", now) == 0
    assert retry_after("9999999", now) == 24 * 3600
    assert retry_after("bald", now) is None and retry_after(None, now) is None


# --- messages that tell the truth -----------------------------------------------------------------


def test_the_connection_check_on_plain_http_does_not_claim_encryption(server):
    server.head_status = 200
    message = transport_for(server.url).check()
    assert "verschlüsselt und geprüft" not in message
    assert "unverschlüsselt" in message


def test_credentials_are_never_sent_over_plain_http_to_another_machine(store, tmp_path):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    for auth in ("bearer", "basic", "header"):
        transport = transport_for("http://tickets.example-bank.de/api/tickets", auth=auth, user="petra")
        with pytest.raises(PermanentTransportError) as caught:
            transport.send(bundle, report)
        assert caught.value.key == "sending.url.plain_http_credentials"
        message = caught.value.message()
        assert "https://" in message and "tickets.example-bank.de" in message
        with pytest.raises(PermanentTransportError):
            transport.check()


def test_an_unreachable_server_is_named_with_a_complete_readable_reason(store, outbox, clock):
    with TicketServer() as gone:
        url = gone.url
    queue(store, outbox)
    outcome = sender_for(outbox, transport_for(url, clock=clock)).send_next()
    message = outcome.error.message()
    assert "Verbindung abgelehnt" in message
    assert "HTTPConnectionPool" not in message and "Failed to est" not in message
    assert "…" not in message

    english = outcome.error.message("en")
    assert "connection refused" in english.lower() and "Verbindung" not in english


def test_a_missing_token_reads_in_english_without_german_words(store, outbox, clock, server):
    queue(store, outbox)
    sender_for(outbox, transport_for(server.url, token="", clock=clock)).send_next()
    [item] = outbox.items()
    english = item.error.message("en")
    assert "ticket interface token" in english
    assert "das " not in english and "für" not in english
    assert "Token für die Ticket-Schnittstelle" in item.error.message("de")


def test_the_receipt_lists_every_file_as_the_helpdesk_stores_it(store, server, tmp_path):
    report = stored_report(store)
    bundle = built_bundle(store, report, tmp_path / "b.zip")
    receipt = transport_for(server.url).send(bundle, report)
    [ticket] = server.tickets
    stored = {part.filename: part.data for part in server.parts(ticket) if part.filename}
    listed = {name: (size, digest) for name, size, digest in receipt.files}
    assert sorted(listed) == sorted(stored)
    for name, data in stored.items():
        assert listed[name] == (len(data), hashlib.sha256(data).hexdigest()), name


def test_a_generic_intake_that_ignores_the_idempotency_key_gets_at_most_two_tickets_and_a_longer_wait(
        store, outbox, server, clock):
    """No lookup is possible: the retry after an unanswered attempt waits longer for its answer."""
    server.honours_idempotency_key = False
    slow = iter([2.5, 2.5])
    server.answer_delay = lambda: next(slow, 0)
    queue(store, outbox)
    transport = transport_for(server.url, clock=clock)
    transport.settings = HttpSettings(**{**transport.settings.__dict__, "read_timeout": 1.0})
    outcomes = run_until_settled(outbox, sender_for(outbox, transport), clock)
    assert [o.state for o in outcomes] == ["queued", "sent"]
    assert outcomes[0].error.ambiguous
    assert len(server.tickets) == 2  # the first arrived unseen; the second was answered in time
    [item] = outbox.items()
    assert item.tickets == (outbox.receipt(item.report_id).reference,)
