"""The PyInstaller one-folder build has everything it needs: its own --self-test passes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def build(dist: Path, work: Path) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(dist), "--workpath", str(work),
         str(ROOT / "packaging" / "pyinstaller" / "report-capture.spec")],
        capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-4000:]
    executable = dist / "ReportCapture" / ("ReportCapture.exe" if os.name == "nt" else "ReportCapture")
    assert executable.is_file()
    return executable


def test_frozen_app_passes_its_self_test_and_starts(tmp_path):
    executable = build(tmp_path / "dist", tmp_path / "build")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
           "REPORT_CAPTURE_HOME": str(tmp_path / "home")}
    result = subprocess.run([str(executable), "--self-test"], capture_output=True, text=True,
                            timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Selbsttest bestanden" in result.stdout
    assert "app modules" in result.stdout and "Qt platform plugin: offscreen" in result.stdout
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True,
                             timeout=60, env=env)
    assert version.stdout.startswith("Report Capture ")
    shown = subprocess.run([str(executable), "report", "--exit-when-shown"], capture_output=True,
                           text=True, timeout=120, env=env)
    assert shown.returncode == 0 and "shown-after-ms" in shown.stdout, shown.stderr[-2000:]
