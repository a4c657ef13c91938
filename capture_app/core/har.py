"""Network logs (HAR 1.2): read, sanitise and summarise a browser's "Save all as HAR" export.

The sanitised file is still a valid HAR with the same entries in the same order, so support can
open it in any HAR viewer; what is removed (DESIGN §5):

* every cookie value, and the ``Cookie`` / ``Set-Cookie`` headers;
* ``Authorization``, ``Proxy-Authorization`` and any header whose name says key, token, secret,
  session or password;
* the values of such parameters in query strings and URL fragments, in form, multipart and
  JSON bodies (also when the browser stored the body base64-encoded) and in WebSocket messages;
* ``user:pass@`` in every URL and the signature of every JSON Web Token;
* response bodies of scripts and HTML pages (the platform's own code, and pages full of
  personal data) and of binary types (images, fonts, media), unless asked to keep them.

Memory: a 50 MB export is read as one string and walked entry by entry — each entry is decoded,
cleaned, written and dropped — so the whole document never exists as Python objects at once
(``benchmarks/har.py`` compares time and peak memory with a plain ``json.load``).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, TextIO

from capture_app.core.errors import UserFacingError
from capture_app.core import text_scrub as ts
from capture_app.core.har_entry import SLOW_MS, SanitiseOptions, creator, page, sanitise_entry
from capture_app.core.i18n import tr

__all__ = ["HarError", "HarResult", "FailedRequest", "SanitiseOptions", "sanitise_har_file",
           "sanitise_har_text", "summary_text", "classify", "read_har_text"]

MB = 1024 * 1024
MAX_INPUT_BYTES = 150 * MB
PROGRESS_EVERY = 200  # entries

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
# Entries are freshly decoded trees: no cycles to look for, which halves the encoding time.
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


class HarError(UserFacingError):
    """A HAR that cannot be used (messages in ``console.toml``)."""

    def display_params(self, language: str | None) -> dict:
        from capture_app.core.console_log import sizes_for_reading

        return sizes_for_reading(self.params, language)


@dataclass(frozen=True)
class FailedRequest:
    index: int  # position in log.entries, 0-based
    kind: str  # http_error | blocked | failed | slow
    method: str
    url: str  # already sanitised
    status: int
    status_text: str
    reason: str  # the browser's error text for blocked/failed requests
    time_ms: float
    started: str


@dataclass
class HarResult:
    entries: int = 0
    pages: int = 0
    creator: str = ""
    removed: Counter = field(default_factory=Counter)
    problems: list[FailedRequest] = field(default_factory=list)
    input_chars: int = 0
    slow_ms: int = SLOW_MS

    @property
    def failed(self) -> list[FailedRequest]:
        return [p for p in self.problems if p.kind != "slow"]

    @property
    def slow(self) -> list[FailedRequest]:
        return [p for p in self.problems if p.kind == "slow"]


# --- reading ----------------------------------------------------------------------------------

def read_har_text(path: Path, name: str, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """The file as text, after the checks that need no parsing (size, encoding, binary)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise HarError("console.har_missing", name=name) from None
    except OSError as exc:
        raise HarError("console.har_unreadable", name=name, reason=exc.strerror or type(exc).__name__) from exc
    if size == 0:
        raise HarError("console.har_empty", name=name)
    if size > max_bytes:
        raise HarError("console.har_too_large", name=name, size=size, limit=max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise HarError("console.har_unreadable", name=name, reason=exc.strerror or type(exc).__name__) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise HarError("console.har_not_text", name=name) from None
    del data
    if "\x00" in text[:65536]:
        raise HarError("console.har_not_text", name=name)
    return text


# --- the streaming walk -----------------------------------------------------------------------

class _Walk:
    """Decodes the document member by member; only one entry is a Python object at a time."""

    def __init__(self, text: str, name: str):
        self.text = text
        self.name = name
        self.complete_entries = 0

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def expect(self, pos: int, char: str) -> int:
        pos = self.skip(pos)
        if pos >= len(self.text):
            raise self.truncated()
        if self.text[pos] != char:
            raise self.not_json(pos)
        return pos + 1

    def value(self, pos: int) -> tuple[Any, int]:
        pos = self.skip(pos)
        try:
            return _DECODER.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            if self._at_end(exc):
                raise self.truncated() from None
            raise self.not_json(exc.pos) from None
        except RecursionError:
            raise self.not_json(pos) from None

    def _at_end(self, exc: json.JSONDecodeError) -> bool:
        if exc.msg.startswith("Unterminated string"):
            return True
        return self.skip(exc.pos) >= len(self.text)

    def members(self, pos: int, handle: Callable[[str, int], int]) -> int:
        """Walk an object whose ``{`` is at ``pos``; ``handle(key, value_pos)`` returns the end."""
        pos = self.expect(pos, "{")
        pos = self.skip(pos)
        if pos < len(self.text) and self.text[pos] == "}":
            return pos + 1
        while True:
            key, pos = self.value(pos)
            if not isinstance(key, str):
                raise self.not_json(pos)
            pos = self.expect(pos, ":")
            pos = handle(key, self.skip(pos))
            pos = self.skip(pos)
            if pos >= len(self.text):
                raise self.truncated()
            if self.text[pos] == ",":
                pos += 1
                continue
            if self.text[pos] == "}":
                return pos + 1
            raise self.not_json(pos)

    def truncated(self) -> HarError:
        return HarError("console.har_truncated", name=self.name, complete=self.complete_entries)

    def not_json(self, pos: int) -> HarError:
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return HarError("console.har_broken_json", name=self.name, line=line, column=column)


def sanitise_har_text(text: str, out: TextIO, options: SanitiseOptions = SanitiseOptions(), *,
                      name: str = "", progress: Callable[[int, int], None] | None = None
                      ) -> HarResult:
    """Write the sanitised HAR for ``text`` to ``out``; raise ``HarError`` if it is no usable HAR."""
    walk = _Walk(text, name)
    result = HarResult(input_chars=len(text), slow_ms=options.slow_ms)
    start = walk.skip(0)
    if start >= len(text):
        raise HarError("console.har_empty", name=name)
    first = text[start]
    if first == "<":
        raise HarError("console.har_is_html", name=name)
    if first == "[":
        raise HarError("console.har_not_har", name=name)
    if first != "{":
        raise walk.not_json(start)

    seen_log = False
    out.write('{"log": {')

    def top_member(key: str, pos: int) -> int:
        nonlocal seen_log
        if key != "log":
            _, end = walk.value(pos)  # anything beside "log" is not HAR and not kept
            return end
        if walk.skip(pos) >= len(text) or text[walk.skip(pos)] != "{":
            raise HarError("console.har_not_har", name=name)
        seen_log = True
        return _log_members(walk, pos, out, options, result, progress)

    end = walk.members(start, top_member)
    if walk.skip(end) != len(text):
        raise walk.not_json(walk.skip(end))
    if not seen_log:
        raise HarError("console.har_not_har", name=name)
    out.write("}}\n")
    return result


def _log_members(walk: _Walk, pos: int, out: TextIO, options: SanitiseOptions,
                 result: HarResult, progress) -> int:
    seen: set[str] = set()
    first = True

    def write_member(key: str, serialised: str) -> None:
        nonlocal first
        out.write(("\n" if first else ",\n") + json.dumps(key) + ": " + serialised)
        first = False

    def member(key: str, value_pos: int) -> int:
        if key in seen:  # a duplicate key: JSON readers keep the last; we keep the first
            _, end = walk.value(value_pos)
            return end
        seen.add(key)
        if key == "entries":
            return _entries(walk, value_pos, write_member, out, options, result, progress)
        value, end = walk.value(value_pos)
        if key == "pages" and isinstance(value, list):
            value = [page(item, result.removed) for item in value if isinstance(item, dict)]
            result.pages = len(value)
        elif key == "creator":
            value = creator(value)
            result.creator = f"{value['name']} {value['version']}".strip()
        elif key == "version":
            value = value if isinstance(value, str) and value else "1.2"
        else:
            value = ts.scrub_json_value(value, result.removed)
        write_member(key, ts.final_pass(json.dumps(value, ensure_ascii=False), result.removed))
        return end

    end = walk.members(pos, member)
    if "entries" not in seen:
        raise HarError("console.har_not_har", name=walk.name)
    if "version" not in seen:
        write_member("version", '"1.2"')
    if "creator" not in seen:
        write_member("creator", json.dumps(creator(None)))
    out.write("\n")
    return end


def _entries(walk: _Walk, pos: int, write_member, out: TextIO, options: SanitiseOptions,
             result: HarResult, progress) -> int:
    text = walk.text
    pos = walk.skip(pos)
    if pos >= len(text):
        raise walk.truncated()
    if text[pos] != "[":
        raise HarError("console.har_not_har", name=walk.name)
    write_member("entries", "[")
    pos = walk.skip(pos + 1)
    if pos < len(text) and text[pos] == "]":
        out.write("]")
        return pos + 1
    index = 0
    while True:
        entry, pos = walk.value(pos)
        if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict) \
                or not isinstance(entry["request"].get("url"), str):
            raise HarError("console.har_entry_broken", name=walk.name, number=index + 1)
        clean = sanitise_entry(entry, options, result.removed)
        problem = classify(clean, index, options)
        if problem is not None:
            result.problems.append(problem)
        serialised = ts.final_pass(_ENCODER.encode(clean), result.removed)
        out.write(("\n" if index == 0 else ",\n") + serialised)
        index += 1
        walk.complete_entries = index
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(pos, len(text))
        pos = walk.skip(pos)
        if pos >= len(text):
            raise walk.truncated()
        if text[pos] == ",":
            pos += 1
            continue
        if text[pos] == "]":
            result.entries = index
            out.write("\n]")
            return pos + 1
        raise walk.not_json(pos)


