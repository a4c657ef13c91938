"""Reading the Windows registry through a small adapter.

Probes ask ``Registry.value(key, name)`` and ``Registry.subkeys(key)`` with keys written as in
regedit (``HKLM\\SOFTWARE\\...``). On Windows ``WindowsRegistry`` reads the live registry (the
64-bit view; 32-bit programs are found under ``WOW6432Node`` explicitly). ``ExportedRegistry``
reads ``.reg`` files exported with regedit, so that Windows detection is tested on data recorded
on real machines, and so that an agent can hand in an export when the app cannot run there.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

HIVES = {
    "HKEY_LOCAL_MACHINE": "HKLM", "HKEY_CURRENT_USER": "HKCU", "HKEY_CLASSES_ROOT": "HKCR",
    "HKEY_USERS": "HKU", "HKEY_CURRENT_CONFIG": "HKCC",
}



class Registry(Protocol):
    def value(self, key: str, name: str) -> str | int | None:
        """The value ``name`` ("" for the default value) of ``key``; ``None`` if missing or binary."""

    def subkeys(self, key: str) -> list[str]:
        """Names of the direct subkeys of ``key``; empty if the key does not exist."""


def _normalise(key: str) -> str:
    key = key.strip().strip("\\")
    hive, _, rest = key.partition("\\")
    hive = HIVES.get(hive.upper(), hive.upper())
    return f"{hive}\\{rest}" if rest else hive


class WindowsRegistry:
    """The live registry (Windows only; ``winreg`` is imported on first use)."""

    def _open(self, key: str) -> Any:
        if sys.platform != "win32":
            raise OSError("the registry exists on Windows only")
        import winreg

        hive, _, sub = _normalise(key).partition("\\")
        roots = {"HKLM": winreg.HKEY_LOCAL_MACHINE, "HKCU": winreg.HKEY_CURRENT_USER,
                 "HKCR": winreg.HKEY_CLASSES_ROOT, "HKU": winreg.HKEY_USERS,
                 "HKCC": winreg.HKEY_CURRENT_CONFIG}
        access = winreg.KEY_READ | getattr(winreg, "KEY_WOW64_64KEY", 0)
        return winreg.OpenKey(roots[hive], sub, 0, access)

    def value(self, key: str, name: str) -> str | int | None:
        if sys.platform != "win32":
            return None
        import winreg

        try:
            with self._open(key) as handle:
                data, kind = winreg.QueryValueEx(handle, name)
        except OSError:
            return None
        if kind in (winreg.REG_SZ, winreg.REG_EXPAND_SZ):
            return str(data)
        if kind in (winreg.REG_DWORD, winreg.REG_QWORD):
            return int(data)
        if kind == winreg.REG_MULTI_SZ:
            return "; ".join(data)
        return None

    def subkeys(self, key: str) -> list[str]:
        if sys.platform != "win32":
            return []
        import winreg

        names = []
        try:
            with self._open(key) as handle:
                for index in range(10_000):
                    try:
                        names.append(winreg.EnumKey(handle, index))
                    except OSError:
                        break
        except OSError:
            return []
        return names


class RegFileError(ValueError):
    pass


_STRING = re.compile(r'^"((?:[^"\\]|\\.)*)"$')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xff\xfe") or raw.startswith(b"\xfe\xff"):
        return raw.decode("utf-16")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8")
    return raw.decode("utf-8")


def _parse_data(data: str) -> str | int | None:
    if data.startswith('"'):
        match = _STRING.match(data)
        if not match:
            raise RegFileError(f"bad string value: {data[:40]}")
        return _unescape(match.group(1))
    if data.startswith("dword:"):
        return int(data[6:], 16)
    if data.startswith(("hex(b):", "hex(2):", "hex(7):", "hex:")):
        kind, _, body = data.partition(":")
        raw = bytes(int(part, 16) for part in body.replace(" ", "").split(",") if part)
        if kind == "hex(b)":
            return int.from_bytes(raw[:8], "little")
        if kind == "hex(2)":
            return raw.decode("utf-16-le", errors="replace").rstrip("\x00")
        if kind == "hex(7)":
            parts = raw.decode("utf-16-le", errors="replace").split("\x00")
            return "; ".join(part for part in parts if part)
        return None  # REG_BINARY
    if data == "-":
        return None
    raise RegFileError(f"unknown value type: {data[:40]}")


class ExportedRegistry:
    """Registry keys read from one or more regedit ``.reg`` exports (version 5 or REGEDIT4)."""

    def __init__(self, files: Iterable[Path]) -> None:
        self._values: dict[str, dict[str, str | int | None]] = {}
        self._names: dict[str, str] = {}
        for file in files:
            self._load(Path(file))

    def _load(self, path: Path) -> None:
        text = _decode(path.read_bytes())
        lines = text.splitlines()
        if not lines or lines[0].strip() not in ("Windows Registry Editor Version 5.00", "REGEDIT4"):
            raise RegFileError(f"{path.name}: not a registry export")
        current: str | None = None
        logical: list[str] = []
        for line in [*lines[1:], ""]:
            if logical:
                logical.append(line.strip())
                if line.rstrip().endswith("\\"):
                    continue
                line = "".join(part.rstrip("\\") for part in logical)
                logical = []
            elif line.rstrip().endswith("\\") and "=" in line:
                logical = [line.rstrip()]
                continue
            line = line.strip()
            if not line or line.startswith(";"):
                continue
            if line.startswith("[") and line.endswith("]"):
                current = _normalise(line[1:-1])
                self._add_key(current)
                continue
            if current is None:
                raise RegFileError(f"{path.name}: value outside a key")
            if line.startswith("@="):
                name, data = "", line[2:]
            else:
                match = re.match(r'^"((?:[^"\\]|\\.)*)"=(.*)$', line)
                if not match:
                    raise RegFileError(f"{path.name}: unreadable line {line[:40]!r}")
                name, data = _unescape(match.group(1)), match.group(2)
            self._values[current.lower()][name.lower()] = _parse_data(data)

    def _add_key(self, key: str) -> None:
        parts = key.split("\\")
        for end in range(1, len(parts) + 1):
            partial = "\\".join(parts[:end])
            self._names.setdefault(partial.lower(), partial)
            self._values.setdefault(partial.lower(), {})

    def value(self, key: str, name: str) -> str | int | None:
        return self._values.get(_normalise(key).lower(), {}).get(name.lower())

    def subkeys(self, key: str) -> list[str]:
        prefix = _normalise(key).lower() + "\\"
        found = []
        for lowered, original in self._names.items():
            if lowered.startswith(prefix) and "\\" not in lowered[len(prefix):]:
                found.append(original.rsplit("\\", 1)[1])
        return sorted(found, key=str.lower)
