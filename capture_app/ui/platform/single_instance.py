"""One running app per agent: a second start hands its request to the first and ends.

    outcome = claim_or_forward("report")      # before any window is built
    if isinstance(outcome, Forwarded): exit   # the running app opens the wizard
    ...                                       # create the QApplication, then
    outcome.listen(handle_command)            # answer later starts

The first process listens on a local socket (a Unix socket in the user's runtime folder on
Linux and macOS, a named pipe on Windows) whose name is derived from the user and the data
folder, so two agents on one terminal server, or a test's private home, never meet. Start-ups
are serialised by a lock file: two starts in the same second cannot both become the first. A
socket left behind by a killed process is removed when the next start claims the name.

On Linux and macOS a later start first tries the socket before loading Qt
(``capture_app/core/platform/instance_socket.py``), and only a start that finds nobody there
comes here. Both sides use a plain Python socket, watched by a QSocketNotifier: an
app idling in the tray all day does not load QtNetwork (and the Kerberos libraries it links),
about 2.5 MB. On Windows the listener is Qt's QLocalServer (a named pipe for the user only).
"""
from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QLockFile, QObject, QSocketNotifier, QTimer

from capture_app.core.platform.instance_socket import (
    COMMANDS,
    CONNECT_TIMEOUT_MS,
    MAX_MESSAGE,
    REPLY_TIMEOUT_MS,
    NotResponding,
    instance_name,
    parse_command,
    say_forwarded,
    say_not_responding,
    send_unix,
)
from capture_app.core.platform.paths import AppPaths

if TYPE_CHECKING:
    import socket

    from PySide6.QtNetwork import QLocalServer

log = logging.getLogger(__name__)
LOCK_TIMEOUT_MS = 15000
CLIENT_TIMEOUT_MS = 5000  # a start that connects and says nothing is let go after this


class Forwarded(NamedTuple):
    """Another instance runs and has taken the request."""

    command: str


def _lock_path(name: str) -> str:
    if os.name == "nt":
        import tempfile

        return str(Path(tempfile.gettempdir()) / f"{name}.lock")
    return f"{name}.lock"


