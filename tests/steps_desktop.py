"""A desktop for the step recorder's tests: Xvfb with two RandR monitors, openbox, real windows.

One wide screen (1600×600) split into a 1000×600 monitor and a 600×400 one beside it, as in
tests/ui/test_capture_x11.py; windows of ``steps_target_app.py`` are the applications clicked.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from xdisplay import start_xvfb, stop

TARGET = Path(__file__).with_name("steps_target_app.py")
MONITORS = [(1000, 600, 0, 0), (600, 400, 1000, 100)]


class Desktop:
    def __init__(self) -> None:
        self.display = ""
        self.processes: list[subprocess.Popen] = []

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, DISPLAY=self.display, QT_QPA_PLATFORM="xcb", **extra)
        for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "QT_SCALE_FACTOR"):
            if name not in extra:
                env.pop(name, None)
        return env

    def start(self) -> Desktop:
        for tool in ("openbox", "xdotool", "xrandr", "xprop"):
            assert shutil.which(tool), f"{tool} is missing: `python3 dev.py test` installs it"
        server, self.display = start_xvfb(1600, 600)
        self.processes.append(server)
        for index, (w, h, x, y) in enumerate(MONITORS):
            subprocess.run(["xrandr", "--setmonitor", f"M{index + 1}", f"{w}/{w // 4}x{h}/{h // 4}+{x}+{y}",
                            "screen" if index == 0 else "none"], env=self.env(), check=True,
                           capture_output=True, timeout=20)
        self.processes.append(subprocess.Popen(["openbox"], env=self.env(), stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL))
        deadline = time.monotonic() + 30
        while "window id" not in subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"],
                                                env=self.env(), capture_output=True, text=True,
                                                timeout=20).stdout:
            assert time.monotonic() < deadline, "openbox did not start"
            time.sleep(0.05)
        return self

    def app(self, title: str, x: int, y: int, width: int = 360, height: int = 240,
            **env: str) -> tuple[subprocess.Popen, dict[str, int]]:
        """A real Qt application window; its client area's place on the desktop."""
        process = subprocess.Popen([sys.executable, str(TARGET), title, str(x), str(y), str(width),
                                    str(height)], env=self.env(**env), stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        self.processes.append(process)
        assert process.stdout.readline().strip() == "ready"
        return process, self.window(title)

    def window(self, name: str) -> dict[str, int]:
        """Where the window titled ``name`` is on the desktop (physical pixels)."""
        wid = self.xdotool("search", "--sync", "--name", name).split()[0]
        shell = self.xdotool("getwindowgeometry", "--shell", wid)
        return {k.lower(): int(v) for k, v in (line.split("=") for line in shell.split())
                if k in ("X", "Y", "WIDTH", "HEIGHT", "WINDOW")}

    def xdotool(self, *args: str) -> str:
        return subprocess.run(["xdotool", *args], env=self.env(), capture_output=True, text=True,
                              timeout=30, check=True).stdout

    def click(self, x: int, y: int) -> None:
        """One click; the next comes after the capture rate (faster ones are one step)."""
        self.xdotool("mousemove", str(x), str(y), "click", "1")
        time.sleep(0.6)

    def stop(self) -> None:
        for process in reversed(self.processes):
            stop(process)
            if process.stdout:
                process.stdout.close()

    def __enter__(self) -> Desktop:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
