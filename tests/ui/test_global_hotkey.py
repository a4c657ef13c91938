"""The system-wide "Problem melden" key combination on a real X server (Xvfb): a real key event
(XTEST, through xdotool) opens the report wizard of the running app; a combination another
program holds is explained and the app works on; the tray menu shows the combination.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest
from xdisplay import start_xvfb, stop

pytestmark = pytest.mark.gui

MAIN_WINDOW = '"Report Capture": ("__main__.py"'
WIZARD = '"Problem melden": ('
LAUNCHER = "Startfenster"


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def x_env(display: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env["DISPLAY"] = display
    return env


@pytest.fixture
def xserver():
    for tool in ("Xvfb", "xdotool", "xwininfo"):
        assert shutil.which(tool), f"{tool} is missing: `python3 dev.py test` installs it"
    server, display = start_xvfb(1280, 800)
    yield display
    stop(server)


def press(display: str, keys: str) -> None:
    subprocess.run(["xdotool", "key", keys], env=x_env(display), check=True, timeout=20)


def windows(display: str) -> str:
    return subprocess.run(["xwininfo", "-root", "-tree"], env=x_env(display), capture_output=True,
                          text=True, timeout=10).stdout


def held_by_someone(display_name: str, keys: str = "p") -> bool:
    """Whether another X client holds Ctrl+Alt+<keys>: a grab of it is refused."""
    from Xlib import XK, X, display, error

    other = display.Display(display_name)
    try:
        keycode = other.keysym_to_keycode(XK.string_to_keysym(keys))
        refused = error.CatchError(error.BadAccess)
        root = other.screen().root
        root.grab_key(keycode, X.ControlMask | X.Mod1Mask, True, X.GrabModeAsync, X.GrabModeAsync,
                      onerror=refused)
        other.sync()
        if refused.get_error() is None:
            root.ungrab_key(keycode, X.ControlMask | X.Mod1Mask)
            other.sync()
            return False
        return True
    finally:
        other.close()


def test_ctrl_alt_p_in_any_program_opens_the_report_wizard(xserver, tmp_path):
    env = x_env(xserver)
    env.update(REPORT_CAPTURE_HOME=str(tmp_path / "home"),
               REPORT_CAPTURE_SYSTEM_CONFIG=str(tmp_path / "system.toml"))
    app = subprocess.Popen([sys.executable, "-m", "capture_app"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: MAIN_WINDOW in windows(xserver), 60, "the app never showed its window")
        # The combination is registered right after the first window, just before the launcher
        # (no tray on a bare X server) comes up: from then on one press opens one wizard.
        wait_for(lambda: LAUNCHER in windows(xserver), 60, "the app never showed its launcher")
        assert held_by_someone(xserver), "the app did not register Ctrl+Alt+P"
        assert WIZARD not in windows(xserver)
        press(xserver, "ctrl+alt+p")
        wait_for(lambda: WIZARD in windows(xserver), 60, "Ctrl+Alt+P did not open the report wizard")
        assert windows(xserver).count(WIZARD) == 1
        assert app.poll() is None
    finally:
        app.terminate()
        try:
            app.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
            app.communicate()


@pytest.fixture
def on_xserver(xserver, monkeypatch):
    """The app's own Qt stays offscreen; its key combination goes to the X server."""
    monkeypatch.setenv("DISPLAY", xserver)
    for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    return xserver


def test_the_registered_combination_reports_each_press(on_xserver, qtbot):
    from capture_app.ui.platform.global_hotkey import GlobalHotkey

    hotkey = GlobalHotkey()
    assert hotkey.register("Ctrl+Shift+F9") is None
    try:
        with qtbot.waitSignal(hotkey.pressed, timeout=10_000):
            press(on_xserver, "ctrl+shift+F9")
        # With Num Lock on, the same combination still counts.
        press(on_xserver, "Num_Lock")
        with qtbot.waitSignal(hotkey.pressed, timeout=10_000):
            press(on_xserver, "ctrl+shift+F9")
        press(on_xserver, "Num_Lock")
        with qtbot.assertNotEmitted(hotkey.pressed, wait=500):
            press(on_xserver, "ctrl+F9")  # another combination is not ours
    finally:
        hotkey.unregister()


