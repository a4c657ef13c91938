"""The system-wide key combination for "Problem melden", through the platform's own API.

X11: ``XGrabKey`` on the root window (libX11, on a connection of its own read by the UI thread's
event loop), so the combination reaches only this app and a combination another program holds is reported as taken
instead of silently doing nothing. Windows: ``RegisterHotKey`` in a thread with its own message
loop. Wayland and macOS offer no such registration to an ordinary app: the agent is told how to
bind the combination in the desktop's own settings instead. In every case the app works on.
"""
from __future__ import annotations

import ctypes
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QObject, QSocketNotifier, Signal

from capture_app.core.platform.hotkeys import Hotkey, parse_hotkey
from capture_app.core.platform.i18n import current_language, tr
from capture_app.core.platform.session import session_kind

log = logging.getLogger("capture_app")


class HotkeyUnavailable(Exception):
    """The combination could not be registered; ``reason`` is an i18n key's last part."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _XKeyEvent(ctypes.Structure):
    _fields_: ClassVar = [
        ("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("root", ctypes.c_ulong),
        ("subwindow", ctypes.c_ulong), ("time", ctypes.c_ulong), ("x", ctypes.c_int),
        ("y", ctypes.c_int), ("x_root", ctypes.c_int), ("y_root", ctypes.c_int),
        ("state", ctypes.c_uint), ("keycode", ctypes.c_uint), ("same_screen", ctypes.c_int)]


class _XEvent(ctypes.Union):
    _fields_: ClassVar = [("type", ctypes.c_int), ("xkey", _XKeyEvent), ("pad", ctypes.c_long * 24)]


class _XErrorEvent(ctypes.Structure):
    _fields_: ClassVar = [
        ("type", ctypes.c_int), ("display", ctypes.c_void_p), ("resourceid", ctypes.c_ulong),
        ("serial", ctypes.c_ulong), ("error_code", ctypes.c_ubyte),
        ("request_code", ctypes.c_ubyte), ("minor_code", ctypes.c_ubyte)]


_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_XErrorEvent))
# <X11/X.h>
_KEY_PRESS, _GRAB_MODE_ASYNC, _BAD_ACCESS = 2, 1, 10
_SHIFT, _LOCK, _CONTROL, _MOD1, _MOD2, _MOD4 = 1, 2, 4, 8, 16, 64
_MASKS = {"ctrl": _CONTROL, "alt": _MOD1, "shift": _SHIFT, "meta": _MOD4}


def _libx11() -> Any:
    """libX11, which Qt's X11 platform plugin has loaded already, with the calls used here."""
    x = ctypes.CDLL("libX11.so.6")
    for name, result, arguments in (
            ("XOpenDisplay", ctypes.c_void_p, [ctypes.c_char_p]),
            ("XCloseDisplay", ctypes.c_int, [ctypes.c_void_p]),
            ("XDefaultRootWindow", ctypes.c_ulong, [ctypes.c_void_p]),
            ("XStringToKeysym", ctypes.c_ulong, [ctypes.c_char_p]),
            ("XKeysymToKeycode", ctypes.c_ubyte, [ctypes.c_void_p, ctypes.c_ulong]),
            ("XGrabKey", ctypes.c_int, [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint,
                                        ctypes.c_ulong, ctypes.c_int, ctypes.c_int, ctypes.c_int]),
            ("XUngrabKey", ctypes.c_int, [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint,
                                          ctypes.c_ulong]),
            ("XSync", ctypes.c_int, [ctypes.c_void_p, ctypes.c_int]),
            ("XConnectionNumber", ctypes.c_int, [ctypes.c_void_p]),
            ("XPending", ctypes.c_int, [ctypes.c_void_p]),
            ("XNextEvent", ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(_XEvent)]),
            ("XSetErrorHandler", ctypes.c_void_p, [ctypes.c_void_p])):
        function = getattr(x, name)
        function.restype, function.argtypes = result, arguments
    return x


