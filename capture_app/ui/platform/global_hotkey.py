"""The system-wide key combination for "Problem melden", through the platform's own API.

X11: ``XGrabKey`` on the root window (python-xlib, on its own connection and thread), so the
combination reaches only this app and a combination another program holds is reported as taken
instead of silently doing nothing. Windows: ``RegisterHotKey`` in a thread with its own message
loop. Wayland and macOS offer no such registration to an ordinary app: the agent is told how to
bind the combination in the desktop's own settings instead. In every case the app works on.
"""
from __future__ import annotations

import logging
import os
import select
import sys
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import QObject, Signal

from capture_app.core.platform.hotkeys import Hotkey, parse_hotkey
from capture_app.core.platform.i18n import current_language, tr
from capture_app.core.platform.session import session_kind

log = logging.getLogger("capture_app")


class HotkeyUnavailable(Exception):
    """The combination could not be registered; ``reason`` is an i18n key's last part."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class X11Grab:
    """``XGrabKey`` for one combination, with and without Caps Lock and Num Lock."""

    def __init__(self, hotkey: Hotkey, on_press: Callable[[], None], display_name: str | None = None):
        self.hotkey = hotkey
        self.on_press = on_press
        self.display_name = display_name
        self._display: Any = None
        self._thread: threading.Thread | None = None
        self._wake_read, self._wake_write = -1, -1

    def start(self) -> None:
        try:
            from Xlib import XK, X, display, error
        except ImportError as exc:  # python-xlib is a Linux dependency
            raise HotkeyUnavailable("unsupported") from exc
        try:
            self._display = display.Display(self.display_name)
        except (error.DisplayError, OSError) as exc:
            raise HotkeyUnavailable("no_display") from exc
        name = self.hotkey.key.lower() if len(self.hotkey.key) == 1 else self.hotkey.key
        keycode = self._display.keysym_to_keycode(XK.string_to_keysym(name))
        if not keycode:
            self._display.close()
            raise HotkeyUnavailable("no_key")
        masks = {"ctrl": X.ControlMask, "alt": X.Mod1Mask, "shift": X.ShiftMask, "meta": X.Mod4Mask}
        self._mask = sum(masks[m] for m in self.hotkey.modifiers)
        self._relevant = sum(masks.values())
        self._keycode = keycode
        root = self._display.screen().root
        catcher = error.CatchError(error.BadAccess)
        # Caps Lock (Lock) and Num Lock (Mod2) change the state the server compares.
        self._grabs = [self._mask | extra for extra in (0, X.LockMask, X.Mod2Mask, X.LockMask | X.Mod2Mask)]
        for mask in self._grabs:
            root.grab_key(keycode, mask, True, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher)
        self._display.sync()
        if catcher.get_error() is not None:
            self._ungrab()
            self._display.close()
            raise HotkeyUnavailable("taken")
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._listen, name="global-hotkey", daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        from Xlib import X

        fd = self._display.fileno()
        while True:
            readable, _, _ = select.select([fd, self._wake_read], [], [])
            if self._wake_read in readable:
                return
            while self._display.pending_events():
                event = self._display.next_event()
                if (event.type == X.KeyPress and event.detail == self._keycode
                        and event.state & self._relevant == self._mask):
                    self.on_press()

    def _ungrab(self) -> None:
        root = self._display.screen().root
        for mask in self._grabs:
            root.ungrab_key(self._keycode, mask)
        self._display.sync()

    def stop(self) -> None:
        if self._thread is None:
            return
        os.write(self._wake_write, b"x")
        self._thread.join(5)
        self._thread = None
        try:
            self._ungrab()
            self._display.close()
        except Exception as exc:  # noqa: BLE001 - the X server went first: nothing to release
            log.info("hotkey release: %s", type(exc).__name__)
        os.close(self._wake_read)
        os.close(self._wake_write)


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
