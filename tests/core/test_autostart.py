"""Start at login: a real XDG autostart file (validated and launched by GLib), a real macOS
LaunchAgent plist, and the Windows Run key through a fake registry."""
from __future__ import annotations

import json
import plistlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from capture_app.__main__ import build_parser
from capture_app.core.platform import autostart
from capture_app.core.platform.autostart import (
    AutostartError,
    LaunchAgent,
    WindowsRunKey,
    XdgAutostart,
    apply,
    desktop_exec,
    launch_command,
)

ARGV_WRITER = """
import json, sys
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(sys.argv[2:], out)
"""
TRICKY = ["--background", "a b", 'say "hi"', "cost $HOME", "back\\slash", "100%", "x=y", "`cmd`",
          "ümlaut"]


def test_the_command_starts_the_app_in_the_background():
    assert launch_command(frozen=False, executable="/opt/rc/bin/python") == [
        "/opt/rc/bin/python", "-m", "capture_app", "--background"]
    assert launch_command(frozen=True, executable=r"C:\Program Files\Report Capture\rc.exe") == [
        r"C:\Program Files\Report Capture\rc.exe", "--background"]
    args = build_parser().parse_args(["--background"])
    assert args.background is True


def test_each_system_gets_its_own_kind():
    assert isinstance(autostart.for_this_system("win32"), WindowsRunKey)
    assert isinstance(autostart.for_this_system("darwin"), LaunchAgent)
    assert isinstance(autostart.for_this_system("linux"), XdgAutostart)


# --- Linux: XDG autostart ---------------------------------------------------------------------


def test_xdg_autostart_file_is_valid_and_launches_the_exact_command(tmp_path):
    validator, gio = shutil.which("desktop-file-validate"), shutil.which("gio")
    assert validator and gio, "python3 dev.py test installs desktop-file-utils and libglib2.0-bin"
    folder = tmp_path / "config dir" / "autostart"
    script = tmp_path / "dir with space" / "write args.py"
    script.parent.mkdir()
    script.write_text(ARGV_WRITER, encoding="utf-8")
    out = tmp_path / "argv.json"
    entry = XdgAutostart(folder)
    assert not entry.is_enabled()
    entry.enable([sys.executable, str(script), str(out), *TRICKY])
    assert entry.is_enabled()
    text = entry.file.read_text(encoding="utf-8")
    assert "X-GNOME-Autostart-enabled=true" in text and "Name=Report Capture" in text
    result = subprocess.run([validator, str(entry.file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # GLib's launcher parses Exec= the way desktop sessions do at login.
    subprocess.run([gio, "launch", str(entry.file)], check=True, timeout=30,
                   env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    deadline = time.monotonic() + 20
    while not out.exists():
        assert time.monotonic() < deadline, "the autostart command did not run"
        time.sleep(0.05)
    time.sleep(0.1)
    assert json.loads(out.read_text(encoding="utf-8")) == TRICKY
    entry.disable()
    assert not entry.file.exists() and not entry.is_enabled()
    entry.disable()  # already off: nothing to do, no error


def test_xdg_folder_follows_xdg_config_home(tmp_path):
    assert autostart.xdg_autostart_dir({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "autostart"
    assert autostart.xdg_autostart_dir({"HOME": "/home/agent"}) == Path("/home/agent/.config/autostart")


def test_plain_arguments_stay_unquoted():
    assert desktop_exec(["/usr/bin/python3", "-m", "capture_app", "--background"]) == \
        "/usr/bin/python3 -m capture_app --background"


def test_apply_rewrites_only_an_outdated_entry(tmp_path):
    entry = XdgAutostart(tmp_path)
    assert apply(entry, True, ["/old/python", "-m", "capture_app", "--background"]) is True
    before = entry.file.stat().st_mtime_ns
    assert apply(entry, True, ["/old/python", "-m", "capture_app", "--background"]) is False
    assert entry.file.stat().st_mtime_ns == before
    assert apply(entry, True, ["/new/python", "-m", "capture_app", "--background"]) is True
    assert "Exec=/new/python" in entry.file.read_text(encoding="utf-8")
    assert apply(entry, False, []) is True and not entry.file.exists()
    assert apply(entry, False, []) is False


def test_unwritable_folder_gives_a_message_with_the_place(tmp_path):
    blocker = tmp_path / "autostart"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(AutostartError) as caught:
        XdgAutostart(blocker).enable(["/usr/bin/true"])
    message = caught.value.message("de")
    assert str(blocker / "report-capture.desktop") in message
    assert "Start bei der Anmeldung" in message and "IT" in message


# --- macOS: LaunchAgent -----------------------------------------------------------------------


def test_launch_agent_plist(tmp_path):
    agents = tmp_path / "Library" / "LaunchAgents"
    command = ["/Applications/Report Capture.app/Contents/MacOS/Report Capture", "--background"]
    agent = LaunchAgent(agents)
    assert not agent.is_enabled()
    agent.enable(command)
    with (agents / "com.flexperto.reportcapture.plist").open("rb") as handle:
        data = plistlib.load(handle)
    assert data["Label"] == "com.flexperto.reportcapture"
    assert data["ProgramArguments"] == command
    assert data["RunAtLoad"] is True and data["KeepAlive"] is False
    assert agent.is_enabled() and agent.command() == command
    assert apply(agent, True, command) is False
    agent.disable()
    assert not agent.is_enabled() and list(agents.iterdir()) == []


def test_damaged_plist_counts_as_off_and_is_replaced(tmp_path):
    agent = LaunchAgent(tmp_path)
    agent.file.write_bytes(b"<?xml version='1.0'?><plist><dict><key>Label")
    assert not agent.is_enabled()
    assert apply(agent, True, ["/x", "--background"]) is True
    assert agent.command() == ["/x", "--background"]


# --- Windows: the Run key, through a fake registry --------------------------------------------


class FakeRegistry:
    """HKEY_CURRENT_USER as a dict; optionally refusing writes like a locked-down profile."""

    def __init__(self, refuse: OSError | None = None) -> None:
        self.values: dict[tuple[str, str], str] = {}
        self.refuse = refuse

    def get(self, key, name):
        return self.values.get((key, name))

    def set(self, key, name, value):
        if self.refuse:
            raise self.refuse
        self.values[(key, name)] = value

    def delete(self, key, name):
        if self.refuse:
            raise self.refuse
        self.values.pop((key, name), None)


def test_windows_run_key_holds_one_quoted_command_line():
    registry = FakeRegistry()
    run_key = WindowsRunKey(registry)
    command = [r"C:\Program Files\Report Capture\Report Capture.exe", "--background"]
    assert not run_key.is_enabled()
    assert apply(run_key, True, command) is True
    assert registry.values == {
        (r"Software\Microsoft\Windows\CurrentVersion\Run", "ReportCapture"):
            r'"C:\Program Files\Report Capture\Report Capture.exe" --background'}
    assert run_key.is_enabled()
    assert apply(run_key, True, command) is False
    run_key.disable()
    assert registry.values == {} and not run_key.is_enabled()


def test_windows_policy_refusing_the_run_key_is_explained():
    run_key = WindowsRunKey(FakeRegistry(refuse=PermissionError(13, "Zugriff verweigert")))
    with pytest.raises(AutostartError) as caught:
        run_key.enable([r"C:\rc.exe", "--background"])
    message = caught.value.message("de")
    assert r"HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run" in message
    assert "Zugriff verweigert" in message
    assert "could not be set up" in caught.value.message("en")
