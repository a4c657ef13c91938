"""Reading macOS facts through a small adapter: property lists and ``system_profiler``.

``MacOS`` reads files below ``root`` (``/`` on a Mac) and the agent's ``home``, and asks
``system_profiler -json`` through a ``CommandRunner``. Tests point ``root``/``home`` at a folder
of Info.plist files recorded on real Macs and answer ``system_profiler`` with recorded JSON.
"""
from __future__ import annotations

import json
import plistlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from capture_app.core.environment.probes.base import ProbeFailed
from capture_app.core.environment.probes.commands import CommandError, CommandRunner, run_command

SYSTEM_VERSION = "System/Library/CoreServices/SystemVersion.plist"
LAUNCH_SERVICES = "Library/Preferences/com.apple.LaunchServices/com.apple.launchservices.secure.plist"


@dataclass
class MacOS:
    root: Path = Path("/")
    home: Path = field(default_factory=Path.home)
    run: CommandRunner = run_command

    def plist(self, path: Path) -> dict[str, Any]:
        """A property list (XML or binary); ``ProbeFailed`` if it is missing or unreadable."""
        try:
            with open(path, "rb") as handle:
                data = plistlib.load(handle)
        except FileNotFoundError:
            raise ProbeFailed("file_missing", file=str(path)) from None
        except Exception as exc:  # noqa: BLE001 - plistlib raises expat, value and index errors too
            raise ProbeFailed("file_unreadable", file=str(path), error=type(exc).__name__) from None
        if not isinstance(data, dict):
            raise ProbeFailed("file_unreadable", file=str(path), error="not a dictionary")
        return data

    def system_plist(self, relative: str) -> dict[str, Any]:
        return self.plist(self.root / relative)

    def user_plist(self, relative: str) -> dict[str, Any]:
        return self.plist(self.home / relative)

    def application_folders(self) -> list[Path]:
        return [self.root / "Applications", self.home / "Applications",
                # Since macOS 13 Safari lives in a cryptex; /Applications/Safari.app points there.
                self.root / "System/Volumes/Preboot/Cryptexes/App/System/Applications"]

    def system_profiler(self, data_type: str, timeout: float) -> list[dict[str, Any]]:
        """The entries of one ``system_profiler -json`` data type (e.g. ``SPCameraDataType``)."""
        try:
            result = self.run(["system_profiler", "-json", data_type], timeout)
        except CommandError as exc:
            raise ProbeFailed(exc.reason_key, **exc.params) from None
        if result.returncode != 0:
            raise ProbeFailed("command_status", command="system_profiler", code=result.returncode)
        try:
            entries = json.loads(result.stdout).get(data_type, [])
        except (ValueError, AttributeError):
            raise ProbeFailed("unparseable", command="system_profiler") from None
        return [entry for entry in entries if isinstance(entry, dict)]
