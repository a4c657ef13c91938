"""Installed browsers with their exact versions, and the default browser.

Windows reads the registry, macOS the application bundles' Info.plist, Linux the desktop entries
and each browser's ``--version``. Every browser that is found but whose version cannot be told
is still listed, as "unknown (reason)".
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from capture_app.core.config import Text
from capture_app.core.probes.base import Probe, Value, is_unknown, unknown
from capture_app.core.probes.host import MACOS, WINDOWS, Host

# The browsers Flexperto's customers and advisors use, in the order they are listed.
BROWSERS = {
    "chrome": "Chrome", "edge": "Edge", "firefox": "Firefox", "safari": "Safari",
    "opera": "Opera", "brave": "Brave", "chromium": "Chromium",
}
NONE_FOUND = Text("probes.value.no_browsers")


@dataclass(frozen=True)
class InstalledBrowser:
    id: str  # a key of BROWSERS
    version: Value
    location: str = ""  # desktop entry, bundle or registry key it was found in

    @property
    def name(self) -> str:
        return BROWSERS[self.id]


@dataclass(frozen=True)
class Findings:
    installed: list[InstalledBrowser]
    default: Value  # a browser's name (or another program's), or Unknown


def browser_values(findings: Findings) -> dict[str, Value]:
    values: dict[str, Value] = {}
    listed = []
    for browser_id in BROWSERS:
        versions = [b.version for b in findings.installed if b.id == browser_id]
        if not versions:
            continue
        known = list(dict.fromkeys(v for v in versions if not is_unknown(v)))
        values[f"browsers.{browser_id}"] = "; ".join(known) if known else versions[0]
        listed.append(f"{BROWSERS[browser_id]} {'; '.join(known)}".strip() if known
                      else BROWSERS[browser_id])
    values["browsers.installed"] = ", ".join(listed) if listed else NONE_FOUND
    values["browsers.default"] = findings.default
    return values


class BrowsersProbe(Probe):
    name = "browsers"
    keys = ("browsers.installed", "browsers.default")
    timeout = 6.0

    def __init__(self, host: Host, *, version_timeout: float | None = None):
        self.host = host
        # A browser that hangs on --version costs this long, then the others are still reported.
        self.version_timeout = version_timeout if version_timeout is not None else self.timeout * 0.6

    def run(self) -> Mapping[str, Value]:
        if self.host.system == WINDOWS:
            from capture_app.core.probes.browsers.windows import find_browsers
        elif self.host.system == MACOS:
            from capture_app.core.probes.browsers.macos import find_browsers
        else:
            from capture_app.core.probes.browsers.linux import find_browsers
        return browser_values(find_browsers(self.host, self.version_timeout))


def no_default() -> Value:
    return unknown("no_default_browser")
