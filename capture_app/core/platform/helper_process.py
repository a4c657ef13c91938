"""The command line that starts one of the app's own helper processes.

The packaged app has one executable: a helper is a sub-command of it (``capture-app
guide-window``, ``capture-app grab-screen``; dispatched in ``capture_app/__main__.py``). From the
sources the helper's module runs under the same interpreter (``python -m …``).
"""
from __future__ import annotations

import sys


def helper_command(sub_command: str, module: str, args: list[str] | None = None) -> list[str]:
    if getattr(sys, "frozen", False):  # the packaged app: its executable has the sub-command
        return [sys.executable, sub_command, *(args or [])]
    return [sys.executable, "-m", module, *(args or [])]
