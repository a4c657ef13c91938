"""Settings: declared once in ``resources/settings.toml``, read from three TOML layers.

Layers, lowest first:

1. built-in defaults (``resources/settings.toml``);
2. the organisation's file (``AppPaths.system_config_file``), rolled out by IT to a whole fleet;
3. the agent's own file (``AppPaths.user_config_file``), written by the settings dialog.

Both files use the natural nested TOML form. The organisation file may also *lock* settings with a
top-level ``locked`` list, written before the first ``[section]`` (TOML puts any later key into
that section)::

    locked = ["support.email", "support.phone", "limits"]

    [support]
    email = "support@flexperto.com"
    phone = "+49 30 2206623 33"

An entry is a setting name or a whole section (``"limits"`` locks every ``limits.*`` setting).
A locked setting keeps the organisation's value, or the built-in default if the organisation file
does not set it. The same setting in the agent's file is ignored (reported as a notice), and
``Config.set_user`` refuses it. ``locked`` in the agent's own file has no effect.

A bad file never stops the app and is never modified: a file that cannot be read or parsed is
skipped as a whole; a single invalid value falls back to the lower layer for that setting only;
an unknown setting is ignored with a warning suggesting the closest known name. Each problem
names the file, the line and the setting, and is translated on demand (``ConfigProblem.message``).
"""
from __future__ import annotations

import codecs
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from capture_app.core.platform import i18n, tomlcache
from capture_app.core.platform.errors import UserFacingError
from capture_app.core.platform.fsutil import atomic_write_text
from capture_app.core.platform.paths import AppPaths, default_paths
from capture_app.core.platform.resources import load_toml

DEFAULT = "default"
ORGANISATION = "organisation"
AGENT = "agent"
_LAYER_RANK = {DEFAULT: 0, ORGANISATION: 1, AGENT: 2}

ERROR = "error"
WARNING = "warning"
NOTICE = "notice"

LOCKED = "locked"
TYPES = ("str", "int", "bool", "float", "list[str]", "choice", "time", "timezone")
FORMATS = ("email", "url", "phone", "hotkey")

_MAX_SHOWN_VALUE = 80


# --- Texts that are translated only when shown ------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A message key with parameters; parameters may themselves be ``Text``."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: str | None = None) -> str:
        rendered = {name: _render(value, language) for name, value in self.params.items()}
        return i18n.tr(self.key, language=language, **rendered)


def _render(value: Any, language: str | None) -> Any:
    if isinstance(value, Text):
        return value.render(language)
    if isinstance(value, ConfigProblem):
        return value.message(language)
    return value


# --- Declarations -----------------------------------------------------------------------------


class _Invalid(Exception):
    """A value that does not fit its declaration; the caller reports what was expected."""


