"""Start at login: the Windows Run key, a Linux XDG autostart file, a macOS LaunchAgent.

All three live in the agent's own profile and need no administrator rights. Each kind has the
same small interface (``is_enabled``, ``command``, ``enable(command)``, ``disable``); the Windows
registry is reached through a tiny adapter so it can be replaced by a fake where there is no
registry. ``for_this_system()`` picks the right one.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from capture_app import APP_NAME
from capture_app.core.platform import i18n
from capture_app.core.platform.errors import UserFacingError
from capture_app.core.platform.fsutil import atomic_write_bytes

BACKGROUND_ARG = "--background"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "ReportCapture"
DESKTOP_FILE = "report-capture.desktop"
LAUNCH_AGENT_LABEL = "com.flexperto.reportcapture"


class AutostartError(UserFacingError):
    """Start at login could not be switched; ``message()`` says what, why and what to do."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__("tray.autostart_failed", where=where, detail=detail)
        self.where = where
        self.detail = detail


def launch_command(*, frozen: bool | None = None, executable: str | None = None) -> list[str]:
    """How the login should start this app: in the background, with the tray only."""
    frozen = getattr(sys, "frozen", False) if frozen is None else frozen
    executable = executable or sys.executable
    if frozen:  # a PyInstaller build: the executable is the app
        return [executable, BACKGROUND_ARG]
    if os.name == "nt" and executable.lower().endswith("python.exe"):
        # pythonw.exe starts without a console window flashing up at every login.
        windowless = Path(executable).with_name("pythonw.exe")
        if windowless.exists():
            executable = str(windowless)
    return [executable, "-m", "capture_app", BACKGROUND_ARG]


class Autostart(Protocol):
    where: str

    def is_enabled(self) -> bool: ...

    def command(self) -> list[str] | str | None: ...

    def enable(self, command: list[str]) -> None: ...

    def disable(self) -> None: ...


# --- Windows ----------------------------------------------------------------------------------


class Registry(Protocol):
    """The three calls on HKEY_CURRENT_USER that the Run key needs."""

    def get(self, key: str, name: str) -> str | None: ...

    def set(self, key: str, name: str, value: str) -> None: ...

    def delete(self, key: str, name: str) -> None: ...


class WinregRegistry:
    """HKEY_CURRENT_USER through the standard library's ``winreg`` (Windows only)."""

    def __init__(self) -> None:
        import winreg

        self._winreg = winreg

    def get(self, key: str, name: str) -> str | None:
        winreg = self._winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as handle:
                value, _kind = winreg.QueryValueEx(handle, name)
        except FileNotFoundError:
            return None
        return str(value)

    def set(self, key: str, name: str, value: str) -> None:
        winreg = self._winreg
        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as handle:
            winreg.SetValueEx(handle, name, 0, winreg.REG_SZ, value)

    def delete(self, key: str, name: str) -> None:
        winreg = self._winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as handle:
                winreg.DeleteValue(handle, name)
        except FileNotFoundError:
            pass


class WindowsRunKey:
    def __init__(self, registry: Registry | None = None) -> None:
        self._registry = registry
        self.where = f"HKEY_CURRENT_USER\\{RUN_KEY}\\{RUN_VALUE}"

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = WinregRegistry()
        return self._registry

    def command(self) -> str | None:
        try:
            return self.registry.get(RUN_KEY, RUN_VALUE)
        except OSError:
            return None

    def is_enabled(self) -> bool:
        return bool(self.command())

    def enable(self, command: list[str]) -> None:
        try:
            # The Run key holds one command line, quoted the way Windows parses it.
            self.registry.set(RUN_KEY, RUN_VALUE, subprocess.list2cmdline(command))
        except OSError as exc:
            raise AutostartError(self.where, _reason(exc)) from exc

    def disable(self) -> None:
        try:
            self.registry.delete(RUN_KEY, RUN_VALUE)
        except OSError as exc:
            raise AutostartError(self.where, _reason(exc)) from exc


# --- Linux and other XDG desktops -------------------------------------------------------------


def xdg_autostart_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "autostart"


