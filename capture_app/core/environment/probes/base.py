"""What every probe is: a name, a timeout, and ``run()`` returning values or "unknown (reason)".

A probe answers a few questions about this machine (``keys``, e.g. ``"os.version"``). Each
answer is a plain string, a ``Text`` translated when shown (a value that is words, such as
"none found"), or ``Unknown`` with the reason the answer could not be found. A probe that fails
as a whole leaves every one of its keys ``Unknown``; it never stops the other probes.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from capture_app.core.platform.config import Text
from capture_app.core.platform.i18n import tr


@dataclass(frozen=True)
class Unknown:
    """An answer that could not be found, and why."""

    reason: Text

    def render(self, language: str | None = None) -> str:
        return tr("probes.unknown", language=language, reason=self.reason.render(language))


def unknown(reason_key: str, **params: Any) -> Unknown:
    """``Unknown`` with the reason ``probes.reason.<reason_key>``."""
    return Unknown(Text(f"probes.reason.{reason_key}", params))


Value = str | Text | Unknown


def render_value(value: Value, language: str | None = None) -> str:
    if isinstance(value, (Text, Unknown)):
        return value.render(language)
    return str(value)


def is_unknown(value: Value) -> bool:
    return isinstance(value, Unknown)


class ProbeFailed(Exception):
    """A probe could not answer at all; ``reason`` says why (every key becomes unknown)."""

    def __init__(self, reason_key: str, **params: Any) -> None:
        super().__init__(reason_key)
        self.unknown = unknown(reason_key, **params)


def windows_registry(host: Any) -> Any:
    """The host's registry adapter (Windows); a probe that needs it cannot answer without."""
    if host.registry is None:
        raise ProbeFailed("not_available")
    return host.registry


class Probe:
    """One small fact-finder. Subclasses set ``name``, ``keys`` and ``timeout`` and implement ``run``.

    ``run`` is called on a worker thread and must not block longer than ``timeout`` seconds on
    anything it can bound (commands, sockets); the collector stops waiting for it after that.
    """

    name: str = ""
    keys: tuple[str, ...] = ()
    timeout: float = 3.0

    def run(self) -> Mapping[str, Value]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


@dataclass
class ProbeResult:
    name: str
    values: dict[str, Value] = field(default_factory=dict)
    seconds: float = 0.0
    timed_out: bool = False