class _TooLong(_Invalid):
    """A text longer than any real value of the setting (a paste gone wrong, a hostile file)."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(length, limit)
        self.length = length
        self.limit = limit


# No name, address or URL is longer; anything longer is a mistake and would be copied into
# every report, draft and bundle.
MAX_TEXT_LENGTH = 1000
# A settings file is a few KB; a larger one is not read (the app starts on the layer below).
MAX_FILE_BYTES = 4 * 1024 * 1024
# Each unknown key is named up to this many per file; the rest are counted.
MAX_UNKNOWN_NAMED = 20
# Settings are two levels deep; a file nested deeper than this is not a settings file (and would
# exhaust the recursion of every reader and writer of nested data).
MAX_DEPTH = 32


_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
# Deliberately loose: a real check is the mail server's. No whitespace, so no header injection.
EMAIL = re.compile(r"[^@\s\"<>,;()\[\]]+@[^@\s\"<>,;()\[\].]+(\.[^@\s\"<>,;()\[\].]+)+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()/.\-]*[0-9]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _is_url(value: str) -> bool:
    if any(ch.isspace() for ch in value):
        return False
    from urllib.parse import urlsplit  # only for settings that hold a URL

    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_phone(value: str) -> bool:
    return bool(_PHONE.fullmatch(value)) and sum(ch.isdigit() for ch in value) >= 3


def _is_hotkey(value: str) -> bool:
    from capture_app.core.platform.hotkeys import is_hotkey

    return is_hotkey(value)


_FORMAT_CHECKS = {
    "email": lambda value: bool(EMAIL.fullmatch(value)),
    "url": _is_url,
    "phone": _is_phone,
    "hotkey": _is_hotkey,
}


def _is_time_zone(name: str) -> bool:
    from capture_app.core.platform.timezones import valid_timezone

    return valid_timezone(name)


def _encodable(text: str) -> bool:
    # Lone surrogates (possible from a UI paste) cannot be written as UTF-8.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Setting:
    key: str
    type: str
    default: Any
    label_de: str
    label_en: str
    description_de: str
    description_en: str
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    format: str | None = None
    required: bool = False

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    def label(self, language: str | None = None) -> str:
        return self.label_en if (language or i18n.current_language()) == "en" else self.label_de

    def description(self, language: str | None = None) -> str:
        lang = language or i18n.current_language()
        return self.description_en if lang == "en" else self.description_de

    def expected(self) -> Text:
        """What a valid value looks like, for messages."""
        kind = self.type
        choices = ", ".join(toml_value(c) for c in self.choices or ())
        if kind == "str":
            if self.format:
                text = Text(f"config.expected.{self.format}")
                return text if self.required else Text("config.expected.or_empty", {"expected": text})
            return Text("config.expected.str_required" if self.required else "config.expected.str")
        if kind in ("int", "float"):
            bounds = {"min": _number(self.min), "max": _number(self.max)}
            if self.min is not None and self.max is not None:
                return Text(f"config.expected.{kind}_range", bounds)
            if self.min is not None:
                return Text(f"config.expected.{kind}_min", bounds)
            return Text(f"config.expected.{kind}")
        if kind == "choice":
            return Text("config.expected.choice", {"choices": choices})
        if kind == "list[str]":
            suffix = "_required" if self.required else ""
            if self.choices:
                return Text(f"config.expected.list_choice{suffix}", {"choices": choices})
            return Text(f"config.expected.list{suffix}")
        return Text(f"config.expected.{kind}")  # bool, time, timezone

    def validate(self, value: Any) -> Any:
        """The value as the app uses it; raises ``_Invalid`` if it does not fit."""
        kind = self.type
        if kind == "time" and isinstance(value, time):
            # TOML's own local time (``opens = 09:00:00``) is accepted when it is whole minutes.
            if value.second or value.microsecond or value.tzinfo is not None:
                raise _Invalid
            value = value.strftime("%H:%M")
        if kind in ("str", "choice", "time", "timezone"):
            if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
                raise _TooLong(len(value), MAX_TEXT_LENGTH)
            if not isinstance(value, str) or not _encodable(value) or _CONTROL.search(value):
                raise _Invalid
            if kind == "choice" and value not in (self.choices or ()):
                raise _Invalid
            if kind == "time" and not _TIME.fullmatch(value):
                raise _Invalid
            if kind == "timezone" and not _is_time_zone(value):
                raise _Invalid
            if kind == "str":
                if self.required and not value.strip():
                    raise _Invalid
                if value and self.format and not _FORMAT_CHECKS[self.format](value):
                    raise _Invalid
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                raise _Invalid
            return value
        if kind in ("int", "float"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise _Invalid
            if kind == "int" and not isinstance(value, int):
                raise _Invalid
            if kind == "float":
                if not math.isfinite(value):
                    raise _Invalid
                value = float(value)
            if (self.min is not None and value < self.min) or (
                self.max is not None and value > self.max
            ):
                raise _Invalid
            return value
        if kind == "list[str]":
            if not isinstance(value, list) or (self.required and not value):
                raise _Invalid
            for item in value:
                if isinstance(item, str) and len(item) > MAX_TEXT_LENGTH:
                    raise _TooLong(len(item), MAX_TEXT_LENGTH)
                if not isinstance(item, str) or not _encodable(item) or _CONTROL.search(item):
                    raise _Invalid
                if self.choices and item not in self.choices:
                    raise _Invalid
            return list(value)
        raise _Invalid  # pragma: no cover - declarations are checked when loaded

    def is_valid(self, value: Any) -> bool:
        try:
            self.validate(value)
        except _Invalid:
            return False
        return True


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if not float(value).is_integer():
        return str(value)
    # Digits grouped by spaces from five digits on, readable in German and English alike.
    return f"{int(value):_}".replace("_", " ") if abs(value) >= 10_000 else str(int(value))


@lru_cache(maxsize=1)
def settings_table() -> Mapping[str, Setting]:
    """Every setting, in declaration order (the order of the settings dialog)."""
    declared = load_toml("settings.toml")["settings"]
    table: dict[str, Setting] = {}
    for key, spec in declared.items():
        choices = spec.get("choices")
        setting = Setting(
            key=key,
            type=spec["type"],
            default=spec["default"],
            label_de=spec["label_de"],
            label_en=spec["label_en"],
            description_de=spec["description_de"],
            description_en=spec["description_en"],
            choices=tuple(choices) if choices is not None else None,
            min=spec.get("min"),
            max=spec.get("max"),
            format=spec.get("format"),
            required=spec.get("required", False),
        )
        # A broken declaration is a bug in the shipped app, not a user error: fail loudly.
        if setting.type not in TYPES or (setting.format and setting.format not in FORMATS):
            raise ValueError(f"settings.toml: {key} has unknown type or format")
        if "." not in key:
            raise ValueError(f"settings.toml: {key} has an invalid name")
        # Whether each default is valid is checked by the tests (and the self-test), not at
        # every start: checking a time zone alone reads the zone database.
        table[key] = setting
    return MappingProxyType(table)


# --- Problems and errors ----------------------------------------------------------------------


def _location(file: Path | None, line: int | None, language: str | None) -> str:
    if line is not None:
        return i18n.tr("config.location_line", language=language, file=file, line=line)
    return i18n.tr("config.location_file", language=language, file=file)


@dataclass(frozen=True)
class ConfigProblem:
    """Something wrong in a settings file; the app went on without the bad part.

    ``layer`` is ``"organisation"``, ``"agent"`` or ``None`` (a file checked on its own); it
    decides the advice (tell IT, or fix it yourself). Message texts may use ``{file}``, ``{line}``,
    ``{key}``, ``{location}`` (file and line) and ``{next_step}`` besides their own parameters.
    """

    level: str
    message_key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    file: Path | None = None
    line: int | None = None
    key: str | None = None
    layer: str | None = None

    def message(self, language: str | None = None) -> str:
        params = {name: _render(value, language) for name, value in self.params.items()}
        params.setdefault("file", str(self.file) if self.file is not None else "")
        params.setdefault("line", self.line if self.line is not None else "")
        params.setdefault("key", self.key or "")
        params["location"] = _location(self.file, self.line, language)
        params["next_step"] = i18n.tr(
            f"config.next_step.{self.layer or 'file'}", language=language
        )
        return i18n.tr(self.message_key, language=language, **params)

    def __str__(self) -> str:
        return self.message()


class ConfigError(UserFacingError):
    """A setting could not be changed; ``message()`` says why, translated."""

    def __init__(self, message_key: str, **params: Any) -> None:
        super().__init__(message_key, **params)
        self.message_key = message_key

    def display_params(self, language: str | None) -> dict[str, Any]:
        return {name: _render(value, language) for name, value in self.params.items()}


# --- Reading one file -------------------------------------------------------------------------


@dataclass(frozen=True)
class _File:
    path: Path
    text: str
    data: dict[str, Any]


# Patterns of paths that are rarely taken stay strings: ``re`` compiles (and caches) them on
# first use instead of at every start.
_TOML_POSITION = r"\s*\(at line (\d+), column (\d+)\)\s*$"
_TOML_AT_END = r"\s*\(at end of document\)\s*$"


def _syntax_problem(path: Path, layer: str | None, exc: ValueError) -> ConfigProblem:
    text = str(exc)
    line = getattr(exc, "lineno", None)  # Python 3.14+ carries it as an attribute
    detail = getattr(exc, "msg", None) or text
    position = re.search(_TOML_POSITION, text)
    if position:
        line = line or int(position.group(1))
        detail = text[: position.start()]
    at_end = re.search(_TOML_AT_END, text)
    if at_end:
        # tomllib only notices an open quote, bracket or a duplicate at the end: the line
        # it would name is the last one, which is rarely where the mistake is.
        return ConfigProblem(ERROR, "config.syntax_error_end", {"detail": text[: at_end.start()]},
                             path, None, None, layer)
    if line is None:
        return ConfigProblem(ERROR, "config.syntax_error_no_line", {"detail": detail},
                             path, None, None, layer)
    return ConfigProblem(ERROR, "config.syntax_error", {"detail": detail}, path, line, None, layer)


def _read(path: Path, layer: str | None, *, missing_ok: bool) -> tuple[_File | None, list[ConfigProblem]]:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [ConfigProblem(ERROR, "config.too_large",
                                        {"size_mb": f"{size / 1048576:.1f}",
                                         "limit_mb": MAX_FILE_BYTES // 1048576},
                                        path, None, None, layer)]
        raw = path.read_bytes()
    except FileNotFoundError:
        if missing_ok:
            return None, []
        return None, [ConfigProblem(ERROR, "config.missing_file", {}, path, None, None, layer)]
    except OSError as exc:
        detail = exc.strerror or type(exc).__name__
        return None, [ConfigProblem(ERROR, "config.unreadable", {"detail": detail}, path, None, None, layer)]
    # Windows editors like to put a byte-order mark in front.
    body = raw[len(codecs.BOM_UTF8):] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        return None, [ConfigProblem(ERROR, "config.not_utf8", {}, path, line, None, layer)]
    if _deep_keys(text):  # the TOML parser takes quadratic time over such keys
        return None, [ConfigProblem(ERROR, "config.too_deep", {"limit": MAX_DEPTH}, path, None,
                                    None, layer)]
    try:
        data = tomlcache.loads(text, key=path.resolve())
    except tomlcache.TOMLDecodeError as exc:
        return None, [_syntax_problem(path, layer, exc)]
    except RecursionError:  # arrays or inline tables nested deeper than the parser goes
        data = None
    if data is None or _depth_over(data, MAX_DEPTH):
        return None, [ConfigProblem(ERROR, "config.too_deep", {"limit": MAX_DEPTH}, path, None,
                                    None, layer)]
    return _File(path, text, data), []


_PLAIN_KEY = re.compile(r"[\w\-. \t\[\]]+")


def _deep_keys(text: str) -> bool:
    """Does a key or table header have more than MAX_DEPTH dotted parts?"""
    if text.count(".") <= MAX_DEPTH:
        return False
    for line in text.split("\n"):
        head = line.split("=", 1)[0]
        if head.count(".") > MAX_DEPTH and _PLAIN_KEY.fullmatch(head.strip()):
            return True
    return False


def _depth_over(data: Any, limit: int) -> bool:
    """Is anything nested more than ``limit`` levels deep? (An explicit stack: the point is
    to stop what would make a recursive walk fail.)"""
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
    return False


# Finding the line where a key stands. tomllib does not report positions of valid content, so
# this scans the text: table headers set the current table, ``key = ...`` lines add to it.
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED_KEY = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_ARRAY_TABLE_LINE = rf"\s*\[\[\s*({_DOTTED_KEY})\s*\]\]"
_TABLE_LINE = rf"\s*\[\s*({_DOTTED_KEY})\s*\]"
_ASSIGN_LINE = rf"\s*({_DOTTED_KEY})\s*="


def _key_parts(dotted: str) -> tuple[str, ...]:
    parts = []
    for part in re.findall(_KEY_PART, dotted):
        if part[0] == '"':
            from capture_app.core.platform.tomlcompat import tomllib

            try:
                part = tomllib.loads(f"k = {part}")["k"]
            except tomllib.TOMLDecodeError:
                part = part[1:-1]
        elif part[0] == "'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def find_line(text: str, key: str) -> int | None:
    """1-based line where the dotted ``key`` is assigned (or its table or inline table starts).

    The text is scanned once into an index of every key's first line (kept for the last text
    asked about): a file with thousands of keys is asked about each of them, and a scan per
    question would take quadratic time.
    """
    tables, assigned = _line_index(text)
    parts = key.split(".")
    # Its table, its assignment, or the assignment of an inline table that holds it
    # ("a = {b = 1}" for "a.b").
    candidates = [tables.get(key)] + [assigned.get(".".join(parts[:n]))
                                      for n in range(1, len(parts) + 1)]
    found = [line for line in candidates if line is not None]
    return min(found) if found else None


# (text, its index) for the last text find_line was asked about; replaced as one tuple, so a
# thread never sees one text's index paired with another text.
_INDEX: tuple[str | None, tuple[dict[str, int], dict[str, int]]] = (None, ({}, {}))


def _line_index(text: str) -> tuple[dict[str, int], dict[str, int]]:
    """First line of each table header, and of each assignment, by dotted key."""
    global _INDEX
    cached_text, cached = _INDEX
    if cached_text is text:
        return cached
    tables: dict[str, int] = {}
    index: dict[str, int] = {}
    table: tuple[str, ...] | None = ()
    open_multiline: str | None = None
    # TOML knows only \n and \r\n as line breaks; str.splitlines() would count more.
    for number, line in enumerate(text.split("\n"), 1):
        if open_multiline:
            if open_multiline in line:
                open_multiline = None
            continue
        if re.match(_ARRAY_TABLE_LINE, line):
            table = None  # settings never live in arrays of tables
            continue
        header = re.match(_TABLE_LINE, line)
        if header:
            table = _key_parts(header.group(1))
            tables.setdefault(".".join(table), number)
            continue
        assignment = re.match(_ASSIGN_LINE, line)
        if assignment and table is not None:
            index.setdefault(".".join(table + _key_parts(assignment.group(1))), number)
        if assignment:
            rest = line[assignment.end():]
            for quotes in ('"""', "'''"):
                if rest.count(quotes) == 1:
                    open_multiline = quotes
    _INDEX = (text, (tables, index))
    return tables, index


