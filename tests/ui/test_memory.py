"""The app idles in the tray all day: PySide6's per-module check keeps no source lines."""
from __future__ import annotations

import linecache
import sys

import pytest


@pytest.fixture
def modules(tmp_path, monkeypatch):
    (tmp_path / "uses_qt_here.py").write_text("import PySide6.QtCore\nX = 1\n", encoding="utf-8")
    (tmp_path / "plain_here.py").write_text("Y = 2\n" * 2000, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("uses_qt_here", "plain_here"):
        sys.modules.pop(name, None)


def test_imported_modules_leave_no_source_lines_and_keep_pyside6s_answer(modules):
    import plain_here  # noqa: F401 - plain import statements, as the app's modules use
    import shibokensupport.feature as feature
    import uses_qt_here  # noqa: F401

    import capture_app.ui  # noqa: F401 - installs the lean check
    cached = {str(path) for path in linecache.cache}
    assert str(modules / "plain_here.py") not in cached
    assert str(modules / "uses_qt_here.py") not in cached
    # the same answer PySide6's own check gives: 0 may use features, -1 is ignored
    assert feature.pyside_feature_dict["uses_qt_here"] == 0
    assert feature.pyside_feature_dict["plain_here"] == -1


LINES_KEPT = r"""
import linecache
import PySide6.QtCore
pyside_own = set(linecache.cache)
import capture_app.ui.app, capture_app.ui.hours.presence, capture_app.ui.hours.tray
import capture_app.ui.capture.grabber, capture_app.ui.sending.sender
print(sum(len(linecache.cache[name][2]) for name in set(linecache.cache) - pyside_own))
"""


def test_the_tray_apps_modules_leave_almost_no_lines_in_linecache():
    """Only what is imported before the lean check (a few dozen lines) stays; ``logging`` had
    stayed, 2300 lines, when the check's own module imported it."""
    import subprocess

    result = subprocess.run([sys.executable, "-c", LINES_KEPT], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout) < 300


def test_once_start_up_is_over_no_source_lines_are_kept():
    code = ("import linecache, PySide6.QtCore, capture_app.ui.app; "
            "from capture_app.ui.platform.memory import return_freed_memory; "
            "before = len(linecache.cache); return_freed_memory(); "
            "print(before, len(linecache.cache))")
    import subprocess

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    before, after = map(int, result.stdout.split())
    assert before > 0  # PySide6's start reads some (enum, its own __init__)
    assert after == 0
