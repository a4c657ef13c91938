"""What IT deploys: installer script, app bundle data, Linux desktop files, sample configuration."""
from __future__ import annotations

import configparser
import plistlib
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from capture_app import __version__
from capture_app.config_command import sample

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
APP_ID = "org.reportcapture.ReportCapture"


def run(*command: str) -> subprocess.CompletedProcess:
    tool = shutil.which(command[0])
    assert tool, f"{command[0]} is missing: `python3 dev.py test` installs it"
    return subprocess.run([tool, *command[1:]], capture_output=True, text=True, timeout=120)


# --- Linux ------------------------------------------------------------------------------------

def test_desktop_entries_are_valid():
    for entry in sorted((PACKAGING / "linux").glob("*.desktop")):
        result = run("desktop-file-validate", str(entry))
        assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_appstream_metainfo_is_valid_and_current():
    metainfo = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
    result = run("appstreamcli", "validate", "--no-net", str(metainfo))
    assert result.returncode == 0, result.stdout + result.stderr
    root = ET.parse(metainfo).getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"
    assert root.find("releases/release").get("version") == __version__


def test_desktop_entry_says_problem_melden_and_starts_a_report():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / "linux" / f"{APP_ID}.desktop", encoding="utf-8")
    main = entry["Desktop Entry"]
    assert main["Name"] == "Problem melden" and main["Name[en]"] == "Report a problem"
    assert main["Exec"] == "capture-app report"
    assert main["Icon"] == APP_ID
    assert {"Flexperto", "Support", "Screenshot"} <= set(main["Keywords"].strip(";").split(";"))
    autostart = configparser.ConfigParser(interpolation=None)
    autostart.optionxform = str
    autostart.read(PACKAGING / "linux" / f"{APP_ID}-autostart.desktop", encoding="utf-8")
    assert autostart["Desktop Entry"]["Exec"] == "capture-app --background"


def test_icons_exist_in_svg_and_every_png_size():
    assert (ROOT / "resources" / "icons" / "report-capture.svg").is_file()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        png = ROOT / "resources" / "icons" / "app" / f"report-capture-{size}.png"
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width, height) == (size, size), png
    assert (PACKAGING / "windows" / "report-capture.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"


# --- Windows ----------------------------------------------------------------------------------
# The installer itself can only be compiled on Windows (Inno Setup); its script is checked here.

def _iss() -> str:
    return (PACKAGING / "windows" / "report-capture.iss").read_text(encoding="utf-8")


def _iss_section(name: str) -> list[str]:
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", _iss(), re.S | re.M)
    assert match, name
    return [line for line in match.group(1).splitlines() if line and not line.startswith(";")]


def test_installer_is_per_machine_with_the_current_version():
    text = _iss()
    assert f'#define AppVersion "{__version__}"' in text
    setup = "\n".join(_iss_section("Setup"))
    assert "PrivilegesRequired=admin" in setup
    assert r"DefaultDirName={autopf}" in setup
    assert "SetupIconFile=report-capture.ico" in setup


def test_installer_creates_problem_melden_shortcuts_and_optional_autostart():
    icons = _iss_section("Icons")
    start_menu = [line for line in icons if line.startswith(r'Name: "{autoprograms}\{#ShortcutName}"')]
    desktop = [line for line in icons if line.startswith(r'Name: "{autodesktop}\{#ShortcutName}"')]
    assert start_menu and desktop and '#define ShortcutName "Problem melden"' in _iss()
    assert all('Parameters: "report"' in line for line in start_menu + desktop)
    assert "Tasks: desktopicon" in desktop[0]
    tasks = _iss_section("Tasks")
    autostart = next(line for line in tasks if line.startswith('Name: "autostart"'))
    assert "Flags: unchecked" in autostart  # off by default
    registry = "\n".join(_iss_section("Registry"))
    assert r"Software\Microsoft\Windows\CurrentVersion\Run" in registry
    assert "--background" in registry and "Tasks: autostart" in registry


def test_installer_places_the_organisation_configuration_where_the_app_reads_it():
    text = _iss()
    assert "{param:CONFIG|}" in text and r"{src}\config.toml" in text
    assert r"{commonappdata}\ReportCapture\config.toml" in text
    # The app's system location on Windows is %PROGRAMDATA%\ReportCapture\config.toml.
    from capture_app.core.platform import paths

    source = Path(paths.__file__).read_text(encoding="utf-8")
    assert 'base / "ReportCapture" / CONFIG_FILE_NAME' in source and 'CONFIG_FILE_NAME = "config.toml"' in source
    assert "/VERYSILENT" in text and "/SUPPRESSMSGBOXES" in text  # documented silent switches


# --- macOS ------------------------------------------------------------------------------------

def test_info_plist_has_the_keys_macos_needs():
    with open(PACKAGING / "macos" / "Info.plist", "rb") as handle:
        info = plistlib.load(handle)
    for key in ("CFBundleIdentifier", "CFBundleName", "CFBundleExecutable", "CFBundlePackageType",
                "CFBundleShortVersionString", "LSMinimumSystemVersion", "NSHighResolutionCapable",
                "NSScreenCaptureUsageDescription"):
        assert key in info, key
    assert info["CFBundleIdentifier"] == APP_ID
    assert info["CFBundleExecutable"] == "ReportCapture"
    assert info["CFBundleShortVersionString"] == __version__
    assert "Screenshot" in info["NSScreenCaptureUsageDescription"]
    for language in ("de", "en"):
        strings = (PACKAGING / "macos" / f"{language}.lproj" / "InfoPlist.strings").read_text(encoding="utf-8")
        assert '"NSScreenCaptureUsageDescription" = "' in strings


# --- fleet configuration ----------------------------------------------------------------------

@pytest.mark.parametrize("language", ["de", "en"])
def test_the_sample_organisation_file_is_complete_and_current(language):
    committed = (PACKAGING / "config" / f"organisation-sample.{language}.toml").read_text(encoding="utf-8")
    assert committed == sample(language), (
        f"regenerate: capture-app --lang {language} config sample > "
        f"packaging/config/organisation-sample.{language}.toml")
    from capture_app.core.platform.config import settings_table

    for key in settings_table():
        section, name = key.rsplit(".", 1)
        assert f"[{section}]" in committed and f"# {name} = " in committed, key


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "capture_app", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd)


