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
    assert "Qt's German texts: Ja" in result.stdout  # Yes/No and the folder picker in German
    # Screenshots are checked for personal data: Tesseract and its model are in the build.
    assert "text recognition: reads an e-mail address" in result.stdout
    # The triage search with rapidfuzz's compiled matchers (its distance metrics are left out).
    assert "triage search: camera_microphone_blocked" in result.stdout
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True,
                             timeout=60, env=env)
    assert version.stdout.startswith("Report Capture ")
    shown = subprocess.run([str(executable), "report", "--exit-when-shown"], capture_output=True,
                           text=True, timeout=120, env=env)
    assert shown.returncode == 0 and "shown-after-ms" in shown.stdout, shown.stderr[-2000:]
    if sys.platform.startswith("linux"):
        assert_libraries_resolve(executable.parent)


def assert_libraries_resolve(folder: Path) -> None:
    """Everything the bundle does not carry itself is found on this system, and the bundle
    carries what a desktop may lack (OpenSSL 3, SQLite, libxcb-cursor) plus the smaller ICU data."""
    internal = folder / "_internal"
    unresolved = []
    for library in [folder / "ReportCapture", *internal.rglob("*.so*")]:
        if library.is_symlink() or not library.is_file():
            continue
        result = subprocess.run(["ldd", str(library)], capture_output=True, text=True, timeout=60)
        unresolved += [f"{library.name}: {line.strip()}" for line in result.stdout.splitlines()
                       if "not found" in line]
    assert not unresolved, "\n".join(unresolved)
    dangling = [str(path.relative_to(folder)) for path in internal.rglob("*")
                if path.is_symlink() and not path.exists()]
    assert not dangling, dangling
    carried = {path.name for path in internal.rglob("*.so*")}
    for name in ("libssl.so.3", "libcrypto.so.3", "libsqlite3.so.0", "libxcb-cursor.so.0"):
        assert name in carried, name
    assert not {"libX11.so.6", "libglib-2.0.so.0", "libfontconfig.so.1"} & carried
    icu = next(internal.rglob("libicudata.so.*"))
    assert icu.stat().st_size < 15 * 2**20, "the ICU data library was not reduced"
