"""A desktop notification service (org.freedesktop.Notifications) on a given D-Bus, for tests.

    python notification_server.py BUS_ADDRESS

Claims the service name, prints "ready", then one JSON line per Notify call (app name, summary,
body, ...) and answers it with an id, like a desktop's notification daemon.
"""
from __future__ import annotations

import json
import sys

from jeepney import HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.Notifications"


def main(address: str) -> None:
    connection = open_dbus_connection(bus=address)
    reply = connection.send_and_get_reply(message_bus.RequestName(NAME), timeout=10)
    if reply.body[0] != 1:  # DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER
        sys.exit(f"could not own {NAME}: {reply.body}")
    print("ready", flush=True)
    counter = 0
    while True:
        message = connection.receive()
        if message.header.message_type != MessageType.method_call:
            continue
        member = message.header.fields.get(HeaderFields.member)
        if member == "Notify":
            counter += 1
            app, _replaces, _icon, summary, body, actions, hints, timeout = message.body
            print(json.dumps({"id": counter, "app": app, "summary": summary, "body": body,
                              "actions": actions, "timeout": timeout,
                              "hints": {k: v[1] for k, v in hints.items()}}), flush=True)
            connection.send(new_method_return(message, "u", (counter,)))
        elif member == "GetCapabilities":
            connection.send(new_method_return(message, "as", (["body"],)))
        elif member == "GetServerInformation":
            connection.send(new_method_return(message, "ssss", ("test", "tests", "1", "1.2")))
        else:
            connection.send(new_error(message, "org.freedesktop.DBus.Error.UnknownMethod"))


if __name__ == "__main__":
    main(sys.argv[1])
