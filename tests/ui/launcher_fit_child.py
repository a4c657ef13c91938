"""The launcher window on a real X server with openbox, moved by the window system (run by
test_launcher_fit.py).

    QT_QPA_PLATFORM=xcb DISPLAY=:N python launcher_fit_child.py SCENARIO

SCENARIO ``placed-late``: the launcher grows (support closed, a reminder shown) and the window
manager then puts it where only its old size had room — in the bottom-right corner, half past
the right edge. ``dragged``: long after it settled, the window is moved half past the right edge
as an agent drags it aside. Prints one JSON line: the free area, where the window was moved to,
and its frame a moment later.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from PySide6.QtCore import QRect
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from capture_app.ui.hours.launcher import LauncherWindow


def rect(r: QRect) -> list[int]:
    return [r.x(), r.y(), r.width(), r.height()]


def settle(ms: int) -> None:
    QTest.qWait(ms)
    QApplication.processEvents()


def main() -> None:
    scenario = sys.argv[1]
    app = QApplication([])
    window = LauncherWindow()
    window.show_status("open", 0, "Support erreichbar bis 18:00 Uhr", "")
    window.show()
    for _ in range(100):  # framed by the window manager
        settle(50)
        if window.isVisible() and window.frameGeometry().size() != window.geometry().size():
            break
    settle(300)
    free = window.screen().availableGeometry()
    if scenario == "placed-late":
        window.show_status("closed", 2, "Support geschlossen – wieder erreichbar Montag, 09:00 Uhr "
                           "(in 2 Tagen)", "2 Meldungen warten im Postausgang",
                           "Notfälle: +49 89 123 456 78")
        window.show_reminder("Support wieder erreichbar", "2 Meldungen warten im Postausgang.")
        settle(0)
    else:
        settle(2500)  # long after it settled
    moved_to = [free.right() - window.frameGeometry().width() // 2, 40]
    subprocess.run(["xdotool", "windowmove", str(int(window.winId())), *map(str, moved_to)],
                   env=dict(os.environ), check=True, timeout=20)
    settle(2500)
    print(json.dumps({"free": rect(free), "moved_to": moved_to,
                      "frame": rect(window.frameGeometry())}))
    window.quit()
    app.quit()


if __name__ == "__main__":
    main()
