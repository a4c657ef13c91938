"""Without a tray, the launcher stands in for the tray icon: it waits in the taskbar while the agent
works in the main window or a report's wizard (it never lies over them or takes the keyboard from
them), comes back when the agent closes them, and steps aside again when the agent opens one
from it.

The real app on a real X server with openbox and no tray host, on a 1366×768 laptop screen,
driven with the keys an agent presses; the window states are the window manager's (WM_STATE).
"""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
from journeys.xsession import XSession

pytestmark = pytest.mark.gui

MAIN, LAUNCHER, WIZARD = "Report Capture", "Report Capture – Startfenster", "Problem melden"
IDENTITY = """
[reporter]
name = "Erika Muster"
email = "erika.muster@bank.example"
organisation = "Musterbank"
phone = "+49 30 1234567"

[reminders]  # whether support is open right now must not decide what these tests see
support_opens = false
before_closing = false
outside_hours = false
"""


def window_states(env: dict) -> dict[str, str]:
    """Title → "Normal" or "Iconic", for our windows the window manager manages."""
    found = subprocess.run(["xdotool", "search", "--name", "^(Report Capture|Problem melden)"], env=env,
                           capture_output=True, text=True, timeout=20).stdout.split()
    states = {}
    for window in found:
        name = subprocess.run(["xdotool", "getwindowname", window], env=env, capture_output=True,
                              text=True, timeout=20).stdout.strip()
        state = subprocess.run(["xprop", "-id", window, "WM_STATE"], env=env, capture_output=True,
                               text=True, timeout=20).stdout
        if "window state:" in state:
            states[name] = state.split("window state:")[1].split()[0]
    return states


def wait_for(env: dict, expected: dict[str, str], timeout: float = 30.0) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    states = window_states(env)
    while time.monotonic() < deadline:
        states = window_states(env)
        if all(states.get(title) == state for title, state in expected.items()):
            return states
        time.sleep(0.2)
    raise AssertionError(f"expected {expected}, the window manager shows {states}, "
                         f"the keyboard is with {active_window(env)!r}")


def active_window(env: dict) -> str:
    return subprocess.run(["xdotool", "getactivewindow", "getwindowname"], env=env,
                          capture_output=True, text=True, timeout=20).stdout.strip()


def wait_active(env: dict, title: str, timeout: float = 30.0) -> None:
    """Until ``title`` has had the keyboard for a moment, as a person looks before pressing a
    key (one pressed while the window manager still moves the focus goes elsewhere)."""
    deadline = time.monotonic() + timeout
    held = 0
    while held < 3:
        held = held + 1 if active_window(env) == title else 0
        assert time.monotonic() < deadline, f"{title!r} never kept the keyboard: {active_window(env)!r}"
        time.sleep(0.2)


def press(env: dict, keys: str) -> None:
    subprocess.run(["xdotool", "key", "--delay", "20", keys], env=env, check=True, timeout=20)


def start(tmp_path, session: XSession, *args: str) -> tuple[dict, subprocess.Popen]:
    system = tmp_path / "system.toml"
    system.write_text(IDENTITY, encoding="utf-8")
    env = session.env(REPORT_CAPTURE_HOME=str(tmp_path / "home"),
                      REPORT_CAPTURE_SYSTEM_CONFIG=str(system), REPORT_CAPTURE_LANG="de")
    return env, subprocess.Popen([sys.executable, "-m", "capture_app", *args], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(app: subprocess.Popen) -> None:
    app.terminate()
    try:
        _, errors = app.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        app.kill()
        _, errors = app.communicate()
    assert b"Traceback" not in errors, errors.decode(errors="replace")[-3000:]


def test_the_launcher_waits_in_the_taskbar_while_the_main_window_is_open(tmp_path):
    with XSession(1366, 768) as session:  # no tray host: the app shows its launcher
        env, app = start(tmp_path, session)
        try:
            # Started: the main window on screen, the launcher in the taskbar, not over it.
            wait_for(env, {MAIN: "Normal", LAUNCHER: "Iconic"})
            # The agent closes the main window (Alt+F4): the launcher comes back, the app runs on.
            wait_active(env, MAIN)
            press(env, "alt+F4")
            states = wait_for(env, {LAUNCHER: "Normal"})
            assert states.get(MAIN) != "Normal", states
            assert app.poll() is None
            # "Entwürfe" in the launcher (Alt+E) opens the main window: the launcher steps aside.
            wait_active(env, LAUNCHER)
            press(env, "alt+e")
            wait_for(env, {MAIN: "Normal", LAUNCHER: "Iconic"})
        finally:
            stop(app)


def test_a_report_started_without_a_tray_keeps_the_keyboard_in_the_wizard(tmp_path):
    with XSession(1366, 768) as session:
        env, app = start(tmp_path, session, "report")  # a desktop shortcut or hotkey
        try:
            wait_for(env, {WIZARD: "Normal", LAUNCHER: "Iconic"})
            # What the agent types goes into the wizard, not into the launcher.
            wait_active(env, WIZARD)
            # Closing the wizard (the report stays as a draft) brings the launcher back.
            press(env, "alt+F4")
            states = wait_for(env, {LAUNCHER: "Normal"})
            assert WIZARD not in states or states[WIZARD] != "Normal", states
            assert app.poll() is None
        finally:
            stop(app)
