"""A private X session for one app under test: Xvfb, a window manager, the German keymap.

Xvfb picks its own display number (``xdisplay.start_xvfb``): the server claims the number's
lock file itself, so parallel test workers never race for the same display.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time

from xdisplay import start_xvfb, stop


class XSession:
    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.display = ""
        self._processes: list[subprocess.Popen] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, DISPLAY=self.display, QT_QPA_PLATFORM="xcb", **extra)
        for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "QT_SCALE_FACTOR", "QT_SCREEN_SCALE_FACTORS"):
            env.pop(name, None)
        return env

    def __enter__(self) -> XSession:
        for tool in ("Xvfb", "openbox", "xdotool", "setxkbmap", "xprop"):
            assert shutil.which(tool), f"{tool} is missing: `python3 dev.py test` installs it"
        server, self.display = start_xvfb(self.width, self.height)
        self._processes.append(server)
        env = self.env()
        # A real window manager: frames, focus on click, and the work area Qt reads.
        self._processes.append(subprocess.Popen(["openbox"], env=env, stdout=subprocess.DEVNULL,
                                                stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 30
        while "window id" not in subprocess.run(
                ["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=env, capture_output=True,
                text=True, timeout=20).stdout:
            assert time.monotonic() < deadline, "openbox did not start"
            time.sleep(0.05)
        # An agent's keyboard is German; xdotool needs the keymap of what it types (umlauts).
        subprocess.run(["setxkbmap", "de"], env=env, check=True, timeout=20)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for process in reversed(self._processes):
            stop(process)
