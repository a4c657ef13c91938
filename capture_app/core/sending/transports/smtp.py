"""SMTP: one e-mail per report to the support address, through the organisation's mail server.

* Implicit TLS (port 465) or STARTTLS (port 587), always verified against the OS trust store;
  a server that does not offer STARTTLS is refused rather than used in the clear.
* AUTH when a user is configured, with exactly one login attempt per send: a wrong password goes
  to *needs attention* at once instead of locking the mailbox with a retry storm.
* The server's ``SIZE`` is honoured before ``DATA``: a message the server would refuse is not
  sent at all (and counts like a 552 answer).
* The ``Message-ID`` is ``<report id@sender's domain>``: a retry after a lost answer produces the
  same id, so a helpdesk can recognise a duplicate.

Answers: 4xx and lost connections are temporary; 5xx (535 login, 550 address, 552 size) need
attention, with the server's own words kept as the reason.
"""
from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from capture_app.core.platform.secrets import Secret
from capture_app.core.report.model import Report, iso, utc_now
from capture_app.core.sending.transports.base import (
    PermanentTransportError,
    Progress,
    Receipt,
    TemporaryTransportError,
    Transport,
    TransportError,
    no_progress,
)
from capture_app.core.sending.transports.content import (
    BundleContents,
    attached_files,
    one_line,
    subject_for,
)

SECURITY = ("starttls", "ssl")
_CHUNK = 256 * 1024


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"
    user: str = ""
    sender: str = ""  # envelope and From address; the agent's address when empty
    recipient: str = "support@flexperto.com"
    organisation: str = ""
    timeout: float = 30.0
    max_message_bytes: int = 25 * 1024 * 1024


