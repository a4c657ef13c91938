"""One app per agent: a second start (or ``capture-app report``) goes to the running app.

Real processes of the app on a real X server; what the agent would see is read from the X
server's window list.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from xdisplay import start_xvfb, stop

pytestmark = pytest.mark.gui

MAIN_WINDOW = '"Report Capture": ("__main__.py"'
WIZARD = '"Problem melden": ('


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


class Desktop:
    """An X server and the app processes started on it, all ended afterwards."""

    def __init__(self, display: str, home: Path) -> None:
        self.display = display
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
        self.env.update(DISPLAY=display, REPORT_CAPTURE_HOME=str(home),
                        REPORT_CAPTURE_SYSTEM_CONFIG=str(home / "system.toml"))
        self.processes: list[subprocess.Popen] = []

    def start(self, *args: str, python: tuple[str, ...] = ()) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, *python, "-m", "capture_app", *args],
                                   env=self.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.processes.append(process)
        return process

    def windows(self) -> str:
        return subprocess.run(["xwininfo", "-root", "-tree"], env=self.env, capture_output=True,
                              text=True, timeout=10).stdout

    def count(self, marker: str) -> int:
        return self.windows().count(marker)

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


@pytest.fixture
def desktop(tmp_path):
    server, display = start_xvfb(1280, 800)
    try:
        screen = Desktop(display, tmp_path / "home")
        yield screen
        screen.close()
    finally:
        stop(server)


def test_second_start_hands_over_to_the_running_app(desktop):
    first = desktop.start()
    wait_for(lambda: desktop.count(MAIN_WINDOW), 60, "the first start never showed its window")
    assert desktop.count(WIZARD) == 0

    # A desktop shortcut's "capture-app report": handed over before this start loads Qt or
    # grabs the screen (the running app grabs it), so the wizard follows the click at once.
    second = desktop.start("report", python=("-X", "importtime"))
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, err[-2000:]
    assert "Report Capture läuft bereits – dort wurde eine neue Meldung geöffnet." in out
    loaded = [line.rsplit("|", 1)[-1].strip() for line in err.splitlines()
              if line.startswith("import time:")]
    assert "capture_app.core.platform.instance_socket" in loaded
    assert not [name for name in loaded if name.startswith(("PySide6", "shiboken6", "mss"))]
    # The running app opened the wizard; the second process is gone.
    wait_for(lambda: desktop.count(WIZARD) == 1, 20, "the running app did not open the wizard")
    assert first.poll() is None

    third = desktop.start("--lang", "en")
    out, _ = third.communicate(timeout=60)
    assert third.returncode == 0
    assert "already running – its window was brought to the front" in out
    assert desktop.count(MAIN_WINDOW) == 1  # still one main window, not a second app

    at_login = desktop.start("--background")
    out, _ = at_login.communicate(timeout=60)
    assert at_login.returncode == 0 and out == ""
    assert first.poll() is None


def test_a_killed_app_does_not_block_the_next_start(desktop):
    first = desktop.start("report")
    wait_for(lambda: desktop.count(WIZARD), 60, "the first start never showed the wizard")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    wait_for(lambda: desktop.count(WIZARD) == 0, 10, "the killed app's window stayed")

    # Its socket and lock file are left behind; the next start must become the app itself.
    second = desktop.start("report")
    wait_for(lambda: desktop.count(WIZARD) == 1, 60, "the next start did not open its wizard")
    assert second.poll() is None
    third = desktop.start("report")
    _out, err = third.communicate(timeout=60)
    assert third.returncode == 0, err[-2000:]
    wait_for(lambda: desktop.count(WIZARD) == 2, 20, "the new app did not take the request")


def test_two_starts_at_the_same_moment_make_one_app(desktop):
    a, b = desktop.start("report"), desktop.start("report")
    # One of them hands over and ends; the other is the app with both wizards.
    ended = wait_for(lambda: [p for p in (a, b) if p.poll() is not None], 60,
                     "neither start handed over")
    assert len(ended) == 1 and ended[0].returncode == 0
    wait_for(lambda: desktop.count(WIZARD) == 2, 30, "not both reports were opened")
    running = [p for p in (a, b) if p.poll() is None]
    assert len(running) == 1


def test_the_running_app_answers_only_its_agent_and_is_not_held_up_by_a_silent_start(desktop):
    name = Path(instance_name_for(desktop))
    # What a start killed while binding leaves (the socket's folder is shared with other apps).
    killed = name.parent / f".{name.name.removeprefix('report-capture-')}-k1ll3d"
    killed.mkdir(mode=0o700)
    first = desktop.start("--background")
    wait_for(lambda: name.is_socket(), 60, "the first start never listened")
    # Nobody but the agent may connect: the socket is theirs alone, and no half-made socket
    # or private folder of this app is left beside it.
    assert name.stat().st_mode & 0o777 == 0o600
    assert not [p for p in name.parent.iterdir() if p.name.startswith(killed.name[:-6])]

    # A start that connects and then says nothing (hung, or not ours) …
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.connect(str(name))
    try:
        # … does not keep the next start from being answered …
        second = desktop.start("report")
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err[-2000:]
        assert "Report Capture läuft bereits" in out
        wait_for(lambda: desktop.count(WIZARD) == 1, 20, "the running app did not open the wizard")
        # … and is let go after a while, unanswered.
        silent.settimeout(20)
        assert silent.recv(64) in (b"", b"unknown\n")
    finally:
        silent.close()

    # Something that is not a start command is refused, and opens nothing.
    wrong = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    wrong.connect(str(name))
    wrong.sendall(b'{"command": "delete everything"}\n')
    wrong.settimeout(20)
    assert wrong.recv(64) == b"unknown\n"
    wrong.close()
    assert desktop.count(WIZARD) == 1
    assert first.poll() is None


def instance_name_for(desktop) -> str:
    """The socket the app in ``desktop`` listens on (its name follows user and data folder)."""
    code = ("from capture_app.core.platform.instance_socket import instance_name; "
            "print(instance_name())")
    return subprocess.run([sys.executable, "-c", code], env=desktop.env, capture_output=True,
                          text=True, timeout=60, check=True).stdout.strip()
