"""Linux browser detection against Debian's real chromium and firefox-esr packages.

The probe must report exactly the version each browser's own ``--version`` prints, and the
default browser as ``xdg-settings`` (or, without it, mimeapps.list) names it. Bad input: no
browsers at all, a browser that hangs on ``--version``, broken desktop entries.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from capture_app.core.environment.probes import collect
from capture_app.core.environment.probes.browsers import BrowsersProbe
from capture_app.core.environment.probes.host import LINUX, Host


def needs_browsers(test):
    """Debian's chromium, firefox-esr and xdg-utils come from dev.py's TEST_PACKAGES: a machine
    without them fails here instead of silently skipping."""
    @functools.wraps(test)
    def check(*args, **kwargs):
        missing = [p for p in ("chromium", "firefox-esr", "xdg-settings") if not shutil.which(p)]
        assert missing == [], "install with: python3 dev.py test (TEST_PACKAGES)"
        return test(*args, **kwargs)
    return check

VERSION = re.compile(r"\d+(?:\.\d+)+(?:esr)?")


def printed_version(program: str) -> tuple[str, str]:
    """What ``program --version`` prints, and the version number in it, read independently."""
    out = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    return out, VERSION.search(out).group(0)


@pytest.fixture
def desktop(tmp_path, monkeypatch):
    """An agent's session: own HOME, config and data folders; system entries in /usr/share."""
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    (home / ".local/share/applications").mkdir(parents=True)
    for name, value in (("HOME", home), ("XDG_CONFIG_HOME", home / ".config"),
                        ("XDG_DATA_HOME", home / ".local/share")):
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv("XDG_DATA_DIRS", "/usr/local/share:/usr/share")
    monkeypatch.delenv("XDG_CURRENT_DESKTOP", raising=False)
    monkeypatch.delenv("DESKTOP_SESSION", raising=False)
    return home


def probe_values(timeout: float = 8.0) -> dict[str, str]:
    host = Host(system=LINUX, env=dict(os.environ))
    return collect([BrowsersProbe(host, version_timeout=timeout)]).rendered("de")


def set_default(entry: str) -> None:
    subprocess.run(["xdg-settings", "set", "default-web-browser", entry], check=True, timeout=30)


@needs_browsers
def test_versions_are_exactly_what_the_browsers_print(desktop):
    values = probe_values()
    chromium_out, chromium_version = printed_version("chromium")
    firefox_out, firefox_version = printed_version("firefox-esr")
    assert values["browsers.chromium"] == chromium_version
    assert values["browsers.firefox"] == firefox_version
    assert values["browsers.chromium"] in chromium_out and values["browsers.firefox"] in firefox_out
    assert firefox_version.endswith("esr")
    assert values["browsers.installed"] == f"Firefox {firefox_version}, Chromium {chromium_version}"


@needs_browsers
@pytest.mark.parametrize("entry, shown", [("firefox-esr.desktop", "Firefox"),
                                          ("chromium.desktop", "Chromium")])
def test_the_default_browser_is_the_one_xdg_settings_names(desktop, entry, shown):
    set_default(entry)
    answer = subprocess.run(["xdg-settings", "get", "default-web-browser"], capture_output=True,
                            text=True, timeout=30).stdout.strip()
    assert answer == entry
    assert probe_values()["browsers.default"] == shown


@needs_browsers
def test_without_xdg_settings_mimeapps_list_names_the_default(desktop, tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    broken = bin_dir / "xdg-settings"  # as on a desktop xdg-utils does not know
    broken.write_text("#!/bin/sh\necho 'xdg-settings: unknown desktop environment' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    (desktop / ".config/mimeapps.list").write_text(
        "[Added Associations]\nx-scheme-handler/https=chromium.desktop;\n\n"
        "[Default Applications]\nx-scheme-handler/http=firefox-esr.desktop\n"
        "x-scheme-handler/https=firefox-esr.desktop\ntext/html=firefox-esr.desktop\n")
    assert probe_values()["browsers.default"] == "Firefox"


def test_no_browsers_installed(tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    (empty / "share/applications").mkdir(parents=True)
    for name, value in (("HOME", empty), ("XDG_CONFIG_HOME", empty / "config"),
                        ("XDG_DATA_HOME", empty / "share"), ("XDG_DATA_DIRS", empty / "share"),
                        ("XDG_CONFIG_DIRS", empty / "config")):
        monkeypatch.setenv(name, str(value))
    values = probe_values()
    assert values["browsers.installed"] == "keine Browser gefunden"
    assert values["browsers.default"] == "unbekannt (kein Standardbrowser eingestellt)"
    assert not [key for key in values if key not in ("browsers.installed", "browsers.default")]


def write_entry(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / f"{name}.desktop"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_a_browser_that_hangs_on_version_is_stopped_and_the_others_are_reported(desktop, tmp_path):
    pid_file = tmp_path / "pids"
    script = tmp_path / "google-chrome"
    # A wrapper that starts a child and never answers, like a browser waiting for a dead profile lock.
    script.write_text(f"#!/bin/sh\nsleep 300 &\necho $$ $! > {pid_file}\nwait\n")
    script.chmod(0o755)
    applications = desktop / ".local/share/applications"
    write_entry(applications, "google-chrome",
                f"[Desktop Entry]\nType=Application\nName=Google Chrome\nExec={script} %U\n")
    values = probe_values(timeout=1.0)
    assert values["browsers.chrome"] == (
        "unbekannt („" + str(script) + "“ hat nach 1 s nicht geantwortet und wurde beendet)")
    assert values["browsers.chromium"] == printed_version("chromium")[1]
    pids = [int(p) for p in pid_file.read_text().split()]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in pids):
        time.sleep(0.05)
    alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()
             and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]]
    assert alive == []  # the wrapper and its child were killed, nothing is left running


def test_broken_desktop_entries_are_unknown_with_the_reason(desktop, tmp_path):
    applications = desktop / ".local/share/applications"
    write_entry(applications, "google-chrome", "[Desktop Entry]\nType=Application\nName=Google Chrome\n")
    write_entry(applications, "microsoft-edge", b"[Desktop Entry]\nName=Edge\nExec=/opt/\xff\xfe/msedge\n")
    write_entry(applications, "opera", "[Desktop Entry]\nName=Opera\nExec=/opt/opera/does-not-exist %U\n")
    write_entry(applications, "brave-browser", "just some text\nwithout=any group\n")
    values = probe_values(timeout=2.0)
    chrome = str(applications / "google-chrome.desktop")
    assert values["browsers.chrome"] == f"unbekannt (der Starter {chrome} ist beschädigt: die Zeile Exec= fehlt)"
    assert values["browsers.edge"].endswith("ist beschädigt: kein UTF-8-Text)")
    assert values["browsers.opera"] == "unbekannt (das Programm „/opt/opera/does-not-exist“ ist nicht installiert)"
    assert values["browsers.brave"].endswith("ist beschädigt: der Abschnitt [Desktop Entry] fehlt)")
    assert "Chrome" in values["browsers.installed"] and "Edge" in values["browsers.installed"]