class SmtpTransport(Transport):
    name = "smtp"

    def __init__(self, settings: SmtpSettings, password: Secret | None = None, *,
                 context: ssl.SSLContext | None = None,
                 clock: Callable[[], datetime] = utc_now) -> None:
        self.settings = settings
        self._password = password
        self._context = context
        self.clock = clock

    # -- the message ---------------------------------------------------------------------

    def sender_address(self, report: Report) -> str:
        return (self.settings.sender or report.reporter.email or "").strip()

    def build_message(self, bundle_path: Path, report: Report,
                      date: datetime | None = None) -> EmailMessage:
        """The e-mail; ``Date`` is when it is sent (``date``, else now), not when the report
        was written — a report queued over the weekend must not arrive dated Friday."""
        sender = self.sender_address(report)
        recipient = self.settings.recipient.strip()
        from_address = _address(sender, report.reporter.name, "sending.smtp.bad_sender")
        to_address = _address(recipient, "", "sending.smtp.bad_recipient")
        message = EmailMessage(policy=SMTP_POLICY)
        message["From"] = from_address
        message["To"] = to_address
        agent = report.reporter.email.strip()
        if agent and agent.lower() != sender.lower():
            try:
                message["Reply-To"] = _address(agent, report.reporter.name, "sending.smtp.bad_sender")
            except PermanentTransportError:
                pass  # a broken agent address must not stop the report; From still answers
        message["Subject"] = subject_for(report, self.settings.organisation)
        message["Message-ID"] = message_id(report, sender)
        message["Date"] = format_datetime(date or self.clock())
        message["X-Report-Id"] = report.id
        with BundleContents(bundle_path) as contents:
            message.set_content(contents.body_text(), subtype="plain", charset="utf-8",
                                cte="quoted-printable")
            for member in contents.attachments():
                maintype, _, subtype = member.media_type.partition("/")
                message.add_attachment(contents.read(member.path), maintype=maintype or "application",
                                       subtype=subtype or "octet-stream", filename=member.filename)
            message.add_attachment(contents.manifest_bytes, maintype="application", subtype="json",
                                   filename="manifest.json")
        # A fixed boundary: the same report gives the same bytes on every attempt. Base64 and
        # quoted-printable parts can never contain "=_".
        message.set_boundary("=_report-capture_" + report.id.replace("-", ""))
        return message

    def message_bytes(self, bundle_path: Path, report: Report, date: datetime | None = None) -> bytes:
        return self.build_message(bundle_path, report, date).as_bytes(policy=SMTP_POLICY)

    def encoded_size(self, bundle_path: Path, report: Report) -> int:
        return len(self.message_bytes(bundle_path, report))

    def size_limit(self) -> int | None:
        return self.settings.max_message_bytes or None

    # -- sending -------------------------------------------------------------------------

    def send(self, bundle_path: Path, report: Report, progress: Progress = no_progress) -> Receipt:
        import hashlib

        self._check_settings()
        now = self.clock()
        data = self.message_bytes(bundle_path, report, now)
        limit = self.size_limit()
        if limit and len(data) > limit:
            raise _too_large(len(data), limit)
        sender = self.sender_address(report)
        progress(0, len(data))
        with self._connect() as server:
            announced = _announced_size(server)
            if announced and len(data) > announced:
                raise _too_large(len(data), announced)
            server.progress = lambda done: progress(min(done, len(data)), len(data))
            try:
                refused = server.sendmail(sender, [self.settings.recipient.strip()], data)
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()), (550, b""))
                raise _answer_error(code, text, "sending.smtp.recipient_refused") from None
            except smtplib.SMTPSenderRefused as exc:
                raise _answer_error(exc.smtp_code, exc.smtp_error, "sending.smtp.sender_refused") from None
            except smtplib.SMTPDataError as exc:
                raise _answer_error(exc.smtp_code, exc.smtp_error, "sending.smtp.refused") from None
            except smtplib.SMTPResponseException as exc:
                raise _answer_error(exc.smtp_code, exc.smtp_error, "sending.smtp.refused") from None
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                raise TemporaryTransportError("sending.smtp.disconnected", host=self.settings.host,
                                              reason=_reason(exc)) from None
            if refused:
                code, text = next(iter(refused.values()))
                raise _answer_error(code, text, "sending.smtp.recipient_refused")
        progress(len(data), len(data))
        return Receipt(self.name, f"{self.settings.recipient.strip()} via {self.settings.host}",
                       iso(now), message_id(report, sender),
                       hashlib.sha256(data).hexdigest(), len(data), files=attached_files(bundle_path))

    def check(self) -> str:
        from capture_app.core.platform.i18n import current_language, tr
        from capture_app.core.platform.sizes import format_size

        self._check_settings()
        with self._connect() as server:
            announced = _announced_size(server)
            try:
                server.noop()
            except (smtplib.SMTPException, OSError):
                pass
        size = format_size(announced, current_language()) if announced else tr("sending.check.no_size")
        return tr("sending.check.smtp_ok", host=self.settings.host, port=self.settings.port, size=size)

    def _check_settings(self) -> None:
        if not self.settings.host.strip():
            raise PermanentTransportError("sending.smtp.not_configured")
        if self.settings.security not in SECURITY:
            raise PermanentTransportError("sending.smtp.security_unknown", security=self.settings.security)
        if self.settings.user and not self._password:
            raise PermanentTransportError("sending.credentials_missing",
                                          what="sending.secret.smtp_password")

    def _connect(self) -> _Session:
        from capture_app.core.platform.net import tls_context, tls_failure, tls_reason_key

        settings = self.settings
        context = self._context or tls_context()
        host = settings.host.strip()
        server: _ProgressSMTP | _ProgressSMTPSSL
        try:
            if settings.security == "ssl":
                server = _ProgressSMTPSSL(host, settings.port, timeout=settings.timeout, context=context)
            else:
                server = _ProgressSMTP(host, settings.port, timeout=settings.timeout)
                server.ehlo()
                if not server.has_extn("starttls"):
                    server.close()
                    raise PermanentTransportError("sending.smtp.no_starttls", host=host)
                server.starttls(context=context)
                server.ehlo()
        except TransportError:
            raise
        except ssl.SSLError as exc:
            raise PermanentTransportError(tls_reason_key(exc), host=f"{host}:{settings.port}",
                                          reason=_reason(exc)) from None
        except socket.gaierror as exc:
            raise TemporaryTransportError("sending.smtp.unknown_host", host=host,
                                          reason=_reason(exc)) from None
        except TimeoutError as exc:
            raise TemporaryTransportError("sending.smtp.timeout", host=host, port=settings.port,
                                          reason=_reason(exc)) from None
        except smtplib.SMTPResponseException as exc:
            raise _answer_error(exc.smtp_code, exc.smtp_error, "sending.smtp.refused") from None
        except (smtplib.SMTPException, OSError) as exc:
            if _timed_out(exc):
                raise TemporaryTransportError("sending.smtp.timeout", host=host, port=settings.port,
                                              reason=_reason(exc)) from None
            tls = tls_failure(exc)
            if tls is not None:
                raise PermanentTransportError(tls_reason_key(tls), host=f"{host}:{settings.port}",
                                              reason=_reason(tls)) from None
            raise TemporaryTransportError("sending.smtp.unreachable", host=host, port=settings.port,
                                          reason=_reason(exc)) from None
        if settings.user:
            assert self._password is not None  # checked in send() before connecting
            _log_in(server, settings.user, self._password.reveal(), host)
        return _Session(server)


