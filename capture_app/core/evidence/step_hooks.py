"""The global click and key hooks of the step recorder (what was clicked: ``step_windows``).

* **X11** — the X RECORD extension through python-xlib: events are observed, never grabbed, so
  the clicked application gets them as usual. pynput does the same on X11 but requires evdev, a
  C extension without wheels, for a backend not used here.
* **Windows and macOS** — pynput's hooks (Windows' low-level hooks; macOS's event tap, which asks
  for the *Bedienungshilfen* permission).
* **Wayland** — no program may watch the whole desktop's input; :func:`recording_support` says
  so and the agent adds steps by hand (a screenshot with a note).

A hook callback only hands the event to the recorder's queue: the agent never feels it
(``benchmarks/steps.py`` measures it).
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from capture_app.core.platform.session import session_kind

_MODIFIER_KEYS = {"ctrl": "ctrl", "ctrl_l": "ctrl", "ctrl_r": "ctrl", "alt": "alt", "alt_l": "alt",
                  "alt_r": "alt", "alt_gr": "alt_gr", "shift": "shift", "shift_l": "shift",
                  "shift_r": "shift", "cmd": "super", "cmd_l": "super", "cmd_r": "super"}


def recording_support(session: str | None = None) -> str:
    """``""`` when clicks can be recorded globally here, else the key of the reason why not."""
    kind = session or session_kind()
    if kind == "wayland":
        return "steps.wayland"
    if kind == "none":
        return "steps.no_display"
    try:
        if kind == "x11":
            import Xlib.ext.record  # noqa: F401 - only whether it loads
        else:
            import pynput  # noqa: F401
    except Exception:  # noqa: BLE001 - a missing backend library shows as any error
        return "steps.no_hooks"
    return ""


def key_name(key: Any) -> str:
    """A pynput key as the recorder's name: ``ctrl``, ``tab``, ``f5``, ``c`` (lower case)."""
    name = str(getattr(key, "name", None) or "")
    if name:
        return _MODIFIER_KEYS.get(name, name)
    char = str(getattr(key, "char", None) or "")
    if char and char.isprintable():
        return char.lower()
    return "key"


def button_name(button: Any) -> str:
    name = str(getattr(button, "name", ""))
    return name if name in ("left", "right", "middle") else "other"


class Hooks:
    """Global mouse and keyboard listeners calling ``click(x, y, button, when)`` and
    ``key(name, pressed)`` (pynput: Windows' low-level hooks, macOS's event tap; ``when`` is the
    arrival, pynput gives no event time)."""

    def __init__(self, click: Callable[[int, int, str, float], None],
                 key: Callable[[str, bool], None]) -> None:
        self._click, self._key = click, key
        self._listeners: list[Any] = []

    def start(self) -> None:
        from pynput import keyboard, mouse

        def on_click(x: float, y: float, button: Any, pressed: bool) -> None:
            if pressed:
                self._click(int(x), int(y), button_name(button), time.monotonic())

        listeners = [mouse.Listener(on_click=on_click),
                     keyboard.Listener(on_press=lambda k: self._key(key_name(k), True),
                                       on_release=lambda k: self._key(key_name(k), False))]
        for listener in listeners:
            listener.daemon = True
            listener.start()
        for listener in listeners:
            listener.wait()  # listening from here on: nothing the agent does is missed
        self._listeners = listeners

    def stop(self) -> None:
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener.stop()
        for listener in listeners:
            listener.join(5)


_X_BUTTONS = {1: "left", 2: "middle", 3: "right"}  # 4–7 are the wheel: not clicks
_X_KEYS = {"control_l": "ctrl", "control_r": "ctrl", "alt_l": "alt", "alt_r": "alt",
           "meta_l": "alt", "meta_r": "alt", "iso_level3_shift": "alt_gr", "mode_switch": "alt_gr",
           "shift_l": "shift", "shift_r": "shift", "super_l": "super", "super_r": "super",
           "return": "enter", "kp_enter": "enter", "escape": "esc", "prior": "page_up",
           "next": "page_down", "print": "print_screen", "iso_left_tab": "tab"}


