"""Reachability against real servers on 127.0.0.1: HTTPS with its own CA (as a company's TLS
inspection would present), a closed port, a server too slow to answer, a CONNECT proxy, and a
minimal STUN server answering RFC 5389 Binding requests."""
from __future__ import annotations

import datetime
import http.server
import ipaddress
import socket
import socketserver
import ssl
import struct
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from capture_app.core.environment.probes import collect
from capture_app.core.environment.probes.network import InstanceReachabilityProbe, StunProbe
from capture_app.core.environment.reachability import (
    MAGIC_COOKIE,
    check_instance,
    parse_binding_response,
    parse_stun_server,
    stun_binding,
)

# --- certificates -----------------------------------------------------------------------------

def _name(cn: str, org: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COUNTRY_NAME, "DE")])


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Musterbank TLS Inspection CA", "Musterbank AG")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("localhost", "Flexperto Test"))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "server.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    return folder


def client_context(pki: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    return context


# --- servers ----------------------------------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status = 503 if self.path.startswith("/down") else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


@pytest.fixture(scope="module")
def https_server(pki):
    server = Server(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki / "server.pem", pki / "server.key")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_server():
    """Accepts connections and never says a word (an overloaded or filtering middlebox)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    listener.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def connect_proxy():
    """A CONNECT proxy that tunnels to 127.0.0.1 and records what the client sent it."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen: list[bytes] = []
    stop = threading.Event()

    def pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def serve(conn):
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        seen.append(request)
        target = request.split(b" ")[1].decode()
        _host, port = target.rsplit(":", 1)
        upstream = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        threading.Thread(target=pipe, args=(conn, upstream), daemon=True).start()
        pipe(upstream, conn)

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1], seen
    stop.set()
    listener.close()


class StunServer:
    """A minimal RFC 5389 server: answers Binding requests with the sender's XOR-MAPPED-ADDRESS."""

    def __init__(self, mode: str = "answer"):
        self.mode = mode  # "answer", "silent", "wrong_transaction"
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self._stop.is_set():
            try:
                data, (host, port) = self.sock.recvfrom(2048)
            except OSError:
                continue
            kind, _length, cookie = struct.unpack("!HHI", data[:8])
            if kind != 0x0001 or cookie != MAGIC_COOKIE:
                continue
            self.requests += 1
            if self.mode == "silent":
                continue
            transaction = data[8:20] if self.mode == "answer" else bytes(12)
            xport = port ^ (MAGIC_COOKIE >> 16)
            xaddr = struct.unpack("!I", socket.inet_aton(host))[0] ^ MAGIC_COOKIE
            attribute = struct.pack("!HHBBHI", 0x0020, 8, 0, 1, xport, xaddr)
            self.sock.sendto(struct.pack("!HHI", 0x0101, len(attribute), MAGIC_COOKIE) + transaction
                             + attribute, (host, port))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


# --- instance reachability --------------------------------------------------------------------

def test_https_instance_all_steps_and_the_inspecting_ca_as_issuer(pki, https_server):
    result = check_instance(f"https://localhost:{https_server}/termine", timeout=3,
                            ssl_context=client_context(pki), proxy=None)
    assert [(s.step, s.ok) for s in result.steps] == [
        ("dns", True), ("tcp", True), ("tls", True), ("http", True)]
    assert result.issuer == "CN=Musterbank TLS Inspection CA, O=Musterbank AG, C=DE"
    assert result.step("http").detail.params["status"] == "200"
    assert result.step("tcp").ms is not None and result.step("tcp").ms >= 0


def test_the_probe_reports_every_step_readably(pki, https_server):
    probe = InstanceReachabilityProbe(f"https://127.0.0.1:{https_server}/", step_timeout=3,
                                      ssl_context=client_context(pki), proxy="")
    values = collect([probe]).rendered("de")
    assert values["network.instance"] == f"https://127.0.0.1:{https_server}/"
    assert values["network.dns"] == "aufgelöst zu 127.0.0.1"
    assert values["network.tcp"].startswith(f"Port {https_server} erreichbar, ")
    assert values["network.tls"].startswith("TLSv1.")
    assert values["network.tls_issuer"] == "CN=Musterbank TLS Inspection CA, O=Musterbank AG, C=DE"
    assert values["network.http"].startswith("HTTP 200 OK, ")
    assert values["network.rtt"].endswith(" ms")


def test_a_certificate_the_trust_store_does_not_know_is_named_and_nothing_is_sent(https_server):
    result = check_instance(f"https://localhost:{https_server}/", timeout=3, proxy=None)
    assert [(s.step, s.ok) for s in result.steps] == [("dns", True), ("tcp", True), ("tls", False)]
    text = result.step("tls").detail.render("de")
    assert text.startswith("Zertifikat nicht vertrauenswürdig (") and "certificate" in text


def test_a_server_error_is_a_failed_http_step(pki, https_server):
    result = check_instance(f"https://localhost:{https_server}/down", timeout=3,
                            ssl_context=client_context(pki), proxy=None)
    assert result.step("http").ok is False
    assert result.step("http").detail.params["status"] == "503"