def test_config_check_accepts_a_valid_file_and_the_sample(tmp_path):
    good = tmp_path / "config.toml"
    good.write_text('locked = ["support", "limits"]\n[reporter]\norganisation = "Musterbank AG"\n'
                    '[support]\nopens = "08:30"\n', encoding="utf-8")
    result = _cli("config", "check", str(good))
    assert result.returncode == 0, result.stdout
    assert "ist in Ordnung" in result.stdout
    result = _cli("config", "check", str(PACKAGING / "config" / "organisation-sample.de.toml"))
    assert result.returncode == 0, result.stdout


def test_config_check_reports_malformed_files_with_line_and_fails(tmp_path):
    broken = tmp_path / "config.toml"
    broken.write_text('[support]\nphone = "+49 30 1"\nopens = 9\n[ui\n', encoding="utf-8")
    result = _cli("config", "check", str(broken))
    assert result.returncode == 1
    assert str(broken) in result.stdout and "Zeile 4" in result.stdout
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[support]\nopens = "25:00"\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    result = _cli("--lang", "en", "config", "check", str(wrong))
    assert result.returncode == 1
    assert "line 2" in result.stdout and '"25:00"' in result.stdout
    assert "line 3" in result.stdout and "Mars/Olympus" in result.stdout


def test_config_check_knows_that_locking_belongs_in_the_organisation_file(tmp_path):
    file = tmp_path / "config.toml"
    file.write_text('locked = ["support.email"]\n', encoding="utf-8")
    assert _cli("config", "check", str(file)).returncode == 0
    as_agent = _cli("config", "check", "--agent", str(file))
    assert "locked" in as_agent.stdout  # the agent's own file cannot lock anything


# --- self-test --------------------------------------------------------------------------------

def test_self_test_passes_on_a_complete_installation(tmp_path):
    env_result = subprocess.run([sys.executable, "-m", "capture_app", "--self-test"],
                                capture_output=True, text=True, timeout=120,
                                env={"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen",
                                     "REPORT_CAPTURE_HOME": str(tmp_path), "HOME": str(tmp_path)})
    assert env_result.returncode == 0, env_result.stdout + env_result.stderr
    lines = env_result.stdout.splitlines()
    assert all(line.startswith("OK") for line in lines[:-1]) and len(lines) > 10


def test_self_test_names_what_is_missing(tmp_path, monkeypatch):
    import io

    from capture_app import self_test
    from capture_app.core.platform import i18n, resources
    from capture_app.core.triage import catalogue as triage

    copy = tmp_path / "resources"
    shutil.copytree(resources.resource_root(), copy)
    (copy / "triage.toml").unlink()
    monkeypatch.setattr(resources, "resource_root", lambda: copy)
    triage.builtin_catalogue.cache_clear()
    i18n.catalogue.cache_clear()
    out = io.StringIO()
    try:
        assert self_test.run(out) == 1
    finally:
        triage.builtin_catalogue.cache_clear()
    text = out.getvalue()
    assert any(line.startswith("FEHLT") and "triage.toml" in line for line in text.splitlines())
    assert "Selbsttest fehlgeschlagen" in text


def test_self_test_finds_a_build_without_rapidfuzz_compiled_matchers(monkeypatch):
    """A frozen build that lost rapidfuzz's compiled fuzz module would search on every keystroke
    in pure Python; the self-test says so."""
    import io

    from rapidfuzz import fuzz, fuzz_py

    from capture_app import self_test

    monkeypatch.setattr(fuzz, "partial_ratio", fuzz_py.partial_ratio)
    out = io.StringIO()
    assert self_test.run(out) == 1
    line = next(line for line in out.getvalue().splitlines() if "triage search" in line)
    assert line.startswith("FEHLT") and "rapidfuzz.fuzz_py" in line
