"""The one shape of an error the agent is told about.

Core raises it with a message key and the facts (``EvidenceError("evidence.too_large",
name=…, size=…, limit=…)``); the UI shows ``message()``, in the UI language, naming the thing,
the reason and the next step. Subclasses say how their facts are written for a reader
(sizes in MB, translated kinds) by overriding ``display_params``; a family of errors whose keys
share a prefix (``probes.ua.too_long``) sets ``key_prefix`` and raises with the short key.
Every error the agent may read derives from this class: there is one ``message()``.
"""
from __future__ import annotations

from typing import Any

from capture_app.core.platform.i18n import tr


class UserFacingError(Exception):
    key_prefix: str = ""

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def display_params(self, language: str | None) -> dict[str, Any]:
        return self.params

    def message(self, language: str | None = None) -> str:
        return tr(self.key_prefix + self.key, language=language, **self.display_params(language))

    def __str__(self) -> str:
        return self.message()
