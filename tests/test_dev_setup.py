"""dev.py, the quick start's two commands: a broken .venv is rebuilt, a machine it cannot set up
gets the one command to run (never a traceback), and the test summary counts what ran."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def dev(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "VENV", tmp_path / ".venv")
    return module


def test_a_venv_without_pip_is_not_taken_for_a_working_one(dev, tmp_path):
    venv.EnvBuilder(with_pip=False).create(tmp_path / ".venv")  # what a failed ensurepip leaves

    assert dev.venv_python().exists()
    assert not dev.venv_works(dev.venv_python())


def test_a_venv_whose_python_is_gone_is_not_taken_for_a_working_one(dev, tmp_path):
    venv.EnvBuilder(with_pip=False).create(tmp_path / ".venv")
    dev.venv_python().unlink()
    dev.venv_python().write_text("#!/bin/sh\nexit 127\n")  # a python from a removed interpreter
    dev.venv_python().chmod(0o755)

    assert not dev.venv_works(dev.venv_python())


def test_a_half_made_venv_is_built_again_with_pip(dev, tmp_path, capsys):
    venv.EnvBuilder(with_pip=False).create(tmp_path / ".venv")
    marker = tmp_path / ".venv" / "left-over"
    marker.write_text("x")

    python = dev.ensure_venv()

    assert dev.venv_works(python)
    assert not marker.exists()  # built anew, not patched
    assert "broken or half-made" in capsys.readouterr().out


def test_without_root_and_sudo_the_one_command_to_run_is_printed(dev, monkeypatch, capsys):
    monkeypatch.setattr(dev.os, "geteuid", lambda: 1000)
    real_which = dev.shutil.which
    monkeypatch.setattr(dev.shutil, "which",
                        lambda name: None if name == "sudo" else real_which(name) or f"/usr/bin/{name}")
    monkeypatch.setattr(dev, "missing_debian_packages", lambda packages: ["python3.11-venv"])
    monkeypatch.setattr(dev.sys, "argv", ["dev.py", "start"])
    monkeypatch.setattr(dev.sys, "platform", "linux")

    assert dev.main() == 1

    err = capsys.readouterr().err
    assert "sudo sh -c 'apt-get update && apt-get install -y python3.11-venv'" in err
    assert "Traceback" not in err


def test_a_failing_setup_step_is_named_without_a_traceback(tmp_path):
    script = tmp_path / "dev_fail.py"
    script.write_text(
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('dev_script', {str(ROOT / 'dev.py')!r})\n"
        "dev = importlib.util.module_from_spec(spec); spec.loader.exec_module(dev)\n"
        "def broken(*args, **kwargs):\n"
        "    dev.run([sys.executable, '-c', 'raise SystemExit(3)'])\n"
        "dev.start = broken\n"
        "sys.argv = ['dev.py', 'start']\n"
        "sys.exit(dev.main())\n")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)

    assert result.returncode == 1
    assert "this step failed (exit code 3)" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_summary_counts_passed_failed_and_skipped_from_junit_files(dev, tmp_path):
    results = tmp_path / "r.xml"
    results.write_text('<testsuites><testsuite tests="10" failures="1" errors="1" skipped="2"/>'
                       '<testsuite tests="5" failures="0" errors="0" skipped="0"/></testsuites>')

    assert dev.counts(results) == (11, 2, 2)
    assert dev.counts(tmp_path / "missing.xml") == (0, 1, 0)  # a run that wrote nothing failed


def test_a_gate_with_findings_fails_the_run_and_counts_as_one_failed_stage(dev, tmp_path):
    broken, clean = tmp_path / "broken.json", tmp_path / "clean.json"
    broken.write_text("{", encoding="utf-8")
    clean.write_text("{}", encoding="utf-8")
    python = Path(sys.executable)  # json.tool stands in for ruff and mypy: exit 1 on findings

    assert dev.gate_run(python, "json.tool", [str(broken)], label="gate",
                        results=tmp_path / "bad.xml") != 0
    assert dev.counts(tmp_path / "bad.xml") == (0, 1, 0)
    assert dev.gate_run(python, "json.tool", [str(clean)], label="gate",
                        results=tmp_path / "good.xml") == 0
    assert dev.counts(tmp_path / "good.xml") == (1, 0, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="libfaketime is for Linux")
def test_the_faked_clock_moves_the_date_and_keeps_sleeps_real(dev):
    python = Path(sys.executable)
    env = dev.faketime_env(python, "2031-12-31 23:59:00", "Pacific/Auckland")
    assert env is not None, "libfaketime is part of the test extra"
    probe = ("import time, datetime; t = time.monotonic(); time.sleep(0.2); "
             "print(datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M'),"
             " round(time.monotonic() - t, 1), time.strftime('%Z'))")
    utc, slept, zone = subprocess.run([str(python), "-c", probe], env=env, capture_output=True,
                                      text=True, timeout=60).stdout.split()
    # the instant is UTC whatever the run's zone (libfaketime reads "@..." as local time)
    assert utc == "2031-12-31T23:59" and slept == "0.2" and zone == "NZDT"
