"""Is a side's browser supported? Checked against a list from configuration.

The list (``resources/supported-browsers.toml``, or the file the organisation names in
``browser_support.file``) gives each browser's oldest supported version and the systems it is
supported on. ``check`` answers for one side with a status and a message that names the browser,
the reason and what to do.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from capture_app.core.platform.config import Text
from capture_app.core.platform.errors import UserFacingError
from capture_app.core.platform.resources import resource_path
from capture_app.core.platform.tomlcompat import tomllib

SUPPORTED, OUTDATED, UNSUPPORTED_BROWSER, UNSUPPORTED_PLATFORM, IN_APP, UNCHECKED = (
    "supported", "outdated", "unsupported_browser", "unsupported_platform", "in_app", "unchecked")
PLATFORMS = ("Windows", "macOS", "Linux", "ChromeOS", "Android", "iOS", "iPadOS")
MAX_FILE = 256 * 1024

_BROWSER_ALIASES = {
    "google chrome": "chrome", "chrome mobile": "chrome", "chrome mobile ios": "chrome",
    "microsoft edge": "edge", "mozilla firefox": "firefox", "firefox esr": "firefox",
    "mobile safari": "safari", "samsung browser": "samsung internet", "samsungbrowser": "samsung internet",
}
_PLATFORM_PATTERNS = [
    (re.compile(r"^(microsoft )?windows\b", re.I), "Windows"),
    (re.compile(r"^(mac ?os( x)?|os x)\b", re.I), "macOS"),
    (re.compile(r"^ipados\b", re.I), "iPadOS"),
    (re.compile(r"^(ios|iphone os)\b", re.I), "iOS"),
    (re.compile(r"^android\b", re.I), "Android"),
    (re.compile(r"^chrome ?os\b", re.I), "ChromeOS"),
    (re.compile(r"(linux|ubuntu|debian|fedora|suse|red hat)", re.I), "Linux"),
]


class SupportListError(UserFacingError, ValueError):
    """The list cannot be used; ``message()`` names the file and the problem."""

    key_prefix = "probes.support."


@dataclass(frozen=True)
class SupportedBrowser:
    name: str
    min_version: tuple[int, ...]
    min_version_text: str
    platforms: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    status: str
    message: Text | None = None

    @property
    def is_warning(self) -> bool:
        return self.status in (OUTDATED, UNSUPPORTED_BROWSER, UNSUPPORTED_PLATFORM, IN_APP)


def version_tuple(text: str) -> tuple[int, ...]:
    """``"115.6.0esr"`` → ``(115, 6, 0)``; ``()`` when it starts with no number."""
    match = re.match(r"\s*v?(\d+(?:\.\d+)*)", str(text))
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def browser_key(name: str) -> str:
    lowered = " ".join(str(name).lower().split())
    return _BROWSER_ALIASES.get(lowered, lowered)


def platform_of(os_name: str) -> str | None:
    for pattern, platform in _PLATFORM_PATTERNS:
        if pattern.search(str(os_name).strip()):
            return platform
    return None


def load_support_list(path: Path | None = None) -> list[SupportedBrowser]:
    path = Path(path) if path else resource_path("supported-browsers.toml")
    try:
        if path.stat().st_size > MAX_FILE:
            raise SupportListError("file_too_large", file=str(path))
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SupportListError("file_missing", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SupportListError("file_unreadable", file=str(path), error=type(exc).__name__) from None
    except tomllib.TOMLDecodeError as exc:
        raise SupportListError("file_invalid", file=str(path), error=str(exc)) from None
    entries = data.get("browser")
    if not isinstance(entries, list) or not entries:
        raise SupportListError("no_entries", file=str(path))
    browsers = []
    for number, entry in enumerate(entries, start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        minimum = str(entry.get("min_version", "")) if isinstance(entry, dict) else ""
        platforms = entry.get("platforms") if isinstance(entry, dict) else None
        if (not isinstance(name, str) or not name.strip() or not version_tuple(minimum)
                or not isinstance(platforms, list) or not platforms
                or any(p not in PLATFORMS for p in platforms)):
            raise SupportListError("bad_entry", file=str(path), number=number,
                                   platforms=", ".join(PLATFORMS))
        browsers.append(SupportedBrowser(name.strip(), version_tuple(minimum), minimum,
                                         tuple(platforms)))
    return browsers


def check(support: list[SupportedBrowser], browser: str, version: str, os_name: str = "",
          *, in_app: bool = False) -> Verdict:
    """The verdict for one side; ``UNCHECKED`` (no message) while browser or version is missing."""
    if in_app:
        return Verdict(IN_APP, Text("probes.support.in_app", {"app": browser}))
    if not browser.strip():
        return Verdict(UNCHECKED)
    listed = ", ".join(entry.name for entry in support)
    entry = next((e for e in support if browser_key(e.name) == browser_key(browser)), None)
    if entry is None:
        return Verdict(UNSUPPORTED_BROWSER, Text("probes.support.unsupported_browser", {
            "browser": browser.strip(), "supported": listed}))
    platform = platform_of(os_name) if os_name.strip() else None
    if platform is not None and platform not in entry.platforms:
        alternatives = ", ".join(e.name for e in support if platform in e.platforms) or listed
        return Verdict(UNSUPPORTED_PLATFORM, Text("probes.support.unsupported_platform", {
            "browser": entry.name, "platform": platform, "alternatives": alternatives}))
    have = version_tuple(version)
    if not have:
        return Verdict(UNCHECKED)
    if have < entry.min_version:
        return Verdict(OUTDATED, Text("probes.support.outdated", {
            "browser": entry.name, "version": version.strip(), "minimum": entry.min_version_text}))
    return Verdict(SUPPORTED, Text("probes.support.supported", {
        "browser": entry.name, "version": version.strip(), "minimum": entry.min_version_text}))
