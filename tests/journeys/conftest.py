"""Journeys through the real app on a real X server (see driver.py, agent.py, journey.py).

    .venv/bin/python -m pytest tests/journeys --journey-shots DIR

``--journey-shots DIR`` saves a picture of the screen at every step of every journey into DIR
(one folder per language and screen size; give tests/journeys on the command line for it).
One app per language and screen size serves all journeys of a test process (each pytest-xdist
worker has its own, on its own display).
"""
from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from journeys.xsession import XSession

DRIVER = Path(__file__).with_name("driver.py")
JOURNEY_TIMEOUT_S = 240


def pytest_addoption(parser):
    parser.addoption("--journey-shots", metavar="DIR", default=None,
                     help="save a PNG of every step of every journey into DIR")


class RunningApp:
    """The app on its own X session, taking one journey after the other."""

    def __init__(self, language: str, width: int, height: int, work: Path, shots: Path | None):
        self.language, self.size = language, (width, height)
        self.work = work
        self.session = XSession(width, height).__enter__()
        self.log = (work / "driver.log").open("w", encoding="utf-8")
        command = [sys.executable, str(DRIVER), "--lang", language, "--work", str(work)]
        if shots is not None:
            command += ["--shots", str(shots / f"{language}-{width}x{height}")]
        self.process = subprocess.Popen(
            command, env=self.session.env(PYTHONUNBUFFERED="1"), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, text=True, encoding="utf-8")

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(self, spec: dict) -> dict:
        self.process.stdin.write(json.dumps(spec) + "\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + JOURNEY_TIMEOUT_S
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 1.0)
            if not ready:
                if not self.alive():
                    break
                continue
            line = self.process.stdout.readline()
            if not line:
                break
            if line.startswith("JOURNEY "):
                return json.loads(line[len("JOURNEY "):])
        self.stop()
        log = (self.work / "driver.log").read_text(encoding="utf-8", errors="replace")[-4000:]
        return {"ok": False, "error": f"the app ended or hung during the journey:\n{log}"}

    def stop(self) -> None:
        if self.alive():
            try:
                self.process.stdin.close()
                self.process.wait(20)
            except (subprocess.TimeoutExpired, BrokenPipeError, OSError):
                self.process.kill()
                self.process.wait(10)
        self.log.close()
        self.session.__exit__(None, None, None)


@pytest.fixture(scope="session")
def running_apps(request, tmp_path_factory):
    # The option exists when pytest starts in or at tests/journeys (its conftest is read then).
    shots = request.config.getoption("--journey-shots", default=None)
    shots = Path(shots).resolve() if shots else None
    apps: dict[tuple, RunningApp] = {}

    def get(language: str, width: int, height: int) -> RunningApp:
        key = (language, width, height)
        if key not in apps or not apps[key].alive():
            work = tmp_path_factory.mktemp(f"journeys-{language}-{width}x{height}")
            apps[key] = RunningApp(language, width, height, work, shots)
        return apps[key]

    yield get
    for app in apps.values():
        app.stop()