# --- what failed --------------------------------------------------------------------------------

def _error_text(entry: dict) -> str:
    response = entry.get("response", {})
    for holder in (response, entry):
        for key in ("_error", "_blockedReason", "_blocked_reason", "_errorText", "_failureText"):
            value = holder.get(key)
            if isinstance(value, str) and value:
                return value
    return ""


def classify(entry: dict, index: int, options: SanitiseOptions) -> FailedRequest | None:
    """Failed (status ≥ 400, blocked, no response) or slow; ``None`` for a healthy request."""
    request, response = entry["request"], entry["response"]
    status = response["status"]
    reason = _error_text(entry)
    kind = None
    if status >= 400:
        kind = "http_error"
    elif status <= 0 or reason:
        kind = "blocked" if "block" in reason.lower() else "failed"
    elif entry["time"] >= options.slow_ms and status != 101 \
            and entry.get("_resourceType") != "websocket":
        kind = "slow"
    if kind is None:
        return None
    return FailedRequest(index=index, kind=kind, method=request["method"], url=request["url"],
                         status=status, status_text=response["statusText"], reason=reason,
                         time_ms=entry["time"], started=entry["startedDateTime"])


# --- files and summary ----------------------------------------------------------------------------

def sanitise_har_file(source: Path | str, target: Path | str,
                      options: SanitiseOptions = SanitiseOptions(), *, name: str | None = None,
                      max_bytes: int = MAX_INPUT_BYTES,
                      progress: Callable[[int, int], None] | None = None) -> HarResult:
    """Read ``source``, write the sanitised HAR to ``target``; ``target`` is removed on failure."""
    source, target = Path(source), Path(target)
    shown = name or source.name
    text = read_har_text(source, shown, max_bytes)
    try:
        with target.open("w", encoding="utf-8", newline="\n") as out:
            result = sanitise_har_text(text, out, options, name=shown, progress=progress)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return result


