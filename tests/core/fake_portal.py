"""A screenshot portal on a D-Bus session bus, as a Wayland desktop provides it (for tests).

    python fake_portal.py BUS_ADDRESS MODE PNG_FILE

MODE: ``ok`` (answers with the file's URI), ``cancel`` (the user closed the dialog), ``legacy``
(an old portal that picks its own request path), ``silent`` (never answers), ``error`` (the
Screenshot call fails). Prints ``ready`` once it owns the portal's bus name.
"""
from __future__ import annotations

import sys
from pathlib import Path

from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

BUS_NAME = "org.freedesktop.portal.Desktop"
OBJECT_PATH = "/org/freedesktop/portal/desktop"


def main() -> int:
    address, mode, png_file = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    conn = open_dbus_connection(bus=address)
    reply = conn.send_and_get_reply(message_bus.RequestName(BUS_NAME, 4))
    assert reply.body[0] == 1, reply.body  # primary owner
    print("ready", flush=True)
    counter = 0
    while True:
        msg = conn.receive()
        fields = msg.header.fields
        if msg.header.message_type != MessageType.method_call:
            continue
        if fields.get(HeaderFields.member) != "Screenshot" or \
                fields.get(HeaderFields.interface) != "org.freedesktop.portal.Screenshot":
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))
            continue
        if mode == "error":
            conn.send(new_error(msg, "org.freedesktop.portal.Error.Failed", "s", ("no screen",)))
            continue
        _parent, options = msg.body
        sender = fields[HeaderFields.sender].lstrip(":").replace(".", "_")
        counter += 1
        token = options["handle_token"][1] if mode != "legacy" else f"legacy{counter}"
        path = f"{OBJECT_PATH}/request/{sender}/{token}"
        conn.send(new_method_return(msg, "o", (path,)))
        if mode == "silent":
            continue
        code, results = (1, {}) if mode == "cancel" else (0, {"uri": ("s", png_file.as_uri())})
        request = DBusAddress(path, interface="org.freedesktop.portal.Request")
        conn.send(new_signal(request, "Response", "ua{sv}", (code, results)))


if __name__ == "__main__":
    sys.exit(main())
