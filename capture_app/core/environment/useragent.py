"""Reading a pasted user-agent string: browser and version, operating system, kind of device.

Parsing uses the maintained ``ua-parser`` package (uap-core's rules). What a user agent cannot
say is stated rather than guessed: Windows 11 calls itself "Windows NT 10.0", Safari and Chrome
on a Mac freeze the macOS version at 10.15.7, an iPad asks for desktop pages as a Mac, and
Chrome reduces its version to the major number. Those cases come back as ``notes``.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from capture_app.core.platform.config import Text
from capture_app.core.platform.errors import UserFacingError

# Real user agents are a few hundred characters; in-app browsers add perhaps two hundred more.
MAX_LENGTH = 2048

BROWSER_FAMILIES = {
    "Chrome": "Chrome", "Chrome Mobile": "Chrome", "Chrome Mobile iOS": "Chrome",
    "Chromium": "Chromium", "Edge": "Edge", "Edge Mobile": "Edge", "Firefox": "Firefox",
    "Firefox Mobile": "Firefox", "Firefox iOS": "Firefox", "Safari": "Safari",
    "Mobile Safari": "Safari", "Samsung Internet": "Samsung Internet", "Opera": "Opera",
    "Opera Mobile": "Opera", "Brave": "Brave", "Firefox Beta": "Firefox",
}
# Apps that open links in their own built-in browser (often without camera access).
IN_APP_FAMILIES = {
    "Facebook", "Instagram", "LinkedIn", "Twitter", "WeChat", "Pinterest", "Snapchat", "TikTok",
    "Line", "Chrome Mobile WebView", "Mobile Safari UI/WKWebView", "Outlook", "Teams",
    "Google", "GSA", "Xing",
}
IN_APP_TOKENS = [
    (re.compile(r"\bFBAN/|\bFBAV/|\bFB_IAB/"), "Facebook"), (re.compile(r"\bInstagram\b"), "Instagram"),
    (re.compile(r"\bLinkedInApp\b"), "LinkedIn"), (re.compile(r"\bXING\b", re.I), "XING"),
    (re.compile(r"\bGSA/"), "Google"), (re.compile(r"\bTeams/"), "Microsoft Teams"),
    (re.compile(r"\bOutlook-(iOS|Android)\b"), "Outlook"), (re.compile(r"\bWhatsApp\b"), "WhatsApp"),
    (re.compile(r"\bmusical_ly|\bTikTok\b|\bBytedanceWebview\b"), "TikTok"),
    (re.compile(r"\bMicroMessenger/"), "WeChat"), (re.compile(r"\bSnapchat\b"), "Snapchat"),
]
OS_FAMILIES = {
    "Windows": "Windows", "Mac OS X": "macOS", "iOS": "iOS", "Android": "Android",
    "Linux": "Linux", "Ubuntu": "Linux", "Fedora": "Linux", "Debian": "Linux",
    "Chrome OS": "ChromeOS", "ChromeOS": "ChromeOS",
}
WINDOWS_NT = {"10.0": "10/11", "6.3": "8.1", "6.2": "8", "6.1": "7"}


class UserAgentError(UserFacingError, ValueError):
    """The text is not a user agent that can be read; ``message()`` says why and what to do."""

    key_prefix = "probes.ua."


@dataclass(frozen=True)
class ParsedUserAgent:
    browser: str  # "Chrome", "Safari", …, or the app of an in-app browser ("Instagram")
    browser_version: str
    os: str  # "Windows", "macOS", "iOS", "iPadOS", "Android", "Linux", "ChromeOS", or ""
    os_version: str
    device_type: str  # "phone", "tablet", or "" for a computer (desktop or laptop: not told)
    in_app: bool = False
    notes: tuple[Text, ...] = field(default_factory=tuple)
    user_agent: str = ""


_parser_lock = threading.Lock()
_parser = None


def _parse(text: str) -> Any:
    global _parser
    with _parser_lock:
        if _parser is None:
            from ua_parser import BasicResolver, Cache, CachingResolver, Parser, load_builtins

            _parser = Parser(CachingResolver(BasicResolver(load_builtins()), Cache(200)))
    return _parser.parse(text)


def clean(text: str) -> str:
    """What the agent pasted, as one line: e-mail line breaks and a "User-Agent:" label removed."""
    text = " ".join(str(text).split())
    return re.sub(r"^(user[- ]agent)\s*:\s*", "", text, flags=re.IGNORECASE)


def _version(part: Any) -> str:
    if part is None:
        return ""
    numbers = [n for n in (part.major, part.minor, part.patch, getattr(part, "patch_minor", None)) if n]
    return ".".join(numbers)


def parse_user_agent(text: str) -> ParsedUserAgent:
    if len(str(text)) > MAX_LENGTH * 4:  # not even worth cleaning
        raise UserAgentError("too_long", length=len(str(text)), max=MAX_LENGTH)
    ua = clean(text)
    if not ua:
        raise UserAgentError("empty")
    if len(ua) > MAX_LENGTH:
        raise UserAgentError("too_long", length=len(ua), max=MAX_LENGTH)
    if not ua.isprintable() or not re.search(r"[A-Za-z]{2,}/?\d", ua):
        raise UserAgentError("not_recognised")
    result = _parse(ua)
    agent, system, device = result.user_agent, result.os, result.device
    if agent is None and system is None:
        raise UserAgentError("not_recognised")
    notes: list[Text] = []
    family = agent.family if agent else ""
    browser = BROWSER_FAMILIES.get(family, family)
    browser_version = _version(agent)
    in_app_name = next((name for pattern, name in IN_APP_TOKENS if pattern.search(ua)), "")
    in_app = bool(in_app_name) or family in IN_APP_FAMILIES
    if in_app:
        browser = in_app_name or family.replace("Mobile Safari UI/WKWebView", "iOS WebView")
        notes.append(Text("probes.ua.note_in_app", {"app": browser}))

    os_family = system.family if system else ""
    os_name = OS_FAMILIES.get(os_family, os_family)
    os_version = _version(system)
    device_family = device.family if device else ""
    device_type = ""
    if os_name == "iOS":
        if device_family == "iPad" or "iPad" in ua:
            device_type, os_name = "tablet", "iPadOS"
        else:
            device_type = "phone"
        if browser in ("Chrome", "Firefox", "Edge", "Opera"):
            notes.append(Text("probes.ua.note_ios_engine", {"browser": browser}))
    elif os_name == "Android":
        device_type = "phone" if " Mobile" in ua else "tablet"
        if re.search(r"Android 10; K\)", ua):
            notes.append(Text("probes.ua.note_android_reduced"))
    elif os_name == "Windows":
        nt = re.search(r"Windows NT (\d+\.\d+)", ua)
        if nt:
            os_version = WINDOWS_NT.get(nt.group(1), nt.group(1))
            if nt.group(1) == "10.0":
                notes.append(Text("probes.ua.note_windows_11"))
    elif os_name == "macOS":
        if os_version.startswith("10.15") and browser in ("Safari", "Chrome", "Edge", "Firefox", "Opera"):
            notes.append(Text("probes.ua.note_macos_frozen"))
        if browser == "Safari" and "Mobile/" not in ua:
            notes.append(Text("probes.ua.note_maybe_ipad"))
    reduced = re.fullmatch(r"(\d+)(\.0)*", browser_version or "")
    if reduced and browser in ("Chrome", "Edge", "Opera", "Brave", "Chromium") and "." in browser_version:
        browser_version = reduced.group(1)
        notes.append(Text("probes.ua.note_major_only", {"browser": browser}))
    if not browser or browser == "Other":
        raise UserAgentError("not_recognised")
    return ParsedUserAgent(browser, browser_version, "" if os_name == "Other" else os_name,
                           os_version, device_type, in_app, tuple(notes), ua)


def warm_up() -> None:
    """Load the parser's rules (a fraction of a second) before the agent pastes anything."""
    _parse("Mozilla/5.0")
