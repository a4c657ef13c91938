"""Dialogs fit the screen: on a 1280×720 laptop and on a 1920×1080 desktop, each with a taskbar,
every button the agent needs is inside the screen's free area and drawn in full.

The window is opened by a child process on a real X server whose free area (``_NET_WORKAREA``,
what a desktop's panel sets) ends 40 pixels above the bottom.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from xdisplay import XServer, xcb_env

from capture_app.ui.platform.screen_fit import FRAME

pytestmark = pytest.mark.gui

CHILD = Path(__file__).with_name("window_fit_child.py")
TASKBAR = 40


def open_on_screen(tmp_path, width: int, height: int, window: str, language: str) -> dict:
    for tool in ("Xvfb", "xprop"):
        assert shutil.which(tool), f"{tool} is missing: `python3 dev.py test` installs it"
    with XServer(width, height) as x:
        env = xcb_env(x.display, REPORT_CAPTURE_HOME=str(tmp_path / "home"),
                      REPORT_CAPTURE_SYSTEM_CONFIG=str(tmp_path / "system.toml"))
        subprocess.run(["xprop", "-root", "-format", "_NET_WORKAREA", "32c", "-set",
                        "_NET_WORKAREA", f"0, 0, {width}, {height - TASKBAR}"], env=env,
                       check=True, timeout=20)
        child = subprocess.run([sys.executable, str(CHILD), window, language], env=env,
                               capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr[-3000:]
    return json.loads(child.stdout.strip().splitlines()[-1])


def assert_buttons_on_screen(result: dict, width: int, height: int) -> None:
    free = [0, 0, width, height - TASKBAR]
    assert result["free"] == free
    assert result["states"]
    for state in result["states"]:
        name = state["state"]
        left, top, w, h = state["window"]
        # The window with its title bar fits the free area, and it could be made that small.
        assert left >= 0 and top >= 0, name
        assert left + w <= width and top + h + FRAME.height() <= free[3], (name, state["window"])
        assert state["minimum"][1] + FRAME.height() <= free[3], (name, state["minimum"])
        for button, place in state["buttons"].items():
            bx, by, bw, bh = place["rect"]
            assert place["visible"], (name, button)
            assert bx >= 0 and bx + bw <= width and by >= 0 and by + bh <= free[3], (name, button, place)
            assert place["drawn"] == [bw, bh], (name, button, place)  # not scrolled out or cut off


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_the_settings_dialog_keeps_save_cancel_and_test_connection_on_screen(
        tmp_path, width, height, language):
    result = open_on_screen(tmp_path, width, height, "settings", language)
    assert_buttons_on_screen(result, width, height)
    tested = {state["state"] for state in result["states"] if "test" in state["buttons"]}
    assert tested == {"Versand: mail_client", "Versand: smtp", "Versand: http", "Versand: export"}


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_the_first_start_question_fits_the_screen(tmp_path, width, height):
    result = open_on_screen(tmp_path, width, height, "identity", "de")
    assert_buttons_on_screen(result, width, height)