def _clock(started: str) -> str:
    try:
        return datetime.fromisoformat(started.replace("Z", "+00:00")).strftime("%H:%M:%S")
    except ValueError:
        return ""


def _short_url(url: str, limit: int = 110) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


def _group(number: float, language: str) -> str:
    text = f"{number:,.0f}"
    return text.replace(",", ".") if language == "de" else text


def describe_problem(problem: FailedRequest, language: str) -> str:
    request = f"{problem.method} {_short_url(problem.url)}".strip()
    ms = _group(problem.time_ms, language)
    clock = _clock(problem.started)
    if problem.kind == "http_error":
        what = f"{problem.status} {problem.status_text}".strip()
    elif problem.kind == "slow":
        what = tr("console.har_kind_slow", language=language, ms=ms)
    else:
        what = tr(f"console.har_kind_{problem.kind}", language=language,
                  reason=problem.reason or tr("console.har_no_response", language=language))
    parts = [what, request, f"{ms} ms" if problem.kind != "slow" else "", clock]
    return " · ".join(part for part in parts if part)


REMOVED_KINDS = ("cookies", "headers", "auth_values", "query_values", "fragments",
                 "url_credentials", "body_fields", "jwt_signatures", "bodies_removed")


def removed_text(removed: Counter, language: str) -> str:
    parts = [tr(f"console.har_removed_{kind}", language=language, n=removed[kind])
             for kind in REMOVED_KINDS if removed.get(kind)]
    return ", ".join(parts) if parts else tr("console.har_removed_nothing", language=language)


def summary_text(result: HarResult, language: str, max_lines: int = 15) -> str:
    """What the report says about the network log: the failures first, then what was removed."""
    lines = [tr("console.har_summary", language=language, entries=result.entries,
                failed=len(result.failed), slow=len(result.slow),
                seconds=_group(result.slow_ms / 1000, language))]
    ordered = result.failed + result.slow
    for problem in ordered[:max_lines]:
        lines.append("• " + describe_problem(problem, language))
    if len(ordered) > max_lines:
        lines.append(tr("console.har_more", language=language, n=len(ordered) - max_lines))
    lines.append(tr("console.har_removed", language=language,
                    what=removed_text(result.removed, language)))
    return "\n".join(lines)
