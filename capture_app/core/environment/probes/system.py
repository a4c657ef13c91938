"""Operating system, processor, memory, kind of device, and this app's own version."""
from __future__ import annotations

import functools
import platform
import re
from collections.abc import Mapping
from typing import cast

from capture_app.core.environment.probes.base import (
    Probe,
    ProbeFailed,
    Value,
    unknown,
    windows_registry,
)
from capture_app.core.environment.probes.commands import CommandError
from capture_app.core.environment.probes.host import MACOS, WINDOWS, Host
from capture_app.core.environment.probes.macos import SYSTEM_VERSION
from capture_app.core.platform.config import Text

NT_CURRENT_VERSION = r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion"
CPU_KEY = r"HKLM\HARDWARE\DESCRIPTION\System\CentralProcessor"
ENVIRONMENT_KEY = r"HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment"
WINDOWS_11_FIRST_BUILD = 22000  # Windows 11 still calls itself "Windows 10" in ProductName


def _command_output(host: Host, argv: list[str], timeout: float) -> str:
    try:
        result = host.command(argv, timeout)
    except CommandError as exc:
        raise ProbeFailed(exc.reason_key, **exc.params) from None
    if result.returncode != 0:
        raise ProbeFailed("command_status", command=argv[0], code=result.returncode)
    return cast("str", result.stdout)


def parse_os_release(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if not sep or not key.strip().isidentifier():
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1].replace('\\"', '"')
        values[key.strip()] = value
    return values


class OperatingSystemProbe(Probe):
    name = "os"
    keys = ("os.name", "os.version", "os.build", "os.architecture")
    timeout = 3.0

    def __init__(self, host: Host) -> None:
        self.host = host

    def run(self) -> Mapping[str, Value]:
        return {WINDOWS: self._windows, MACOS: self._macos}.get(self.host.system, self._linux)()

    def _linux(self) -> dict[str, Value]:
        text = ""
        for candidate in ("/etc/os-release", "/usr/lib/os-release"):
            try:
                text = self.host.read_text(candidate)
                break
            except OSError:
                continue
        release = parse_os_release(text)
        values: dict[str, Value] = {
            "os.name": release.get("NAME") or "Linux",
            "os.version": release.get("VERSION") or release.get("VERSION_ID")
            or unknown("file_missing", file="/etc/os-release"),
        }
        try:
            values["os.build"] = self.host.read_text("/proc/sys/kernel/osrelease").strip()
        except OSError:
            values["os.build"] = platform.release() if self.host.root.as_posix() == "/" \
                else unknown("file_missing", file="/proc/sys/kernel/osrelease")
        values["os.architecture"] = platform.machine() or unknown("not_reported")
        return values

    def _windows(self) -> dict[str, Value]:
        registry = windows_registry(self.host)
        product = registry.value(NT_CURRENT_VERSION, "ProductName")
        if not isinstance(product, str):
            raise ProbeFailed("registry_missing", key=NT_CURRENT_VERSION)
        build = str(registry.value(NT_CURRENT_VERSION, "CurrentBuild")
                    or registry.value(NT_CURRENT_VERSION, "CurrentBuildNumber") or "")
        if build.isdigit() and int(build) >= WINDOWS_11_FIRST_BUILD:
            product = product.replace("Windows 10", "Windows 11")
        ubr = registry.value(NT_CURRENT_VERSION, "UBR")
        version = (registry.value(NT_CURRENT_VERSION, "DisplayVersion")
                   or registry.value(NT_CURRENT_VERSION, "ReleaseId"))
        arch = registry.value(ENVIRONMENT_KEY, "PROCESSOR_ARCHITECTURE")
        return {
            "os.name": product,
            "os.version": str(version) if version else unknown("not_reported"),
            "os.build": (f"{build}.{ubr}" if isinstance(ubr, int) else build) or unknown("not_reported"),
            "os.architecture": str(arch) if arch else unknown("not_reported"),
        }

    def _macos(self) -> dict[str, Value]:
        mac = self.host.mac
        if mac is None:
            raise ProbeFailed("not_available")
        info = mac.system_plist(SYSTEM_VERSION)
        try:
            arch: Value = _command_output(self.host, ["uname", "-m"], self.timeout / 2).strip()
        except ProbeFailed as exc:
            arch = exc.unknown
        return {
            "os.name": str(info.get("ProductName") or "macOS"),
            "os.version": str(info.get("ProductVersion") or "") or unknown("not_reported"),
            "os.build": str(info.get("ProductBuildVersion") or "") or unknown("not_reported"),
            "os.architecture": arch or unknown("not_reported"),
        }


