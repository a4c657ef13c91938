"""What the browser probes found, in one shape for every system: the installed browsers with
their versions and the default browser, and the report values made from them."""
from __future__ import annotations

from dataclasses import dataclass

from capture_app.core.environment.probes.base import Value, unknown
from capture_app.core.platform.config import Text

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
        known = list(dict.fromkeys(v for v in versions if isinstance(v, str)))
        values[f"browsers.{browser_id}"] = "; ".join(known) if known else versions[0]
        listed.append(f"{BROWSERS[browser_id]} {'; '.join(known)}".strip() if known
                      else BROWSERS[browser_id])
    values["browsers.installed"] = ", ".join(listed) if listed else NONE_FOUND
    values["browsers.default"] = findings.default
    return values


def no_default() -> Value:
    return unknown("no_default_browser")
