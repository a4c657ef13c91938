"""Displays: how many, their resolution and scale factor.

In the app the screens are read from Qt on the UI thread (instant) and handed in as ``screens``;
without them Linux asks ``xrandr`` (or the kernel's DRM connectors) and macOS asks
``system_profiler``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from capture_app.core.environment.probes.base import Probe, ProbeFailed, Value
from capture_app.core.environment.probes.commands import CommandError
from capture_app.core.environment.probes.host import LINUX, MACOS, Host


@dataclass(frozen=True)
class Screen:
    width: int  # physical pixels
    height: int
    scale: float | None = None  # 1.0 = 100 %; None when the system does not say

    def describe(self) -> str:
        size = f"{self.width}×{self.height}"
        return f"{size}, {round(self.scale * 100)} %" if self.scale else size


_MONITOR = re.compile(r"^\s*\d+:\s+\S+\s+(\d+)/\d+x(\d+)/\d+[+-]", re.MULTILINE)


def parse_xrandr_monitors(text: str) -> list[Screen]:
    return [Screen(int(w), int(h)) for w, h in _MONITOR.findall(text)]


def parse_system_profiler_displays(entries: Sequence[dict[str, Any]]) -> list[Screen]:
    screens = []
    for gpu in entries:
        for display in gpu.get("spdisplays_ndrvs", []) or []:
            pixels = re.match(r"(\d+)\s*x\s*(\d+)", str(display.get("_spdisplays_pixels", "")))
            points = re.match(r"(\d+)\s*x\s*(\d+)", str(display.get("_spdisplays_resolution", "")))
            if not pixels:
                continue
            width, height = int(pixels.group(1)), int(pixels.group(2))
            scale = round(width / int(points.group(1)), 2) if points and int(points.group(1)) else None
            screens.append(Screen(width, height, scale))
    return screens


class DisplaysProbe(Probe):
    name = "displays"
    keys = ("displays.count", "displays.list")
    timeout = 4.0

    def __init__(self, host: Host, screens: Sequence[Screen] | None = None) -> None:
        self.host = host
        self.screens = list(screens) if screens is not None else None

    def run(self) -> Mapping[str, Value]:
        screens = self.screens if self.screens is not None else self._ask_system()
        if not screens:
            raise ProbeFailed("no_display")
        return {"displays.count": str(len(screens)),
                "displays.list": "; ".join(screen.describe() for screen in screens)}

    def _ask_system(self) -> list[Screen]:
        if self.host.system == MACOS:
            if self.host.mac is None:
                raise ProbeFailed("not_available")
            return parse_system_profiler_displays(
                self.host.mac.system_profiler("SPDisplaysDataType", self.timeout * 0.9))
        if self.host.system != LINUX:
            raise ProbeFailed("not_available")
        if self.host.env.get("DISPLAY"):
            try:
                result = self.host.command(["xrandr", "--listmonitors"], self.timeout * 0.8)
                screens = parse_xrandr_monitors(result.stdout) if result.returncode == 0 else []
                if screens:
                    return screens
            except CommandError:
                pass
        return self._drm_connectors()

    def _drm_connectors(self) -> list[Screen]:
        screens = []
        drm = self.host.path("/sys/class/drm")
        try:
            connectors = sorted(drm.iterdir())
        except OSError:
            return []
        for connector in connectors:
            try:
                if (connector / "status").read_text().strip() != "connected":
                    continue
                mode = (connector / "modes").read_text().split()
            except OSError:
                continue
            match = re.match(r"(\d+)x(\d+)", mode[0]) if mode else None
            if match:
                screens.append(Screen(int(match.group(1)), int(match.group(2))))
        return screens