def _log_in(server: _ProgressSMTP | _ProgressSMTPSSL, user: str, password: str, host: str) -> None:
    """AUTH on an open connection; every refusal becomes the transport error that explains it."""
    try:
        _login_once(server, user, password)
    except smtplib.SMTPAuthenticationError as exc:
        server.close()
        raise PermanentTransportError(
            "sending.smtp.auth_failed", user=user, host=host,
            reason=f"{exc.smtp_code} {_server_text(exc.smtp_error)}".strip()) from None
    except smtplib.SMTPNotSupportedError:
        server.close()
        raise PermanentTransportError("sending.smtp.no_auth", host=host) from None
    except smtplib.SMTPResponseException as exc:
        server.close()
        raise _answer_error(exc.smtp_code, exc.smtp_error, "sending.smtp.refused") from None
    except (smtplib.SMTPException, OSError) as exc:
        server.close()
        raise TemporaryTransportError("sending.smtp.disconnected", host=host,
                                      reason=_reason(exc)) from None


class _ProgressMixin(smtplib.SMTP):
    """smtplib sends the whole message in one ``send``; here it goes in slices with progress."""

    progress: Callable[[int], None] | None = None

    def send(self, s: Any) -> Any:
        if isinstance(s, str):
            s = s.encode("ascii")
        report = self.progress
        if report is None or len(s) <= _CHUNK:
            return super().send(s)
        view = memoryview(s)
        for start in range(0, len(s), _CHUNK):
            super().send(bytes(view[start:start + _CHUNK]))
            report(start + len(view[start:start + _CHUNK]))
        return None


class _ProgressSMTP(_ProgressMixin, smtplib.SMTP):
    pass


class _ProgressSMTPSSL(_ProgressMixin, smtplib.SMTP_SSL):
    pass


class _Session:
    def __init__(self, server: _ProgressSMTP | _ProgressSMTPSSL) -> None:
        self.server = server

    def __enter__(self) -> _ProgressSMTP | _ProgressSMTPSSL:
        return self.server

    def __exit__(self, *exc: object) -> None:
        try:
            self.server.quit()
        except (smtplib.SMTPException, OSError):
            self.server.close()


# --- helpers --------------------------------------------------------------------------------

def message_id(report: Report, sender: str) -> str:
    domain = sender.rpartition("@")[2].strip().lower() or "report-capture.invalid"
    domain = "".join(ch for ch in domain if ch.isalnum() or ch in ".-") or "report-capture.invalid"
    return f"<{report.id}@{domain}>"


def _address(address: str, display_name: str, error_key: str) -> Address:
    from capture_app.core.platform.config import EMAIL

    address = (address or "").strip()
    if not EMAIL.fullmatch(address):
        raise PermanentTransportError(error_key, address=one_line(address, 80))
    user, _, domain = address.rpartition("@")
    try:
        return Address(display_name=one_line(display_name, 80), username=user, domain=domain)
    except (ValueError, IndexError):
        raise PermanentTransportError(error_key, address=one_line(address, 80)) from None


def _login_once(server: smtplib.SMTP, user: str, password: str) -> None:
    """One AUTH command with one mechanism: ``SMTP.login`` would try the next mechanism after a
    refused password, counting twice against the mailbox's lock-out limit."""
    server.ehlo_or_helo_if_needed()
    if not server.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("AUTH")
    offered = server.esmtp_features["auth"].upper().split()
    for mechanism in ("PLAIN", "LOGIN", "CRAM-MD5"):
        if mechanism in offered:
            server.user, server.password = user, password
            method = getattr(server, "auth_" + mechanism.lower().replace("-", "_"))
            server.auth(mechanism, method, initial_response_ok=True)
            return
    raise smtplib.SMTPNotSupportedError("AUTH")


def _timed_out(exc: BaseException) -> bool:
    """smtplib reports a silent server as "disconnected"; the timeout is in the chain."""
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (TimeoutError, socket.timeout)) or "timed out" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _announced_size(server: smtplib.SMTP) -> int:
    value = (server.esmtp_features.get("size") or "").strip()
    return int(value) if value.isdigit() else 0


def _server_text(text: str | bytes) -> str:
    from capture_app.core.platform.net import clean_reason

    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return clean_reason(text or "")


def _reason(exc: BaseException) -> str:
    from capture_app.core.platform.net import clean_reason

    return clean_reason(f"{type(exc).__name__}: {exc}", 200)


def _answer_error(code: int, text: str | bytes, key: str) -> TransportError:
    reason = f"{code} {_server_text(text)}".strip()
    if code == 552 or code == 523:
        return PermanentTransportError("sending.smtp.too_large_server", reason=reason)
    if 400 <= code < 500:
        return TemporaryTransportError("sending.smtp.try_later", reason=reason)
    return PermanentTransportError(key, reason=reason)


def _too_large(size: int, limit: int) -> PermanentTransportError:
    from capture_app.core.platform.i18n import current_language
    from capture_app.core.platform.sizes import format_size

    language = current_language()
    return PermanentTransportError("sending.too_large", size=format_size(size, language, round_up=True),
                                   limit=format_size(limit, language))
