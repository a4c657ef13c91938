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
