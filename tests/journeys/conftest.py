"""Journeys through the real app on a real X server (see driver.py, agent.py, journey.py).

    .venv/bin/python -m pytest tests/journeys --journey-shots DIR

``--journey-shots DIR`` saves a picture of the screen at every step of every journey into DIR
(one folder per language and screen size; give tests/journeys on the command line for it).
One app per language and screen size serves all journeys of a test process (each pytest-xdist
worker has its own, on its own display).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from journeys.running import RunningApp


def pytest_addoption(parser):
    parser.addoption("--journey-shots", metavar="DIR", default=None,
                     help="save a PNG of every step of every journey into DIR")


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
