"""Cameras and microphones present on this machine, by name only (video consultations need both)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from capture_app.core.environment.probes.base import Probe, ProbeFailed, Value, windows_registry
from capture_app.core.environment.probes.commands import CommandError
from capture_app.core.environment.probes.host import MACOS, WINDOWS, Host
from capture_app.core.platform.config import Text

NONE_FOUND = Text("probes.value.none_found")

# Windows: interface class of video cameras (KSCATEGORY_VIDEO_CAMERA) and the audio endpoints.
CAMERA_INTERFACES = r"HKLM\SYSTEM\CurrentControlSet\Control\DeviceClasses\{e5323777-f976-4f5b-9b55-b94699c46e44}"
DEVICE_ENUM = r"HKLM\SYSTEM\CurrentControlSet\Enum"
CAPTURE_ENDPOINTS = r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\MMDevices\Audio\Capture"
PKEY_DEVICE_DESCRIPTION = "{a45c254e-df1c-4efd-8020-67d146a850e0},2"  # "Mikrofon"
PKEY_INTERFACE_NAME = "{b3f8fa53-0004-438e-9003-51a46e139bfc},6"  # "Realtek(R) Audio"
DEVICE_STATE_ACTIVE = 1


def _names(found: list[str]) -> Value:
    unique = list(dict.fromkeys(name.strip() for name in found if name and name.strip()))
    return "; ".join(unique) if unique else NONE_FOUND


def _description(text: str) -> str:
    """``@oem42.inf,%usbvideo.devicedesc%;Integrated Camera`` → ``Integrated Camera``."""
    return text.rsplit(";", 1)[-1] if text.startswith("@") else text


class _DeviceProbe(Probe):
    """Device names from the registry (Windows), system_profiler (macOS) or the system (Linux)."""

    key: str  # the one value this probe gives
    profiler_type: str  # system_profiler's data type on macOS
    timeout = 5.0

    def __init__(self, host: Host) -> None:
        self.host = host

    def run(self) -> Mapping[str, Value]:
        if self.host.system == WINDOWS:
            return {self.key: _names(self._windows())}
        if self.host.system == MACOS:
            if self.host.mac is None:
                raise ProbeFailed("not_available")
            entries = self.host.mac.system_profiler(self.profiler_type, self.timeout * 0.9)
            return {self.key: _names(self._mac(entries))}
        return {self.key: _names(self._linux())}

    def _windows(self) -> list[str]:
        raise NotImplementedError

    def _mac(self, entries: list[Any]) -> list[str]:
        raise NotImplementedError

    def _linux(self) -> list[str]:
        raise NotImplementedError


class CameraProbe(_DeviceProbe):
    name = "cameras"
    key = "devices.cameras"
    keys = (key,)
    profiler_type = "SPCameraDataType"

    def _mac(self, entries: list[Any]) -> list[str]:
        return [str(entry.get("_name", "")) for entry in entries]

    def _linux(self) -> list[str]:
        folder = self.host.path("/sys/class/video4linux")
        try:
            nodes = sorted(folder.iterdir(), key=lambda p: (len(p.name), p.name))
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ProbeFailed("file_unreadable", file=str(folder), error=type(exc).__name__) from None
        names = []
        for node in nodes:
            try:
                # A camera has several nodes (video, metadata); index 0 is the picture itself.
                index = (node / "index").read_text().strip() if (node / "index").exists() else "0"
                if index == "0":
                    names.append((node / "name").read_text(errors="replace").strip())
            except OSError:
                continue
        return names

    def _windows(self) -> list[str]:
        registry = windows_registry(self.host)
        names = []
        for interface in registry.subkeys(CAMERA_INTERFACES):
            key = f"{CAMERA_INTERFACES}\\{interface}"
            linked = registry.value(f"{key}\\#\\Control", "Linked")
            if linked is not None and linked != 1:
                continue  # the interface exists but the camera is unplugged or disabled
            instance = registry.value(key, "DeviceInstance")
            name = None
            if isinstance(instance, str):
                device = f"{DEVICE_ENUM}\\{instance}"
                name = registry.value(device, "FriendlyName") or registry.value(device, "DeviceDesc")
            name = name or registry.value(f"{key}\\#GLOBAL\\Device Parameters", "FriendlyName")
            if isinstance(name, str):
                names.append(_description(name))
        return names


class MicrophoneProbe(_DeviceProbe):
    name = "microphones"
    key = "devices.microphones"
    keys = (key,)
    profiler_type = "SPAudioDataType"

    def _mac(self, entries: list[Any]) -> list[str]:
        return [str(item.get("_name", "")) for group in entries
                for item in group.get("_items", []) or []
                if isinstance(item, dict) and item.get("coreaudio_device_input")]

    def _linux(self) -> list[str]:
        names = self._pulseaudio()
        return names if names is not None else self._alsa()

    def _pulseaudio(self) -> list[str] | None:
        """Sources of the running PulseAudio/PipeWire server; ``None`` if there is none to ask."""
        try:
            result = self.host.command(["pactl", "list", "sources"], self.timeout * 0.6)
        except CommandError:
            return None
        if result.returncode != 0:
            return None
        names = []
        for block in re.split(r"\n(?=\S)", result.stdout):
            name = re.search(r"^\s*Name:\s*(.+)$", block, re.MULTILINE)
            description = re.search(r"^\s*Description:\s*(.+)$", block, re.MULTILINE)
            if not name or name.group(1).strip().endswith(".monitor"):
                continue  # the "monitor" of a loudspeaker is not a microphone
            names.append((description or name).group(1).strip())
        return names

    def _alsa(self) -> list[str]:
        try:
            text = self.host.read_text("/proc/asound/pcm")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ProbeFailed("file_unreadable", file="/proc/asound/pcm", error=type(exc).__name__) from None
        names = []
        for line in text.splitlines():
            # "00-00: ALC3246 Analog : ALC3246 Analog : playback 1 : capture 1"
            parts = [part.strip() for part in line.split(":")]
            if len(parts) >= 3 and any(part.startswith("capture") for part in parts[3:]):
                names.append(parts[1])
        return names

    def _windows(self) -> list[str]:
        registry = windows_registry(self.host)
        names = []
        for endpoint in registry.subkeys(CAPTURE_ENDPOINTS):
            key = f"{CAPTURE_ENDPOINTS}\\{endpoint}"
            if registry.value(key, "DeviceState") != DEVICE_STATE_ACTIVE:
                continue
            properties = f"{key}\\Properties"
            description = registry.value(properties, PKEY_DEVICE_DESCRIPTION)
            interface = registry.value(properties, PKEY_INTERFACE_NAME)
            if isinstance(description, str) and isinstance(interface, str):
                names.append(f"{description} ({interface})")
            elif isinstance(description, str) or isinstance(interface, str):
                names.append(str(description or interface))
        return names
