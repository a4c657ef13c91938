"""Can this machine reach the Flexperto instance, and can it send UDP for video?

``check_instance`` walks the way a browser goes: DNS, TCP (its connect time is the round-trip
time), the proxy's CONNECT when one is in effect, the TLS handshake with the certificate's issuer
(a company CA there instead of a public one shows TLS inspection), and the HTTP status.
``stun_binding`` sends an RFC 5389 Binding request to a STUN server: an answer means UDP gets
out, and tells the public address the network presents.

Certificates are verified against the OS trust store (``truststore``), as the browsers on the
machine do; every step is bounded by a timeout, and a failed step names its reason.
"""
from __future__ import annotations

import base64
import http.client
import ipaddress
import os
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from capture_app.core.platform.config import Text

DNS, TCP, PROXY, TLS, HTTP, STUN = "dns", "tcp", "proxy", "tls", "http", "stun"


@dataclass(frozen=True)
class StepResult:
    step: str
    ok: bool
    detail: Text
    ms: float | None = None


@dataclass
class Reachability:
    url: str
    steps: list[StepResult] = field(default_factory=list)
    issuer: str = ""
    via_proxy: str = ""  # host:port of the proxy used, never its credentials

    def step(self, name: str) -> StepResult | None:
        return next((s for s in self.steps if s.step == name), None)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _fmt_ms(ms: float) -> str:
    return f"{ms:.0f}"


def resolve(host: str, port: int, timeout: float, *, kind: int = socket.SOCK_STREAM) -> list[tuple[Any, ...]]:
    """``getaddrinfo`` bounded in time (the call itself cannot be interrupted: it runs in a
    daemon thread that is left behind when it overruns)."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["result"] = socket.getaddrinfo(host, port, type=kind)
        except (OSError, UnicodeError) as exc:
            box["error"] = exc

    thread = threading.Thread(target=work, name="dns", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError
    if "error" in box:
        raise box["error"]
    return cast("list[tuple[Any, ...]]", box["result"])


def _connect(targets: list[tuple[str, int]], timeout: float) -> socket.socket:
    """The first of ``targets`` that accepts, in the resolver's order, all within ``timeout``:
    a browser falls back from an unanswered IPv6 address to IPv4, and so must the probe."""
    deadline = time.monotonic() + timeout
    error: BaseException = TimeoutError()
    for target in targets:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            return socket.create_connection(target, timeout=remaining)
        except OSError as exc:
            error = exc
    raise error


def _error_text(exc: BaseException, timeout: float) -> Text:
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return Text("probes.reach.timeout", {"seconds": f"{timeout:g}"})
    if isinstance(exc, ConnectionRefusedError):
        return Text("probes.reach.refused")
    if isinstance(exc, socket.gaierror):
        return Text("probes.reach.dns_failed", {"error": exc.strerror or str(exc)})
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Text("probes.reach.cert_invalid", {"error": exc.verify_message or exc.reason or "?"})
    if isinstance(exc, ssl.SSLError):
        return Text("probes.reach.tls_failed", {"error": exc.reason or type(exc).__name__})
    if isinstance(exc, OSError):
        return Text("probes.reach.network_error", {"error": exc.strerror or type(exc).__name__})
    return Text("probes.reach.network_error", {"error": type(exc).__name__})


def default_ssl_context() -> ssl.SSLContext:
    """The OS trust store, so that a company's TLS-inspection CA is trusted as in its browsers."""
    try:
        import truststore

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except Exception:  # noqa: BLE001 - truststore unsupported here: Python's own store
        return ssl.create_default_context()


def proxy_for(url: str) -> str | None:
    """The proxy the system would use for ``url`` (environment, registry, macOS settings)."""
    import urllib.request

    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        if host == "localhost":
            return None
    if urllib.request.proxy_bypass(host):
        return None
    return urllib.request.getproxies().get(parts.scheme)


