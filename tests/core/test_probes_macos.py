"""macOS detection, on Info.plist files and system_profiler output recorded on a MacBook Pro."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from capture_app.core.environment.probes import collect
from capture_app.core.environment.probes.browsers import BrowsersProbe
from capture_app.core.environment.probes.commands import CommandError, CommandResult
from capture_app.core.environment.probes.displays import DisplaysProbe
from capture_app.core.environment.probes.host import MACOS, Host
from capture_app.core.environment.probes.macos import MacOS
from capture_app.core.environment.probes.media import CameraProbe, MicrophoneProbe
from capture_app.core.environment.probes.proxy import ProxyProbe
from capture_app.core.environment.probes.regional import LocaleProbe, TimeZoneProbe
from capture_app.core.environment.probes.system import (
    DeviceTypeProbe,
    MemoryProbe,
    OperatingSystemProbe,
    ProcessorProbe,
)
from capture_app.core.environment.system_info import advisor_side

FIXTURES = Path(__file__).parent / "fixtures" / "probes" / "macos"


class Recorded:
    """Answers commands with what they printed on the Mac the fixtures were recorded on."""

    def __init__(self):
        self.table = json.loads((FIXTURES / "commands.json").read_text(encoding="utf-8"))
        self.asked: list[str] = []

    def __call__(self, argv, timeout):
        line = " ".join(argv)
        self.asked.append(line)
        if line not in self.table:
            raise CommandError("command_missing", command=argv[0])
        entry = self.table[line]
        out = (FIXTURES / entry["file"]).read_text(encoding="utf-8") if "file" in entry else entry["stdout"]
        return CommandResult(tuple(argv), 0, out, "")


@pytest.fixture
def mac(tmp_path) -> Host:
    root = tmp_path / "mac"
    shutil.copytree(FIXTURES / "sonoma-macbook", root, symlinks=True)
    (root / "etc").mkdir()
    os.symlink("/var/db/timezone/zoneinfo/Europe/Berlin", root / "etc/localtime")
    runner = Recorded()
    return Host(system=MACOS, root=root, env={}, run=runner,
                mac=MacOS(root=root, home=root / "Users/anna", run=runner))


def values_of(*probes) -> dict[str, str]:
    return collect(list(probes)).rendered("de")


def test_system_version_processor_memory_and_kind_of_device(mac):
    values = values_of(OperatingSystemProbe(mac), ProcessorProbe(mac), MemoryProbe(mac), DeviceTypeProbe(mac))
    assert values == {"os.name": "macOS", "os.version": "14.7.1", "os.build": "23H222",
                      "os.architecture": "arm64", "cpu.model": "Apple M1 Pro", "cpu.cores": "10",
                      "memory.total": "16 GB", "device.type": "Laptop"}


def test_every_browser_bundle_with_its_version_and_the_default(mac):
    values = values_of(BrowsersProbe(mac))
    assert {key: value for key, value in values.items() if key.startswith("browsers.") and
            key not in ("browsers.installed", "browsers.default")} == {
        "browsers.chrome": "131.0.6778.86", "browsers.edge": "131.0.2903.70",
        "browsers.firefox": "133.0", "browsers.safari": "18.1.1", "browsers.opera": "114.0.5282.185",
        "browsers.brave": "131.1.73.97", "browsers.chromium": "133.0.6876.0"}
    assert values["browsers.default"] == "Chrome"


def test_safari_is_the_default_when_launch_services_was_never_changed(mac):
    (mac.mac.home / "Library/Preferences/com.apple.LaunchServices/com.apple.launchservices.secure.plist").unlink()
    assert values_of(BrowsersProbe(mac))["browsers.default"] == "Safari"


def test_a_damaged_browser_bundle_is_listed_as_unknown_with_the_reason(mac):
    plist = mac.root / "Applications/Firefox.app/Contents/Info.plist"
    plist.write_bytes(plist.read_bytes()[:60])
    values = values_of(BrowsersProbe(mac))
    assert values["browsers.firefox"].startswith("unbekannt (die Datei ")
    assert "Firefox.app/Contents/Info.plist ist nicht lesbar" in values["browsers.firefox"]
    assert values["browsers.chrome"] == "131.0.6778.86"  # the others are still there


def test_cameras_microphones_and_displays_from_system_profiler(mac):
    values = values_of(CameraProbe(mac), MicrophoneProbe(mac), DisplaysProbe(mac))
    assert values["devices.cameras"] == "FaceTime HD Camera; Anna’s iPhone Camera"
    # Only devices with input channels; the speakers are not a microphone.
    assert values["devices.microphones"] == "MacBook Pro Microphone; Jabra Evolve2 65; Microsoft Teams Audio"
    assert values["displays.count"] == "2"
    assert values["displays.list"] == "3024×1964, 200 %; 3840×2160, 150 %"


def test_locale_time_zone_and_proxy(mac):
    values = values_of(LocaleProbe(mac), TimeZoneProbe(mac), ProxyProbe(mac))
    assert values["locale.system"] == "de_DE"
    assert values["locale.languages"] == "de-DE; en-DE"
    assert values["timezone.name"] == "Europe/Berlin"
    assert values["timezone.utc_offset"] in ("UTC+01:00", "UTC+02:00")
    assert values["proxy.https"] == "proxy.musterbank.de:8080"
    assert values["proxy.no_proxy"] == "*.local, 169.254/16, *.musterbank.de"
    assert values["proxy.pac"] == "nicht eingestellt"


def test_system_profiler_missing_gives_unknown_not_a_failure_of_everything(mac):
    mac.run.table.pop("system_profiler -json SPCameraDataType")
    values = values_of(CameraProbe(mac), MicrophoneProbe(mac))
    assert values["devices.cameras"] == "unbekannt (das Programm „system_profiler“ ist nicht installiert)"
    assert values["devices.microphones"].startswith("MacBook Pro Microphone")


def test_the_advisor_side_of_the_mac(mac):
    side = advisor_side(collect([OperatingSystemProbe(mac), DeviceTypeProbe(mac), BrowsersProbe(mac)]).values())
    assert side == {"device_type": "laptop", "os": "macOS", "os_version": "14.7.1 (Build 23H222)",
                    "browser": "Chrome", "browser_version": "131.0.6778.86"}
