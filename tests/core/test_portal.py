"""The Wayland screenshot portal, spoken to over a real (private) D-Bus session bus."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from capture_app.core.evidence import png, portal
from capture_app.core.evidence.screenshot import ScreenshotError

FAKE_PORTAL = Path(__file__).with_name("fake_portal.py")


@pytest.fixture(scope="module")
def session_bus():
    """A dbus-daemon of our own: never the developer's or CI's real session."""
    binary = shutil.which("dbus-daemon")
    assert binary, "dbus-daemon is missing: `python3 dev.py test` installs it (Debian package dbus)"
    daemon = subprocess.Popen([binary, "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    address = daemon.stdout.readline().strip()
    assert address.startswith("unix:"), daemon.stderr.read()
    yield address
    daemon.terminate()
    daemon.wait(10)
    daemon.stdout.close()
    daemon.stderr.close()


@pytest.fixture
def run_portal(session_bus, tmp_path):
    started: list[subprocess.Popen] = []

    def start(mode: str) -> Path:
        shot = tmp_path / "Bildschirmfoto vom 27.11. – Übersicht.png"  # URI-escaped on the bus
        shot.write_bytes(png.encode(3, 2, bytes(range(18))))
        process = subprocess.Popen([sys.executable, str(FAKE_PORTAL), session_bus, mode, str(shot)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append(process)
        line = process.stdout.readline()
        assert line.strip() == "ready", process.stderr.read()
        return shot

    yield start
    for process in started:
        process.terminate()
        process.wait(10)
        process.stdout.close()
        process.stderr.close()


def test_the_portal_delivers_the_file_it_wrote(session_bus, run_portal):
    shot = run_portal("ok")
    assert portal.take_screenshot(bus=session_bus, timeout=10) == shot


def test_an_old_portal_with_its_own_request_path_works_too(session_bus, run_portal):
    shot = run_portal("legacy")
    assert portal.take_screenshot(bus=session_bus, timeout=10) == shot


def test_cancelling_in_the_desktop_dialog_is_reported_as_such(session_bus, run_portal):
    run_portal("cancel")
    with pytest.raises(ScreenshotError) as caught:
        portal.take_screenshot(bus=session_bus, timeout=10)
    assert caught.value.key == "screenshot.portal_cancelled"
    assert "abgebrochen" in caught.value.message()


def test_a_portal_that_never_answers_does_not_hang_the_app(session_bus, run_portal):
    run_portal("silent")
    with pytest.raises(ScreenshotError) as caught:
        portal.take_screenshot(bus=session_bus, timeout=1)
    assert caught.value.key == "screenshot.portal_timeout"
    assert "Druck-Taste" in caught.value.message()


def test_a_failing_portal_names_its_error(session_bus, run_portal):
    run_portal("error")
    with pytest.raises(ScreenshotError) as caught:
        portal.take_screenshot(bus=session_bus, timeout=10)
    assert caught.value.key == "screenshot.portal_failed"
    assert "org.freedesktop.portal.Error.Failed" in caught.value.message()


def test_a_session_without_a_portal_tells_the_agent_to_attach_a_file(session_bus):
    with pytest.raises(ScreenshotError) as caught:
        portal.take_screenshot(bus=session_bus, timeout=5)
    assert caught.value.key == "screenshot.portal_unavailable"
    assert "ServiceUnknown" in caught.value.params["detail"]
    assert "Hinzufügen" in caught.value.message()  # the next step: attach a file


def test_no_session_bus_at_all_gives_the_same_advice(tmp_path):
    with pytest.raises(ScreenshotError) as caught:
        portal.take_screenshot(bus=f"unix:path={tmp_path / 'no-bus'}", timeout=5)
    assert caught.value.key == "screenshot.portal_unavailable"


def test_request_paths_follow_the_portal_convention():
    assert portal.request_path(":1.42", "t1") == "/org/freedesktop/portal/desktop/request/1_42/t1"
