"""Browser console output: read what the agent pasted or saved, and make it fit a report.

Understood layouts (mixed in one text is fine):

* Chrome/Edge DevTools, "Save as…" or copied: ``app.js:12 message`` (optionally after a
  ``15:03:43.280`` timestamp), stack lines ``    at fn (app.js:12:5)`` or ``fn @ app.js:12``;
* Chrome's log file (``chrome_debug.log``, ``--enable-logging``):
  ``[pid:tid:1127/150343.280331:INFO:CONSOLE:7] "message", source: https://… (7)``;
* Firefox "Export visible messages to → File/Clipboard": the message, then ``app.js:12:5`` at
  the end of the line (or on a line of its own after a multi-line message);
* Firefox's terminal output: ``console.error: "message"``, ``JavaScript error: url, line 7: …``;
* Safari's copied messages: ``[Error] message (app.js, line 12)``;
* anything else, one message per line, continuation lines indented.

Saved Chrome logs and Firefox exports carry no level; it is inferred from the text ("Uncaught",
"Failed to load resource", HTTP 4xx/5xx, CORS, …). Repeats are grouped, errors are listed
first, and ``render_report`` keeps the result within a size budget: errors and warnings first,
then as much of the end of the log as fits.
"""
from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from capture_app.core.platform.errors import UserFacingError
from capture_app.core.platform.fsutil import without_lone_surrogates
from capture_app.core.platform.i18n import tr
from capture_app.core.privacy import text_scrub

MB = 1024 * 1024
MAX_INPUT_BYTES = 50 * MB  # a console export of the affected session is far smaller
DEFAULT_BUDGET_BYTES = 256 * 1024
MAX_MESSAGE_CHARS = 4000
MAX_STACK_LINES = 12
# Longer lines are taken as plain messages, without looking for a browser's layout in them.
MAX_LAYOUT_CHARS = 8192

LEVELS = ("error", "warning", "info", "log", "debug")
_RANK = {level: n for n, level in enumerate(LEVELS)}


class ConsoleLogError(UserFacingError):
    """Text that cannot be used as console output (messages in ``console.toml``)."""

    def display_params(self, language: str | None) -> dict[str, Any]:
        return sizes_for_reading(self.params, language)


def sizes_for_reading(params: dict[str, Any], language: str | None) -> dict[str, Any]:
    """Byte counts as the reader's language writes them ("2,4 MB"); a size over a limit is
    rounded up, so it never reads as equal to the limit."""
    from capture_app.core.platform.i18n import current_language
    from capture_app.core.platform.sizes import format_size

    lang = language or current_language()
    shown = dict(params)
    if isinstance(params.get("size"), int):
        shown["size"] = format_size(params["size"], lang, round_up=True)
    if isinstance(params.get("limit"), int):
        shown["limit"] = format_size(params["limit"], lang)
    return shown


@dataclass
class ConsoleEntry:
    level: str
    message: str  # first line, then continuation lines (stack) joined with "\n"
    time: str = ""
    source: str = ""  # URL or file name as the browser printed it
    line: int | None = None
    column: int | None = None
    origin: str = "page"  # "page" or "browser" (the browser's own internals)
    lines: int = field(default=1, repr=False, compare=False)  # lines joined into message
    more_lines: int = field(default=0, repr=False, compare=False)  # continuation lines not kept
    count: int = 1
    first_index: int = 0
    last_index: int = 0
    last_time: str = ""

    @property
    def location(self) -> str:
        if not self.source:
            return ""
        if self.line is None:
            return self.source
        return f"{self.source}:{self.line}" + (f":{self.column}" if self.column is not None else "")

    @property
    def headline(self) -> str:
        return self.message.split("\n", 1)[0]

    def group_key(self) -> tuple[Any, ...]:
        return (self.level, self.source, self.line, self.message)


@dataclass
class ParsedLog:
    entries: list[ConsoleEntry]  # grouped, in order of first appearance
    raw_count: int  # messages before grouping
    line_count: int
    formats: Counter[Any] = field(default_factory=Counter)
    removed: Counter[Any] = field(default_factory=Counter)  # secrets taken out (text_scrub)

    def count(self, level: str, origin: str = "page") -> int:
        return sum(e.count for e in self.entries if e.level == level and e.origin == origin)

    @property
    def browser_messages(self) -> int:
        return sum(e.count for e in self.entries if e.origin == "browser")

    def errors_first(self) -> list[ConsoleEntry]:
        """Errors, then warnings, then the rest; the page's before the browser's own; within
        that in order of first appearance (the first error is most often the cause)."""
        return sorted(self.entries, key=lambda e: (_RANK[e.level], e.origin != "page", e.first_index))


