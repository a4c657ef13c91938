"""Stands in for the app in the guide tests: opens the guide like the app does, reports the guide
process's pid, then waits — until the test kills it without warning.

    python tests/ui/guide_parent.py DISPLAY
"""
from __future__ import annotations

import json
import sys

from PySide6.QtWidgets import QApplication

from capture_app.ui.guide.launcher import GuideLauncher


def main() -> int:
    app = QApplication(sys.argv[:1])
    launcher = GuideLauncher(child_env={"DISPLAY": sys.argv[1], "QT_QPA_PLATFORM": "xcb"})
    launcher.loaded.connect(lambda title: print(json.dumps({"child": launcher.child_pid(),
                                                            "title": title}), flush=True))
    launcher.show("chrome", "windows")
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
