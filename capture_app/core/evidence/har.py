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

Personal data — e-mail addresses, phone numbers and IBANs (``core.pii``) — is masked as in the
Review step (``[E-MAIL]``, ``[TELEFON]``, ``[IBAN]``) wherever it stands: bodies, URLs, query
strings (also percent-encoded), headers, cookies and the browser's own fields. The counts go
into the summary, so Review lists what was masked.

Hostile files stay harmless: nesting is cleaned with explicit stacks (a document nested deeper
than the JSON parser goes is refused by name), lone surrogates become U+FFFD, NaN and infinite
numbers become ``null``, archives renamed ``.har`` are named as archives, and every scan is
linear (``benchmarks/hostile.py``).

Memory: a 50 MB export is read as one string and walked entry by entry — each entry is decoded,
cleaned, written and dropped — so the whole document never exists as Python objects at once
(``benchmarks/har.py`` compares time and peak memory with a plain ``json.load``).
"""
from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from capture_app.core.evidence.har_entry import (
    SLOW_MS,
    SanitiseOptions,
    creator,
    page,
    sanitise_entry,
)
from capture_app.core.platform.errors import UserFacingError
from capture_app.core.platform.i18n import tr
from capture_app.core.privacy import pii
from capture_app.core.privacy import text_scrub as ts

__all__ = [
    "FailedRequest",
    "FitPlan",
    "HarError",
    "HarResult",
    "HarTooLargeError",
    "SanitiseOptions",
    "classify",
    "plan_to_fit",
    "read_har_text",
    "sanitise_har_file",
    "sanitise_har_text",
    "summary_text",
]

MB = 1024 * 1024
DEFAULT_OPTIONS = SanitiseOptions()
MAX_INPUT_BYTES = 150 * MB
PROGRESS_EVERY = 200  # entries

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
# Entries are freshly decoded trees: no cycles to look for, which halves the encoding time.
# NaN and Infinity (from ``NaN`` or ``1e999`` in the input) are not JSON for any other reader.
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, allow_nan=False)
# Python decodes ``"\ud83d"`` without its partner into a lone surrogate, which no file can hold.
_SURROGATE = re.compile("[\ud800-\udfff]")
# What a compressed file starts with: (magic bytes, the name the agent knows it by).
_ARCHIVES = ((b"PK\x03\x04", "ZIP"), (b"PK\x05\x06", "ZIP"), (b"\x1f\x8b", "GZIP"),
             (b"7z\xbc\xaf\x27\x1c", "7-Zip"), (b"Rar!\x1a\x07", "RAR"), (b"BZh", "BZIP2"),
             (b"\xfd7zXZ\x00", "XZ"))


Progress = Callable[[int, int], None]  # (characters read, characters in all)


class Writer(Protocol):
    """Where the sanitised HAR goes: a text file, or a sink that only counts."""

    def write(self, text: str, /) -> int: ...


class HarError(UserFacingError):
    """A HAR that cannot be used (messages in ``console.toml``)."""

    def display_params(self, language: str | None) -> dict[str, Any]:
        from capture_app.core.evidence.console_log import sizes_for_reading

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
    removed: Counter[str] = field(default_factory=Counter)
    problems: list[FailedRequest] = field(default_factory=list)
    input_chars: int = 0
    slow_ms: int = SLOW_MS
    left_out: int = 0  # entries left out to fit a size limit
    entry_sizes: list[int] = field(default_factory=list)  # bytes of each written entry

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
    for magic, kind in _ARCHIVES:
        if data.startswith(magic):
            raise HarError("console.har_archive", name=name, kind=kind)
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
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
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]  # "*" always matches

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
            raise self.too_deep() from None

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

    def too_deep(self) -> HarError:
        return HarError("console.har_too_deep", name=self.name, number=self.complete_entries + 1)

    def encode(self, value: Any) -> str:
        """``value`` as JSON every reader accepts, with lone surrogates replaced."""
        try:
            try:
                text = _ENCODER.encode(value)
            except ValueError:  # NaN or an infinite number somewhere in it
                text = _ENCODER.encode(_finite(value))
        except RecursionError:
            raise self.too_deep() from None
        if _SURROGATE.search(text):
            text = _SURROGATE.sub("\ufffd", text)
        return text

    def not_json(self, pos: int) -> HarError:
        line = self.text.count("\n", 0, pos) + 1
        column = pos - (self.text.rfind("\n", 0, pos) + 1) + 1
        return HarError("console.har_broken_json", name=self.name, line=line, column=column)


def sanitise_har_text(text: str, out: Writer, options: SanitiseOptions = DEFAULT_OPTIONS, *,
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


def _log_members(walk: _Walk, pos: int, out: Writer, options: SanitiseOptions,
                 result: HarResult, progress: Progress | None) -> int:
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
            value = ts.scrub_json_tree(value, result.removed)
        write_member(key, _finish(walk.encode(value), options, result))
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


def _finish(serialised: str, options: SanitiseOptions, result: HarResult) -> str:
    """The last passes over a serialised value: credentials in URLs, JWT signatures and, in one
    scan of the whole text (escapes count as boundaries), personal data."""
    serialised = ts.final_pass(serialised, result.removed)
    if options.mask_personal_data:
        serialised = pii.mask_counted(serialised, result.removed)
    return serialised


def _entries(walk: _Walk, pos: int, write_member: Callable[[str, str], None], out: Writer,
             options: SanitiseOptions, result: HarResult, progress: Progress | None) -> int:
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
    index = written = 0
    while True:
        entry, pos = walk.value(pos)
        if not isinstance(entry, dict) or not isinstance(entry.get("request"), dict) \
                or not isinstance(entry["request"].get("url"), str):
            raise HarError("console.har_entry_broken", name=walk.name, number=index + 1)
        if index not in options.leave_out:
            clean = sanitise_entry(entry, options, result.removed)
            problem = classify(clean, written, options)
            if problem is not None:
                result.problems.append(problem)
            serialised = _finish(walk.encode(clean), options, result)
            out.write(("\n" if written == 0 else ",\n") + serialised)
            result.entry_sizes.append(len(serialised.encode("utf-8")) + 2)
            written += 1
        else:
            result.left_out += 1
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
            result.entries = written
            out.write("\n]")
            return pos + 1
        raise walk.not_json(pos)


# --- what failed --------------------------------------------------------------------------------

def _error_text(entry: dict[str, Any]) -> str:
    response = entry.get("response", {})
    for holder in (response, entry):
        for key in ("_error", "_blockedReason", "_blocked_reason", "_errorText", "_failureText"):
            value = holder.get(key)
            if isinstance(value, str) and value:
                return value
    return ""


def classify(entry: dict[str, Any], index: int, options: SanitiseOptions) -> FailedRequest | None:
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


def _finite(value: Any) -> Any:
    """``value`` with every NaN and infinite number replaced by ``null`` (explicit stack)."""
    root = [value]
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, item in items:
            if isinstance(item, float) and not math.isfinite(item):
                node[key] = None
            elif isinstance(item, (dict, list)):
                stack.append(item)
    return root[0]


# --- files and summary ----------------------------------------------------------------------------

def sanitise_har_file(source: Path | str, target: Path | str,
                      options: SanitiseOptions = DEFAULT_OPTIONS, *, name: str | None = None,
                      max_bytes: int = MAX_INPUT_BYTES,
                      progress: Callable[[int, int], None] | None = None) -> HarResult:
    """Read ``source``, write the sanitised HAR to ``target``.

    The output is written under a temporary name beside ``target`` and renamed when complete:
    a failure, or a killed process, never leaves a partial ``target`` (the import works in a
    folder of its own, which the next start removes if a kill left it behind:
    ``fsutil.remove_killed_run_leftovers``).
    """
    source, target = Path(source), Path(target)
    shown = name or source.name
    text = read_har_text(source, shown, max_bytes)
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            result = sanitise_har_text(text, out, options, name=shown, progress=progress)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result


# --- fitting an attachment limit ------------------------------------------------------------------

@dataclass(frozen=True)
class FitPlan:
    """How a sanitised HAR fits ``limit`` bytes: without response bodies, and without the
    ``left_out`` largest entries if that is not enough."""

    limit: int
    entries_total: int
    entries_kept: int
    size: int  # bytes of the fitted file
    without_response_bodies: bool = True
    leave_out: frozenset[int] = frozenset()

    @property
    def left_out(self) -> int:
        return len(self.leave_out)

    def options(self, base: SanitiseOptions = DEFAULT_OPTIONS) -> SanitiseOptions:
        from dataclasses import replace

        return replace(base, leave_out_response_bodies=self.without_response_bodies,
                       leave_out=self.leave_out)

    @property
    def offer_key(self) -> str:
        return "console.har_fit_bodies" if not self.left_out else "console.har_fit_entries"

    def offer_params(self, language: str | None, *, size: int, limit: int) -> dict[str, Any]:
        from capture_app.core.evidence.console_log import sizes_for_reading

        sizes = sizes_for_reading({"size": size, "limit": limit}, language)
        fitted = sizes_for_reading({"size": self.size}, language)["size"]
        return {"size": sizes["size"], "limit": sizes["limit"], "fitted": fitted,
                "kept": self.entries_kept, "total": self.entries_total, "left_out": self.left_out}

    def offer_text(self, language: str | None, *, size: int, limit: int) -> str:
        return tr(self.offer_key, language=language,
                  **self.offer_params(language, size=size, limit=limit))


class HarTooLargeError(HarError):
    """The sanitised HAR is over the attachment limit; ``plan`` is the way to fit it."""

    def __init__(self, plan: FitPlan, *, name: str, size: int, limit: int) -> None:
        super().__init__(plan.offer_key, name=name, size=size, limit=limit)
        self.plan = plan

    def display_params(self, language: str | None) -> dict[str, Any]:
        return self.plan.offer_params(language, size=self.params["size"], limit=self.params["limit"])


def plan_to_fit(source: Path | str, limit: int, options: SanitiseOptions = DEFAULT_OPTIONS, *,
                name: str | None = None, progress: Callable[[int, int], None] | None = None
                ) -> FitPlan:
    """How the sanitised ``source`` fits ``limit`` bytes: response bodies go first; if that is
    not enough, the largest entries (which are kept in their order otherwise)."""
    from dataclasses import replace

    source = Path(source)
    shown = name or source.name
    text = read_har_text(source, shown)
    counter = _CountingWriter()
    result = sanitise_har_text(text, counter, replace(options, leave_out_response_bodies=True),
                               name=shown, progress=progress)
    frame = counter.size - sum(result.entry_sizes)
    total = len(result.entry_sizes)
    if counter.size <= limit:
        return FitPlan(limit, total, total, counter.size)
    size, leave_out = counter.size, set()
    for index in sorted(range(total), key=lambda i: result.entry_sizes[i], reverse=True):
        if size <= limit:
            break
        leave_out.add(index)
        size -= result.entry_sizes[index]
    if size > limit or len(leave_out) == total or frame > limit:
        raise HarError("console.har_cannot_fit", name=shown, limit=limit)
    return FitPlan(limit, total, total - len(leave_out), size, leave_out=frozenset(leave_out))


class _CountingWriter:
    """A text sink that only counts the UTF-8 bytes written to it."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text.encode("utf-8"))
        return len(text)


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
                 "url_credentials", "body_fields", "jwt_signatures", "bodies_removed",
                 "emails", "phones", "ibans")


def removed_text(removed: Counter[str], language: str) -> str:
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