class X11Grab:
    """``XGrabKey`` for one combination, with and without Caps Lock and Num Lock.

    On a connection of its own (through libX11, which the process has loaded anyway), read on
    the UI thread's event loop: no thread, no wake-up until the combination is pressed.
    """

    def __init__(self, hotkey: Hotkey, on_press: Callable[[], None], display_name: str | None = None):
        self.hotkey = hotkey
        self.on_press = on_press
        self.display_name = display_name
        self._x: Any = None
        self._display: int | None = None
        self._notifier: QSocketNotifier | None = None
        self._event = _XEvent()

    def start(self) -> None:
        try:
            self._x = x = _libx11()
        except OSError as exc:
            raise HotkeyUnavailable("unsupported") from exc
        name = self.display_name.encode() if self.display_name else None
        self._display = display = x.XOpenDisplay(name)
        if not display:
            self._display = None
            raise HotkeyUnavailable("no_display")
        key = self.hotkey.key.lower() if len(self.hotkey.key) == 1 else self.hotkey.key
        self._keycode = x.XKeysymToKeycode(display, x.XStringToKeysym(key.encode()))
        if not self._keycode:
            self._close()
            raise HotkeyUnavailable("no_key")
        self._mask = sum(_MASKS[m] for m in self.hotkey.modifiers)
        self._relevant = sum(_MASKS.values())
        self._root = x.XDefaultRootWindow(display)
        # Caps Lock (Lock) and Num Lock (Mod2) change the state the server compares.
        self._grabs = [self._mask | extra for extra in (0, _LOCK, _MOD2, _LOCK | _MOD2)]
        if self._grab_refused():
            self._ungrab()
            self._close()
            raise HotkeyUnavailable("taken")
        self._notifier = QSocketNotifier(x.XConnectionNumber(display), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._read)
        self._read()  # events Xlib has already taken off the connection

    def _grab_refused(self) -> bool:
        """Grab every variant; True if the server refused one (another program holds it)."""
        x, display, refused = self._x, self._display, []

        def on_error(error_display, event) -> int:
            if error_display == display and event.contents.error_code == _BAD_ACCESS:
                refused.append(True)
            return 0  # Xlib's default would end the process

        # The handler is the process's for this moment only: until XSync has delivered every
        # answer to the grabs.
        handler = _ERROR_HANDLER(on_error)
        previous = x.XSetErrorHandler(ctypes.cast(handler, ctypes.c_void_p))
        try:
            for mask in self._grabs:
                x.XGrabKey(display, self._keycode, mask, self._root, 1, _GRAB_MODE_ASYNC,
                           _GRAB_MODE_ASYNC)
            x.XSync(display, 0)
        finally:
            x.XSetErrorHandler(previous)
        return bool(refused)

    def _read(self, *_args) -> None:
        x, display, event = self._x, self._display, self._event
        if display is None:
            return
        while x.XPending(display):
            x.XNextEvent(display, ctypes.byref(event))
            key = event.xkey
            if (event.type == _KEY_PRESS and key.keycode == self._keycode
                    and key.state & self._relevant == self._mask):
                self.on_press()

    def _ungrab(self) -> None:
        for mask in self._grabs:
            self._x.XUngrabKey(self._display, self._keycode, mask, self._root)
        self._x.XSync(self._display, 0)

    def _close(self) -> None:
        if self._display is not None:
            self._x.XCloseDisplay(self._display)
            self._display = None

    def stop(self) -> None:
        if self._notifier is None:
            return
        self._notifier.setEnabled(False)
        self._notifier.deleteLater()
        self._notifier = None
        try:
            self._ungrab()
        except Exception as exc:  # noqa: BLE001 - the X server went first: nothing to release
            log.info("hotkey release: %s", type(exc).__name__)
        self._close()


class WindowsHotkey:
    """``RegisterHotKey`` in a thread of its own; ``WM_HOTKEY`` arrives in that thread's queue."""

    WM_HOTKEY, WM_QUIT = 0x0312, 0x0012
    MOD: ClassVar[dict[str, int]] = {"alt": 0x1, "ctrl": 0x2, "shift": 0x4, "meta": 0x8}
    MOD_NOREPEAT = 0x4000

    def __init__(self, hotkey: Hotkey, on_press: Callable[[], None]):
        self.hotkey = hotkey
        self.on_press = on_press
        self._thread: threading.Thread | None = None
        self._thread_id = 0
        self._ready = threading.Event()
        self._registered = False

    def virtual_key(self) -> int:
        key = self.hotkey.key
        return 0x70 + int(key[1:]) - 1 if self.hotkey.is_function_key else ord(key)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="global-hotkey", daemon=True)
        self._thread.start()
        self._ready.wait(5)
        if not self._registered:
            self._thread.join(5)
            self._thread = None
            raise HotkeyUnavailable("taken")

    def _run(self) -> None:
        import ctypes
        from ctypes import wintypes

        user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
        kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined,unused-ignore]
        self._thread_id = kernel32.GetCurrentThreadId()
        modifiers = sum(self.MOD[m] for m in self.hotkey.modifiers) | self.MOD_NOREPEAT
        self._registered = bool(user32.RegisterHotKey(None, 1, modifiers, self.virtual_key()))
        self._ready.set()
        if not self._registered:
            return
        message = wintypes.MSG()
        try:
            while user32.GetMessageW(ctypes.byref(message), None, 0, 0) > 0:
                if message.message == self.WM_HOTKEY:
                    self.on_press()
        finally:
            user32.UnregisterHotKey(None, 1)

    def stop(self) -> None:
        if self._thread is None:
            return
        import ctypes

        ctypes.WinDLL("user32").PostThreadMessageW(  # type: ignore[attr-defined,unused-ignore]
            self._thread_id, self.WM_QUIT, 0, 0)
        self._thread.join(5)
        self._thread = None


class GlobalHotkey(QObject):
    """Emits ``pressed`` on the UI thread whenever the registered combination is pressed."""

    pressed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hotkey: Hotkey | None = None
        self._backend: X11Grab | WindowsHotkey | None = None

    def register(self, text: str) -> str | None:
        """Register ``text`` (the setting ``hotkey.report``) in place of the current one.

        Returns None when it is registered (or switched off by an empty setting), otherwise the
        message for the agent: which combination, why not, and what to do instead.
        """
        self.unregister()
        if not text.strip():
            return None
        hotkey = parse_hotkey(text)
        if hotkey is None:
            return tr("ui.hotkey.invalid", hotkey=text)
        kind = session_kind()
        try:
            if kind == "x11":
                backend: X11Grab | WindowsHotkey = X11Grab(hotkey, self.pressed.emit)
            elif kind == "windows" and sys.platform == "win32":
                backend = WindowsHotkey(hotkey, self.pressed.emit)
            else:
                raise HotkeyUnavailable("wayland" if kind == "wayland" else "unsupported")
            backend.start()
        except HotkeyUnavailable as exc:
            log.info("hotkey %s not registered: %s", hotkey.text(), exc.reason)
            return tr(f"ui.hotkey.{exc.reason}", hotkey=hotkey.shown(current_language()))
        self._backend, self.hotkey = backend, hotkey
        log.info("hotkey %s registered", hotkey.text())
        return None

    def shown(self) -> str:
        """The registered combination as the agent's keyboard names it; "" if there is none."""
        return self.hotkey.shown(current_language()) if self.hotkey is not None else ""

    def unregister(self) -> None:
        if self._backend is not None:
            self._backend.stop()
        self._backend, self.hotkey = None, None
