"""The element under a click, read over AT-SPI (Linux's accessibility bus) — best effort.

What a screen reader would say about the clicked control: its accessible name ("Speichern") and
role ("push button", in the application's language where it translates roles). Spoken with
jeepney (pure Python): the accessibility bus's address from the session bus, the application
whose connection belongs to the clicked window's process, then ``GetAccessibleAtPoint`` from its
window down to the deepest element. Anything missing — no accessibility bus, an application that
does not join it (toolkits join only while assistive technology is on), a call that fails —
gives no element, never an error: the step still has its window and picture.
"""
from __future__ import annotations

import time
from typing import Any

_REGISTRY = ("org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root")
_NULL_PATH = "/org/a11y/atspi/null"
_TIMEOUT = 0.25  # seconds per call, and 0.5 s for a whole lookup: a hung application must
_BUDGET = 0.5     # not hold up the recording
_MAX_DEPTH = 40
# Roles of the space between controls: "Klick auf „Termin speichern“ (filler)" says nothing the
# window title does not.
_CONTAINERS = frozenset({"filler", "panel", "frame", "window", "application", "unknown",
                         "redundant object", "scroll pane", "viewport", "layered pane",
                         "root pane", "glass pane", "section", "invalid"})


class AtspiElements:
    """Reads elements for one thread (the recorder's worker); the connection opens on first use."""

    def __init__(self) -> None:
        self._conn: Any = None
        self._failed = False
        self._apps: dict[int, tuple[str, str]] = {}
        self._deadline = 0.0

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _call(self, bus_name: str, path: str, interface: str, method: str,
              signature: str | None = None, body: tuple[Any, ...] = ()) -> Any:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the element lookup took too long")
        address = DBusAddress(path, bus_name=bus_name, interface=interface)
        message = new_method_call(address, method, signature, body)
        return unwrap_msg(self._conn.send_and_get_reply(message, timeout=min(_TIMEOUT, left)))

    def _connect(self) -> bool:
        if self._conn is not None:
            return True
        if self._failed:
            return False
        try:
            from jeepney import DBusAddress, new_method_call
            from jeepney.io.blocking import open_dbus_connection
            from jeepney.wrappers import unwrap_msg

            with open_dbus_connection(bus="SESSION") as session:
                reply = session.send_and_get_reply(new_method_call(
                    DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus"),
                    "GetAddress"), timeout=_TIMEOUT)
                (address,) = unwrap_msg(reply)
            self._conn = open_dbus_connection(bus=address)
        except Exception:  # noqa: BLE001 - no accessibility bus: no elements, recording goes on
            self._failed = True
            return False
        return True

    def element_at(self, x: int, y: int, pid: int) -> tuple[str, str]:
        """``(name, role)`` of the deepest element at (x, y) in the application ``pid``."""
        if not pid or not self._connect():
            return "", ""
        self._deadline = time.monotonic() + _BUDGET
        try:
            app = self._application(pid)
            if app is None:
                return "", ""
            node = self._frame_at(app, x, y)
            if node is None:
                return "", ""
            for _ in range(_MAX_DEPTH):
                (child,) = self._call(*node, "org.a11y.atspi.Component", "GetAccessibleAtPoint",
                                      "iiu", (x, y, 0))
                if not child or child[1] == _NULL_PATH or tuple(child) == node:
                    break
                node = (child[0], child[1])
            return self._describe(node)
        except Exception:  # noqa: BLE001 - an application that went away or does not answer
            self._apps.pop(pid, None)
            return "", ""

    def _application(self, pid: int) -> tuple[str, str] | None:
        if pid in self._apps:
            return self._apps[pid]
        (children,) = self._call(*_REGISTRY, "org.a11y.atspi.Accessible", "GetChildren")
        for bus_name, path in children:
            try:
                (owner,) = self._call("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                      "org.freedesktop.DBus", "GetConnectionUnixProcessID", "s",
                                      (bus_name,))
            except Exception:  # noqa: BLE001 - gone since the list was made
                continue
            if owner == pid:
                self._apps[pid] = (bus_name, path)
                return self._apps[pid]
        return None

    def _frame_at(self, app: tuple[str, str], x: int, y: int) -> tuple[str, str] | None:
        (frames,) = self._call(*app, "org.a11y.atspi.Accessible", "GetChildren")
        for bus_name, path in frames:
            try:
                (contains,) = self._call(bus_name, path, "org.a11y.atspi.Component", "Contains",
                                         "iiu", (x, y, 0))
            except Exception:  # noqa: BLE001 - a frame without the Component interface
                continue
            if contains:
                return bus_name, path
        return None

    def _describe(self, node: tuple[str, str]) -> tuple[str, str]:
        (kind,) = self._call(*node, "org.a11y.atspi.Accessible", "GetRoleName")
        if str(kind) in _CONTAINERS:
            return "", ""
        (name,) = self._call(*node, "org.freedesktop.DBus.Properties", "Get", "ss",
                             ("org.a11y.atspi.Accessible", "Name"))
        (role,) = self._call(*node, "org.a11y.atspi.Accessible", "GetLocalizedRoleName")
        text = name[1] if isinstance(name, tuple) else name
        return str(text or "").strip()[:200], str(role or "").strip()[:80]
