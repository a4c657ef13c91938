"""What was clicked: the window under a point, the active window, the clicked element, and the
picture of the monitor clicked on — one adapter per desktop, behind ``steps.StepPlatform``.

* **X11** (:class:`X11Platform`) — ``XTranslateCoordinates`` from the root down to the client
  window (the one with ``WM_STATE``), named by ``_NET_WM_NAME`` (else ``WM_NAME``) and
  ``WM_CLASS``; ``_NET_WM_PID`` tells the app's own windows apart; the element from AT-SPI
  (``step_elements``). Tested on Xvfb.
* **Windows** (:class:`WindowsPlatform`) — ``WindowFromPoint`` and its top-level ancestor,
  ``GetWindowTextW``, the process's image name, ``GetForegroundWindow``; the process id tells
  the app's own windows apart; the element from UI Automation (``step_elements_native``). Only
  the logic over recorded answers is tested here (no Windows machine).
* **macOS** (:class:`MacPlatform`) — ``CGWindowListCopyWindowInfo``: the front-most normal
  window containing the point, its owner's name and process id (window titles need the screen
  recording permission the app asks for anyway); the element from the Accessibility API
  (``step_elements_native``, with the Accessibility permission only). Only the logic over
  recorded answers is tested here.

Pictures come from mss for every desktop; a monitor whose picture has more pixels than the
monitor has points (macOS Retina) gets the click marked at the scaled place.
"""
from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from typing import Any, Protocol

from capture_app.core.evidence.screenshot import Capture, ScreenshotError
from capture_app.core.evidence.step_elements_native import (
    AxApi,
    BoundedLookup,
    ElementReader,
    MacElements,
    UiaApi,
    WindowsElements,
)
from capture_app.core.evidence.steps import Shot, WindowInfo
from capture_app.core.platform.session import session_kind


class ScreenPlatform:
    """Monitor pictures only (and the base of the others): windows are not named."""

    def __init__(self, display: str | None = None) -> None:
        self.display_name = display
        self._local = threading.local()

    def close(self) -> None:
        for name in ("x", "mss", "elements"):
            conn = getattr(self._local, name, None)
            if conn is not None:
                conn.close()
                setattr(self._local, name, None)

    def window_at(self, x: int, y: int) -> WindowInfo:
        return WindowInfo()

    def active_window(self) -> WindowInfo:
        return WindowInfo()

    def element_at(self, x: int, y: int, window: WindowInfo) -> tuple[str, str]:
        return "", ""

    def _bounded_element_at(self, x: int, y: int,
                            reader: Callable[[], ElementReader]) -> tuple[str, str]:
        """The element from ``reader`` (made on first use), waited for at most 0.5 s."""
        lookup = getattr(self._local, "elements", None)
        if lookup is None:
            lookup = self._local.elements = BoundedLookup(reader())
        return lookup.element_at(x, y)

    def grab_monitor_at(self, x: int, y: int) -> Shot:
        sct = getattr(self._local, "mss", None)
        try:
            if sct is None:
                import mss

                sct = self._local.mss = (mss.MSS(display=self.display_name) if self.display_name
                                         else mss.MSS())
            monitors = sct.monitors[1:] or sct.monitors[:1]
            index, mon = next(((i, m) for i, m in enumerate(monitors, 1)
                               if m["left"] <= x < m["left"] + m["width"]
                               and m["top"] <= y < m["top"] + m["height"]), (1, monitors[0]))
            shot = sct.grab(mon)
        except Exception as exc:
            raise ScreenshotError("screenshot.failed", detail=str(exc)[:200]) from exc
        width, height = shot.size
        return Shot(Capture(width, height, shot.raw, int(mon["left"]), int(mon["top"])),
                    index, scale=width / max(1, int(mon["width"])))


