"""A real SMTP server (aiosmtpd) on 127.0.0.1 with STARTTLS or implicit TLS, AUTH and SIZE.

Received messages are kept as raw bytes with their envelope; login attempts are counted so a
test can tell a single failed login from a retry storm. ``refuse_data`` makes the server answer
``DATA`` with a chosen reply (e.g. ``"552 5.3.4 Message size exceeds fixed limit"``).
"""
from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    # aiosmtpd refuses port 0: pick a free one ourselves.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class _Handler:
    messages: list[Received] = field(default_factory=list)
    refuse_data: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                          envelope.original_content or envelope.content))
        return "250 2.0.0 Message accepted for delivery"


class MailServer:
    """``with MailServer(ca, mode="starttls", user="agent", password="…") as server:``"""

    def __init__(self, ca, *, mode: str = "starttls", user: str = "", password: str = "",
                 size_limit: int | None = 10 * 1024 * 1024, cert_kwargs: dict | None = None) -> None:
        self.mode = mode
        self.user = user
        self.password = password
        self.handler = _Handler()
        self.login_attempts: list[str] = []
        self.port = free_port()
        context = ca.server_context(f"smtp-{mode}", **(cert_kwargs or {}))
        params = dict(hostname="127.0.0.1", port=self.port, data_size_limit=size_limit,
                      authenticator=self._authenticate if user else None, ready_timeout=10)
        if mode == "ssl":
            params.update(ssl_context=context, auth_require_tls=False)
        elif mode == "plain":  # a server without any encryption on offer
            params.update(auth_require_tls=False)
        else:
            params.update(tls_context=context, require_starttls=True, auth_require_tls=True)
        self.controller = Controller(self.handler, **params)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8", "replace")
        self.login_attempts.append(login)
        if login == self.user and auth_data.password.decode("utf-8", "replace") == self.password:
            return AuthResult(success=True)
        # handled=False: aiosmtpd answers 535 itself (handled=True would leave the client hanging).
        return AuthResult(success=False, handled=False)

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def refuse_data(self, reply: str | None) -> None:
        self.handler.refuse_data = reply

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def silent_server() -> tuple[socket.socket, int]:
    """A socket that accepts connections and never says a word (an SMTP host that hangs)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    return listener, listener.getsockname()[1]


def client_context_for(ca) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca.ca_file))
    return context
