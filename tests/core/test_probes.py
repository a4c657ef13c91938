"""The probe machinery and the Linux probes, run for real on this machine.

Where Linux has no device to attach here (cameras, sound cards, batteries), the probes read a
folder laid out exactly like /sys and /proc on machines that have them.
"""
from __future__ import annotations

import os
import platform
import re
import threading
import time
from pathlib import Path

import pytest

from capture_app.core.environment.probes import Probe, collect, default_probes
from capture_app.core.environment.probes.base import ProbeFailed, Unknown, render_value, unknown
from capture_app.core.environment.probes.commands import CommandError, run_command
from capture_app.core.environment.probes.displays import DisplaysProbe, Screen
from capture_app.core.environment.probes.host import LINUX, Host
from capture_app.core.environment.probes.media import CameraProbe, MicrophoneProbe
from capture_app.core.environment.probes.proxy import ProxyProbe
from capture_app.core.environment.probes.regional import LocaleProbe, TimeZoneProbe
from capture_app.core.environment.probes.system import (
    DeviceTypeProbe,
    MemoryProbe,
    OperatingSystemProbe,
    ProcessorProbe,
    parse_os_release,
)


class Answering(Probe):
    def __init__(self, name, values, delay=0.0):
        self.name, self.keys, self._values, self._delay = name, tuple(values), values, delay

    def run(self):
        time.sleep(self._delay)
        return self._values


class Hanging(Probe):
    name, keys, timeout = "hanging", ("hang.value",), 0.3

    def __init__(self):
        self.release = threading.Event()

    def run(self):
        self.release.wait(30)
        return {"hang.value": "too late"}


class Crashing(Probe):
    name, keys = "crashing", ("crash.a", "crash.b")

    def run(self):
        raise ZeroDivisionError


class Refusing(Probe):
    name, keys = "refusing", ("refuse.value",)

    def run(self):
        raise ProbeFailed("file_missing", file="/etc/nothing")


def test_one_failing_hanging_or_crashing_probe_does_not_break_the_others():
    hanging = Hanging()
    progress = []
    collection = collect([Answering("fine", {"fine.value": "42"}), hanging, Crashing(), Refusing()],
                         progress=lambda done, total: progress.append((done, total)))
    hanging.release.set()
    values = collection.rendered("de")
    assert values == {
        "fine.value": "42",
        "hang.value": "unbekannt (keine Antwort innerhalb von 0.3 s)",
        "crash.a": "unbekannt (interner Fehler beim Ermitteln (ZeroDivisionError))",
        "crash.b": "unbekannt (interner Fehler beim Ermitteln (ZeroDivisionError))",
        "refuse.value": "unbekannt (die Datei /etc/nothing fehlt)",
    }
    assert collection.result("hanging").timed_out
    assert [done for done, _ in progress] == [1, 2, 3, 4] and {t for _, t in progress} == {4}
    assert collection.rendered("en")["hang.value"] == "unknown (no answer within 0.3 s)"


def test_probes_run_at_the_same_time():
    started = []
    barrier = threading.Barrier(3, timeout=5)

    class Meeting(Probe):
        keys, timeout = ("met",), 10

        def __init__(self, name):
            self.name = name

        def run(self):
            started.append(self.name)
            barrier.wait()  # only passes if all three run at once
            return {"met": "yes"}

    collection = collect([Meeting("a"), Meeting("b"), Meeting("c")])
    assert [r.timed_out for r in collection.results] == [False, False, False]
    assert sorted(started) == ["a", "b", "c"]


def test_a_key_the_probe_forgot_is_still_answered():
    assert isinstance(collect([Answering("partial", {})]).values(), dict)
    probe = Answering("partial", {"a": "1"})
    probe.keys = ("a", "b")
    assert collect([probe]).rendered("de")["b"] == "unbekannt (vom System nicht angegeben)"


