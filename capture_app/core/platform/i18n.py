"""Translations for everything a person reads, in core and UI alike.

Catalogues are TOML files under ``resources/i18n/<lang>/<area>.toml``; a key ``missing`` in
``config.toml`` is addressed as ``"config.missing"``. Texts use ``str.format`` placeholders.
German is the default and the fallback; a missing key is shown as ``⟦key⟧`` so it is noticed,
and the catalogue-completeness test fails on it.
"""
from __future__ import annotations

import string
from functools import cache
from typing import Any

from capture_app.core.platform import tomlcache
from capture_app.core.platform.resources import resource_path

DEFAULT_LANGUAGE = "de"
LANGUAGES = {"de": "Deutsch", "en": "English"}

_current = DEFAULT_LANGUAGE


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(full, value, out)
        else:
            out[full] = str(value)


@cache
def area_catalogue(language: str, area: str) -> dict[str, str]:
    """The texts of one area file (``ui``, ``wizard`` …); read on first use, so start-up parses
    only the files the first window needs."""
    file = resource_path("i18n", language, f"{area}.toml")
    texts: dict[str, str] = {}
    if file.is_file():
        _flatten(area, tomlcache.load_path(file), texts)
    return texts


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every text of a language (for completeness checks and tools)."""
    texts: dict[str, str] = {}
    for file in sorted(resource_path("i18n", language).glob("*.toml")):
        texts.update(area_catalogue(language, file.stem))
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


def _lookup(key: str, language: str) -> str | None:
    return area_catalogue(language, key.split(".", 1)[0]).get(key)


def has(key: str, language: str | None = None) -> bool:
    return _lookup(key, language or _current) is not None


def tr(key: str, /, language: str | None = None, **params: object) -> str:
    lang = language or _current
    text = _lookup(key, lang)
    if text is None:
        text = _lookup(key, DEFAULT_LANGUAGE)
    if text is None:
        return f"⟦{key}⟧"
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