def test_every_address_of_the_name_is_tried_like_a_browser_does(pki, https_server, monkeypatch):
    """A name with an IPv6 address first that nobody answers on (common behind corporate
    networks) and an IPv4 address that works: the browser reaches it, so the probe must too."""
    import capture_app.core.environment.reachability as reachability

    answers = [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", https_server, 0, 0)),
               (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", https_server))]
    monkeypatch.setattr(reachability, "resolve", lambda host, port, timeout, **kw: answers)

    result = check_instance(f"https://localhost:{https_server}/termine", timeout=3,
                            ssl_context=client_context(pki), proxy=None)

    assert [(s.step, s.ok) for s in result.steps] == [
        ("dns", True), ("tcp", True), ("tls", True), ("http", True)]


def test_a_closed_port_is_refused():
    port = closed_port()
    values = collect([InstanceReachabilityProbe(f"https://127.0.0.1:{port}/", step_timeout=2,
                                                proxy="")]).rendered("de")
    assert values["network.tcp"] == "fehlgeschlagen: Verbindung abgelehnt (Port geschlossen oder gesperrt)"
    assert values["network.tls"] == values["network.http"] == \
        "nicht geprüft (ein vorheriger Schritt ist fehlgeschlagen)"


def test_a_server_too_slow_to_answer_hits_the_timeout(silent_server):
    result = check_instance(f"https://127.0.0.1:{silent_server}/", timeout=0.5, proxy=None)
    assert [(s.step, s.ok) for s in result.steps] == [("dns", True), ("tcp", True), ("tls", False)]
    assert result.step("tls").detail.render("de") == "keine Antwort innerhalb von 0.5 s"


def test_through_a_connect_proxy_whose_credentials_are_never_shown(pki, https_server, connect_proxy):
    proxy_port, seen = connect_proxy
    probe = InstanceReachabilityProbe(f"https://localhost:{https_server}/", step_timeout=3,
                                      ssl_context=client_context(pki),
                                      proxy=f"http://agent:Sehr%20geheim@127.0.0.1:{proxy_port}")
    values = collect([probe]).rendered("de")
    assert values["network.proxy"] == f"über Proxy 127.0.0.1:{proxy_port}"
    assert values["network.http"].startswith("HTTP 200 OK")
    assert seen and seen[0].startswith(f"CONNECT localhost:{https_server} HTTP/1.1".encode())
    assert b"Proxy-Authorization: Basic " in seen[0]
    assert "geheim" not in repr(values) and "agent" not in repr(values)


def test_no_instance_configured_says_so_once():
    assert collect([InstanceReachabilityProbe("")]).rendered("de") == {
        "network.instance": "nicht geprüft: keine Adresse eingestellt (Einstellungen → Allgemein → "
                            "„Adresse Ihrer Flexperto-Plattform“)"}


def test_a_malformed_address_is_named():
    result = check_instance("bank.flexperto.com/termin", timeout=1, proxy=None)
    assert result.step("dns").detail.render("de") == "„bank.flexperto.com/termin“ ist keine vollständige Web-Adresse"


# --- STUN --------------------------------------------------------------------------------------

def test_rfc_5769_sample_response_ipv4():
    # RFC 5769 §2.2, "Sample IPv4 Response" (the MESSAGE-INTEGRITY and FINGERPRINT are kept).
    sample = bytes.fromhex(
        "0101003c2112a442b7e7a701bc34d686fa87dfae"
        "8022000b7465737420766563746f7220"
        "002000080001a147e112a643"
        "000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7"
        "80280004c07d4c96")
    transaction = bytes.fromhex("b7e7a701bc34d686fa87dfae")
    assert parse_binding_response(sample, transaction) == ("192.0.2.1", 32853)
    assert parse_binding_response(sample, bytes(12)) is None  # another transaction's answer


@pytest.mark.parametrize("text, expected", [
    ("stun.example.org", ("stun.example.org", 3478)), ("stun.example.org:19302", ("stun.example.org", 19302)),
    ("stun:turn.bank.de:3478", ("turn.bank.de", 3478)), ("[::1]:3479", ("::1", 3479)),
])
def test_stun_server_notation(text, expected):
    assert parse_stun_server(text) == expected


def test_a_stun_server_that_answers_tells_the_public_address():
    with StunServer() as server:
        step = stun_binding(f"127.0.0.1:{server.port}", timeout=3)
    assert step.ok
    assert step.detail.params["address"].startswith("127.0.0.1:")
    assert step.detail.render("de").startswith(f"127.0.0.1:{server.port} antwortet, öffentliche Adresse 127.0.0.1:")


def test_a_silent_stun_server_is_asked_again_then_given_up():
    with StunServer("silent") as server:
        values = collect([StunProbe(f"127.0.0.1:{server.port}", timeout=1.2)]).rendered("de")
        asked = server.requests
    assert values["network.stun"] == (f"fehlgeschlagen: 127.0.0.1:{server.port} antwortet nicht innerhalb von "
                                      "1.2 s – UDP ist vermutlich gesperrt")
    assert asked >= 2  # retransmitted after 500 ms, as RFC 5389 asks


def test_an_answer_to_another_transaction_is_ignored():
    with StunServer("wrong_transaction") as server:
        step = stun_binding(f"127.0.0.1:{server.port}", timeout=0.8)
    assert not step.ok and step.detail.key == "probes.reach.stun_no_answer"


def test_a_closed_udp_port_is_reported():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    step = stun_binding(f"127.0.0.1:{port}", timeout=2)
    assert not step.ok
    assert step.detail.render("de") == f"127.0.0.1:{port} ist per UDP nicht erreichbar (Port geschlossen)"
