"""The machine the probes look at, passed to every probe instead of being looked up.

On a real machine ``Host.current()`` describes it. Tests build a ``Host`` for Windows from
recorded registry exports, for macOS from recorded property lists and ``system_profiler``
output, and for Linux from a folder laid out like ``/proc`` and ``/sys`` where real devices
cannot be attached (cameras, sound cards).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from capture_app.core.environment.probes.commands import CommandRunner, run_command
from capture_app.core.environment.probes.macos import MacOS
from capture_app.core.environment.probes.registry import Registry

LINUX, WINDOWS, MACOS = "linux", "windows", "macos"


def current_system() -> str:
    if sys.platform == "win32":
        return WINDOWS
    if sys.platform == "darwin":
        return MACOS
    return LINUX


@dataclass
class Host:
    system: str = field(default_factory=current_system)
    root: Path = Path("/")  # Linux: where /proc, /sys and /etc are read
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    run: CommandRunner = run_command
    registry: Registry | None = None
    mac: MacOS | None = None

    @classmethod
    def current(cls) -> Host:
        host = cls()
        if host.system == WINDOWS:
            from capture_app.core.environment.probes.registry import WindowsRegistry

            host.registry = WindowsRegistry()
        elif host.system == MACOS:
            host.mac = MacOS()
        return host

    def command(self, argv: Any, timeout: float) -> Any:
        """Run a program in this host's environment (``CommandResult``; ``CommandError``)."""
        if self.run is run_command:
            return run_command(argv, timeout, env=dict(self.env))
        return self.run(argv, timeout)

    def path(self, absolute: str) -> Path:
        """``/proc/meminfo`` below this host's root."""
        return self.root / absolute.lstrip("/")

    def read_text(self, absolute: str, limit: int = 1_000_000) -> str:
        with open(self.path(absolute), "rb") as handle:
            return handle.read(limit).decode("utf-8", errors="replace")
