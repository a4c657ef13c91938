"""Translations for everything a person reads, in core and UI alike.

Catalogues are TOML files under ``resources/i18n/<lang>/<area>.toml``; a key ``missing`` in
``config.toml`` is addressed as ``"config.missing"``. Texts use ``str.format`` placeholders.
German is the default and the fallback; a missing key is shown as ``⟦key⟧`` so it is noticed,
and the catalogue-completeness test fails on it.
"""
from __future__ import annotations

import string
from functools import lru_cache

from capture_app.core.resources import resource_path
from capture_app.core.tomlcompat import tomllib

DEFAULT_LANGUAGE = "de"
LANGUAGES = {"de": "Deutsch", "en": "English"}

_current = DEFAULT_LANGUAGE


def _flatten(prefix: str, table: dict, out: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(full, value, out)
        else:
            out[full] = str(value)


@lru_cache(maxsize=None)
def catalogue(language: str) -> dict[str, str]:
    folder = resource_path("i18n", language)
    texts: dict[str, str] = {}
    for file in sorted(folder.glob("*.toml")):
        with file.open("rb") as handle:
            _flatten(file.stem, tomllib.load(handle), texts)
    return texts


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def set_language(language: str) -> str:
    """Switch the language for all later ``tr`` calls; unknown languages fall back to German."""
    global _current
    _current = language if language in LANGUAGES else DEFAULT_LANGUAGE
    return _current


def current_language() -> str:
    return _current


def has(key: str, language: str | None = None) -> bool:
    return key in catalogue(language or _current)


def tr(key: str, /, language: str | None = None, **params: object) -> str:
    lang = language or _current
    text = catalogue(lang).get(key)
    if text is None:
        text = catalogue(DEFAULT_LANGUAGE).get(key)
    if text is None:
        return f"⟦{key}⟧"
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
