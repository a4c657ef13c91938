"""The launcher (the app's window when the desktop has no tray) stays inside the screen on a
1280×720 laptop with a real window manager, however late the window manager places it — and a
window the agent drags aside stays where the agent put it.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from journeys.xsession import XSession

pytestmark = pytest.mark.gui

CHILD = Path(__file__).with_name("launcher_fit_child.py")


def run(tmp_path, scenario: str) -> dict:
    with XSession(1280, 720) as session:
        env = session.env(REPORT_CAPTURE_HOME=str(tmp_path / "home"),
                          REPORT_CAPTURE_SYSTEM_CONFIG=str(tmp_path / "system.toml"))
        child = subprocess.run([sys.executable, str(CHILD), scenario], env=env,
                               capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr[-3000:]
    return json.loads(child.stdout.strip().splitlines()[-1])


def inside(frame: list[int], free: list[int]) -> bool:
    x, y, w, h = frame
    fx, fy, fw, fh = free
    return fx <= x and fy <= y and x + w <= fx + fw and y + h <= fy + fh


def test_the_launcher_comes_back_when_the_window_manager_places_it_past_the_edge_after_growing(tmp_path):
    result = run(tmp_path, "placed-late")
    _x, _y, w, _h = result["frame"]
    assert result["moved_to"][0] + w > 1280  # the window manager's place hung past the edge
    assert inside(result["frame"], result["free"]), result


def test_a_launcher_dragged_partly_aside_long_after_it_settled_stays_there(tmp_path):
    result = run(tmp_path, "dragged")
    assert not inside(result["frame"], result["free"]), result
    assert abs(result["frame"][0] - result["moved_to"][0]) <= 16, result
