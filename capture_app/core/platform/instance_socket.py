"""The running app's socket as seen by a later start, without Qt.

A second start (``capture-app``, ``capture-app report`` from a desktop shortcut) that finds the
app running hands its request over and ends. Done here, before Qt is imported, that hand-over
costs the interpreter's start and a few milliseconds instead of loading PySide6 (about 100 ms)
first. The listening side, and the start-up lock for the first start, are in
``capture_app/ui/platform/single_instance.py``.

The protocol: one line of JSON, ``{"command": "report"}``, answered by ``ok`` or ``unknown``.
"""
from __future__ import annotations

import os
import sys
import zlib
from pathlib import Path

from capture_app.core.platform.paths import AppPaths, default_paths

COMMANDS = ("show", "report", "background")
CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 5000
MAX_MESSAGE = 4096


class NotResponding(Exception):
    """Another instance holds the name but did not answer in time."""


def instance_name(paths: AppPaths | None = None) -> str:
    """The socket's name: a full path on Linux and macOS, a pipe name on Windows."""
    paths = paths or default_paths()
    user = os.environ.get("USERNAME", "user") if os.name == "nt" else str(os.getuid())
    # A name per user and data folder; not a secret, so a checksum does (hashlib would load
    # OpenSSL on the way to the first window).
    key = f"{user}\0{paths.data_dir.resolve()}".encode()
    name = f"report-capture-{zlib.crc32(key):08x}{zlib.adler32(key):08x}"
    if os.name == "nt":
        return name
    # The per-user runtime folder (mode 0700) where there is one; the temp folder otherwise.
    folder = os.environ.get("XDG_RUNTIME_DIR", "")
    if not folder or not os.path.isdir(folder):
        import tempfile

        folder = tempfile.gettempdir()
    return str(Path(folder) / name)


def parse_command(line: bytes) -> str | None:
    """The command in one line a start sent, or None for anything else."""
    import json

    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    command = data.get("command") if isinstance(data, dict) else None
    return command if command in COMMANDS else None


def send_unix(path: str, command: str) -> bool | None:
    """True: delivered; None: nobody listens; raises NotResponding if somebody does but hangs."""
    if not os.path.exists(path):
        return None  # nobody listens: the usual first start, answered without loading sockets
    import json
    import socket

    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        client.settimeout(CONNECT_TIMEOUT_MS / 1000)
        try:
            client.connect(path)
        except OSError:
            return None  # nobody listens (or a killed app left its socket file)
        client.settimeout(REPLY_TIMEOUT_MS / 1000)
        try:
            client.sendall(json.dumps({"command": command}).encode("utf-8") + b"\n")
            reply = b""
            while b"\n" not in reply and len(reply) < MAX_MESSAGE:
                chunk = client.recv(256)
                if not chunk:
                    break
                reply += chunk
        except OSError:
            raise NotResponding(path) from None
    finally:
        client.close()
    if not reply.startswith(b"ok"):
        raise NotResponding(path)
    return True


def hand_over_for_start(command: str, language: str | None = None) -> int | None:
    """For ``capture-app``, before Qt is loaded: the exit code once the running app has taken
    ``command`` (or held its socket without answering), None when no app listens here.

    Linux and macOS only (None on Windows, whose named pipe is reached through Qt). A start that
    finds nobody goes on to the start-up lock, where it asks once more.
    """
    if os.name == "nt" or command not in COMMANDS:
        return None
    try:
        delivered = send_unix(instance_name(), command)
    except NotResponding:
        return say_not_responding(language)
    return say_forwarded(command, language) if delivered else None


def say_forwarded(command: str, language: str | None) -> int:
    """Tell the terminal that the running app took the request; the exit code."""
    from capture_app.core.platform.i18n import tr

    if command in ("report", "show"):
        print(tr(f"tray.forwarded_{command}", language=language or _agent_language()))
    return 0


def say_not_responding(language: str | None) -> int:
    from capture_app.core.platform.i18n import tr

    print(tr("tray.not_responding", language=language or _agent_language()), file=sys.stderr)
    return 1


def _agent_language() -> str:
    try:
        from capture_app.core.platform.config import Config

        return str(Config.load().get("ui.language"))
    except Exception:  # noqa: BLE001 - only for choosing the language of one line
        return "de"
