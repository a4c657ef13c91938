"""A desktop for the benchmarks: Xvfb, openbox, a tray host (trayer), and a stopwatch on it.

    with Desktop(1920, 1080) as desktop:
        started = time.monotonic()
        process = subprocess.Popen([...], env=desktop.env())
        moment = desktop.watch.wait("map", after=started)   # the first window on screen
        drawn = desktop.watch.wait("paint", after=started, name="Title")  # … and its content

The stopwatch is ``benchmarks/xwatch.py`` in its own process: it reads the X server's events
and stamps each with the system's monotonic clock, so a benchmark compares the moment it
triggered something with the moment the X server mapped the window, for any program alike.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "journeys"))
sys.path.insert(0, str(ROOT / "tests"))

from xdisplay import stop  # noqa: E402, F401 - for the benchmarks: end a process they started
from xsession import XSession  # noqa: E402


class Watch:
    """The events of ``xwatch.py`` as (kind, monotonic seconds, window, name)."""

    def __init__(self, env: dict) -> None:
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("xwatch.py"))],
                                        env=env, stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the X event watcher did not start")
        self.events: queue.Queue = queue.Queue()
        self.seen: list[tuple[str, float, str, str]] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            kind, moment, window, *name = line.rstrip("\n").split(" ", 3)
            self.events.put((kind, float(moment), window, name[0] if name else ""))

    def wait(self, kind: str, after: float, timeout: float = 60.0,
             name: str | None = None) -> tuple[float, str]:
        """The first ``kind`` event ("map", "tray" or "paint") at or after ``after``, of a window
        called ``name`` if given: (moment, name)."""
        def wanted(event: tuple[str, float, str, str]) -> bool:
            return event[0] == kind and event[1] >= after and name in (None, event[3])

        deadline = time.monotonic() + timeout
        for event in self.seen:
            if wanted(event):
                return event[1], event[3]
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind} event{f' of {name!r}' if name else ''} "
                                   f"within {timeout:.0f} s")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(event)
            if wanted(event):
                return event[1], event[3]

    def forget(self) -> None:
        """Drop what was seen so far (the next wait looks only at newer events)."""
        self.seen.clear()
        while True:
            try:
                self.events.get_nowait()
            except queue.Empty:
                return

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self.process.stdout.close()


def selection_owned(display: str, selection: str) -> bool:
    x11 = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XGetSelectionOwner.restype = ctypes.c_ulong
    x11.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    handle = x11.XOpenDisplay(display.encode())
    if not handle:
        return False
    try:
        return bool(x11.XGetSelectionOwner(handle, x11.XInternAtom(handle, selection.encode(), 0)))
    finally:
        x11.XCloseDisplay(handle)


class Desktop:
    """Xvfb with openbox and trayer (``tray=False``: without the tray host), and a :class:`Watch`."""

    def __init__(self, width: int = 1920, height: int = 1080, *, tray: bool = True) -> None:
        self.session = XSession(width, height)
        self.tray = tray
        self.trayer: subprocess.Popen | None = None
        self.watch: Watch | None = None
        # The session's own runtime folder (0700), as a login session has: the app's socket
        # goes there, and whatever a killed app leaves goes with it.
        self.runtime = tempfile.mkdtemp(prefix="report-capture-run-")

    def env(self, **extra: str) -> dict[str, str]:
        env = self.session.env(**extra)
        env["XDG_RUNTIME_DIR"] = self.runtime
        # No session bus: Qt's tray icon is the XEmbed one trayer shows (as on a desktop with
        # a classic tray), and nothing waits on D-Bus time-outs.
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        return env

    def __enter__(self) -> Desktop:
        if self.tray and not shutil.which("trayer"):
            raise SystemExit("needs trayer (python3 dev.py test installs it)")
        self.session.__enter__()
        try:
            if self.tray:
                self.trayer = subprocess.Popen(
                    ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                     "--height", "24", "--SetDockType", "true"],
                    env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                deadline = time.monotonic() + 30
                while not selection_owned(self.session.display, "_NET_SYSTEM_TRAY_S0"):
                    if time.monotonic() > deadline or self.trayer.poll() is not None:
                        raise RuntimeError("trayer did not start")
                    time.sleep(0.05)
            self.watch = Watch(self.env())
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.watch is not None:
            self.watch.close()
        if self.trayer is not None and self.trayer.poll() is None:
            self.trayer.terminate()
            self.trayer.wait(10)
        self.session.__exit__(*exc_info)
        shutil.rmtree(self.runtime, ignore_errors=True)