class InstanceClaim(QObject):
    """This process is the first. Holds the start-up lock until ``listen`` is called."""

    def __init__(self, name: str, lock: QLockFile | None) -> None:
        super().__init__()
        self.name = name
        self._lock = lock
        self.server: QLocalServer | None = None  # Windows
        self._socket: socket.socket | None = None  # Linux and macOS
        self._notifier: QSocketNotifier | None = None
        self._bound = 0  # the inode of our socket file
        # Starts connected right now: their socket, notifier, time-out and what they sent so far.
        self._clients: dict[int, tuple[socket.socket, QSocketNotifier, QTimer, bytearray]] = {}
        self._handler: Callable[[str], None] | None = None

    def listen(self, handler: Callable[[str], None]) -> bool:
        """Answer later starts by calling ``handler(command)`` on the UI thread."""
        self._handler = handler
        try:
            listening = self._listen_unix() if os.name != "nt" else self._listen_pipe()
        finally:
            self.release()
        return listening

    def _listen_unix(self) -> bool:
        import socket
        import tempfile

        # Bound in a private folder (0700) and moved into place: nobody else can connect to
        # it, not even in the moment between binding and restricting the socket. Moving it
        # replaces a dead instance's socket (only reached while holding the lock and after
        # nobody answered there).
        # Named after the socket, but shorter: a socket path has a limit (104 bytes on macOS).
        folder, prefix = os.path.split(self.name)
        prefix = f".{prefix.removeprefix('report-capture-')}-"
        if self._lock is not None:  # without the lock, another start may be binding now
            _remove_left_behind(folder, prefix)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            private = tempfile.mkdtemp(prefix=prefix, dir=folder)
            path = os.path.join(private, "s")
            try:
                server.bind(path)
                os.chmod(path, 0o600)
                server.listen(8)
                os.replace(path, self.name)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)  # still there when something failed
                os.rmdir(private)
            server.setblocking(False)
        except OSError as exc:
            server.close()
            log.warning("single instance: cannot listen on %s: %s", self.name, exc)
            return False
        self._socket = server
        self._bound = os.stat(self.name).st_ino
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept_unix)
        return True

    def _listen_pipe(self) -> bool:
        from PySide6.QtNetwork import QAbstractSocket, QLocalServer

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        listening = server.listen(self.name)
        if not listening and server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
            # Only reached while holding the lock and after nobody answered: a dead instance's socket.
            QLocalServer.removeServer(self.name)
            listening = server.listen(self.name)
        if listening:
            server.newConnection.connect(self._accept)
            self.server = server
        else:
            log.warning("single instance: cannot listen on %s: %s", self.name, server.errorString())
        return listening

    def release(self) -> None:
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        server = self._socket
        if server is not None:
            if self._notifier is not None:
                self._notifier.setEnabled(False)
            for client in list(self._clients):
                self._drop(client)
            server.close()
            self._socket = None
            try:  # only our own socket: a later instance may have taken the name meanwhile
                if os.stat(self.name).st_ino == self._bound:
                    os.unlink(self.name)
            except OSError:
                pass
        self.release()

    def _accept_unix(self) -> None:
        while self._socket is not None:
            try:
                client, _address = self._socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.warning("single instance: accept failed: %s", exc)
                return
            client.setblocking(False)
            notifier = QSocketNotifier(client.fileno(), QSocketNotifier.Type.Read, self)
            timer = QTimer(self)
            timer.setSingleShot(True)
            key = client.fileno()
            timer.timeout.connect(lambda key=key: self._drop(key))
            timer.start(CLIENT_TIMEOUT_MS)
            self._clients[key] = (client, notifier, timer, bytearray())
            notifier.activated.connect(lambda *_args, key=key: self._read_unix(key))

    def _read_unix(self, key: int) -> None:
        entry = self._clients.get(key)
        if entry is None:
            return
        client, _notifier, _timer, buffer = entry
        try:
            chunk = client.recv(MAX_MESSAGE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        buffer.extend(chunk)
        if chunk and b"\n" not in buffer and len(buffer) < MAX_MESSAGE:
            return
        command = parse_command(bytes(buffer[:MAX_MESSAGE]).split(b"\n", 1)[0])
        try:
            client.sendall(b"ok\n" if command else b"unknown\n")
        except OSError:
            pass  # the other start has given up; it says so itself
        self._drop(key)
        handler = self._handler
        if command and handler is not None:
            # After the reply is on its way: the handler may open windows.
            QTimer.singleShot(0, lambda: handler(command))

    def _drop(self, key: int) -> None:
        entry = self._clients.pop(key, None)
        if entry is None:
            return
        client, notifier, timer, _buffer = entry
        notifier.setEnabled(False)
        notifier.deleteLater()
        timer.stop()
        timer.deleteLater()
        client.close()

    def _accept(self) -> None:
        while self.server is not None and self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.setParent(self)
            buffer = bytearray()

            def read(socket=socket, buffer=buffer) -> None:
                buffer.extend(bytes(socket.readAll().data()))
                if b"\n" not in buffer and len(buffer) < MAX_MESSAGE:
                    return
                command = parse_command(bytes(buffer[:MAX_MESSAGE]).split(b"\n", 1)[0])
                socket.write(b"ok\n" if command else b"unknown\n")
                socket.flush()
                socket.disconnectFromServer()
                handler = self._handler
                if command and handler is not None:
                    # After the reply is on its way: the handler may open windows.
                    QTimer.singleShot(0, lambda: handler(command))

            socket.readyRead.connect(read)
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                read()


def _remove_left_behind(folder: str, prefix: str) -> None:
    """Remove the private folders of starts of this name that were killed while binding.

    Only called while holding the start-up lock of this name: no living start of it is
    between making its folder and removing it.
    """
    try:
        with os.scandir(folder) as entries:
            stale = [entry.path for entry in entries
                     if entry.name.startswith(prefix) and entry.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for path in stale:
        try:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(path, "s"))
            os.rmdir(path)
        except OSError as exc:  # not ours, or not empty: left alone
            log.info("single instance: left %s in place: %s", path, exc)


def _send(name: str, command: str) -> bool | None:
    """True: delivered; None: nobody listens; raises NotResponding if somebody does but hangs."""
    if os.name != "nt":
        return send_unix(name, command)
    import json

    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return None
    socket.write(json.dumps({"command": command}).encode("utf-8") + b"\n")
    socket.flush()
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    reply = b""
    while b"\n" not in reply and socket.waitForReadyRead(REPLY_TIMEOUT_MS):
        reply += bytes(socket.readAll().data())
    socket.abort()
    if not reply.startswith(b"ok"):
        raise NotResponding(name)
    return True


def claim_or_forward(command: str, paths: AppPaths | None = None,
                     name: str | None = None) -> Forwarded | InstanceClaim:
    """Forward ``command`` ("show" or "report") to a running instance, or become the instance."""
    if command not in COMMANDS:
        raise ValueError(command)
    name = name or instance_name(paths)
    claimed = QLockFile(_lock_path(name))
    claimed.setStaleLockTime(0)  # stale only when its process is gone, never by age
    lock: QLockFile | None = claimed
    if not claimed.tryLock(LOCK_TIMEOUT_MS):
        # Another start is stuck between claiming and listening; go on rather than never start.
        log.warning("single instance: start-up lock %s not acquired", name)
        lock = None
    try:
        if _send(name, command):
            if lock is not None:
                lock.unlock()
            return Forwarded(command)
    except NotResponding:
        if lock is not None:
            lock.unlock()
        raise
    return InstanceClaim(name, lock)


def claim_for_start(command: str, language: str | None = None) -> InstanceClaim | int:
    """For ``capture-app``: the claim to start with, or the exit code after forwarding.

    Says on the terminal what happened, in the agent's language.
    """
    try:
        outcome = claim_or_forward(command)
    except NotResponding:
        return say_not_responding(language)
    if isinstance(outcome, Forwarded):
        return say_forwarded(command, language)
    return outcome
