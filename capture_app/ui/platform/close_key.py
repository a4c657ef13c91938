"""Alt+F4 closes the app's windows also where the window manager leaves the key to them.

On Windows the system turns Alt+F4 into a close request, and desktop window managers on Linux
bind it; but a minimal or busy window manager, or a remote session that passes keys through,
can hand the key to the window itself, where Qt does nothing with it. The agent pressed
Alt+F4 to close the window, so the window closes (through its close event, as from the title
bar: a wizard saves its draft first).
"""
from __future__ import annotations

import sys

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget


def close_on_alt_f4(window: QWidget) -> None:
    """On Linux and the BSDs: Alt+F4 reaching ``window`` closes it (Windows and macOS have
    their own way, which this would only duplicate)."""
    if sys.platform.startswith(("win", "darwin")):
        return
    QShortcut(QKeySequence("Alt+F4"), window, window.close)
