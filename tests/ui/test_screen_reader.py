"""What a screen reader hears, read the way Orca reads it: over AT-SPI from the running app.

The app runs on a real X server inside a private D-Bus session, where the accessibility bus
starts on demand (at-spi2-core) and Qt joins it (``QT_LINUX_ACCESSIBILITY_ALWAYS_ON``); a
reader with pyatspi (Debian's python3-pyatspi) walks the app's tree.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from xdisplay import XServer, xcb_env

pytestmark = pytest.mark.gui

HERE = Path(__file__).parent
SYSTEM_PYTHON = "/usr/bin/python3"


def test_dropdowns_are_heard_by_their_label_and_the_problems_with_their_messages(tmp_path):
    session = shutil.which("dbus-run-session")
    assert session, "dbus-run-session is missing (Debian package dbus-daemon)"
    has_pyatspi = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True,
                                 timeout=60).returncode == 0
    assert has_pyatspi, "pyatspi is missing: `python3 dev.py test` installs python3-pyatspi"
    with XServer(1280, 720) as x:
        env = xcb_env(x.display, REPORT_CAPTURE_HOME=str(tmp_path / "home"),
                      REPORT_CAPTURE_SYSTEM_CONFIG=str(tmp_path / "system.toml"),
                      QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1")
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        reader = subprocess.run(
            [session, "--", SYSTEM_PYTHON, str(HERE / "atspi_reader.py"), "Report Capture",
             sys.executable, str(HERE / "a11y_app_child.py")],
            env=env, capture_output=True, text=True, timeout=180)
    assert reader.returncode == 0, reader.stderr[-3000:]
    heard = json.loads(reader.stdout.strip().splitlines()[-1])
    names = [combo["name"] for combo in heard["combos"]]
    # The Beschreibung step's dropdowns, by their question — not by "– bitte wählen –".
    assert names == ["Wer ist betroffen?", "Wo auf der Plattform?", "Wie oft?", "Wie viele Nutzer?",
                     "Dringlichkeit"], heard
    assert all(combo["labels"] for combo in heard["combos"]), heard  # and labelled by their label
    [problems] = heard["problems"]
    assert "Fehler: „Zusammenfassung“ ist ein Pflichtfeld." in problems["description"]
    assert "Fehler: „Betroffenes Kalenderkonto“ ist ein Pflichtfeld." in problems["description"]