def format_name(name: Any) -> str:
    """``getpeercert()``'s issuer tuple as ``CN=…, O=…, C=…``."""
    parts = []
    for rdn in name or ():
        for key, value in rdn:
            short = {"commonName": "CN", "organizationName": "O", "countryName": "C",
                     "organizationalUnitName": "OU", "localityName": "L"}.get(key, key)
            parts.append(f"{short}={value}")
    order = {"CN": 0, "OU": 1, "O": 2, "L": 3, "C": 4}
    return ", ".join(sorted(parts, key=lambda p: order.get(p.split("=", 1)[0], 9)))


def check_instance(url: str, *, timeout: float = 5.0, ssl_context: ssl.SSLContext | None = None,
                   proxy: str | Callable[[str], str | None] | None = proxy_for,
                   user_agent: str = "ReportCapture") -> Reachability:
    """Each step gets at most ``timeout`` seconds; the first failing step ends the check."""
    result = Reachability(url)
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        result.steps.append(StepResult(DNS, False, Text("probes.reach.bad_url", {"url": url})))
        return result
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    proxy_url = proxy(url) if callable(proxy) else proxy
    # DNS: with a proxy, the proxy resolves; a local failure is reported but does not stop.
    addresses = _dns_step(result, host, port, timeout)
    if addresses is None and not proxy_url:
        return result
    proxy_auth = None
    if proxy_url:
        target, proxy_auth = _proxy_target(proxy_url)
        result.via_proxy = f"{target[0]}:{target[1]}"
        candidates = [target]
    else:
        target = ((addresses or [""])[0], port)
        candidates = [(address, port) for address in addresses or ()]
    sock = _tcp_step(result, candidates, target, timeout)
    if sock is None:
        return result
    connection: socket.socket = sock
    try:
        sock.settimeout(timeout)
        if (proxy_url and parts.scheme == "https"
                and not _connect_through(sock, host, port, proxy_auth, result, timeout)):
            return result
        if parts.scheme == "https":
            tls = _tls_step(result, sock, host, ssl_context, timeout)
            if tls is None:
                return result
            connection = tls
        start = time.perf_counter()
        try:
            status, reason = _http_status(connection, host, port, path, parts.scheme,
                                          bool(proxy_url), proxy_auth, user_agent, url, timeout)
        except Exception as exc:  # noqa: BLE001
            result.steps.append(StepResult(HTTP, False, _error_text(exc, timeout), _ms(start)))
            return result
        ms = _ms(start)
        result.steps.append(StepResult(HTTP, status < 500, Text("probes.reach.http_status", {
            "status": str(status), "reason": reason, "ms": _fmt_ms(ms)}), ms))
    finally:
        try:
            connection.close()
        except OSError:
            pass
    return result


def _dns_step(result: Reachability, host: str, port: int, timeout: float) -> list[str] | None:
    """The addresses of ``host`` (noted as the DNS step), or None when it cannot be resolved."""
    start = time.perf_counter()
    try:
        infos = resolve(host, port, timeout)
    except Exception as exc:  # noqa: BLE001 - reported as the step's reason
        result.steps.append(StepResult(DNS, False, _error_text(exc, timeout), _ms(start)))
        return None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    result.steps.append(StepResult(DNS, True, Text("probes.reach.dns_ok", {
        "addresses": ", ".join(addresses[:3])}), _ms(start)))
    return addresses


def _proxy_target(proxy_url: str) -> tuple[tuple[str, int], str | None]:
    """Where the proxy listens, and its Proxy-Authorization value when the URL has a login."""
    p = urlsplit(proxy_url if "://" in proxy_url else f"http://{proxy_url}")
    auth = None
    if p.username:
        login = f"{unquote(p.username)}:{unquote(p.password or '')}".encode()
        auth = "Basic " + base64.b64encode(login).decode("ascii")
    return (p.hostname or "", p.port or 8080), auth


