"""What kind of desktop session this is — answered without importing anything heavy.

``capture-app report`` asks this first thing at start-up, before Qt loads, to decide whether
the screen can be grabbed "as it was" (:mod:`capture_app.core.evidence.screenshot`).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping

# Qt platforms whose windows never reach a real screen: there is no "before" to capture.
NO_SCREEN_PLATFORMS = ("offscreen", "minimal", "vnc")


def session_kind(env: Mapping[str, str] | None = None, platform: str | None = None) -> str:
    """``windows``, ``macos``, ``x11``, ``wayland`` or ``none`` (no display at all)."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    if platform == "win32":
        return "windows"
    if platform == "darwin":
        return "macos"
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        # XWayland gives mss a DISPLAY, but it only sees X11 windows: the browser is black.
        return "wayland"
    if env.get("DISPLAY"):
        return "x11"
    return "none"


def early_capture_possible(env: Mapping[str, str] | None = None) -> bool:
    """Whether the screen can be grabbed before our first window without asking anyone (mss)."""
    env = os.environ if env is None else env
    if env.get("QT_QPA_PLATFORM", "").split(":")[0] in NO_SCREEN_PLATFORMS:
        return False
    # Wayland asks through the portal later; without a display there is nothing to grab.
    return session_kind(env) in ("x11", "windows", "macos")
