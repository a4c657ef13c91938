"""Browsers on Windows, from the registry: uninstall entries, Chromium's beacons, and UserChoice."""
from __future__ import annotations

import re

from capture_app.core.environment.probes.base import Value, unknown, windows_registry
from capture_app.core.environment.probes.browsers.found import (
    BROWSERS,
    Findings,
    InstalledBrowser,
    no_default,
)
from capture_app.core.environment.probes.host import Host

UNINSTALL_KEYS = (
    r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
    r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
    r"HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall",
)
# How each browser names itself in "Apps & features" (DisplayName of its uninstall entry).
DISPLAY_NAMES = [
    (re.compile(r"^Google Chrome$"), "chrome"),
    (re.compile(r"^Microsoft Edge$"), "edge"),  # not "… WebView2 Runtime", not "… Update"
    (re.compile(r"^Mozilla Firefox\b"), "firefox"),  # "Mozilla Firefox (x64 de)", "… ESR (x64 de)"
    (re.compile(r"^Opera( Stable)?( \d[\d.]*)?$"), "opera"),
    (re.compile(r"^Brave$"), "brave"),
    (re.compile(r"^Chromium$"), "chromium"),
    (re.compile(r"^Safari$"), "safari"),
]
# Chromium-based browsers keep the running version per user even when installed per machine.
BEACONS = {
    "chrome": r"HKCU\Software\Google\Chrome\BLBeacon",
    "edge": r"HKCU\Software\Microsoft\Edge\BLBeacon",
    "brave": r"HKCU\Software\BraveSoftware\Brave-Browser\BLBeacon",
    "chromium": r"HKCU\Software\Chromium\BLBeacon",
}
USER_CHOICE = r"HKCU\Software\Microsoft\Windows\Shell\Associations\UrlAssociations\{scheme}\UserChoice"
PROG_IDS = [
    (re.compile(r"^ChromeHTML$"), "chrome"),
    (re.compile(r"^MSEdgeHTM$"), "edge"),
    (re.compile(r"^FirefoxURL(-[0-9A-F]+)?$", re.IGNORECASE), "firefox"),
    (re.compile(r"^Opera(Stable|GX)?"), "opera"),
    (re.compile(r"^BraveHTML$"), "brave"),
    (re.compile(r"^ChromiumHTM(\.[A-Z0-9]+)?$", re.IGNORECASE), "chromium"),
]
OTHER_PROG_IDS = {"IE.HTTP": "Internet Explorer", "IE.HTTPS": "Internet Explorer"}


def find_browsers(host: Host, version_timeout: float) -> Findings:
    registry = windows_registry(host)
    installed: list[InstalledBrowser] = []
    found: set[str] = set()
    for root in UNINSTALL_KEYS:
        for sub in registry.subkeys(root):
            key = f"{root}\\{sub}"
            display = registry.value(key, "DisplayName")
            if not isinstance(display, str):
                continue
            browser_id = next((b for pattern, b in DISPLAY_NAMES if pattern.match(display.strip())), None)
            if browser_id is None:
                continue
            version = registry.value(key, "DisplayVersion")
            beacon = registry.value(BEACONS[browser_id], "version") if browser_id in BEACONS else None
            value: Value = str(beacon or version) if (beacon or version) else unknown(
                "registry_missing", key=f"{key}\\DisplayVersion")
            installed.append(InstalledBrowser(browser_id, value, key))
            found.add(browser_id)
    for browser_id, beacon_key in BEACONS.items():
        beacon = registry.value(beacon_key, "version")
        if browser_id not in found and isinstance(beacon, str):
            installed.append(InstalledBrowser(browser_id, beacon, beacon_key))  # per-user install
    return Findings(installed, _default(host))


def _default(host: Host) -> Value:
    assert host.registry is not None, "a Windows host reads the registry"
    for scheme in ("https", "http"):
        prog_id = host.registry.value(USER_CHOICE.format(scheme=scheme), "ProgId")
        if not isinstance(prog_id, str) or not prog_id:
            continue
        browser_id = next((b for pattern, b in PROG_IDS if pattern.match(prog_id)), None)
        if browser_id:
            return BROWSERS[browser_id]
        return OTHER_PROG_IDS.get(prog_id, prog_id)
    return no_default()
