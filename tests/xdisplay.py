"""A real X server for screen-capture tests: Xvfb, RandR monitors, and a known picture on it.

    with XServer(1600, 600, monitors=[(1000, 600, 0, 0), (600, 400, 1000, 100)]) as x:
        painter = x.paint(pattern_bytes, 1600, 600)   # a window showing exactly these pixels
        ...  # capture with DISPLAY=x.display

Xvfb runs with ``-noreset``: without it the RandR monitors vanish whenever the last client
disconnects. Depth 24 keeps every pixel exact.
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

PAINTER = Path(__file__).with_name("paint_pattern.py")


def start_xvfb(width: int, height: int, *extra: str) -> tuple[subprocess.Popen, str]:
    """A new Xvfb (depth 24, no TCP, ``-noreset``) and its display name.

    Xvfb picks its own display number (``-displayfd``) and claims its lock file itself, so tests
    running in parallel never race for one number, as they would probing for a free one first.
    """
    binary = shutil.which("Xvfb")
    assert binary, "Xvfb is missing: `python3 dev.py test` installs it (Debian package xvfb)"
    read, write = os.pipe()
    server = subprocess.Popen(
        [binary, "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24", "-nolisten",
         "tcp", "-noreset", *extra],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    number = b""
    deadline = time.monotonic() + 30
    os.set_blocking(read, False)
    try:
        while not number.endswith(b"\n"):
            if server.poll() is not None:
                raise AssertionError("Xvfb exited at start")
            if time.monotonic() > deadline:
                server.kill()
                raise AssertionError("Xvfb did not come up")
            try:
                chunk = os.read(read, 16)
            except BlockingIOError:
                time.sleep(0.02)
                continue
            if not chunk:
                raise AssertionError("Xvfb exited at start")
            number += chunk
    finally:
        os.close(read)
    return server, f":{number.decode().strip()}"


def stop(process: subprocess.Popen | None) -> None:
    """End a helper process: terminate, then kill if it does not go within 10 s."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def pattern(width: int, height: int, seed: int = 4) -> bytes:
    """Random RGB bytes: every pixel differs from its neighbours, so any shift or scaling shows."""
    return random.Random(seed).randbytes(width * height * 3)


def sub_image(rgb: bytes, width: int, left: int, top: int, w: int, h: int) -> bytes:
    return b"".join(rgb[((top + y) * width + left) * 3:((top + y) * width + left + w) * 3]
                    for y in range(h))


def xcb_env(display: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", **extra)
    for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "QT_SCALE_FACTOR", "QT_SCREEN_SCALE_FACTORS"):
        if name not in extra:
            env.pop(name, None)
    return env


class XServer:
    def __init__(self, width: int, height: int, monitors: list[tuple[int, int, int, int]] | None = None):
        self.width, self.height = width, height
        self.monitors = monitors or []
        self.display = ""
        self._server: subprocess.Popen | None = None
        self._painters: list[subprocess.Popen] = []

    def __enter__(self) -> XServer:
        self._server, self.display = start_xvfb(self.width, self.height)
        for index, (w, h, x, y) in enumerate(self.monitors):
            # The first monitor takes over the screen's output; the others are client-defined.
            output = "screen" if index == 0 else "none"
            subprocess.run(["xrandr", "--setmonitor", f"M{index + 1}", f"{w}/{w // 4}x{h}/{h // 4}+{x}+{y}",
                            output], env=dict(os.environ, DISPLAY=self.display), check=True,
                           capture_output=True, timeout=20)
        return self

    def paint(self, rgb: bytes, width: int, height: int, x: int = 0, y: int = 0) -> subprocess.Popen:
        """Show ``rgb`` (width × height) at (x, y) in a frameless window; returns once it is shown."""
        raw = Path(os.environ.get("TMPDIR", "/tmp")) / f"pattern-{os.getpid()}-{len(self._painters)}.raw"
        raw.write_bytes(rgb)
        painter = subprocess.Popen(
            [sys.executable, str(PAINTER), str(raw), str(width), str(height), str(x), str(y)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=xcb_env(self.display))
        self._painters.append(painter)
        line = painter.stdout.readline()
        raw.unlink(missing_ok=True)
        assert line.strip() == "ready", painter.stderr.read()[-2000:] if painter.poll() is not None else line
        return painter

    def __exit__(self, *exc_info: object) -> None:
        for process in [*self._painters, self._server]:
            stop(process)
        for painter in self._painters:
            for stream in (painter.stdout, painter.stderr):
                if stream:
                    stream.close()