def test_a_combination_another_program_holds_is_explained_and_the_app_works_on(
        on_xserver, controller, qtbot):
    from Xlib import XK, X, display, error

    other = display.Display(on_xserver)  # another program that took Ctrl+Alt+P first
    keycode = other.keysym_to_keycode(XK.string_to_keysym("p"))
    other.screen().root.grab_key(keycode, X.ControlMask | X.Mod1Mask, True, X.GrabModeAsync,
                                 X.GrabModeAsync, onerror=error.CatchError())
    other.sync()
    try:
        window = controller.show_main_window()
        controller.start_hotkey()
        notice = window.notices.text()
        assert "Strg+Alt+P" in notice and "belegt" in notice and "Einstellungen" in notice
        assert controller.hotkey.hotkey is None
        assert window.hotkey_label.isHidden()  # no promise of a shortcut that does nothing
        # The agent picks another combination in the settings: it works at once.
        controller.config.set_user("hotkey.report", "Ctrl+Alt+M")
        controller.start_hotkey()
        assert controller.hotkey_problem is None
        assert not window.hotkey_label.isHidden()
        assert "Alt+M" in window.hotkey_label.text()
        with qtbot.waitSignal(controller.hotkey.pressed, timeout=10_000):
            press(on_xserver, "ctrl+alt+m")
    finally:
        other.close()
        if controller.hotkey is not None:
            controller.hotkey.unregister()


def test_wayland_gets_a_message_with_the_way_to_bind_it_there(monkeypatch):
    from capture_app.core.platform import i18n
    from capture_app.ui.platform.global_hotkey import GlobalHotkey

    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    i18n.set_language("en")
    try:
        message = GlobalHotkey().register("Ctrl+Alt+P")
    finally:
        i18n.set_language("de")
    assert message is not None
    assert "Ctrl+Alt+P" in message and "Wayland" in message and "capture-app report" in message


def test_the_tray_menu_shows_the_combination(on_xserver, controller, tmp_path):
    from capture_app.ui.hours.presence import Presence
    from capture_app.ui.hours.tray import TrayIcon

    controller.start_hotkey()
    try:
        presence = Presence(controller, tray_available=True, notifier=object())
        tray = TrayIcon()
        tray.set_entries(presence.entries())
        assert tray.entry_actions["report"].text() == "&Problem melden\tStrg+Alt+P"
    finally:
        controller.hotkey.unregister()


def test_an_app_not_on_a_screen_leaves_the_combination_to_others(xserver, tmp_path):
    """Offscreen (tests, benchmarks) the app must not take Ctrl+Alt+P from the desktop that
    DISPLAY happens to name."""
    import time

    env = x_env(xserver)
    env.update(QT_QPA_PLATFORM="offscreen", REPORT_CAPTURE_HOME=str(tmp_path / "home"),
               REPORT_CAPTURE_SYSTEM_CONFIG=str(tmp_path / "system.toml"))
    # Two starts at once: whichever claims first runs; the other hands over, but only once
    # the running one is up, past its start-up steps.
    starts = [subprocess.Popen([sys.executable, "-m", "capture_app"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while all(p.poll() is None for p in starts) and time.monotonic() < deadline:
            time.sleep(0.1)
        ended = [p for p in starts if p.poll() is not None]
        assert len(ended) == 1, "neither start handed over within 60 s"
        output = ended[0].communicate(timeout=20)
        assert "läuft bereits" in output[0], output[0] + output[1][-2000:]
        for _ in range(10):  # and it stays free while the app runs on
            assert not held_by_someone(xserver), "the offscreen app holds Ctrl+Alt+P"
            time.sleep(0.2)
    finally:
        for process in starts:
            if process.poll() is None:
                process.terminate()
            try:
                process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


@pytest.mark.parametrize("text,virtual_key,modifiers", [
    ("Ctrl+Alt+P", 0x50, 0x2 | 0x1), ("Shift+F9", 0x78, 0x4), ("Win+1", 0x31, 0x8), ("F24", 0x87, 0)])
def test_windows_gets_thevirtual_key_and_modifiers_of_the_combination(text, virtual_key, modifiers):
    """RegisterHotKey's numbers (winuser.h): letters and digits as their ASCII code, F1 = 0x70."""
    from capture_app.core.platform.hotkeys import parse_hotkey
    from capture_app.ui.platform.global_hotkey import WindowsHotkey

    hotkey = parse_hotkey(text)
    backend = WindowsHotkey(hotkey, lambda: None)
    assert backend.virtual_key() == virtual_key
    assert sum(WindowsHotkey.MOD[m] for m in hotkey.modifiers) == modifiers
