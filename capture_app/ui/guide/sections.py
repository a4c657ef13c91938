"""Which part of the console guide to open: from a browser and an OS as probes or agents name them.

Plain Python (no Qt), so the choice is tested without a display. Sections are the anchors of
``resources/guide/guide.<lang>.html``: ``chrome-windows``, ``safari-macos``, … and ``overview``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from capture_app.core.platform.resources import resource_path

BROWSERS = ("chrome", "edge", "firefox", "safari")
SYSTEMS = ("windows", "macos", "linux")
SECTIONS = frozenset({
    "chrome-windows", "chrome-macos", "chrome-linux", "edge-windows", "edge-macos",
    "firefox-windows", "firefox-macos", "firefox-linux", "safari-macos",
})
OVERVIEW = "overview"


def browser_key(name: str | None) -> str | None:
    """``"Google Chrome 131"``, ``"Microsoft Edge"``, ``"Mozilla/5.0 … Edg/131"`` → ``edge`` etc."""
    text = (name or "").lower()
    if not text:
        return None
    if "edg" in text:  # "Edge", and "Edg/" in Chromium-Edge user agents
        return "edge"
    if "firefox" in text or "fxios" in text:
        return "firefox"
    if "chrom" in text or "crios" in text:
        return "chrome"
    if "safari" in text:
        return "safari"
    return None


def system_key(name: str | None) -> str | None:
    text = (name or "").lower()
    if not text:
        return None
    if text.startswith("win") or "windows" in text:
        return "windows"
    if any(word in text for word in ("mac", "os x", "darwin", "ios", "ipad", "iphone")):
        return "macos"  # iPad and iPhone: Safari's console is opened from a Mac
    if any(word in text for word in ("linux", "ubuntu", "debian", "fedora", "suse", "x11")):
        return "linux"
    return None


def this_system() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return "linux"


def section_for(browser: str | None = None, os: str | None = None) -> str:
    """The anchor for a browser on an OS; the overview when the browser is not known."""
    b = browser_key(browser) if browser not in BROWSERS else browser
    if b is None:
        return OVERVIEW
    if b == "safari":
        return "safari-macos"  # Safari's developer tools exist on the Mac only
    system = (os if os in SYSTEMS else system_key(os)) or this_system()
    if b == "edge" and system == "linux":
        return "edge-windows"  # the same menus and keys
    section = f"{b}-{system}"
    return section if section in SECTIONS else OVERVIEW


def guide_file(language: str, *, short: bool = False) -> Path:
    name = "enduser" if short else "guide"
    language = language if language in ("de", "en") else "de"
    return resource_path("guide", f"{name}.{language}.html")


def guide_url(language: str, section: str = OVERVIEW, *, short: bool = False) -> str:
    url = guide_file(language, short=short).resolve().as_uri()
    return url if short else f"{url}#{section}"


def short_text(language: str) -> str:
    """The end-user version as plain text, for an e-mail or a chat message."""
    language = language if language in ("de", "en") else "de"
    return resource_path("guide", f"enduser.{language}.txt").read_text(encoding="utf-8")