def _flatten(data: Mapping[str, Any], table: Mapping[str, Setting]) -> tuple[dict[str, Any], list[str]]:
    """Known settings by dotted name, and the dotted names of everything else."""
    known: dict[str, Any] = {}
    unknown: list[str] = []
    sections = {key.rsplit(".", 1)[0] for key in table}

    def walk(prefix: str, node: Mapping[str, Any]) -> None:
        for name, value in node.items():
            full = f"{prefix}{name}"
            if full in table:
                known[full] = value
            elif isinstance(value, dict):
                if value:
                    walk(full + ".", value)
                elif full not in sections:
                    unknown.append(full)  # an empty "[suport]" hints at a typo too
            else:
                unknown.append(full)

    walk("", data)
    return known, unknown


def _suggestion(name: str, candidates: list[str]) -> str | None:
    import difflib  # only needed when a file has an unknown key

    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if close:
        return close[0]
    # A key outside its section ("autosave_delay" at the top): match the last part, but only
    # where it is unambiguous ("phone" could be the agent's, the support's or the lead's).
    owners: dict[str, list[str]] = {}
    for candidate in candidates:
        owners.setdefault(candidate.rsplit(".", 1)[-1], []).append(candidate)
    unique = [tail for tail, keys in owners.items() if len(keys) == 1]
    close = difflib.get_close_matches(name.rsplit(".", 1)[-1], unique, n=1, cutoff=0.8)
    return owners[close[0]][0] if close else None


