"""The build's helper scripts in packaging/pyinstaller/, imported by their tests."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

FOLDER = Path(__file__).resolve().parents[1] / "packaging" / "pyinstaller"


def load(name: str) -> ModuleType:
    """``packaging/pyinstaller/NAME.py`` as the module NAME (as the spec imports it)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, FOLDER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
