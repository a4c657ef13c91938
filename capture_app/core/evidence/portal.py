"""Screenshots on Wayland, through the desktop's screenshot portal.

On Wayland no program may read the screen by itself; the desktop offers
``org.freedesktop.portal.Screenshot`` on the session bus instead. A call returns a *request*
object; the answer arrives later as its ``Response`` signal with the URI of a PNG file the
portal wrote. To not miss a fast answer, the signal is subscribed to *before* the call, on the
request path the portal will use (derived from our bus name and a token we choose).

Spoken with jeepney (pure Python, no GLib). Blocking: call from a worker thread.
"""
from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlparse

from capture_app.core.evidence.screenshot import ScreenshotError

BUS_NAME = "org.freedesktop.portal.Desktop"
OBJECT_PATH = "/org/freedesktop/portal/desktop"
SCREENSHOT_INTERFACE = "org.freedesktop.portal.Screenshot"
REQUEST_INTERFACE = "org.freedesktop.portal.Request"
# The agent may take a while in an interactive portal dialog; a silent portal must not hang us.
DEFAULT_TIMEOUT = 120.0
CALL_TIMEOUT = 10.0
# D-Bus errors meaning "there is no screenshot portal here".
_UNAVAILABLE = {
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.UnknownMethod",
    "org.freedesktop.DBus.Error.UnknownInterface",
    "org.freedesktop.DBus.Error.UnknownObject",
    "org.freedesktop.DBus.Error.NotSupported",
}


def request_path(unique_name: str, token: str) -> str:
    sender = unique_name.lstrip(":").replace(".", "_")
    return f"{OBJECT_PATH}/request/{sender}/{token}"


def take_screenshot(*, bus: str = "SESSION", interactive: bool = False,
                    timeout: float = DEFAULT_TIMEOUT) -> Path:
    """Ask the portal for a screenshot of the whole screen; return the file it wrote.

    Raises :class:`ScreenshotError`: ``screenshot.portal_unavailable`` (no bus or no portal),
    ``screenshot.portal_cancelled`` (the agent said no), ``screenshot.portal_failed``.
    """
    from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import DBusErrorResponse

    try:
        conn = open_dbus_connection(bus=bus)
    except (KeyError, OSError, StopIteration, ValueError, TimeoutError) as exc:
        # KeyError: no DBUS_SESSION_BUS_ADDRESS at all.
        raise ScreenshotError("screenshot.portal_unavailable",
                              detail=_detail(exc) or "DBUS_SESSION_BUS_ADDRESS") from exc
    with conn:
        token = "report_capture_" + secrets.token_hex(8)
        expected = request_path(conn.unique_name, token)
        # Every request of ours lives below this path. Portals before version 0.9 ignore the
        # token and choose their own path, which we learn only from the reply — so listen to
        # the whole namespace before calling and pick the right answer afterwards.
        rule = MatchRule(type="signal", interface=REQUEST_INTERFACE, member="Response",
                         path_namespace=expected.rsplit("/", 1)[0])
        portal = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=SCREENSHOT_INTERFACE)
        options = {"handle_token": ("s", token), "modal": ("b", True),
                   "interactive": ("b", interactive)}
        try:
            conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=CALL_TIMEOUT)
            with conn.filter(rule, bufsize=16) as responses:
                reply = conn.send_and_get_reply(
                    new_method_call(portal, "Screenshot", "sa{sv}", ("", options)),
                    timeout=CALL_TIMEOUT)
                handle = _unwrap(reply, DBusErrorResponse)
                signal = _wait(conn, responses, handle, timeout)
        except (ConnectionError, OSError) as exc:
            raise ScreenshotError("screenshot.portal_failed", detail=_detail(exc)) from exc
    code, results = signal.body
    if code == 1:
        raise ScreenshotError("screenshot.portal_cancelled")
    if code != 0:
        raise ScreenshotError("screenshot.portal_failed", detail=f"response {code}")
    uri = results.get("uri", ("s", ""))[1]
    path = _path_from_uri(uri)
    if path is None:
        raise ScreenshotError("screenshot.portal_failed", detail=uri[:200] or "no uri")
    return path


def _unwrap(reply: Any, error_type: Any) -> str:
    from jeepney import MessageType

    if reply.header.message_type == MessageType.error:
        error = error_type(reply)
        if error.name in _UNAVAILABLE:
            raise ScreenshotError("screenshot.portal_unavailable", detail=error.name)
        raise ScreenshotError("screenshot.portal_failed", detail=f"{error.name}: {error.data}"[:200])
    return cast("str", reply.body[0])


def _wait(conn: Any, queue: Any, handle: str, timeout: float) -> Any:
    """The Response signal of request ``handle``; others (an earlier, abandoned one) are skipped."""
    from jeepney import HeaderFields

    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise TimeoutError
            message = conn.recv_until_filtered(queue, timeout=remaining)
        except TimeoutError as exc:
            raise ScreenshotError("screenshot.portal_timeout", seconds=round(timeout)) from exc
        if message.header.fields.get(HeaderFields.path) == handle:
            return message


def _path_from_uri(uri: str) -> Path | None:
    parts = urlparse(uri)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(unquote(parts.path))


def _detail(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