def _unknown_problem(
    content: _File, layer: str | None, name: str, candidates: list[str], message_key: str
) -> ConfigProblem:
    line = find_line(content.text, name)
    suggestion = _suggestion(name, candidates)
    if suggestion:
        return ConfigProblem(WARNING, message_key, {"suggestion": suggestion},
                             content.path, line, name, layer)
    return ConfigProblem(WARNING, f"{message_key}_no_suggestion", {},
                         content.path, line, name, layer)


def _shown(value: Any) -> str:
    """A value as it would be written in the file, shortened for a message."""
    try:
        text = toml_value(value)
    except TypeError:
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN_VALUE else text[: _MAX_SHOWN_VALUE - 1] + "…"


def _read_locks(
    content: _File, layer: str | None, table: Mapping[str, Setting]
) -> tuple[set[str], list[ConfigProblem]]:
    problems: list[ConfigProblem] = []
    if LOCKED not in content.data:
        return set(), problems
    raw = content.data[LOCKED]
    line = find_line(content.text, LOCKED)
    if not isinstance(raw, list) or not all(isinstance(entry, str) for entry in raw):
        # Fail visibly rather than guess: IT must know its fleet is not locked.
        problems.append(ConfigProblem(ERROR, "config.locked_invalid", {"value": _shown(raw)},
                                      content.path, line, LOCKED, layer))
        return set(), problems
    sections = {setting.section for setting in table.values()}
    locked: set[str] = set()
    for entry in raw:
        name = entry.strip()
        if name in table:
            locked.add(name)
        elif name.removesuffix(".*") in sections:
            section = name.removesuffix(".*")
            locked.update(key for key, setting in table.items() if setting.section == section)
        else:
            suggestion = _suggestion(name, [*table, *sorted(sections)])
            key = "config.locked_unknown" if suggestion else "config.locked_unknown_no_suggestion"
            params = {"entry": entry, "suggestion": suggestion} if suggestion else {"entry": entry}
            problems.append(ConfigProblem(WARNING, key, params, content.path, line, LOCKED, layer))
    return locked, problems


