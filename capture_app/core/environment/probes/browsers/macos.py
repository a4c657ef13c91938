"""Browsers on macOS: application bundles' Info.plist, and Launch Services for the default."""
from __future__ import annotations

from capture_app.core.environment.probes.base import ProbeFailed, Value, unknown
from capture_app.core.environment.probes.browsers.found import BROWSERS, Findings, InstalledBrowser
from capture_app.core.environment.probes.host import Host
from capture_app.core.environment.probes.macos import LAUNCH_SERVICES

BUNDLE_IDS = {
    "com.google.chrome": "chrome", "com.microsoft.edgemac": "edge", "org.mozilla.firefox": "firefox",
    "org.mozilla.firefoxesr": "firefox", "com.apple.safari": "safari",
    "com.operasoftware.opera": "opera", "com.brave.browser": "brave", "org.chromium.chromium": "chromium",
}


def find_browsers(host: Host, version_timeout: float) -> Findings:
    mac = host.mac
    if mac is None:
        raise ProbeFailed("not_available")
    installed: list[InstalledBrowser] = []
    seen: set[str] = set()
    for folder in mac.application_folders():
        try:
            bundles = sorted(p for p in folder.iterdir() if p.suffix == ".app")
        except OSError:
            continue
        for bundle in bundles:
            try:
                info = mac.plist(bundle / "Contents/Info.plist")
            except ProbeFailed as failed:
                if bundle.stem in {"Google Chrome", "Microsoft Edge", "Firefox", "Safari",
                                   "Opera", "Brave Browser", "Chromium"}:
                    browser_id = {"Google Chrome": "chrome", "Microsoft Edge": "edge",
                                  "Brave Browser": "brave"}.get(bundle.stem, bundle.stem.lower())
                    installed.append(InstalledBrowser(browser_id, failed.unknown, str(bundle)))
                continue
            bundle_browser = BUNDLE_IDS.get(str(info.get("CFBundleIdentifier", "")).lower())
            if bundle_browser is None or bundle_browser in seen:
                continue
            seen.add(bundle_browser)
            version = info.get("CFBundleShortVersionString") or info.get("CFBundleVersion")
            value: Value = str(version) if version else unknown("not_reported")
            installed.append(InstalledBrowser(bundle_browser, value, str(bundle)))
    return Findings(installed, _default(host))


def _default(host: Host) -> Value:
    assert host.mac is not None, "a macOS host reads the Launch Services settings"
    try:
        handlers = host.mac.user_plist(LAUNCH_SERVICES).get("LSHandlers", [])
    except ProbeFailed:
        handlers = []  # never changed: Safari is the default
    for scheme in ("https", "http"):
        for handler in handlers if isinstance(handlers, list) else []:
            if isinstance(handler, dict) and handler.get("LSHandlerURLScheme") == scheme:
                bundle_id = str(handler.get("LSHandlerRoleAll", "")).lower()
                browser_id = BUNDLE_IDS.get(bundle_id)
                return BROWSERS[browser_id] if browser_id else (bundle_id or unknown("not_reported"))
    return BROWSERS["safari"]
