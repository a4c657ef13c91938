"""The one interface every way of sending a bundle implements (SMTP, HTTP, mail client, export).

A transport either returns a ``Receipt`` or raises a ``TransportError`` that says whether trying
again later can help: the outbox retries ``TemporaryTransportError`` with backoff (honouring
``retry_after``) and moves the report to *needs attention* on ``PermanentTransportError``.
Messages never contain secrets: transports pass only what the agent may read as ``params``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from capture_app.core.platform.errors import UserFacingError
from capture_app.core.platform.i18n import tr
from capture_app.core.report.model import Report

# progress(done_bytes, total_bytes); called from the worker thread that sends.
Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """The default progress callback: nobody is watching."""


@dataclass(frozen=True)
class Receipt:
    """Proof of sending, kept with the sent report."""

    transport: str  # Transport.name
    destination: str  # address, endpoint URL or folder — never credentials
    sent_at: str  # ISO 8601 UTC
    reference: str  # ticket number, Message-ID, file name
    sha256: str  # of the bundle: the one file that holds everything that was sent
    size: int
    # Every file as the destination has it: (name, size, SHA-256) — what a helpdesk or a mail
    # program shows and a support person can check, unlike a request body nobody stores.
    files: tuple[tuple[str, int, str], ...] = ()
    # Every ticket number the destination ever returned for this report (duplicates included).
    tickets: tuple[str, ...] = ()
    # A hand-over only: the mail program that took the message, and a message key that tells
    # the agent more (the new Outlook was found; attach the file shown in the Finder).
    program: str = ""
    note: str = ""
    # Accepted by a server that could not be asked which files it kept: the message key saying
    # why. Such a report is "accepted, files not checked", never plainly "sent".
    unchecked: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["files"] = [list(entry) for entry in self.files]
        data["tickets"] = list(self.tickets)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Receipt:
        values = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        values["files"] = tuple(tuple(entry) for entry in values.get("files") or ())
        values["tickets"] = tuple(str(t) for t in values.get("tickets") or ())
        return cls(**values)


class TransportError(UserFacingError):
    """Sending failed; ``key``/``params`` make the agent's message, ``reason`` is the server's.

    ``ambiguous``: the request went out completely and no answer came — the report may have
    arrived. ``tickets``: ticket numbers a server returned before the attempt failed.
    """

    ambiguous: bool = False
    tickets: tuple[str, ...] = ()

    def __init__(self, key: str, *, reason: str = "", **params: object) -> None:
        super().__init__(key, **params)
        self.reason = reason

    def display_params(self, language: str | None) -> dict[str, Any]:
        return message_params(self.reason, self.params, language)


# Parameters and reasons that are message keys themselves ("the token for the ticket interface",
# "connection refused") are stored as keys and translated when shown: an error raised while the
# app spoke German reads in English when the agent switches.
KEYED_PREFIXES = ("sending.secret.", "sending.net.")


def _resolved(value: Any, language: str | None) -> Any:
    if isinstance(value, str) and value.startswith(KEYED_PREFIXES) and " " not in value:
        return tr(value, language=language)
    return value


def message_params(reason: str, params: dict[str, Any], language: str | None) -> dict[str, Any]:
    """The parameters of a sending message as shown: the reason and keyed values translated."""
    return {"reason": _resolved(reason or "", language),
            **{name: _resolved(value, language) for name, value in params.items()}}


def render_message(key: str, reason: str, params: dict[str, Any], language: str | None = None) -> str:
    return tr(key, language=language, **message_params(reason, params, language))


class TemporaryTransportError(TransportError):
    """May work later (network down, timeout, 5xx, 429): the report stays queued."""

    def __init__(self, key: str, *, reason: str = "", retry_after: float | None = None,
                 **params: object) -> None:
        super().__init__(key, reason=reason, **params)
        self.retry_after = retry_after


class PermanentTransportError(TransportError):
    """Will fail again until someone changes something (4xx, size refused, folder gone)."""


class Transport(ABC):
    name: str = ""
    # Interactive transports (mail program, export) need the agent at the screen: the background
    # sender never starts them on its own.
    interactive: bool = False
    # Transports that hand the report to the agent (mail program, a folder) instead of
    # delivering it: the report is *handed over*, and sent only when the agent says so.
    hands_over: bool = False
    # Idempotent transports let the server recognise a repeated attempt (HTTP's Idempotency-Key);
    # sending a report twice through them creates it once.
    idempotent: bool = False

    @abstractmethod
    def send(self, bundle_path: Path, report: Report, progress: Progress = no_progress) -> Receipt:
        """Deliver the built bundle; raise Temporary/PermanentTransportError on failure."""

    def encoded_size(self, bundle_path: Path, report: Report) -> int:
        """Bytes that will actually travel (MIME/base64 or multipart overhead included)."""
        return Path(bundle_path).stat().st_size

    def size_limit(self) -> int | None:
        """The most this transport's destination accepts, in bytes; None when unlimited."""
        return None

    def check(self) -> str:
        """Try the connection without sending a report; return a message for the agent.

        Raises Temporary/PermanentTransportError with the reason when it does not work.
        """
        return ""