# --- Layering ---------------------------------------------------------------------------------


def _apply(
    content: _File,
    layer: str | None,
    table: Mapping[str, Setting],
    stacks: dict[str, list[tuple[str, Any]]],
    locked: set[str],
) -> list[ConfigProblem]:
    """Put the file's valid values on top of ``stacks``; report everything else."""
    problems: list[ConfigProblem] = []
    data = dict(content.data)
    if LOCKED in data:
        data.pop(LOCKED)
        if layer == AGENT:
            problems.append(ConfigProblem(WARNING, "config.locked_in_agent_file", {},
                                          content.path, find_line(content.text, LOCKED),
                                          LOCKED, layer))
    known, unknown = _flatten(data, table)
    for named, name in enumerate(unknown):
        if named == MAX_UNKNOWN_NAMED:
            problems.append(ConfigProblem(WARNING, "config.unknown_keys_more",
                                          {"n": len(unknown) - named}, content.path, None, None,
                                          layer))
            break
        if name.rsplit(".", 1)[-1] == LOCKED:
            section = name.rsplit(".", 1)[0]
            problems.append(ConfigProblem(ERROR, "config.locked_misplaced", {"section": section},
                                          content.path, find_line(content.text, name), name, layer))
        else:
            problems.append(_unknown_problem(content, layer, name, list(table), "config.unknown_key"))
    for key, raw in known.items():
        line = find_line(content.text, key)
        in_use = stacks[key][-1][1]
        if key in locked:
            problems.append(ConfigProblem(NOTICE, "config.locked_ignored",
                                          {"value": _shown(raw), "value_in_use": _shown(in_use)},
                                          content.path, line, key, layer))
            continue
        setting = table[key]
        try:
            value = setting.validate(raw)
        except _TooLong as exc:
            problems.append(ConfigProblem(
                ERROR, "config.value_too_long",
                {"length": exc.length, "limit": exc.limit, "fallback": _shown(in_use)},
                content.path, line, key, layer,
            ))
            continue
        except _Invalid:
            problems.append(ConfigProblem(
                ERROR, "config.invalid_value",
                {"value": _shown(raw), "expected": setting.expected(), "fallback": _shown(in_use)},
                content.path, line, key, layer,
            ))
            continue
        stacks[key].append((layer or AGENT, value))
    return problems