# --- reading and checking ----------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f\ufffd]")


def check_text(text: str, *, name: str | None = None, max_bytes: int = MAX_INPUT_BYTES) -> None:
    """Refuse what is not console output: empty, too large, or binary data that decoded somehow."""
    if not text.strip():
        raise ConsoleLogError("console.empty_file" if name else "console.empty_text",
                              **({"name": name} if name else {}))
    if len(text) > max_bytes:  # characters; at least as many bytes
        raise _too_large(name, len(text.encode("utf-8", "surrogatepass")), max_bytes)
    sample = text[:1_000_000]
    bad = len(_CONTROL.findall(sample))
    if "\x00" in sample or bad > max(3, len(sample) // 200):
        raise ConsoleLogError("console.binary_file" if name else "console.binary_text",
                              **({"name": name} if name else {}))


def paste_too_large(size: int) -> ConsoleLogError:
    """The refusal for a paste of ``size`` characters, given before it is even inserted."""
    return _too_large(None, size, MAX_INPUT_BYTES)


def _too_large(name: str | None, size: int, limit: int) -> ConsoleLogError:
    params = {"size": size, "limit": limit}
    if name:
        return ConsoleLogError("console.too_large_file", name=name, **params)
    return ConsoleLogError("console.too_large_text", **params)


def read_file(path: Path | str, *, name: str | None = None,
              max_bytes: int = MAX_INPUT_BYTES) -> str:
    """A saved console log as text: UTF-8 (with or without BOM), UTF-16, or Windows-1252."""
    path = Path(path)
    shown = name or path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ConsoleLogError("console.file_missing", name=shown) from None
    except OSError as exc:
        raise ConsoleLogError("console.file_unreadable", name=shown,
                              reason=exc.strerror or type(exc).__name__) from exc
    if size > max_bytes:
        raise _too_large(shown, size, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConsoleLogError("console.file_unreadable", name=shown,
                              reason=exc.strerror or type(exc).__name__) from exc
    text = decode(data)
    if text is None:
        raise ConsoleLogError("console.binary_file", name=shown)
    check_text(text, name=shown, max_bytes=max_bytes)
    return text


def decode(data: bytes) -> str | None:
    encodings: tuple[str, ...]
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        # Notepad on older Windows saves ANSI; binary data is caught by check_text afterwards.
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


# --- levels ------------------------------------------------------------------------------------

_ERROR_HINTS = re.compile(
    r"^(?:Uncaught\b|Unhandled\b|\[?Error\]?\b|(?:\w+)?Error\b:?|Exception\b|FATAL\b)"
    r"|\bFailed to load resource\b|\bnet::ERR_|\bhas been blocked by CORS policy\b"
    r"|\bRefused to (?:load|execute|connect|apply|frame)\b|\bNetworkError\b|\bCross-Origin Request Blocked\b"
    r"|^(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S+ (?:\[HTTP/[\d.]+ )?[45]\d\d\b"
    r"|\bstatus of [45]\d\d\b|\bis not defined\b"
    r"|\bcan't access property\b|\bCannot read propert(?:y|ies)\b|\bis not a function\b"
    r"|\bUnexpected token\b|\bis not valid JSON\b|\bfailed\b|\bfehlgeschlagen\b|\bFehler\b"
    r"|\bcan[’']t establish a connection\b|\bJSON\.parse\b",
    re.IGNORECASE)
_WARNING_HINTS = re.compile(
    r"^\[Violation\]|\bdeprecat|\bwarn(?:ing)?\b|\bDevTools failed to load source map\b"
    r"|\bwill be (?:removed|rejected|blocked)\b"
    r"|\bmixed content\b|\bFeature Policy\b|\bPermissions[- ]Policy\b",
    re.IGNORECASE)
# "A … later B" hints as two searches (the first match of A, then B after it): a pattern with
# ".*" between them would scan to the end of the line from every A — quadratic on a line that
# repeats A.
_ERROR_PAIRS = (
    (re.compile(r"\bWebSocket connection to ", re.IGNORECASE), re.compile(r" failed\b", re.IGNORECASE)),
    (re.compile(r"\bContent[- ]Security[- ]Policy\b", re.IGNORECASE),
     re.compile(r"\b(?:violat|block|refus)", re.IGNORECASE)),
)
_WARNING_PAIRS = (
    (re.compile(r"\bCookie\b", re.IGNORECASE), re.compile(r"\b(?:rejected|SameSite)\b", re.IGNORECASE)),
    (re.compile(r"\bpreload(?:ed)?\b", re.IGNORECASE), re.compile(r"\bnot used\b", re.IGNORECASE)),
)
# A level is read from the start of a message: as much as a message keeps (MAX_MESSAGE_CHARS).
_LEVEL_CHARS = 4000


def _pair(pairs: Any, headline: str) -> bool:
    for first, then in pairs:
        found = first.search(headline)
        if found and then.search(headline, found.end()):
            return True
    return False


def infer_level(message: str) -> str:
    headline = message[:_LEVEL_CHARS].split("\n", 1)[0]
    if _ERROR_HINTS.search(headline) or _pair(_ERROR_PAIRS, headline):
        return "error"
    if _WARNING_HINTS.search(headline) or _pair(_WARNING_PAIRS, headline):
        return "warning"
    return "log"


_LEVEL_WORDS = {
    "error": "error", "exception": "error", "assert": "error", "fatal": "error",
    "warn": "warning", "warning": "warning", "info": "info", "log": "log", "trace": "log",
    "dir": "log", "table": "log", "group": "log", "groupcollapsed": "log", "debug": "debug",
    "verbose": "debug",
}


# --- line layouts --------------------------------------------------------------------------------

_TIMESTAMP = re.compile(r"^(\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,6})?) (?=\S)")
_CHROMIUM = re.compile(r"^\[(\d+):(\d+):(\d{4})/(\d{6})\.(\d+):([A-Z_]+):([^\]]*)\] ?(.*)$")
_CHROMIUM_SOURCE = re.compile(r'^(.*)", source: (.*) \((\d+)\)$', re.DOTALL)
_FIREFOX_CONSOLE = re.compile(r"^console\.(\w+): ?(.*)$")
_FIREFOX_JS = re.compile(r"^JavaScript (error|warning): (.+?), line (\d+): (.*)$")
_SAFARI = re.compile(r"^\[(Error|Warning|Log|Info|Debug)\] (.*?)(?: \(([^()]*), line (\d+)\))?$")
_CHROME_LOCATION = re.compile(r"^(?P<src>\S+?):(?P<line>\d+)(?::(?P<col>\d+))? {1,2}(?P<msg>\S.*)$")
_FIREFOX_LOCATION = re.compile(r"^(?:(?P<msg>.*?) )?(?P<src>\S+?):(?P<line>\d+):(?P<col>\d+)$")
_STACK = re.compile(r"^\s+\S|^\S.* @ \S+:\d+$|^\S+ \(async\)$|^(?:Promise\.then|setTimeout|await in \S+)")
_FIREFOX_PREFIX = re.compile(r"^[A-Za-z][\w.\-]*:\s*$")
_XESC = re.compile(r"\\x([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})")


def _looks_like_file(src: str) -> bool:
    """``app.js``, ``VM12``, ``(index)``, ``https://…/x.js`` — and the bare last path segment
    DevTools shows for a request (``sign:1 Failed to load resource``); never a time or number."""
    if src.isdigit() or src.startswith(("\\", "[", "\"")) or src.endswith(","):
        return False
    return bool(re.fullmatch(r"[\w.\-%~()<>@/:+=!$&*'\[\]]+", src))


def _firefox_value(text: str) -> str:
    """``"status" 404`` → ``status 404``: Firefox prints each argument, strings quoted and
    non-ASCII characters escaped (``\\xFC``)."""
    if not text.startswith('"'):
        return _unescape_firefox(text)
    as_json = re.sub(r"\\x([0-9A-Fa-f]{2})", r"\\u00\1", text)
    try:
        first, end = json.JSONDecoder().raw_decode(as_json)
    except ValueError:
        return _unescape_firefox(text)
    if not isinstance(first, str):
        return _unescape_firefox(text)
    rest = as_json[end:].strip()
    return first + (" " + _firefox_value(rest) if rest else "")


def _unescape_firefox(text: str) -> str:
    # Firefox writes non-ASCII characters of error messages as \xF6 / \u00F6 on stdout.
    return _XESC.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None


class _Parser:
    def __init__(self) -> None:
        self.raw: list[ConsoleEntry] = []
        self.open_from: int | None = None  # Firefox: plain lines that may belong to one message
        self.formats: Counter[Any] = Counter()
        self.pending_chromium: list[str] | None = None
        self.pending_head: tuple[Any, ...] | None = None

    def add(self, entry: ConsoleEntry, layout: str) -> None:
        entry.first_index = entry.last_index = len(self.raw)
        entry.last_time = entry.time
        self.raw.append(entry)
        self.formats[layout] += 1

    def continue_last(self, line: str) -> bool:
        if not self.raw:
            return False
        last = self.raw[-1]
        # Only what the report keeps is joined (the rest is counted): appending every line of
        # a stack of 100,000 lines to one string would take quadratic time.
        if last.lines <= MAX_STACK_LINES + 1:
            last.message += "\n" + line.rstrip()
            last.lines += 1
        else:
            last.more_lines += 1
        return True

    def feed(self, line: str) -> None:
        if len(line) > MAX_LAYOUT_CHARS and self.pending_chromium is None:
            # No browser prints a location or a prefix after this many characters: a line this
            # long is a message of its own, read without the layout patterns (which would
            # each scan all of it, some of them more than once).
            self.open_from = None
            self.add(ConsoleEntry(level=infer_level(line), message=line[:MAX_MESSAGE_CHARS + 1]),
                     "plain")
            return
        if self.pending_chromium is not None:
            self.pending_chromium.append(line)
            if _CHROMIUM_SOURCE.match(line):
                self._finish_chromium("\n".join(self.pending_chromium))
            return
        if not line.strip():
            self.open_from = None
            return
        if self.raw and _STACK.match(line) and not _CHROMIUM.match(line):
            self.continue_last(line)
            return
        stripped = line.rstrip()
        chromium = _CHROMIUM.match(stripped)
        if chromium:
            self._chromium(chromium, stripped)
            return
        time = ""
        stamp = _TIMESTAMP.match(stripped)
        if stamp:
            time, stripped = stamp.group(1), stripped[stamp.end():]
        for handler in (self._firefox_console, self._firefox_js, self._safari,
                        self._chrome_location, self._firefox_location):
            if handler(stripped, time):
                return
        self.add(ConsoleEntry(level=infer_level(stripped), message=stripped, time=time), "plain")
        if self.open_from is None:
            self.open_from = len(self.raw) - 1

    # Chrome's log file
    def _chromium(self, match: re.Match[str], line: str) -> None:
        month_day, clock, micros = match.group(3), match.group(4), match.group(5)
        time = f"{month_day[:2]}-{month_day[2:]} {clock[:2]}:{clock[2:4]}:{clock[4:]}.{micros[:3]}"
        severity, component, rest = match.group(6), match.group(7), match.group(8)
        self.open_from = None
        if component.startswith("CONSOLE"):
            self.pending_head = (time, severity)
            if rest.startswith('"'):
                rest = rest[1:]
            self.pending_chromium = [rest]
            if _CHROMIUM_SOURCE.match(rest):
                self._finish_chromium(rest)
            return
        level = _LEVEL_WORDS.get(severity.lower(), "info")
        self.add(ConsoleEntry(level=level, message=rest, time=time, source=component,
                              origin="browser"), "chromium_log")

    def _finish_chromium(self, text: str) -> None:
        assert self.pending_head is not None  # set with pending_chromium
        time, severity = self.pending_head
        self.pending_chromium = self.pending_head = None
        match = _CHROMIUM_SOURCE.match(text)
        assert match is not None  # only called once the text matched
        message, source, line = match.group(1), match.group(2), int(match.group(3))
        # Console messages are logged as INFO whatever their level; WARNING/ERROR are kept.
        level = _LEVEL_WORDS.get(severity.lower(), "info")
        if level in ("info", "log", "debug"):
            inferred = infer_level(message)
            level = inferred if inferred != "log" else "info"
        self.add(ConsoleEntry(level=level, message=message, time=time, source=source, line=line),
                 "chromium_log")

    # Firefox's terminal output
    def _firefox_console(self, line: str, time: str) -> bool:
        match = _FIREFOX_CONSOLE.match(line)
        if not match or match.group(1).lower() not in _LEVEL_WORDS:
            return False
        level = _LEVEL_WORDS[match.group(1).lower()]
        raw = match.group(2)
        # Firefox's own modules log with a prefix ("services.settings: "), page scripts quoted.
        origin = "browser" if _FIREFOX_PREFIX.match(raw) else "page"
        self.add(ConsoleEntry(level=level, message=_firefox_value(raw), time=time, origin=origin),
                 "firefox_stdout")
        self.open_from = None
        return True

    def _firefox_js(self, line: str, time: str) -> bool:
        match = _FIREFOX_JS.match(line)
        if not match:
            return False
        level = "error" if match.group(1) == "error" else "warning"
        source = match.group(2)
        origin = "browser" if source.startswith(("resource://", "chrome://", "moz-extension://")) else "page"
        self.add(ConsoleEntry(level=level, message=_unescape_firefox(match.group(4)), time=time,
                              source=source, line=int(match.group(3)), origin=origin), "firefox_stdout")
        self.open_from = None
        return True

    def _safari(self, line: str, time: str) -> bool:
        match = _SAFARI.match(line)
        if not match:
            return False
        self.add(ConsoleEntry(level=_LEVEL_WORDS[match.group(1).lower()], message=match.group(2),
                              time=time, source=match.group(3) or "",
                              line=_int_or_none(match.group(4))), "safari")
        self.open_from = None
        return True

    # Firefox's export: the location ends the message
    def _firefox_location(self, line: str, time: str) -> bool:
        match = _FIREFOX_LOCATION.match(line)
        if not match or not _looks_like_file(match.group("src")):
            return False
        source, number, column = match.group("src"), int(match.group("line")), int(match.group("col"))
        message = (match.group("msg") or "").rstrip()
        if not message:
            # A location on its own line closes the plain lines before it into one message.
            if self.open_from is None:
                return False
            parts = self.raw[self.open_from:]
            del self.raw[self.open_from:]
            message = "\n".join(p.message for p in parts)
            time = time or parts[0].time
            self.formats["plain"] -= len(parts)
        self.open_from = None
        self.add(ConsoleEntry(level=infer_level(message), message=message, time=time,
                              source=source, line=number, column=column), "firefox_export")
        return True

    # Chrome's "Save as…" / copy: the location starts the message
    def _chrome_location(self, line: str, time: str) -> bool:
        match = _CHROME_LOCATION.match(line)
        if not match or not _looks_like_file(match.group("src")):
            return False
        message = match.group("msg")
        self.add(ConsoleEntry(level=infer_level(message), message=message, time=time,
                              source=match.group("src"), line=int(match.group("line")),
                              column=_int_or_none(match.group("col"))), "chrome_save")
        self.open_from = None
        return True

    def finish(self) -> None:
        if self.pending_chromium is not None:  # the file ended inside a quoted message
            assert self.pending_head is not None  # set with pending_chromium
            time, _severity = self.pending_head
            text = "\n".join(self.pending_chromium)
            self.pending_chromium = self.pending_head = None
            self.add(ConsoleEntry(level=infer_level(text), message=text, time=time), "chromium_log")


def parse(text: str, *, scrub: bool = True) -> ParsedLog:
    """Entries of a console text, repeats grouped; secrets removed first unless ``scrub=False``."""
    removed: Counter[Any] = Counter()
    text = without_lone_surrogates(text)  # half an emoji from a broken clipboard
    if scrub:
        text = text_scrub.scrub_text(text, removed)
    parser = _Parser()
    lines = text.splitlines()
    for line in lines:
        parser.feed(line)
    parser.finish()
    grouped: dict[tuple[Any, ...], ConsoleEntry] = {}
    for entry in parser.raw:
        entry.message = _clip(entry.message, entry.more_lines)
        key = entry.group_key()
        known = grouped.get(key)
        if known is None:
            grouped[key] = entry
        else:
            known.count += 1
            known.last_index = entry.first_index
            known.last_time = entry.time or known.last_time
    formats = Counter({k: v for k, v in parser.formats.items() if v > 0})
    return ParsedLog(entries=list(grouped.values()), raw_count=len(parser.raw),
                     line_count=len(lines), formats=formats,
                     removed=Counter({k: v for k, v in removed.items() if v}))


def _clip(message: str, more_lines: int = 0) -> str:
    lines = message.split("\n")
    if len(lines) + more_lines > MAX_STACK_LINES + 1:
        hidden = len(lines) + more_lines - MAX_STACK_LINES - 1
        lines = [*lines[: MAX_STACK_LINES + 1], f"    … (+{hidden})"]
    message = "\n".join(lines)
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[:MAX_MESSAGE_CHARS] + " …"
    return message


# --- the report ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rendered:
    text: str
    kept: int  # grouped entries shown in the chronological part
    omitted: int  # grouped entries left out of it for the budget


def format_entry(entry: ConsoleEntry, language: str) -> str:
    level = tr(f"console.level_{entry.level}", language=language)
    head = [part for part in (entry.time, f"[{level}]") if part]
    if entry.count > 1:
        head.append(tr("console.repeated", language=language, n=entry.count))
    if entry.location:
        head.append(entry.location)
    first, *rest = entry.message.split("\n")
    lines = [" ".join(head) + "  " + first]
    lines += ["    " + line.strip() if not line.startswith(" ") else line for line in rest]
    return "\n".join(lines)


_FORMAT_NAMES = ("chrome_save", "chromium_log", "firefox_export", "firefox_stdout", "safari", "plain")


def describe_formats(parsed: ParsedLog, language: str) -> str:
    names = [tr(f"console.format_{name}", language=language)
             for name in _FORMAT_NAMES if parsed.formats.get(name)]
    return ", ".join(names)


def summary_text(parsed: ParsedLog, language: str) -> str:
    """One line for the report: how many errors and warnings, and the first error."""
    text = tr("console.summary", language=language, errors=parsed.count("error"),
              warnings=parsed.count("warning"), total=parsed.raw_count,
              groups=len(parsed.entries))
    errors = [e for e in parsed.errors_first() if e.level == "error"]
    if errors:
        first = errors[0]
        headline = first.headline if len(first.headline) <= 160 else first.headline[:159] + "…"
        text += "\n" + tr("console.summary_first_error", language=language, message=headline,
                          location=first.location or "—")
    return text


def render_report(parsed: ParsedLog, language: str, *,
                  budget_bytes: int = DEFAULT_BUDGET_BYTES, source_name: str = "") -> Rendered:
    """The text attached to the report: errors and warnings, then the end of the log, within budget."""
    def size(text: str) -> int:
        return len(text.encode("utf-8")) + 1

    header = [tr("console.report_title", language=language)]
    if source_name:
        header.append(tr("console.report_source", language=language, name=source_name))
    formats = describe_formats(parsed, language)
    if formats:
        header.append(tr("console.report_formats", language=language, formats=formats))
    header.append(tr("console.report_counts", language=language, total=parsed.raw_count,
                     groups=len(parsed.entries), errors=parsed.count("error"),
                     warnings=parsed.count("warning")))
    if parsed.removed:
        header.append(tr("console.report_removed", language=language,
                         n=sum(parsed.removed.values())))
    used = sum(size(line) for line in header) + 200  # room for the omission notes

    important = [e for e in parsed.errors_first() if e.level in ("error", "warning")]
    first_part: list[str] = []
    for entry in important:
        text = format_entry(entry, language)
        if used + size(text) > budget_bytes * 0.6:
            first_part.append(tr("console.report_more_important", language=language,
                                 n=len(important) - len(first_part)))
            break
        first_part.append(text)
        used += size(text)

    tail: list[str] = []
    chronological = sorted(parsed.entries, key=lambda e: e.last_index)
    for entry in reversed(chronological):
        text = format_entry(entry, language)
        if used + size(text) > budget_bytes:
            break
        tail.append(text)
        used += size(text)
    tail.reverse()
    omitted = len(chronological) - len(tail)

    out = [*header, ""]
    if first_part:
        out += [tr("console.report_important", language=language), "", *first_part, ""]
    out += [tr("console.report_log", language=language), ""]
    if omitted:
        out.append(tr("console.report_omitted", language=language, n=omitted))
    out += tail
    return Rendered(text="\n".join(out).rstrip("\n") + "\n", kept=len(tail), omitted=omitted)