def _tcp_step(result: Reachability, candidates: list[tuple[str, int]], target: tuple[str, int],
              timeout: float) -> socket.socket | None:
    start = time.perf_counter()
    try:
        sock = _connect(candidates, timeout)
    except Exception as exc:  # noqa: BLE001
        result.steps.append(StepResult(TCP, False, _error_text(exc, timeout), _ms(start)))
        return None
    rtt = _ms(start)
    result.steps.append(StepResult(TCP, True, Text("probes.reach.tcp_ok", {
        "port": str(target[1]), "ms": _fmt_ms(rtt)}), rtt))
    return sock


def _tls_step(result: Reachability, sock: socket.socket, host: str,
              ssl_context: ssl.SSLContext | None, timeout: float) -> ssl.SSLSocket | None:
    context = ssl_context or default_ssl_context()
    start = time.perf_counter()
    try:
        tls = context.wrap_socket(sock, server_hostname=host)
    except Exception as exc:  # noqa: BLE001
        result.steps.append(StepResult(TLS, False, _error_text(exc, timeout), _ms(start)))
        return None
    result.issuer = format_name((tls.getpeercert() or {}).get("issuer"))
    result.steps.append(StepResult(TLS, True, Text("probes.reach.tls_ok", {
        "version": tls.version() or "TLS", "ms": _fmt_ms(_ms(start))}), _ms(start)))
    return tls


def _connect_through(sock: socket.socket, host: str, port: int, auth: str | None, result: Reachability,
                     timeout: float) -> bool:
    start = time.perf_counter()
    lines = [f"CONNECT {host}:{port} HTTP/1.1", f"Host: {host}:{port}"]
    if auth:
        lines.append(f"Proxy-Authorization: {auth}")
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
        reply = b""
        while b"\r\n\r\n" not in reply and len(reply) < 16384:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
        status_line = reply.split(b"\r\n", 1)[0].decode("latin-1")
        fields = status_line.split(" ", 2)
        status = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else 0
    except Exception as exc:  # noqa: BLE001
        result.steps.append(StepResult(PROXY, False, _error_text(exc, timeout), _ms(start)))
        return False
    if status != 200:
        key = "probes.reach.proxy_login" if status == 407 else "probes.reach.proxy_refused"
        result.steps.append(StepResult(PROXY, False, Text(key, {"status": str(status)}), _ms(start)))
        return False
    result.steps.append(StepResult(PROXY, True, Text("probes.reach.proxy_ok", {
        "proxy": result.via_proxy}), _ms(start)))
    return True


def _http_status(sock: socket.socket, host: str, port: int, path: str, scheme: str, via_proxy: bool,
                 auth: str | None, user_agent: str, url: str, timeout: float) -> tuple[int, str]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    connection.sock = sock  # the connection (and TLS session) the earlier steps opened
    headers = {"User-Agent": user_agent, "Connection": "close"}
    target = path
    if via_proxy and scheme == "http":
        target = url  # a plain-HTTP proxy wants the absolute form
        if auth:
            headers["Proxy-Authorization"] = auth
    connection.request("GET", target, headers=headers)
    response = connection.getresponse()
    status, reason = response.status, response.reason
    response.close()
    return status, reason


# --- STUN (RFC 5389) --------------------------------------------------------------------------

MAGIC_COOKIE = 0x2112A442
BINDING_REQUEST = 0x0001
BINDING_SUCCESS = 0x0101
BINDING_ERROR = 0x0111
MAPPED_ADDRESS = 0x0001
XOR_MAPPED_ADDRESS = 0x0020
STUN_PORT = 3478
FIRST_RTO = 0.5  # RFC 5389 §7.2.1: retransmit after 500 ms, then doubling


def parse_stun_server(text: str) -> tuple[str, int]:
    """``stun.example.org``, ``stun.example.org:3478``, ``stun:host:port`` or ``[::1]:3478``."""
    text = text.strip()
    if text.lower().startswith(("stun:", "stuns:")):
        text = text.split(":", 1)[1]
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.lstrip(":")
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, ""
    if not host:
        raise ValueError(text)
    return host, int(port) if port else STUN_PORT


