"""The way from "Problem melden" to the wizard's first frame does not build Qt's namespace.

The first use of PySide6's ``Qt`` (importing it, or any call that takes or returns one of its
enums, or an overloaded one that might) builds every enum of the namespace at once: ~20 ms and
~1.5 MB. The start-up path uses Qt's numbers instead (``ui/platform/roles.py``); this test starts
``capture-app report`` on a real X server and looks when the wizard is shown.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from xdisplay import start_xvfb, stop

pytestmark = pytest.mark.gui

REPORT_UNTIL_SHOWN = r"""
import sys
import PySide6.QtCore
from capture_app.ui.wizard import window

shown = window.WizardWindow.show

def show(self):
    shown(self)
    print("Qt namespace built:", "Qt" in PySide6.QtCore.__dict__, flush=True)
    print("screenshot strip:", bool(getattr(self, "capture_banner", None)), flush=True)
    self._discarding = True
    PySide6.QtCore.QTimer.singleShot(0, PySide6.QtCore.QCoreApplication.quit)

window.WizardWindow.show = show
from capture_app.__main__ import main
sys.exit(main(["report"]))
"""


def test_capture_app_report_shows_the_wizard_without_building_qts_namespace(tmp_path):
    server, display = start_xvfb(1280, 800)
    try:
        env = {k: v for k, v in os.environ.items()
               if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", REPORT_CAPTURE_HOME=str(tmp_path / "home"))
        result = subprocess.run([sys.executable, "-c", REPORT_UNTIL_SHOWN], capture_output=True,
                                text=True, timeout=60, env=env)
    finally:
        stop(server)
    # The wizard opened with the screenshot taken at the start, and Qt's enums were not needed.
    assert "screenshot strip: True" in result.stdout, result.stdout + result.stderr[-2000:]
    assert "Qt namespace built: False" in result.stdout, result.stdout + result.stderr[-2000:]
