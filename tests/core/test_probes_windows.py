"""Windows detection, on registry exports recorded with regedit (UTF-16, as regedit writes them)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from capture_app.core.environment.probes import collect
from capture_app.core.environment.probes.base import Unknown, render_value
from capture_app.core.environment.probes.browsers import BrowsersProbe
from capture_app.core.environment.probes.host import WINDOWS, Host
from capture_app.core.environment.probes.media import CameraProbe, MicrophoneProbe
from capture_app.core.environment.probes.proxy import ProxyProbe
from capture_app.core.environment.probes.regional import LocaleProbe, TimeZoneProbe
from capture_app.core.environment.probes.registry import ExportedRegistry, RegFileError
from capture_app.core.environment.probes.system import (
    MemoryProbe,
    OperatingSystemProbe,
    ProcessorProbe,
)
from capture_app.core.environment.system_info import advisor_side

FIXTURES = Path(__file__).parent / "fixtures" / "probes" / "windows"
SUMMER = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)


def windows(name: str) -> Host:
    return Host(system=WINDOWS, env={}, registry=ExportedRegistry([FIXTURES / name]))


def values_of(*probes) -> dict[str, str]:
    return collect(list(probes)).rendered("de")


@pytest.fixture
def laptop() -> Host:
    return windows("win11-enterprise-laptop.reg")


@pytest.fixture
def home_office() -> Host:
    return windows("win10-pro-home-office.reg")


def test_the_export_reader_understands_regedit_value_types(laptop):
    registry = laptop.registry
    key = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows NT\CurrentVersion"
    assert registry.value(key, "UBR") == 0xF8E
    assert registry.value(r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion", "productname") == \
        "Windows 10 Enterprise"
    assert registry.value(key, "DigitalProductId") is None  # binary data is not a fact
    assert registry.value(r"HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment",
                          "ComSpec") == r"%SystemRoot%\system32\cmd.exe"
    assert registry.value(r"HKCU\Control Panel\International\User Profile", "Languages") == "de-DE; en-US"
    assert registry.subkeys(r"HKLM\HARDWARE\DESCRIPTION\System\CentralProcessor") == ["0", "1", "2", "3"]
    assert registry.value(r"HKLM\SOFTWARE\Does\Not\Exist", "x") is None
    assert registry.subkeys(r"HKLM\SOFTWARE\Does\Not\Exist") == []


def test_a_file_that_is_not_a_registry_export_is_refused(tmp_path):
    bogus = tmp_path / "notes.reg"
    bogus.write_text("hello\n[HKEY_LOCAL_MACHINE\\X]\n", encoding="utf-8")
    with pytest.raises(RegFileError):
        ExportedRegistry([bogus])


def test_windows_11_is_named_so_although_the_registry_says_windows_10(laptop, home_office):
    values = values_of(OperatingSystemProbe(laptop))
    assert values == {"os.name": "Windows 11 Enterprise", "os.version": "23H2",
                      "os.build": "22631.3982", "os.architecture": "AMD64"}
    values = values_of(OperatingSystemProbe(home_office))
    assert values["os.name"] == "Windows 10 Pro" and values["os.build"] == "19045.5197"


def test_processor_locale_and_time_zone(laptop, home_office):
    values = values_of(ProcessorProbe(laptop), LocaleProbe(laptop), TimeZoneProbe(laptop, now=lambda: SUMMER))
    assert values["cpu.model"] == "12th Gen Intel(R) Core(TM) i5-1245U"
    assert values["cpu.cores"] == "4"
    assert values["locale.system"] == "de-DE"
    assert values["locale.languages"] == "de-DE; en-US"
    # ActiveTimeBias is the offset in effect when the export was made (winter: UTC+1).
    assert values["timezone.name"] == "W. Europe Standard Time (Europe/Berlin)"
    assert values["timezone.utc_offset"] == "UTC+01:00"
    summer = values_of(TimeZoneProbe(home_office))
    assert summer["timezone.utc_offset"] == "UTC+02:00"
    assert values_of(ProcessorProbe(home_office))["cpu.model"] == "AMD Ryzen 5 PRO 4650U with Radeon Graphics"


def test_proxy_settings_from_internet_options(laptop, home_office):
    values = values_of(ProxyProbe(laptop))
    assert values["proxy.http"] == values["proxy.https"] == "proxy.musterbank.local:8080"
    assert values["proxy.no_proxy"] == "*.musterbank.local;<local>"
    assert values["proxy.pac"] == "http://wpad.musterbank.local/proxy.pac"
    values = values_of(ProxyProbe(home_office))
    assert values["proxy.http"] == "proxy.versicherung.local:3128"
    assert values["proxy.https"] == "proxy.versicherung.local:3129"
    assert values["proxy.pac"] == "nicht eingestellt"


def test_browsers_with_exact_versions_and_the_default(laptop, home_office):
    values = values_of(BrowsersProbe(laptop))
    assert values["browsers.chrome"] == "131.0.6778.86"
    assert values["browsers.edge"] == "131.0.2903.70"  # not the WebView2 runtime, not the updater
    assert values["browsers.firefox"] == "128.5.1"
    assert values["browsers.default"] == "Edge"
    assert values["browsers.installed"] == "Chrome 131.0.6778.86, Edge 131.0.2903.70, Firefox 128.5.1"
    values = values_of(BrowsersProbe(home_office))
    assert values["browsers.opera"] == "114.0.5282.102"
    assert values["browsers.brave"] == "131.1.73.101"  # the running version (beacon), newer than the installer's
    assert values["browsers.chromium"] == "131.0.6778.85"  # installed per user: only the beacon knows
    assert values["browsers.safari"] == "5.34.57.2"
    assert values["browsers.firefox"] == "133.0"
    assert values["browsers.default"] == "Firefox"
    assert "browsers.chrome" not in values and "browsers.edge" not in values


def test_cameras_and_microphones_by_name_only_present_ones(laptop):
    values = values_of(CameraProbe(laptop), MicrophoneProbe(laptop))
    assert values["devices.cameras"] == "Integrated Camera"  # the unplugged BRIO is not listed
    assert values["devices.microphones"] == ("Mikrofonarray (Realtek(R) Audio); "
                                             "Headset Microphone (Jabra Evolve2 65)")  # not the disabled Stereomix


def test_memory_without_the_windows_api_is_unknown_with_a_reason(laptop):
    value = collect([MemoryProbe(laptop)]).values()["memory.total"]
    assert isinstance(value, Unknown)
    assert render_value(value, "de") == "unbekannt (auf diesem System nicht abfragbar)"


def test_the_advisor_side_comes_from_the_default_browser(laptop):
    side = advisor_side(collect([OperatingSystemProbe(laptop), BrowsersProbe(laptop)]).values(), "de")
    assert side == {"os": "Windows 11 Enterprise", "os_version": "23H2 (Build 22631.3982)",
                    "browser": "Edge", "browser_version": "131.0.2903.70"}
