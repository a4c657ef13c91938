#!/usr/bin/env python3
"""Set up and run Report Capture from a source checkout — the two commands of the quick start.

    python3 dev.py start     set up (.venv, dependencies) and start the app
    python3 dev.py test      set up (.venv, test dependencies, system packages) and run all tests

Works on Windows (``py dev.py …``), macOS and Linux. On Debian/Ubuntu it installs the system
libraries Qt needs when they are missing (as root directly, otherwise through sudo if it can, or
it prints the one command to run). Extra arguments after ``test`` go to pytest; after ``start``
they go to the app (e.g. ``python3 dev.py start report``).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
MIN_PYTHON = (3, 10)

# What Qt widgets need on a plain Debian 12 (offscreen and on X11/xcb).
QT_RUNTIME_PACKAGES = [
    "libgl1", "libegl1", "libfontconfig1", "fonts-dejavu-core", "libxkbcommon0", "libglib2.0-0",
    "libdbus-1-3", "libgssapi-krb5-2", "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4",
    "libxcb-keysyms1", "libxcb-shape0", "libxcb-randr0", "libxcb-render-util0", "libxcb-image0",
    "libxcb-xinerama0", "libxcb-xkb1",
]
# What the test suite needs on top: a real X server for the start-up test.
TEST_PACKAGES = ["xvfb", "xauth", "x11-xserver-utils",
                 # validators for the Linux desktop entry and AppStream metainfo (packaging/linux)
                 "desktop-file-utils", "appstream"]
# Real browsers for the Linux browser probes (exact --version, default browser via xdg-settings).
TEST_PACKAGES += ["chromium", "firefox-esr", "xdg-utils"]
# A real tray host (trayer), a private D-Bus for desktop notifications, GLib's launcher for the
# autostart file, and xwininfo to see which windows the app shows.
TEST_PACKAGES += ["trayer", "dbus-daemon", "libglib2.0-bin", "x11-utils"]
# Screenshots: a private D-Bus for the Wayland portal tests, scrot as the capture benchmark's baseline.
TEST_PACKAGES += ["dbus", "scrot"]
# A screen reader's view: the accessibility bus and pyatspi (tests/ui/test_screen_reader.py).
TEST_PACKAGES += ["at-spi2-core", "python3-pyatspi"]
# The console guide's webview (QtWebEngine of PySide6-Addons) under Xvfb, and ImageMagick's
# `import` for the screenshots that prove it rendered.
TEST_PACKAGES += ["libnss3", "libnspr4", "libxcomposite1", "libxdamage1", "libxtst6", "libasound2",
                  "libxrandr2", "libxkbfile1", "libgbm1", "imagemagick"]
# The frozen-build test: the C compiler and binutils rebuild the reduced ICU data library.
TEST_PACKAGES += ["gcc", "binutils"]


def say(text: str) -> None:
    print(f"[dev.py] {text}", flush=True)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv() -> Path:
    python = venv_python()
    if not python.exists():
        say(f"creating the virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    return python


def pip_install(python: Path, extras: str) -> None:
    target = f".[{extras}]" if extras else "."
    say(f"installing Report Capture and its dependencies ({target}) into .venv")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--upgrade", "pip"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--editable", target], check=True, cwd=ROOT)


def missing_debian_packages(packages: list[str]) -> list[str]:
    if not shutil.which("dpkg-query"):
        return []
    missing = []
    for package in packages:
        result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                                capture_output=True, text=True)
        if "install ok installed" not in result.stdout:
            missing.append(package)
    return missing


def ensure_system_packages(packages: list[str]) -> None:
    if not sys.platform.startswith("linux"):
        return  # Windows and macOS wheels of Qt bring what they need
    missing = missing_debian_packages(packages)
    if not missing:
        return
    if not shutil.which("apt-get"):
        say("please install the Qt runtime libraries of your distribution: " + " ".join(missing))
        return
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo"):
            prefix = ["sudo"]
        else:
            sys.exit("[dev.py] missing system packages; as root run:\n"
                     f"  apt-get update && apt-get install -y {' '.join(missing)}")
    say("installing system packages: " + " ".join(missing))
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(prefix + ["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(prefix + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def start(args: list[str]) -> int:
    ensure_system_packages(QT_RUNTIME_PACKAGES)
    python = ensure_venv()
    pip_install(python, "")
    say("starting Report Capture")
    return subprocess.run([str(python), "-m", "capture_app", *args], cwd=ROOT).returncode


def test(args: list[str]) -> int:
    ensure_system_packages(QT_RUNTIME_PACKAGES + TEST_PACKAGES)
    python = ensure_venv()
    pip_install(python, "test")
    say("running the test suite")
    code = subprocess.run([str(python), "-m", "pytest", *args], cwd=ROOT).returncode
    if code == 5:  # pytest: no tests were collected — a broken selection, not a success
        say("pytest collected no tests")
        return 1
    return code


def main() -> int:
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"[dev.py] Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer is needed; "
                 f"this is {sys.version.split()[0]}")
    if len(sys.argv) < 2 or sys.argv[1] not in ("start", "test"):
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    return start(rest) if command == "start" else test(rest)


if __name__ == "__main__":
    sys.exit(main())