def _settle_hours(
    stacks: dict[str, list[tuple[str, Any]]], files: Mapping[str, _File]
) -> list[ConfigProblem]:
    """Support must open before it closes; otherwise drop the newest layer's hours."""
    opens, closes = stacks["support.opens"], stacks["support.closes"]
    if opens[-1][1] < closes[-1][1]:
        return []
    bad_opens, bad_closes = opens[-1][1], closes[-1][1]
    top = max(_LAYER_RANK[opens[-1][0]], _LAYER_RANK[closes[-1][0]])
    culprit = "support.closes" if _LAYER_RANK[closes[-1][0]] == top else "support.opens"
    layer = stacks[culprit][-1][0]
    while opens[-1][1] >= closes[-1][1] and (len(opens) > 1 or len(closes) > 1):
        top = max(_LAYER_RANK[opens[-1][0]], _LAYER_RANK[closes[-1][0]])
        for stack in (opens, closes):
            if _LAYER_RANK[stack[-1][0]] == top and len(stack) > 1:
                stack.pop()
    content = files.get(layer)
    return [ConfigProblem(
        ERROR, "config.hours_order",
        {"opens": _shown(bad_opens), "closes": _shown(bad_closes),
         "opens_in_use": _shown(opens[-1][1]), "closes_in_use": _shown(closes[-1][1])},
        content.path if content else None,
        find_line(content.text, culprit) if content else None,
        culprit, layer,
    )]