class XRecordHooks:
    """The same hooks on X11 through the RECORD extension (python-xlib): input is observed, never
    grabbed, so the clicked application gets every event as usual.

    pynput does the same on X11 but requires evdev, a C extension without wheels: a C compiler
    and the kernel headers on every agent's machine for a backend that is not used here.
    """

    def __init__(self, click: Callable[[int, int, str, float], None],
                 key: Callable[[str, bool], None], display: str | None = None) -> None:
        self._click, self._key = click, key
        self.display_name = display
        self._thread: threading.Thread | None = None
        self._control: Any = None
        self._context: Any = None
        self._names: dict[int, str] = {}
        # Seconds each hook callback took, when a list is given (benchmarks/steps.py).
        self.callback_times: list[float] | None = None

    def start(self) -> None:
        from Xlib import X, display
        from Xlib.ext import record

        self._control = display.Display(self.display_name)
        data = display.Display(self.display_name)
        if not data.has_extension("RECORD"):
            data.close()
            raise OSError("the X server has no RECORD extension")
        self._names = _key_names(data)
        self._context = data.record_create_context(0, [record.AllClients], [{
            "core_requests": (0, 0), "core_replies": (0, 0), "ext_requests": (0, 0, 0, 0),
            "ext_replies": (0, 0, 0, 0), "delivered_events": (0, 0),
            "device_events": (X.KeyPress, X.ButtonPress), "errors": (0, 0),
            "client_started": False, "client_died": False}])
        ready = threading.Event()
        self._thread = threading.Thread(target=self._listen, args=(data, ready), daemon=True,
                                        name="step-hooks")
        self._thread.start()
        ready.wait(10)

    def _listen(self, data: Any, ready: threading.Event) -> None:
        from Xlib import X
        from Xlib.protocol import rq

        # python-xlib's own way to read recorded events (its stubs want a field name).
        field = rq.EventField(None)  # type: ignore[arg-type]

        def on_reply(reply: Any) -> None:
            began = time.perf_counter()
            ready.set()
            if reply.category != 0 or reply.client_swapped or not reply.data:
                return  # 0: from the server; the rest are start/end markers
            dispatch(reply.data)
            if self.callback_times is not None:
                self.callback_times.append(time.perf_counter() - began)

        def dispatch(raw: Any) -> None:
            while raw:
                event, raw = field.parse_binary_value(raw, data.display, None, None)
                if event.type == X.ButtonPress and event.detail in _X_BUTTONS:
                    self._click(event.root_x, event.root_y, _X_BUTTONS[event.detail],
                                event.time / 1000)  # the server's milliseconds
                elif event.type in (X.KeyPress, X.KeyRelease):
                    self._key(self._names.get(event.detail, "key"), event.type == X.KeyPress)

        try:
            data.record_enable_context(self._context, on_reply)  # returns once disabled
        finally:
            ready.set()
            data.record_free_context(self._context)
            data.close()

    def stop(self) -> None:
        control, self._control = self._control, None
        if control is None:
            return
        control.record_disable_context(self._context)
        control.flush()
        if self._thread is not None:
            self._thread.join(5)
        control.close()


def _key_names(conn: Any) -> dict[int, str]:
    """Each keycode's name for the recorder, worked out once (the hook itself only looks up)."""
    from Xlib import XK

    by_sym = {getattr(XK, n): n[3:].lower() for n in dir(XK) if n.startswith("XK_")}
    first = conn.display.info.min_keycode
    count = conn.display.info.max_keycode - first + 1
    names = {}
    for offset, syms in enumerate(conn.get_keyboard_mapping(first, count)):
        sym = syms[0] if syms else 0
        char = XK.keysym_to_string(sym) or ""
        text = char.lower() if len(char) == 1 and char.isprintable() and char != " " else \
            by_sym.get(sym, "key")
        names[first + offset] = _X_KEYS.get(text, text)
    return names


def hooks_for(click: Callable[[int, int, str, float], None], key: Callable[[str, bool], None],
              session: str | None = None, display: str | None = None) -> Hooks | XRecordHooks:
    if (session or session_kind()) == "x11":
        return XRecordHooks(click, key, display)
    return Hooks(click, key)
