"""The running app's socket on Linux and macOS: whose it is, what it answers, and when it goes.

The whole hand-over between real app processes is in ``tests/test_single_instance.py``; here the
listener alone, in this process, with plain sockets as the other starts.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading

import pytest
from PySide6.QtCore import QCoreApplication, QLockFile

from capture_app.ui.platform.single_instance import InstanceClaim, _send

pytestmark = pytest.mark.skipif(os.name == "nt", reason="Windows uses a named pipe (QLocalServer)")


def test_a_start_is_answered_and_handed_to_the_app(qapp, qtbot, tmp_path):
    name = str(tmp_path / "report-capture-test")
    claim = InstanceClaim(name, None)
    received: list[str] = []
    assert claim.listen(received.append)
    assert os.stat(name).st_mode & 0o777 == 0o600  # the agent's alone
    assert os.listdir(tmp_path) == ["report-capture-test"]  # nothing half-made left beside it
    # The other start blocks in ``_send`` while this app must answer: a thread plays it.
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(_send(name, "report")))
    thread.start()
    qtbot.waitUntil(lambda: received == ["report"], timeout=10_000)
    thread.join(10)
    assert outcome == [True]
    claim.close()


def test_a_start_killed_while_binding_leaves_nothing_for_long(qapp, tmp_path):
    # A start killed between making its private folder and moving the socket into place
    # (logout during login start) leaves the folder; the next start of that name removes it,
    # and leaves another name's folder (another agent's, or another data folder's) alone.
    name = tmp_path / "report-capture-test"
    killed = tmp_path / ".test-k1ll3d"
    killed.mkdir(mode=0o700)
    left = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    left.bind(str(killed / "s"))
    left.close()
    other = tmp_path / ".other-a11ve0"
    other.mkdir(mode=0o700)
    # A start that could not get the start-up lock (another start stuck) must not remove
    # anything: that other start may be binding in its folder right now.
    unlocked = InstanceClaim(str(name), None)
    assert unlocked.listen(lambda command: None)
    assert killed.is_dir()
    unlocked.close()
    lock = QLockFile(f"{name}.lock")
    assert lock.tryLock(0)
    claim = InstanceClaim(str(name), lock)
    assert claim.listen(lambda command: None)
    assert sorted(os.listdir(tmp_path)) == [".other-a11ve0", "report-capture-test"]
    claim.close()


def test_a_socket_name_at_the_length_limit_can_be_listened_on(qapp):
    # A socket's path has a limit (107 bytes on Linux); the private folder it is bound in
    # first must not be longer than the name it is moved to.
    top = tempfile.mkdtemp()
    try:
        folder = os.path.join(top, "d" * (107 - len(top) - 2 - len("report-capture-") - 16))
        os.mkdir(folder)
        name = os.path.join(folder, "report-capture-0123456789abcdef")
        assert len(name) == 107
        claim = InstanceClaim(name, None)
        assert claim.listen(lambda command: None) and os.listdir(folder) == [os.path.basename(name)]
        claim.close()
    finally:
        shutil.rmtree(top)


def test_closing_removes_only_its_own_socket(qapp, tmp_path):
    name = tmp_path / "report-capture-test"
    claim = InstanceClaim(str(name), None)
    assert claim.listen(lambda command: None) and name.is_socket()
    claim.close()
    assert not name.exists()  # an app that quits leaves nothing behind
    assert _send(str(name), "report") is None  # and the next start is the app itself

    first, second = InstanceClaim(str(name), None), InstanceClaim(str(name), None)
    assert first.listen(lambda command: None)
    assert second.listen(lambda command: None)  # took the name over (the first one hung)
    first.close()
    assert name.is_socket()  # the second one's socket stays
    second.close()
    assert not name.exists()


def test_a_silent_or_foreign_client_gets_no_command_through(qapp, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr("capture_app.ui.platform.single_instance.CLIENT_TIMEOUT_MS", 300)
    name = str(tmp_path / "report-capture-test")
    claim = InstanceClaim(name, None)
    received: list[str] = []
    assert claim.listen(received.append)
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(name)
    silent.setblocking(False)
    replies: list[bytes] = []

    def read_reply(client) -> bool:
        try:
            replies.append(client.recv(64))
        except BlockingIOError:
            return False
        return True

    qtbot.waitUntil(lambda: read_reply(silent), timeout=5_000)  # let go after the timeout
    assert replies == [b""]
    silent.close()

    for message in (b'{"command": "delete everything"}\n', b"\xff\xfe\n", b"x" * 5000):
        wrong = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        wrong.connect(name)
        wrong.sendall(message)
        wrong.setblocking(False)
        replies.clear()
        qtbot.waitUntil(lambda client=wrong: read_reply(client), timeout=5_000)
        assert replies == [b"unknown\n"], message[:40]
        wrong.close()
    QCoreApplication.processEvents()
    assert received == []
    claim.close()
