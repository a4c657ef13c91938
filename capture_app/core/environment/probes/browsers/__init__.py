"""Installed browsers with their exact versions, and the default browser.

Windows reads the registry, macOS the application bundles' Info.plist, Linux the desktop entries
and each browser's ``--version``. Every browser that is found but whose version cannot be told
is still listed, as "unknown (reason)".
"""
from __future__ import annotations

from collections.abc import Mapping

from capture_app.core.environment.probes.base import Probe, Value
from capture_app.core.environment.probes.browsers.found import BROWSERS, browser_values
from capture_app.core.environment.probes.host import MACOS, WINDOWS, Host

__all__ = ["BROWSERS", "BrowsersProbe"]


class BrowsersProbe(Probe):
    name = "browsers"
    keys = ("browsers.installed", "browsers.default")
    timeout = 6.0

    def __init__(self, host: Host, *, version_timeout: float | None = None) -> None:
        self.host = host
        # A browser that hangs on --version costs this long, then the others are still reported.
        self.version_timeout = version_timeout if version_timeout is not None else self.timeout * 0.6

    def run(self) -> Mapping[str, Value]:
        if self.host.system == WINDOWS:
            from capture_app.core.environment.probes.browsers.windows import find_browsers
        elif self.host.system == MACOS:
            from capture_app.core.environment.probes.browsers.macos import find_browsers
        else:
            from capture_app.core.environment.probes.browsers.linux import find_browsers
        return browser_values(find_browsers(self.host, self.version_timeout))
