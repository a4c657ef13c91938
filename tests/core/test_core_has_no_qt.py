"""core never imports Qt: each core module, imported alone in a fresh interpreter, loads no PySide6."""
from __future__ import annotations

import pkgutil
import subprocess
import sys

import capture_app.core

CORE_MODULES = sorted(
    info.name for info in pkgutil.walk_packages(capture_app.core.__path__, "capture_app.core."))


def test_there_are_core_modules_to_check():
    assert {"capture_app.core.report.model", "capture_app.core.wizard.steps", "capture_app.core.report.drafts",
            "capture_app.core.sending.bundle", "capture_app.core.platform.config"} <= set(CORE_MODULES)


def test_no_core_module_loads_pyside6():
    probe = (
        "import importlib, sys\n"
        "bad = []\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "    if any(m.split('.')[0] in ('PySide6', 'shiboken6', 'PyQt5', 'PyQt6', 'qtpy') for m in sys.modules):\n"
        "        bad.append(name); break\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"first core module that pulled in Qt: {result.stdout}"