_EXEC_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def desktop_exec(command: list[str]) -> str:
    """A command as an ``Exec=`` value (Desktop Entry Specification, "The Exec key")."""
    parts = []
    for arg in command:
        if arg and not (_EXEC_RESERVED & set(arg)) and "%" not in arg and "=" not in arg:
            parts.append(arg)
            continue
        quoted = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
        parts.append(f'"{quoted}"')
    line = " ".join(parts).replace("%", "%%")
    # The file format then escapes backslashes once more in every string value.
    return line.replace("\\", "\\\\")


class _AutostartFile:
    """An autostart entry that is one file of the agent's: written whole, removed to disable."""

    def __init__(self, file: Path) -> None:
        self.folder = file.parent
        self.file = file
        self.where = str(file)

    def is_enabled(self) -> bool:
        return self.command() is not None

    def command(self) -> object:
        raise NotImplementedError

    def _write(self, data: bytes) -> None:
        try:
            atomic_write_bytes(self.file, data)
        except OSError as exc:
            raise AutostartError(self.where, _reason(exc)) from exc

    def disable(self) -> None:
        try:
            self.file.unlink(missing_ok=True)
        except OSError as exc:
            raise AutostartError(self.where, _reason(exc)) from exc


class XdgAutostart(_AutostartFile):
    def __init__(self, folder: Path | None = None) -> None:
        super().__init__((Path(folder) if folder is not None else xdg_autostart_dir()) / DESKTOP_FILE)

    def command(self) -> str | None:
        try:
            text = self.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        for line in text.splitlines():
            if line.startswith("Exec="):
                return line[len("Exec="):]
        return None

    def enable(self, command: list[str]) -> None:
        text = "\n".join([
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.0",
            f"Name={APP_NAME}",
            f"Comment={i18n.tr('tray.autostart_comment', language='en')}",
            f"Comment[de]={i18n.tr('tray.autostart_comment', language='de')}",
            f"Exec={desktop_exec(command)}",
            "Terminal=false",
            "X-GNOME-Autostart-enabled=true",
            "X-GNOME-Autostart-Delay=5",
            "",
        ])
        self._write(text.encode("utf-8"))


# --- macOS ------------------------------------------------------------------------------------


def launch_agents_dir() -> Path:
    return Path.home() / "Library" / "LaunchAgents"


class LaunchAgent(_AutostartFile):
    def __init__(self, folder: Path | None = None) -> None:
        super().__init__((Path(folder) if folder is not None else launch_agents_dir())
                         / f"{LAUNCH_AGENT_LABEL}.plist")

    def command(self) -> list[str] | None:
        # Only on macOS: plistlib brings the XML parser (about 1 MB resident) everywhere else.
        import plistlib
        from xml.parsers.expat import ExpatError

        try:
            with self.file.open("rb") as handle:
                data = plistlib.load(handle)
        except (OSError, plistlib.InvalidFileException, ValueError, ExpatError):
            return None
        arguments = data.get("ProgramArguments") if isinstance(data, dict) else None
        return list(arguments) if isinstance(arguments, list) else None

    def enable(self, command: list[str]) -> None:
        import plistlib

        data = {
            "Label": LAUNCH_AGENT_LABEL,
            "ProgramArguments": list(command),
            "RunAtLoad": True,
            # Started once at login; quitting the app from its menu must not bring it back.
            "KeepAlive": False,
            "ProcessType": "Interactive",
            "LimitLoadToSessionType": "Aqua",
        }
        self._write(plistlib.dumps(data, fmt=plistlib.FMT_XML))


# --- Choosing and applying --------------------------------------------------------------------


def for_this_system(platform: str | None = None) -> Autostart:
    platform = platform or sys.platform
    if platform == "win32":
        return WindowsRunKey()
    if platform == "darwin":
        return LaunchAgent()
    return XdgAutostart()


def apply(autostart: Autostart, wanted: bool, command: list[str]) -> bool:
    """Make the entry match ``wanted``; an existing entry is rewritten if its command differs
    (the app was moved or reinstalled). Returns True if anything was changed."""
    if not wanted:
        if autostart.is_enabled():
            autostart.disable()
            return True
        return False
    expected = _as_stored(autostart, command)
    if autostart.command() == expected:
        return False
    autostart.enable(command)
    return True


def _as_stored(autostart: Autostart, command: list[str]) -> list[str] | str:
    if isinstance(autostart, WindowsRunKey):
        return subprocess.list2cmdline(command)
    if isinstance(autostart, XdgAutostart):
        return desktop_exec(command)
    return list(command)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__
