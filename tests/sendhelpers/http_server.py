"""A ticket system's intake on 127.0.0.1 that can misbehave on purpose.

``TicketServer`` accepts multipart POSTs and creates tickets like a real ticket API: a request
with an ``Idempotency-Key`` it has seen before gets the ticket it already created. Faults are
scripted per request (``server.script.append(...)``), in order:

* ``Status(code, headers, body)`` — answer with that status (after reading the body)
* ``Reset(commit=True)`` — read the body, create the ticket if ``commit``, then reset the TCP
  connection instead of answering (the client never learns the outcome)
* ``Hang(seconds)`` — read the body and answer nothing for that long (client timeout)
* ``Redirect(code, location)``

Every request is recorded with its headers and body (``keep_bodies``) or its size and hash.

Like an intake that lists what it stored, the server keeps each ticket's files (the parts with a
file name, minus the names in ``server.drops`` — a filter that silently loses files), answers
``GET {path}/{ticket}/files`` with ``{"files": [{"name", "size", "sha256"}]}`` and takes
``POST {path}/{ticket}/files`` (multipart) as another upload to that ticket, answering with the
files it stored from it. ``server.listing(ticket)`` is that list, for ``answer_json``.
"""
from __future__ import annotations

import hashlib
import json
import socket
import ssl
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP as HTTP_POLICY
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Status:
    code: int
    headers: dict = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Reset:
    commit: bool = True


@dataclass
class Hang:
    seconds: float


@dataclass
class Redirect:
    code: int
    location: str


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes | None
    size: int
    sha256: str
    outcome: str = ""


@dataclass
class Part:
    name: str
    filename: str | None
    content_type: str
    data: bytes


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    message = BytesParser(policy=HTTP_POLICY).parsebytes(
        f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body)
    parts = []
    for part in message.iter_parts():
        disposition = part.get("Content-Disposition", "")
        params = dict(part["Content-Disposition"].params) if disposition else {}
        parts.append(Part(params.get("name", ""), params.get("filename"),
                          part.get_content_type(), part.get_payload(decode=True) or b""))
    return parts


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stall)
    server: _Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def _read_body(self) -> tuple[bytes | None, int, str]:
        length = int(self.headers.get("Content-Length") or 0)
        digest = hashlib.sha256()
        keep = [] if self.server.owner.keep_bodies else None
        left = length
        while left > 0:
            chunk = self.rfile.read(min(left, 256 * 1024))
            if not chunk:
                break
            digest.update(chunk)
            if keep is not None:
                keep.append(chunk)
            left -= len(chunk)
        return (b"".join(keep) if keep is not None else None), length - left, digest.hexdigest()

    def _answer(self, code: int, headers: dict | None = None, body: bytes = b"") -> None:
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        owner = self.server.owner
        owner._record(self, None, 0, hashlib.sha256().hexdigest(), "head")
        self._answer(owner.head_status)

    def do_GET(self) -> None:
        owner = self.server.owner
        ticket = owner._files_route(self.path)
        if ticket is None:
            self.do_HEAD()
            return
        owner._record(self, None, 0, hashlib.sha256().hexdigest(), "read back")
        with owner._lock:
            busy = owner.readback_failures.popleft() if owner.readback_failures else None
        if busy is not None:
            self._answer(busy, {"Content-Type": "application/json"}, b'{"detail": "Try again later."}')
            return
        if ticket not in owner.tickets:
            self._answer(404, {"Content-Type": "application/json"}, b'{"detail": "Not found."}')
            return
        payload = json.dumps({"files": owner.listing(ticket)}).encode()
        self._answer(200, {"Content-Type": "application/json"}, payload)

    def _upload(self, ticket: str, body: bytes, size: int, sha: str) -> None:
        owner = self.server.owner
        owner._record(self, body, size, sha, "upload")
        if ticket not in owner.tickets:
            self._answer(404, {"Content-Type": "application/json"}, b'{"detail": "Not found."}')
            return
        parts = [p for p in parse_multipart(self.headers.get("Content-Type", ""), body or b"")
                 if p.filename and p.filename not in owner.upload_drops]
        with owner._lock:
            owner.tickets[ticket].setdefault("uploads", []).extend(parts)
        payload = json.dumps({"files": [_entry(p) for p in parts]}).encode()
        self._answer(201, {"Content-Type": "application/json"}, payload)

    def do_POST(self) -> None:
        owner = self.server.owner
        body, size, sha = self._read_body()
        upload_to = owner._files_route(self.path)
        if upload_to is not None:
            self._upload(upload_to, body, size, sha)
            return
        action = owner._next_action()
        if isinstance(action, Status):
            owner._record(self, body, size, sha, f"status {action.code}")
            self._answer(action.code, action.headers, action.body)
            return
        if isinstance(action, Redirect):
            owner._record(self, body, size, sha, f"redirect {action.code}")
            self._answer(action.code, {"Location": action.location})
            return
        if isinstance(action, Hang):
            owner._record(self, body, size, sha, "hang")
            owner._stopping.wait(action.seconds)
            self.close_connection = True
            return
        ticket, created = owner._create(self.headers.get("Idempotency-Key"), body, sha,
                                        self.headers.get("Content-Type", ""))
        if isinstance(action, Reset):
            if not action.commit and created:
                owner._uncreate(ticket)
            owner._record(self, body, size, sha, "reset")
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        owner._record(self, body, size, sha, "created" if created else "replayed")
        if owner.answer_delay:
            time.sleep(owner.answer_delay())
        payload = json.dumps(owner.answer_json(ticket)).encode()
        self._answer(201 if created else 200, {"Content-Type": "application/json"}, payload)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass


def _entry(part: Part) -> dict:
    return {"name": part.filename, "size": len(part.data), "sha256": hashlib.sha256(part.data).hexdigest()}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:  # resets and timeouts are normal here
        pass


class TicketServer:
    """Start with ``with TicketServer() as server:``; ``server.url`` is the intake address."""

    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None,
                 keep_bodies: bool = True, path: str = "/api/tickets") -> None:
        self.host = host
        self.tls = tls
        self.keep_bodies = keep_bodies
        self.path = path
        self.script: deque = deque()
        self.requests: list[Recorded] = []
        self.tickets: dict[str, dict] = {}  # ticket id -> ticket
        self.by_key: dict[str, str] = {}
        self.head_status = 405
        # False: ignore Idempotency-Key, as most helpdesks do (a repeated request is a new ticket)
        self.honours_idempotency_key = True
        self.answer_delay = None  # callable giving seconds to wait after committing
        self.answer_json = lambda ticket: {"ticket": {"id": ticket["id"]}, "id": ticket["id"]}
        self.drops: set[str] = set()  # file names the intake loses when a ticket is created
        self.upload_drops: set[str] = set()  # … and when they are uploaded to a ticket again
        self.readback_failures: deque = deque()  # statuses the next read-backs answer with
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._counter = 1000

    def __enter__(self) -> TicketServer:
        self._server = _Server((self.host, 0), _Handler)
        self._server.owner = self
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    @property
    def url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://{self.host}:{self.port}{self.path}"

    def _next_action(self):
        with self._lock:
            return self.script.popleft() if self.script else None

    def _record(self, handler, body, size, sha, outcome) -> None:
        with self._lock:
            self.requests.append(Recorded(handler.command, handler.path, dict(handler.headers.items()),
                                          body, size, sha, outcome))

    def _create(self, key: str | None, body: bytes | None, sha: str, content_type: str):
        with self._lock:
            if not self.honours_idempotency_key:
                key = None
            if key and key in self.by_key:
                return self.tickets[self.by_key[key]], False
            self._counter += 1
            ticket = {"id": f"T-{self._counter}", "key": key, "sha256": sha, "body": body,
                      "content_type": content_type}
            self.tickets[ticket["id"]] = ticket
            if key:
                self.by_key[key] = ticket["id"]
            return ticket, True

    def _uncreate(self, ticket) -> None:
        with self._lock:
            self.tickets.pop(ticket["id"], None)
            if ticket.get("key"):
                self.by_key.pop(ticket["key"], None)

    def _files_route(self, path: str) -> str | None:
        """The ticket id of a ``{path}/{ticket}/files`` address, else None."""
        prefix = self.path.rstrip("/") + "/"
        route = path.split("?", 1)[0]
        if route.startswith(prefix) and route.endswith("/files"):
            return route[len(prefix):-len("/files")] or None
        return None

    def listing(self, ticket_id: str) -> list[dict]:
        """The files the ticket has kept: name, size and SHA-256 of each."""
        ticket = self.tickets[ticket_id]
        created = [p for p in parse_multipart(ticket["content_type"], ticket["body"] or b"")
                   if p.filename and p.filename not in self.drops]
        return [_entry(p) for p in created + ticket.get("uploads", [])]

    def posts(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def parts(self, ticket_id: str) -> list[Part]:
        ticket = self.tickets[ticket_id]
        return parse_multipart(ticket["content_type"], ticket["body"])