class X11Platform(ScreenPlatform):
    """Window under a point, active window and monitor pictures on an X server.

    Everything is called from the recorder's worker thread only (python-xlib and mss connections
    belong to the thread that uses them); the connections are opened there on first use.
    """

    def element_at(self, x: int, y: int, window: WindowInfo) -> tuple[str, str]:
        elements = getattr(self._local, "elements", None)
        if elements is None:
            from capture_app.core.evidence.step_elements import AtspiElements

            elements = self._local.elements = AtspiElements()
        return elements.element_at(x, y, window.pid)

    def _x(self) -> Any:
        conn = getattr(self._local, "x", None)
        if conn is None:
            from Xlib import display as xdisplay

            conn = self._local.x = xdisplay.Display(self.display_name)
            self._local.atoms = {name: conn.intern_atom(name) for name in (
                "WM_STATE", "_NET_WM_NAME", "UTF8_STRING", "_NET_WM_PID", "_NET_ACTIVE_WINDOW")}
        return conn

    def _client_at(self, x: int, y: int) -> Any:
        """The client window (with WM_STATE) under the point, below the window manager's frame."""
        conn = self._x()
        root = conn.screen().root
        window, found = root, None
        for _ in range(32):  # bounded: a window tree is never this deep
            child = window.translate_coords(root, x, y).child
            if not child:
                break
            window = child
            if window.get_full_property(self._local.atoms["WM_STATE"], 0) is not None:
                found = window
                break
        return found if found is not None else (window if window != root else None)

    def _describe(self, window: Any) -> WindowInfo:
        if window is None:
            return WindowInfo()
        atoms = self._local.atoms
        title = ""
        prop = window.get_full_property(atoms["_NET_WM_NAME"], atoms["UTF8_STRING"])
        if prop is not None and prop.value:
            raw = prop.value
            title = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        else:
            name = window.get_wm_name()
            title = name.decode("latin-1") if isinstance(name, bytes) else str(name or "")
        wm_class = window.get_wm_class() or ("", "")
        pid_prop = window.get_full_property(atoms["_NET_WM_PID"], 0)
        pid = int(pid_prop.value[0]) if pid_prop is not None and len(pid_prop.value) else 0
        return WindowInfo(title=title, application=str(wm_class[1] or wm_class[0]), pid=pid)

    def window_at(self, x: int, y: int) -> WindowInfo:
        from Xlib import error

        try:
            return self._describe(self._client_at(x, y))
        except error.XError:  # the window closed in between
            return WindowInfo()

    def active_window(self) -> WindowInfo:
        from Xlib import error

        conn = self._x()
        try:
            root = conn.screen().root
            prop = root.get_full_property(self._local.atoms["_NET_ACTIVE_WINDOW"], 0)
            if prop is not None and len(prop.value) and prop.value[0]:
                return self._describe(conn.create_resource_object("window", int(prop.value[0])))
            return self._describe(self._focused_client(conn))
        except error.XError:
            return WindowInfo()

    def _focused_client(self, conn: Any) -> Any:
        """Without a window manager: the focus window or the ancestor with WM_STATE."""
        window = conn.get_input_focus().focus
        root = conn.screen().root
        for _ in range(32):
            if not hasattr(window, "get_full_property") or window == root:
                return None
            if window.get_full_property(self._local.atoms["WM_STATE"], 0) is not None:
                return window
            window = window.query_tree().parent
        return None

# --- Windows --------------------------------------------------------------------------------

class Win32Api(Protocol):
    """The few Win32 calls the Windows adapter needs (``Win32Calls``; tests give recorded answers)."""

    def window_from_point(self, x: int, y: int) -> int: ...
    def foreground_window(self) -> int: ...
    def title(self, hwnd: int) -> str: ...
    def process_id(self, hwnd: int) -> int: ...
    def process_name(self, pid: int) -> str: ...


