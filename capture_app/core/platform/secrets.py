"""Passwords and tokens: kept in the OS keyring, or only in memory when there is none.

The SMTP password, the HTTP API token and a proxy password are never written to a file by this
app. ``SecretStore`` puts them into the operating system's keyring (Windows Credential Manager,
macOS Keychain, Secret Service on Linux). When no usable keyring exists — the headless default is
keyring's "fail" backend — secrets are kept in memory for this run only and the app asks for
them again after a restart. A keyring backend that keeps its secrets in a file of its own (the
plaintext and "encrypted file" backends some Linux systems install) counts as no keyring.

Each secret is filed under the server it belongs to (host, port, user), so a password entered
for one mail server is never offered to another one after the settings change.

Values travel inside :class:`Secret`, whose ``repr``/``str`` never show them, so a traceback or
a debug print of a transport's attributes cannot leak them; :func:`redact` and
:class:`RedactingFilter` remove every secret this process has seen from text and log records.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, NoReturn
from urllib.parse import urlsplit

from capture_app.core.platform.errors import UserFacingError

SERVICE = "ReportCapture"
MASK = "••••••"
_MIN_REDACT_LENGTH = 3  # shorter values would blank out ordinary words

log = logging.getLogger(__name__)

_seen: set[str] = set()
_seen_lock = threading.Lock()


class Secret:
    """A secret value that does not print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        _remember(value)

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> NoReturn:  # never pickled into a file or another process by accident
        raise TypeError("a Secret cannot be pickled")


def _remember(value: str) -> None:
    if value and len(value) >= _MIN_REDACT_LENGTH:
        with _seen_lock:
            _seen.add(value)


def redact(text: str) -> str:
    """``text`` with every secret this process has handled replaced by a mask."""
    if not text:
        return text
    with _seen_lock:
        known = sorted(_seen, key=len, reverse=True)
    for value in known:
        if value in text:
            text = text.replace(value, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Masks known secrets in a log record's final message (installed on the app's handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logged as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_log_redaction(*loggers: logging.Logger) -> None:
    """Put a :class:`RedactingFilter` on every handler of ``loggers`` (root if none given)."""
    for logger in loggers or (logging.getLogger(),):
        for handler in logger.handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())


# --- where each secret is filed -------------------------------------------------------------

def smtp_account(host: str, port: int, user: str) -> str:
    return f"smtp:{user}@{host.lower()}:{port}"


def http_account(endpoint: str, auth: str, user: str = "") -> str:
    parts = urlsplit(endpoint)
    origin = f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or ''}"
    return f"http-{auth}:{user}@{origin}" if user else f"http-{auth}:{origin}"


def proxy_account(proxy_url: str, user: str) -> str:
    parts = urlsplit(proxy_url)
    return f"proxy:{user}@{(parts.hostname or '').lower()}:{parts.port or ''}"


# --- the store ------------------------------------------------------------------------------

class SecretStoreError(UserFacingError):
    """The keyring refused to store or read a secret; ``key`` makes the agent's message."""


def _usable(backend: Any) -> bool:
    """False for keyring's fail and null backends, an empty chainer and any file backend."""
    if backend is None:
        return False
    # File backends are recognised by what they are, not by the package they come from: every
    # one of them names the file it writes (``file_path``), and none of them is an OS keyring.
    if getattr(backend, "file_path", None) or getattr(type(backend), "file_path", None):
        return False
    module = type(backend).__module__ or ""
    if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
        return False
    try:
        if module.startswith("keyring.backends.chainer"):
            return any(_usable(b) for b in type(backend).backends)
        return float(backend.priority) > 0
    except Exception:  # noqa: BLE001 - a backend that cannot even tell its priority is unusable
        return False


class SecretStore:
    """Secrets of this app: the OS keyring when usable, otherwise memory for this run only."""

    def __init__(self, backend: Any = None, *, service: str = SERVICE) -> None:
        self.service = service
        self._memory: dict[str, Secret] = {}
        self._lock = threading.Lock()
        # The OS keyring is looked up when a secret is first needed: loading keyring and its
        # Secret Service stack costs megabytes an app idling in the tray (or sending through
        # the mail program) never needs.
        self._given = backend
        self._resolved = False
        self._resolving = threading.Lock()

    @property
    def _backend(self) -> Any:
        with self._resolving:
            return self._resolve()

    def _resolve(self) -> Any:
        if not self._resolved:
            backend = self._given
            if backend is None:
                try:
                    import keyring

                    backend = keyring.get_keyring()
                except Exception:  # noqa: BLE001 - no keyring module or no backend at all
                    backend = None
            self._given = backend if _usable(backend) else None
            self._resolved = True
        return self._given

    @property
    def persistent(self) -> bool:
        """True when secrets survive a restart (an OS keyring is in use)."""
        return self._backend is not None

    def get(self, account: str) -> Secret | None:
        with self._lock:
            remembered = self._memory.get(account)
        if remembered is not None:
            return remembered
        if self._backend is None:
            return None
        try:
            value = self._backend.get_password(self.service, account)
        except Exception as exc:  # noqa: BLE001 - locked keyring, D-Bus gone …
            log.warning("keyring read failed: %s", type(exc).__name__)
            return None
        return Secret(value) if value else None

    def has(self, account: str) -> bool:
        return self.get(account) is not None

    def set(self, account: str, value: str | Secret) -> bool:
        """Store ``value``; True if it went to the keyring, False if it is kept in memory only."""
        secret = value if isinstance(value, Secret) else Secret(value)
        if not secret:
            self.delete(account)
            return self.persistent
        if self._backend is not None:
            try:
                self._backend.set_password(self.service, account, secret.reveal())
            except Exception as exc:  # noqa: BLE001
                log.warning("keyring write failed: %s", type(exc).__name__)
                raise SecretStoreError("sending.secrets.write_failed",
                                       reason=type(exc).__name__) from None
            with self._lock:
                self._memory.pop(account, None)
            return True
        self.remember(account, secret)
        return False

    def remember(self, account: str, value: str | Secret) -> None:
        """Keep a secret in memory for this run (asked at send time; never written anywhere)."""
        secret = value if isinstance(value, Secret) else Secret(value)
        with self._lock:
            self._memory[account] = secret

    def delete(self, account: str) -> None:
        with self._lock:
            self._memory.pop(account, None)
        if self._backend is None:
            return
        try:
            self._backend.delete_password(self.service, account)
        except Exception:  # noqa: BLE001 - nothing stored is fine
            pass


_shared: SecretStore | None = None
_shared_lock = threading.Lock()


def shared_store() -> SecretStore:
    """The app's one store: secrets asked for at send time are remembered once per run."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SecretStore()
        return _shared
