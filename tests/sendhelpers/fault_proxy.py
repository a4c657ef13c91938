"""A TCP proxy on 127.0.0.1 in front of a real helpdesk that breaks chosen requests on purpose.

Each client connection carries one HTTP/1.1 request at a time; the proxy reads it completely
(headers and ``Content-Length`` body), then, if a fault is scripted for it, misbehaves:

``KILL_AFTER_LAST_BYTE``  the whole request goes to the helpdesk, the client's connection is reset
                          at once: the client never hears back, the helpdesk carries on
``SLOW_ANSWER``           the helpdesk answers, the proxy holds the answer ``delay`` seconds
                          (longer than the client waits), then sends it to a client long gone
``RESET_AFTER_COMMIT``    the helpdesk answers (it has committed), the client gets a reset instead
``KILL_MID_UPLOAD``       half the body goes to the helpdesk, then both connections are cut

Faults are scripted per matching request: ``proxy.faults.append(Fault(KIND, match="POST /api/tickets/"))``
applies to the next request whose request line starts with ``match``. Everything else passes.
"""
from __future__ import annotations

import socket
import struct
import threading
from dataclasses import dataclass

KILL_AFTER_LAST_BYTE = "kill after last byte"
SLOW_ANSWER = "answer slower than timeout"
RESET_AFTER_COMMIT = "reset after commit"
KILL_MID_UPLOAD = "kill mid-upload"
FAULTS = (KILL_AFTER_LAST_BYTE, SLOW_ANSWER, RESET_AFTER_COMMIT, KILL_MID_UPLOAD)


@dataclass
class Fault:
    kind: str
    match: str = "POST "
    delay: float = 3.0  # SLOW_ANSWER


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def _read_head(sock: socket.socket, buffer: bytearray) -> tuple[bytes, int] | None:
    """The head of one HTTP message and its ``Content-Length`` (``buffer`` keeps the rest)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer += chunk
    end = buffer.index(b"\r\n\r\n") + 4
    head = bytes(buffer[:end])
    del buffer[:end]
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    return head, length


def _read_body(sock: socket.socket, buffer: bytearray, length: int) -> bytes | None:
    while len(buffer) < length:
        chunk = sock.recv(min(1 << 20, length - len(buffer)) or 65536)
        if not chunk:
            return None
        buffer += chunk
    body = bytes(buffer[:length])
    del buffer[:length]
    return body


def _read_message(sock: socket.socket, buffer: bytearray) -> tuple[bytes, bytes] | None:
    """(head, body) of one HTTP message from ``sock``."""
    started = _read_head(sock, buffer)
    if started is None:
        return None
    head, length = started
    body = _read_body(sock, buffer, length)
    return None if body is None else (head, body)


def _read_response(sock: socket.socket) -> bytes:
    """A whole HTTP response (``Content-Length`` bodies, or up to the close)."""
    buffer = bytearray()
    message = _read_message(sock, buffer)
    if message is None:
        return bytes(buffer)
    head, body = message
    if b"content-length" not in head.lower():
        while chunk := sock.recv(65536):
            body += chunk
    return head + body


class FaultProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.faults: list[Fault] = []
        self.applied: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # While the helpdesk still works on a request whose client was cut, later requests wait:
        # a real retry comes after a backoff, not within the same millisecond.
        self._draining = threading.Lock()

    def __enter__(self) -> FaultProxy:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A small receive window: a large upload cannot vanish into buffers before a cut.
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _fault_for(self, head: bytes) -> Fault | None:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        with self._lock:
            for fault in self.faults:
                if line.startswith(fault.match):
                    self.faults.remove(fault)
                    self.applied.append(f"{fault.kind}: {line}")
                    return fault
        return None

    def _serve(self, client: socket.socket) -> None:
        buffer = bytearray()
        try:
            while not self._stop.is_set():
                started = _read_head(client, buffer)
                if started is None:
                    break
                head, length = started
                fault = self._fault_for(head)
                upstream = socket.create_connection(self.upstream, timeout=120)
                try:
                    if fault is not None and fault.kind == KILL_MID_UPLOAD:
                        # Half the body has come in (the client is still sending): cut both.
                        half = _read_body(client, buffer, length // 2) or b""
                        upstream.sendall(head + half)
                        _reset(upstream)
                        _reset(client)
                        return
                    body = _read_body(client, buffer, length)
                    if body is None:
                        break
                    if fault is not None and fault.kind == KILL_AFTER_LAST_BYTE:
                        with self._draining:
                            upstream.sendall(head + body)
                            _reset(client)
                            _read_response(upstream)  # the helpdesk finishes its work meanwhile
                        return
                    with self._draining:
                        pass
                    upstream.sendall(head + body)
                    response = _read_response(upstream)
                finally:
                    try:
                        upstream.close()
                    except OSError:
                        pass
                if fault is not None and fault.kind == RESET_AFTER_COMMIT:
                    _reset(client)
                    return
                if fault is not None and fault.kind == SLOW_ANSWER:
                    self._stop.wait(fault.delay)
                try:
                    client.sendall(response)
                except OSError:
                    return
                if b"connection: close" in response.split(b"\r\n\r\n", 1)[0].lower():
                    break
        except OSError:
            pass
        finally:
            try:
                client.close()
            except OSError:
                pass