def binding_request(transaction_id: bytes) -> bytes:
    return struct.pack("!HHI", BINDING_REQUEST, 0, MAGIC_COOKIE) + transaction_id


def parse_binding_response(data: bytes, transaction_id: bytes) -> tuple[str, int] | None:
    """The mapped address of a Binding success response to ``transaction_id``; ``None`` for
    anything else (another transaction, not STUN, an error response without an address)."""
    if len(data) < 20:
        return None
    kind, length, cookie = struct.unpack("!HHI", data[:8])
    if cookie != MAGIC_COOKIE or data[8:20] != transaction_id or kind != BINDING_SUCCESS:
        return None
    body = data[20:20 + length]
    mapped = None
    offset = 0
    while offset + 4 <= len(body):
        attr, size = struct.unpack("!HH", body[offset:offset + 4])
        value = body[offset + 4:offset + 4 + size]
        offset += 4 + size + (-size % 4)  # attributes are padded to 32 bits
        if attr not in (MAPPED_ADDRESS, XOR_MAPPED_ADDRESS) or len(value) < 8:
            continue
        family, port = value[1], struct.unpack("!H", value[2:4])[0]
        raw = value[4:8] if family == 1 else value[4:20]
        if attr == XOR_MAPPED_ADDRESS:
            port ^= MAGIC_COOKIE >> 16
            mask = struct.pack("!I", MAGIC_COOKIE) + transaction_id
            raw = bytes(b ^ mask[i] for i, b in enumerate(raw))
        try:
            address = str(ipaddress.ip_address(raw))
        except ValueError:
            continue
        mapped = (address, port)
        if attr == XOR_MAPPED_ADDRESS:
            break  # preferred over the plain MAPPED-ADDRESS (NATs rewrite that one)
    return mapped


def stun_binding(server: str, *, timeout: float = 3.0) -> StepResult:
    try:
        host, port = parse_stun_server(server)
    except ValueError:
        return StepResult(STUN, False, Text("probes.reach.bad_stun", {"server": server}))
    deadline = time.monotonic() + timeout
    start = time.perf_counter()
    try:
        infos = resolve(host, port, timeout, kind=socket.SOCK_DGRAM)
    except Exception as exc:  # noqa: BLE001
        return StepResult(STUN, False, _error_text(exc, timeout), _ms(start))
    family, _, _, _, address = infos[0]
    transaction_id = os.urandom(12)
    request = binding_request(transaction_id)
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(address)
        except OSError as exc:
            return StepResult(STUN, False, _error_text(exc, timeout), _ms(start))
        rto = FIRST_RTO
        while True:
            now = time.monotonic()
            if now >= deadline:
                return StepResult(STUN, False, Text("probes.reach.stun_no_answer", {
                    "server": f"{host}:{port}", "seconds": f"{timeout:g}"}), _ms(start))
            sent = time.perf_counter()
            try:
                sock.send(request)
            except OSError as exc:
                return StepResult(STUN, False, _error_text(exc, timeout), _ms(start))
            resend_at = min(deadline, time.monotonic() + rto)
            rto *= 2
            while time.monotonic() < resend_at:
                sock.settimeout(max(0.001, resend_at - time.monotonic()))
                try:
                    data = sock.recv(2048)
                except TimeoutError:
                    break
                except ConnectionRefusedError:
                    return StepResult(STUN, False, Text("probes.reach.stun_refused", {
                        "server": f"{host}:{port}"}), _ms(start))
                except OSError as exc:
                    return StepResult(STUN, False, _error_text(exc, timeout), _ms(start))
                mapped = parse_binding_response(data, transaction_id)
                if mapped is not None:
                    ms = _ms(sent)
                    shown = f"[{mapped[0]}]:{mapped[1]}" if ":" in mapped[0] else f"{mapped[0]}:{mapped[1]}"
                    return StepResult(STUN, True, Text("probes.reach.stun_ok", {
                        "server": f"{host}:{port}", "address": shown, "ms": _fmt_ms(ms)}), ms)
