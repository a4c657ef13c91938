"""macOS: may this app record the screen?

Since macOS 10.15 a screenshot without the "Screen Recording" permission silently shows only
the desktop background and the menu bar — the browser window the agent wanted is missing. So
the permission is checked first (``CGPreflightScreenCaptureAccess``), and when it is missing
the system is asked once to list the app in the settings (``CGRequestScreenCaptureAccess``)
and the agent is told where to switch it on. The settings pane moved and was renamed over the
releases; the message names the one of the running version.

The CoreGraphics calls sit behind :class:`ScreenAccessApi` so the decisions can be tested with
answers recorded on real Macs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SETTINGS_URL = "x-apple.systempreferences:com.apple.preference.security?Privacy_ScreenCapture"


class ScreenAccessApi(Protocol):
    def macos_version(self) -> tuple[int, ...]: ...
    def preflight(self) -> bool | None: ...  # None: this macOS has no such call
    def request(self) -> bool | None: ...


class CoreGraphicsApi:
    """The real calls, through ctypes."""

    _PATH = "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"

    def __init__(self) -> None:
        import ctypes

        self._ctypes = ctypes
        self._lib = ctypes.cdll.LoadLibrary(self._PATH)

    def macos_version(self) -> tuple[int, ...]:
        import platform

        release = platform.mac_ver()[0]
        return tuple(int(part) for part in release.split(".") if part.isdigit()) or (0,)

    def _call(self, name: str) -> bool | None:
        function = getattr(self._lib, name, None)
        if function is None:
            return None
        function.restype = self._ctypes.c_bool
        return bool(function())

    def preflight(self) -> bool | None:
        return self._call("CGPreflightScreenCaptureAccess")

    def request(self) -> bool | None:
        return self._call("CGRequestScreenCaptureAccess")


@dataclass(frozen=True)
class ScreenAccess:
    granted: bool
    # Which settings pane to name: "privacy" (10.15–12), "privacy_security" (13–14),
    # "screen_and_audio" (15+).
    settings: str = ""
    version: str = ""
    settings_url: str = SETTINGS_URL


def settings_pane(version: tuple[int, ...]) -> str:
    major = version[0] if version else 0
    if major >= 15:
        return "screen_and_audio"
    if major >= 13:
        return "privacy_security"
    return "privacy"


def check_screen_access(api: ScreenAccessApi | None = None, *, ask: bool = True) -> ScreenAccess:
    """Whether screenshots will show other apps' windows; asks macOS once to list the app."""
    api = api or CoreGraphicsApi()
    version = api.macos_version()
    shown = ".".join(str(part) for part in version)
    if version < (10, 15):
        return ScreenAccess(True, version=shown)  # no permission exists before Catalina
    granted = api.preflight()
    if granted is None:  # the call is missing although the version has it: assume allowed
        return ScreenAccess(True, version=shown)
    if not granted and ask:
        # Makes macOS show its own prompt the first time and put the app into the list.
        api.request()
    return ScreenAccess(bool(granted), settings_pane(version), shown)