def test_a_command_that_hangs_is_killed_with_its_children(tmp_path):
    pids = tmp_path / "pids"
    script = tmp_path / "slow"
    script.write_text(f"#!/bin/sh\nsleep 300 &\necho $$ $! > {pids}\nwait\n")
    script.chmod(0o755)
    with pytest.raises(CommandError) as caught:
        run_command([str(script)], 0.5)
    assert caught.value.reason_key == "command_timeout"
    for pid in map(int, pids.read_text().split()):
        deadline = time.monotonic() + 5
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
            if state == "Z":
                break
            time.sleep(0.05)
        else:
            assert not Path(f"/proc/{pid}").exists()


def test_a_missing_program_is_named():
    with pytest.raises(CommandError) as caught:
        run_command(["no-such-program-here"], 1)
    assert caught.value.reason_key == "command_missing"


# --- Linux, for real --------------------------------------------------------------------------

def real_host(**env) -> Host:
    return Host(system=LINUX, env={**os.environ, **env})


def test_operating_system_processor_and_memory_of_this_machine():
    values = collect([OperatingSystemProbe(real_host()), ProcessorProbe(real_host()),
                      MemoryProbe(real_host())]).rendered("de")
    release = parse_os_release(Path("/etc/os-release").read_text())
    assert values["os.name"] == release["NAME"]
    assert values["os.version"] == release.get("VERSION", release.get("VERSION_ID"))
    assert values["os.build"] == platform.release()
    assert values["os.architecture"] == platform.machine()
    assert values["cpu.cores"] == str(len(re.findall(r"^processor\s*:", Path("/proc/cpuinfo").read_text(), re.M)))
    total_kib = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
    assert values["memory.total"] == f"{max(1, round(total_kib / 1024 ** 2))} GB"


def test_locale_time_zone_and_offset_follow_the_environment():
    host = real_host(LANG="de_DE.UTF-8", LANGUAGE="de_DE:en", LC_ALL="", LC_MESSAGES="", TZ="Europe/Berlin")
    values = collect([LocaleProbe(host), TimeZoneProbe(host)]).rendered("de")
    assert values["locale.system"] == "de_DE.UTF-8"
    assert values["locale.languages"] == "de_DE; en"
    assert values["timezone.name"] == "Europe/Berlin"
    assert values["timezone.utc_offset"] in ("UTC+01:00", "UTC+02:00")
    zone = collect([TimeZoneProbe(real_host(TZ="America/New_York"))]).rendered("de")
    assert zone["timezone.utc_offset"] in ("UTC-05:00", "UTC-04:00")


def test_proxy_credentials_are_never_reported():
    host = real_host(https_proxy="http://anna.muster:Geheim%2142@proxy.bank.local:3128",
                     HTTP_PROXY="proxy.bank.local:3128", no_proxy="localhost,.bank.local")
    values = collect([ProxyProbe(host)]).rendered("de")
    assert values["proxy.https"] == "http://proxy.bank.local:3128 (mit Anmeldedaten, hier nicht angezeigt)"
    assert values["proxy.http"] == "proxy.bank.local:3128"
    assert values["proxy.no_proxy"] == "localhost,.bank.local"
    assert "Geheim" not in repr(values) and "anna.muster" not in repr(values)


def test_displays_from_a_real_x_server_with_two_monitors():
    from xdisplay import XServer

    with XServer(1600, 600, monitors=[(1000, 600, 0, 0), (600, 400, 1000, 100)]) as x:
        values = collect([DisplaysProbe(real_host(DISPLAY=x.display))]).rendered("de")
    assert values == {"displays.count": "2", "displays.list": "1000×600; 600×400"}


def test_displays_handed_in_by_the_ui_carry_the_scale_factor():
    probe = DisplaysProbe(real_host(DISPLAY=""), screens=[Screen(2880, 1800, 2.0), Screen(1920, 1080, 1.25)])
    assert collect([probe]).rendered("de") == {"displays.count": "2",
                                              "displays.list": "2880×1800, 200 %; 1920×1080, 125 %"}


def test_no_display_at_all_is_unknown_with_the_reason(tmp_path):
    host = Host(system=LINUX, root=tmp_path, env={})
    assert collect([DisplaysProbe(host)]).rendered("de")["displays.count"] == \
        "unbekannt (kein Bildschirm gefunden)"


