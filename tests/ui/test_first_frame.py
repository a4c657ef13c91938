"""The way from "Problem melden" to the wizard's first frame does not build Qt's namespace.

The first use of PySide6's ``Qt`` (importing it, or any call that takes or returns one of its
enums, or an overloaded one that might) builds every enum of the namespace at once: ~20 ms and
~1.5 MB. The start-up path uses Qt's numbers instead (``ui/platform/roles.py``). These tests start
the app on a real X server, once as ``capture-app report`` and once idling in a real tray, and
look when the wizard is shown.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from xdisplay import start_xvfb, stop

pytestmark = pytest.mark.gui

WHEN_SHOWN = r"""
import sys
import PySide6.QtCore
from capture_app.__main__ import main
from capture_app.ui import app as app_module
from capture_app.ui.wizard import window

shown = window.WizardWindow.show

def show(self):
    shown(self)
    print("Qt namespace built:", "Qt" in PySide6.QtCore.__dict__, flush=True)
    print("screenshot strip:", bool(getattr(self, "capture_banner", None)), flush=True)
    self._discarding = True
    PySide6.QtCore.QTimer.singleShot(0, PySide6.QtCore.QCoreApplication.quit)

window.WizardWindow.show = show
"""

FROM_THE_COMMAND_LINE = WHEN_SHOWN + """
sys.exit(main(["report"]))
"""

FROM_THE_TRAY = WHEN_SHOWN + """
scheduled = app_module._schedule_start_up_work

def schedule(app, controller, theme_later):
    scheduled(app, controller, theme_later)
    # "Problem melden" from the tray once the start-up work is over.
    PySide6.QtCore.QTimer.singleShot(3000, controller.new_report)

app_module._schedule_start_up_work = schedule
sys.exit(main(["--background"]))
"""


def app_env(display: str, home) -> dict[str, str]:
    """The app on the X server ``display`` alone (no Wayland, no session bus), data in ``home``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", REPORT_CAPTURE_HOME=str(home))
    return env


def run_until_shown(display: str, home, script: str) -> str:
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60, env=app_env(display, home))
    # The wizard opened with the screenshot taken at the start, and Qt's enums were not needed.
    assert "screenshot strip: True" in result.stdout, result.stdout + result.stderr[-2000:]
    return result.stdout


def test_capture_app_report_shows_the_wizard_without_building_qts_namespace(tmp_path):
    server, display = start_xvfb(1280, 800)
    try:
        out = run_until_shown(display, tmp_path / "home", FROM_THE_COMMAND_LINE)
    finally:
        stop(server)
    assert "Qt namespace built: False" in out, out


def test_problem_melden_from_the_tray_shows_the_wizard_without_building_qts_namespace(
        tray_host, tmp_path):
    """The first report of the day from the tray: nothing on the way to the wizard's first
    frame needs Qt's enums, not even the look for our windows to hide."""
    out = run_until_shown(tray_host, tmp_path / "home", FROM_THE_TRAY)
    assert "Qt namespace built: False" in out, out


ORDER_OF_THE_START = r"""
import sys
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from capture_app.__main__ import main
from capture_app.ui import app as app_module
from capture_app.ui.main_window import MainWindow
from capture_app.ui.wizard.window import WizardWindow

order = []


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "painted" not in order:
            order.append("painted")
        return False


watcher = FirstPaint()
for kind in (WizardWindow, MainWindow):
    def show(self, shown=kind.show):
        self.installEventFilter(watcher)
        shown(self)
    kind.show = show


def start_presence(self, **options):
    order.append("tray")
    print(" ".join(order), flush=True)
    for wizard in self.wizards.values():
        wizard._discarding = True
    QTimer.singleShot(0, QCoreApplication.quit)


app_module.Controller.start_presence = start_presence
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", [["report"], []], ids=["capture-app report", "capture-app"])
def test_the_tray_icon_comes_after_the_first_frame_of_the_window_asked_for(tmp_path, command):
    """Started to report (or to its main window), the app paints that window first; the tray
    icon, the global shortcut and the rest of the start-up work (~30 ms on the UI thread) come
    after its first frame, not between its showing and its painting."""
    server, display = start_xvfb(1280, 800)
    try:
        result = subprocess.run([sys.executable, "-c", ORDER_OF_THE_START, *command],
                                capture_output=True, text=True, timeout=60,
                                env=app_env(display, tmp_path / "home"))
    finally:
        stop(server)
    assert result.stdout.split() == ["painted", "tray"], result.stdout + result.stderr[-2000:]