class Win32Calls:
    """user32 and kernel32 through ctypes."""

    GA_ROOT = 2
    PROCESS_QUERY_LIMITED_INFORMATION = 0x1000

    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes

        self._ctypes, self._wintypes = ctypes, wintypes
        self.user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        self.kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        self.user32.WindowFromPoint.argtypes = [wintypes.POINT]
        self.user32.WindowFromPoint.restype = wintypes.HWND
        self.user32.GetAncestor.argtypes = [wintypes.HWND, wintypes.UINT]
        self.user32.GetAncestor.restype = wintypes.HWND
        self.user32.GetForegroundWindow.restype = wintypes.HWND

    def window_from_point(self, x: int, y: int) -> int:
        hwnd = self.user32.WindowFromPoint(self._wintypes.POINT(x, y))
        return int(self.user32.GetAncestor(hwnd, self.GA_ROOT) or 0) if hwnd else 0

    def foreground_window(self) -> int:
        return int(self.user32.GetForegroundWindow() or 0)

    def title(self, hwnd: int) -> str:
        length = int(self.user32.GetWindowTextLengthW(hwnd))
        buffer = self._ctypes.create_unicode_buffer(length + 1)
        self.user32.GetWindowTextW(hwnd, buffer, length + 1)
        return str(buffer.value)

    def process_id(self, hwnd: int) -> int:
        pid = self._wintypes.DWORD()
        self.user32.GetWindowThreadProcessId(hwnd, self._ctypes.byref(pid))
        return int(pid.value)

    def process_name(self, pid: int) -> str:
        handle = self.kernel32.OpenProcess(self.PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
        if not handle:
            return ""
        try:
            size = self._wintypes.DWORD(1024)
            buffer = self._ctypes.create_unicode_buffer(size.value)
            if not self.kernel32.QueryFullProcessImageNameW(handle, 0, buffer,
                                                            self._ctypes.byref(size)):
                return ""
            return str(buffer.value)
        finally:
            self.kernel32.CloseHandle(handle)


class WindowsPlatform(ScreenPlatform):
    """Windows: the top-level window under the click and the foreground window, by title and
    program (``OUTLOOK``, ``msedge``)."""

    def __init__(self, api: Win32Api | None = None, uia: UiaApi | None = None) -> None:
        super().__init__()
        self._api = api
        self._uia = uia

    def _calls(self) -> Win32Api:
        if self._api is None:
            from capture_app.core.evidence.screenshot import ensure_dpi_awareness

            ensure_dpi_awareness()  # hooks, windows and pictures all in physical pixels
            self._api = Win32Calls()
        return self._api

    def _describe(self, hwnd: int) -> WindowInfo:
        if not hwnd:
            return WindowInfo()
        api = self._calls()
        pid = api.process_id(hwnd)
        image = api.process_name(pid) if pid else ""
        program = os.path.splitext(image.replace("\\", "/").rsplit("/", 1)[-1])[0]
        return WindowInfo(title=api.title(hwnd), application=program, pid=pid)

    def window_at(self, x: int, y: int) -> WindowInfo:
        try:
            return self._describe(self._calls().window_from_point(x, y))
        except OSError:
            return WindowInfo()

    def active_window(self) -> WindowInfo:
        try:
            return self._describe(self._calls().foreground_window())
        except OSError:
            return WindowInfo()

    def element_at(self, x: int, y: int, window: WindowInfo) -> tuple[str, str]:
        return self._bounded_element_at(x, y, lambda: WindowsElements(self._uia))


# --- macOS ----------------------------------------------------------------------------------

class MacPlatform(ScreenPlatform):
    """macOS: the front-most normal window (layer 0) containing the click, from the window list.

    ``window_list`` returns Quartz's on-screen window list front to back (dicts with
    ``kCGWindowBounds``, ``kCGWindowLayer``, ``kCGWindowOwnerName``, ``kCGWindowOwnerPID`` and,
    with the screen recording permission, ``kCGWindowName``); coordinates are points.
    """

    def __init__(self, window_list: Any = None, ax: AxApi | None = None) -> None:
        super().__init__()
        self._window_list = window_list
        self._ax = ax

    def _windows(self) -> list[Any]:
        if self._window_list is None:
            import Quartz

            def listed() -> list[Any]:
                return list(Quartz.CGWindowListCopyWindowInfo(
                    Quartz.kCGWindowListOptionOnScreenOnly
                    | Quartz.kCGWindowListExcludeDesktopElements, Quartz.kCGNullWindowID) or [])
            self._window_list = listed
        return list(self._window_list())

    @staticmethod
    def _info(window: Any) -> WindowInfo:
        return WindowInfo(title=str(window.get("kCGWindowName") or ""),
                          application=str(window.get("kCGWindowOwnerName") or ""),
                          pid=int(window.get("kCGWindowOwnerPID") or 0))

    def window_at(self, x: int, y: int) -> WindowInfo:
        for window in self._windows():
            bounds = window.get("kCGWindowBounds") or {}
            if window.get("kCGWindowLayer", 0) != 0:
                continue  # the menu bar, the Dock, overlays
            left, top = float(bounds.get("X", 0)), float(bounds.get("Y", 0))
            if left <= x < left + float(bounds.get("Width", 0)) \
                    and top <= y < top + float(bounds.get("Height", 0)):
                return self._info(window)
        return WindowInfo()

    def active_window(self) -> WindowInfo:
        front = next((w for w in self._windows() if w.get("kCGWindowLayer", 0) == 0), None)
        return self._info(front) if front is not None else WindowInfo()

    def element_at(self, x: int, y: int, window: WindowInfo) -> tuple[str, str]:
        return self._bounded_element_at(x, y, lambda: MacElements(self._ax))


def platform_for(session: str | None = None, display: str | None = None) -> ScreenPlatform:
    """The desktop adapter for this session."""
    kind = session or session_kind()
    if kind == "x11":
        return X11Platform(display)
    if kind == "windows" and sys.platform == "win32":
        return WindowsPlatform()
    if kind == "macos":
        return MacPlatform()
    return ScreenPlatform(display)