class Config:
    """The settings in effect. Build with ``Config.load(paths)``; never raises for bad files."""

    def __init__(
        self,
        paths: AppPaths,
        values: Mapping[str, Any],
        sources: Mapping[str, str],
        locked: frozenset[str],
        problems: list[ConfigProblem],
    ) -> None:
        self.paths = paths
        self._values = dict(values)
        self._sources = dict(sources)
        self._locked = locked
        self.problems = problems

    @classmethod
    def load(cls, paths: AppPaths | None = None) -> Config:
        paths = paths or default_paths()
        table = settings_table()
        stacks = {key: [(DEFAULT, setting.default)] for key, setting in table.items()}
        problems: list[ConfigProblem] = []
        files: dict[str, _File] = {}
        locked: set[str] = set()

        organisation, found = _read(paths.system_config_file, ORGANISATION, missing_ok=True)
        problems += found
        if organisation:
            files[ORGANISATION] = organisation
            locked, found = _read_locks(organisation, ORGANISATION, table)
            problems += found
            problems += _apply(organisation, ORGANISATION, table, stacks, set())

        agent, found = _read(paths.user_config_file, AGENT, missing_ok=True)
        problems += found
        if agent:
            files[AGENT] = agent
            problems += _apply(agent, AGENT, table, stacks, locked)

        problems += _settle_hours(stacks, files)
        values = {key: stack[-1][1] for key, stack in stacks.items()}
        sources = {key: stack[-1][0] for key, stack in stacks.items()}
        return cls(paths, values, sources, frozenset(locked), problems)

    def get(self, key: str) -> Any:
        """The value in effect; lists are copies, so changing them changes nothing here."""
        value = self._values[key]
        return list(value) if isinstance(value, list) else value

    def source(self, key: str) -> str:
        """``"default"``, ``"organisation"`` or ``"agent"``."""
        if key not in self._sources:
            raise KeyError(key)
        return self._sources[key]

    def is_locked(self, key: str) -> bool:
        if key not in self._values:
            raise KeyError(key)
        return key in self._locked

    @property
    def locked(self) -> frozenset[str]:
        return self._locked

    def as_dict(self) -> dict[str, Any]:
        return {key: self.get(key) for key in self._values}

    def set_user(self, key: str, value: Any) -> None:
        """Validate ``value`` and store it in the agent's file; raises ``ConfigError``.

        Nothing is written when the key is unknown or locked, the value invalid, or the agent's
        file unreadable (so a hand-edited file with a typo is not overwritten). Other content of
        the file is kept, comments excepted.
        """
        setting = self._writable(key)
        try:
            normalized = setting.validate(value)
        except _TooLong as exc:
            raise ConfigError("config.set_too_long", key=f"{setting.label()} ({key})",
                              length=exc.length, limit=exc.limit) from None
        except _Invalid:
            # The agent knows the field by its label; IT finds it by its key.
            raise ConfigError("config.set_invalid", key=f"{setting.label()} ({key})",
                              value=_shown(value), expected=setting.expected()) from None
        if key in ("support.opens", "support.closes"):
            hours = {"support.opens": self._values["support.opens"],
                     "support.closes": self._values["support.closes"], key: normalized}
            if hours["support.opens"] >= hours["support.closes"]:
                # Change both by setting the one that keeps them in order first.
                raise ConfigError("config.set_hours_order", opens=_shown(hours["support.opens"]),
                                  closes=_shown(hours["support.closes"]))
        data = self._agent_file_data()
        node = data
        *sections, name = key.split(".")
        node.pop(key, None)  # a top-level quoted "support.phone" would otherwise shadow it
        for section in sections:
            if not isinstance(node.get(section), dict):
                node[section] = {}
            node = node[section]
        node[name] = normalized
        self._write_agent_file(key, data)

    def reset_user(self, key: str) -> None:
        """Remove the agent's own value, so the organisation's or the default applies again."""
        self._writable(key)
        data = self._agent_file_data()
        node: Any = data
        *sections, name = key.split(".")
        removed = data.pop(key, None) is not None
        for section in sections:
            node = node.get(section) if isinstance(node, dict) else None
        if isinstance(node, dict) and name in node:
            del node[name]
            removed = True
        if removed:
            self._write_agent_file(key, _drop_empty_tables(data))

    def _writable(self, key: str) -> Setting:
        setting = settings_table().get(key)
        if setting is None:
            raise ConfigError("config.set_unknown", key=key)
        if key in self._locked:
            raise ConfigError("config.set_locked", key=key)
        return setting

    def _agent_file_data(self) -> dict[str, Any]:
        path = self.paths.user_config_file
        content, problems = _read(path, AGENT, missing_ok=True)
        if problems:
            raise ConfigError("config.set_file_broken", file=str(path), reason=problems[0])
        return content.data if content else {}

    def _write_agent_file(self, key: str, data: dict[str, Any]) -> None:
        path = self.paths.user_config_file
        text = _AGENT_FILE_HEADER + dumps(data)
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise ConfigError("config.write_failed", key=key, file=str(path),
                              detail=exc.strerror or type(exc).__name__) from None
        fresh = Config.load(self.paths)
        self._values, self._sources = fresh._values, fresh._sources
        self._locked, self.problems = fresh._locked, fresh.problems


