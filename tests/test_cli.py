"""The command line a newcomer and an IT department meet first."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from xdisplay import start_xvfb, stop

from capture_app import __version__


def run_app(*args: str, env: dict | None = None, timeout: int = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "capture_app", *args], capture_output=True,
                          text=True, timeout=timeout, env=env)


def test_version():
    result = run_app("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"Report Capture {__version__}"


def test_without_a_display_the_app_says_so_instead_of_crashing(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux has DISPLAY/WAYLAND_DISPLAY")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = run_app("report", env=env)
    assert result.returncode == 2
    assert "keine Anzeige" in result.stderr and "no display" in result.stderr


@pytest.fixture
def xvfb():
    """A real X server, as on an agent's Linux desktop."""
    server, display = start_xvfb(1280, 800)
    yield display
    stop(server)


@pytest.mark.gui
@pytest.mark.parametrize("args", [["report"], []])
def test_the_app_starts_on_a_real_x_server(xvfb, tmp_path, args):
    env = dict(os.environ, DISPLAY=xvfb, REPORT_CAPTURE_HOME=str(tmp_path / "home"))
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    result = run_app(*args, "--exit-when-shown", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "shown-after-ms" in result.stdout
    assert (tmp_path / "home" / "data" / "reports.sqlite3").exists()


@pytest.mark.parametrize("argv", [
    [], ["report"], ["--background"], ["report", "--exit-when-shown"], ["--lang", "en"],
    ["--lang", "en", "report"], ["report", "--lang", "de"], ["--background", "--lang", "de"],
    ["--exit-when-shown"], ["--lang", "en", "--exit-when-shown", "report"],
])
def test_the_quick_start_line_means_what_the_full_parser_says(argv):
    from capture_app.__main__ import build_parser, quick_parse

    quick = vars(quick_parse(argv))
    full = vars(build_parser().parse_args(argv))
    assert {k: v for k, v in quick.items() if v not in (None, False)} == \
        {k: v for k, v in full.items() if v not in (None, False) and k != "config_command"}


@pytest.mark.parametrize("argv", [
    ["--help"], ["--version"], ["--self-test"], ["config", "check", "x.toml"], ["report", "report"],
    ["--lang", "fr"], ["--lang"], ["--background", "--background"], ["reprot"],
])
def test_everything_else_goes_to_the_full_parser(argv):
    from capture_app.__main__ import quick_parse

    assert quick_parse(argv) is None


def test_a_mistyped_command_is_refused_with_the_parsers_message():
    result = run_app("reprot")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr and "reprot" in result.stderr