class ProcessorProbe(Probe):
    name = "cpu"
    keys = ("cpu.model", "cpu.cores")
    timeout = 3.0

    def __init__(self, host: Host) -> None:
        self.host = host

    def run(self) -> Mapping[str, Value]:
        if self.host.system == WINDOWS:
            registry = windows_registry(self.host)
            cores = [k for k in registry.subkeys(CPU_KEY) if k.isdigit()]
            model = registry.value(f"{CPU_KEY}\\0", "ProcessorNameString")
            return {"cpu.model": " ".join(str(model).split()) if model else unknown("not_reported"),
                    "cpu.cores": str(len(cores)) if cores else unknown("not_reported")}
        if self.host.system == MACOS:
            lines = _command_output(self.host, ["sysctl", "-n", "machdep.cpu.brand_string",
                                                "hw.logicalcpu"], self.timeout).splitlines()
            if len(lines) < 2:
                raise ProbeFailed("unparseable", command="sysctl")
            return {"cpu.model": lines[0].strip(), "cpu.cores": lines[1].strip()}
        try:
            text = self.host.read_text("/proc/cpuinfo")
        except OSError:
            raise ProbeFailed("file_missing", file="/proc/cpuinfo") from None
        model = ""
        for field in ("model name", "Model", "Hardware", "cpu model"):
            match = re.search(rf"^{field}\s*:\s*(.+)$", text, re.MULTILINE)
            if match:
                model = " ".join(match.group(1).split())
                break
        count = len(re.findall(r"^processor\s*:", text, re.MULTILINE))
        return {"cpu.model": model or unknown("not_reported"),
                "cpu.cores": str(count) if count else unknown("not_reported")}


def gigabytes(size: int) -> str:
    """Installed memory as people name it: 15.6 GiB usable is "16 GB"."""
    return f"{max(1, round(size / 1024 ** 3))} GB"


class MemoryProbe(Probe):
    name = "memory"
    keys = ("memory.total",)
    timeout = 2.0

    def __init__(self, host: Host) -> None:
        self.host = host

    def run(self) -> Mapping[str, Value]:
        if self.host.system == WINDOWS:
            from capture_app.core.environment.probes import winapi

            size = winapi.total_memory() if winapi.available(self.host) else None
            if size is None:
                raise ProbeFailed("not_available")
            return {"memory.total": gigabytes(size)}
        if self.host.system == MACOS:
            text = _command_output(self.host, ["sysctl", "-n", "hw.memsize"], self.timeout).strip()
            if not text.isdigit():
                raise ProbeFailed("unparseable", command="sysctl")
            return {"memory.total": gigabytes(int(text))}
        try:
            text = self.host.read_text("/proc/meminfo")
        except OSError:
            raise ProbeFailed("file_missing", file="/proc/meminfo") from None
        match = re.search(r"^MemTotal:\s*(\d+)\s*kB", text, re.MULTILINE)
        if not match:
            raise ProbeFailed("unparseable", command="/proc/meminfo")
        return {"memory.total": gigabytes(int(match.group(1)) * 1024)}


# SMBIOS chassis types (DMTF DSP0134): portable ones, and the tablet.
_LAPTOP_CHASSIS = {8, 9, 10, 14, 31, 32}
_TABLET_CHASSIS = {30}


def device_text(kind: str) -> Text:
    return Text(f"ui.device.{kind}")


class DeviceTypeProbe(Probe):
    """Laptop or desktop: what Flexperto asks as "which device"."""

    name = "device"
    keys = ("device.type",)
    timeout = 3.0

    def __init__(self, host: Host) -> None:
        self.host = host

    def run(self) -> Mapping[str, Value]:
        return {"device.type": device_text(self._kind())}

    def _kind(self) -> str:
        if self.host.system == WINDOWS:
            from capture_app.core.environment.probes import winapi

            battery = winapi.has_battery() if winapi.available(self.host) else None
            if battery is None:
                raise ProbeFailed("not_available")
            return "laptop" if battery else "desktop"
        if self.host.system == MACOS:
            model = _command_output(self.host, ["sysctl", "-n", "hw.model"], self.timeout / 2).strip()
            if model.startswith("MacBook"):
                return "laptop"
            if model.startswith(("iMac", "Macmini", "MacPro")):
                return "desktop"
            # Newer models are all called "MacNN,N": a built-in battery tells a laptop.
            batteries = _command_output(self.host, ["pmset", "-g", "batt"], self.timeout / 2)
            return "laptop" if "InternalBattery" in batteries else "desktop"
        try:
            chassis = int(self.host.read_text("/sys/class/dmi/id/chassis_type").strip())
        except (OSError, ValueError):
            chassis = 0
        if chassis in _LAPTOP_CHASSIS:
            return "laptop"
        if chassis in _TABLET_CHASSIS:
            return "tablet"
        supplies = self.host.path("/sys/class/power_supply")
        try:
            listed = [(entry / "type").read_text().strip() for entry in supplies.iterdir()]
        except OSError:
            listed = None  # the kernel does not say
        if listed and "Battery" in listed:
            return "laptop"
        if chassis or listed is not None:  # power supplies, none a battery: not a laptop
            return "desktop"
        raise ProbeFailed("not_reported")


class AppProbe(Probe):
    name = "app"
    keys = ("app.version", "app.python", "app.qt")
    timeout = 2.0

    def run(self) -> Mapping[str, Value]:
        return dict(_app_versions())


@functools.lru_cache(maxsize=1)
def _app_versions() -> tuple[tuple[str, Value], ...]:
    """Versions of this process never change; reading package metadata is slow the first time."""
    from importlib import metadata

    from capture_app import __version__

    qt: Value = unknown("not_reported")
    for distribution in ("PySide6-Essentials", "PySide6"):
        try:
            qt = metadata.version(distribution)
            break
        except metadata.PackageNotFoundError:
            continue
    return (("app.version", __version__), ("app.python", platform.python_version()),
            ("app.qt", qt))