def _drop_empty_tables(data: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for name, value in data.items():
        if isinstance(value, dict):
            value = _drop_empty_tables(value)
            if not value:
                continue
        result[name] = value
    return result


def check_file(path: Path, layer: str | None = None) -> list[ConfigProblem]:
    """Every problem of one settings file on its own (for ``capture-app config check``).

    ``layer`` picks the advice in the messages; ``"agent"`` also flags a ``locked`` list, which
    only works in the organisation's file. A missing file is a problem here.
    """
    table = settings_table()
    content, problems = _read(Path(path), layer, missing_ok=False)
    if content is None:
        return problems
    stacks = {key: [(DEFAULT, setting.default)] for key, setting in table.items()}
    if layer != AGENT:
        problems += _read_locks(content, layer, table)[1]
    problems += _apply(content, layer, table, stacks, set())
    # _apply files a lone file's values under "agent"; the advice must still follow ``layer``.
    problems += [replace(problem, layer=layer)
                 for problem in _settle_hours(stacks, {layer or AGENT: content})]
    return problems


# --- Writing TOML -----------------------------------------------------------------------------
# The agent's file only holds plain values, so a small writer is enough; it is checked by
# reading its own output back before anything is replaced.

_AGENT_FILE_HEADER = (
    "# Report Capture: Ihre eigenen Einstellungen / your own settings.\n"
    "# Von der App geschrieben; Kommentare gehen beim Speichern verloren.\n"
    "# Written by the app; comments are not kept when it saves.\n\n"
)
_BARE_KEY = r"[A-Za-z0-9_-]+"
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_key(name: str) -> str:
    return name if re.fullmatch(_BARE_KEY, name) else _toml_string(name)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def dumps(data: Mapping[str, Any]) -> str:
    """``data`` as nested TOML: plain values first, then one ``[table]`` per section."""
    lines: list[str] = []

    def table(path: tuple[str, ...], node: Mapping[str, Any]) -> None:
        plain = [(k, v) for k, v in node.items() if not isinstance(v, Mapping)]
        nested = [(k, v) for k, v in node.items() if isinstance(v, Mapping)]
        if path and (plain or not nested):
            if lines:
                lines.append("")
            lines.append("[" + ".".join(_toml_key(part) for part in path) + "]")
        lines.extend(f"{_toml_key(k)} = {toml_value(v)}" for k, v in plain)
        for name, child in nested:
            table((*path, name), child)

    table((), data)
    text = "\n".join(lines) + "\n" if lines else ""
    from capture_app.core.platform.tomlcompat import tomllib

    if tomllib.loads(text) != _comparable(data):
        raise ValueError("TOML writer produced a file that reads back differently")
    return text


def _comparable(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return "nan"  # nan != nan, but it still round-trips
    if isinstance(value, Mapping):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_comparable(v) for v in value]
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value