# --- Linux devices, from a /sys and /proc laid out as on machines that have them -----------

def lay_out(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def test_cameras_one_name_per_camera_from_video4linux(tmp_path):
    lay_out(tmp_path, {
        "/sys/class/video4linux/video0/name": "Integrated Camera: Integrated C\n",
        "/sys/class/video4linux/video0/index": "0\n",
        "/sys/class/video4linux/video1/name": "Integrated Camera: Integrated C\n",
        "/sys/class/video4linux/video1/index": "1\n",  # the metadata node of the same camera
        "/sys/class/video4linux/video2/name": "Logitech BRIO\n",
        "/sys/class/video4linux/video2/index": "0\n",
    })
    host = Host(system=LINUX, root=tmp_path, env={})
    assert collect([CameraProbe(host)]).rendered("de") == {
        "devices.cameras": "Integrated Camera: Integrated C; Logitech BRIO"}
    assert collect([CameraProbe(Host(system=LINUX, root=tmp_path / "none", env={}))]).rendered("de") == {
        "devices.cameras": "keine gefunden"}


def test_microphones_from_alsa_when_no_sound_server_answers(tmp_path):
    lay_out(tmp_path, {"/proc/asound/pcm": (
        "00-00: ALC3246 Analog : ALC3246 Analog : playback 1 : capture 1\n"
        "00-03: HDMI 0 : HDMI 0 : playback 1\n"
        "01-00: USB Audio : USB Audio : playback 1 : capture 1\n")})
    host = Host(system=LINUX, root=tmp_path, env={"PATH": os.environ["PATH"],
                                                 "PULSE_SERVER": f"unix:{tmp_path}/no-such-socket"})
    assert collect([MicrophoneProbe(host)]).rendered("de") == {
        "devices.microphones": "ALC3246 Analog; USB Audio"}


@pytest.mark.parametrize("files, expected", [
    ({"/sys/class/dmi/id/chassis_type": "10\n"}, "Laptop"),
    ({"/sys/class/dmi/id/chassis_type": "3\n"}, "Desktop-PC"),
    ({"/sys/class/dmi/id/chassis_type": "1\n", "/sys/class/power_supply/BAT0/type": "Battery\n"}, "Laptop"),
    # No chassis type (a virtual machine, some desktops), and the kernel's power supplies hold no
    # battery: not a laptop.
    ({"/sys/class/power_supply/AC/type": "Mains\n"}, "Desktop-PC"),
    ({}, "unbekannt (vom System nicht angegeben)"),
])
def test_laptop_or_desktop(tmp_path, files, expected):
    lay_out(tmp_path, files)
    host = Host(system=LINUX, root=tmp_path, env={})
    assert collect([DeviceTypeProbe(host)]).rendered("de") == {"device.type": expected}


def test_every_default_probe_answers_every_key_on_this_machine():
    collection = collect(default_probes(None))
    values = collection.values()
    for probe in default_probes(None):
        for key in probe.keys:
            assert key in values, key
            assert isinstance(render_value(values[key], "de"), str) and render_value(values[key], "de")
    assert not any(r.timed_out for r in collection.results)
    assert values["network.instance"] != "" and not isinstance(values["app.version"], Unknown)


def test_unknown_renders_its_reason_in_both_languages():
    value = unknown("command_timeout", command="chromium", seconds="2")
    assert render_value(value, "de") == "unbekannt („chromium“ hat nach 2 s nicht geantwortet und wurde beendet)"
    assert render_value(value, "en") == "unknown (\"chromium\" did not answer within 2 s and was stopped)"


def test_a_machine_whose_kernel_lists_no_power_supply_at_all_is_a_desktop(tmp_path):
    (tmp_path / "sys/class/power_supply").mkdir(parents=True)  # a virtual machine, a desktop PC
    host = Host(system=LINUX, root=tmp_path, env={})
    assert collect([DeviceTypeProbe(host)]).rendered("de") == {"device.type": "Desktop-PC"}
