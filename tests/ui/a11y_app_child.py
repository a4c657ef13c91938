"""The wizard at *Beschreibung* on a real X server, for a screen reader (run by
test_screen_reader.py inside a private D-Bus session with the accessibility bus).

    QT_QPA_PLATFORM=xcb DISPLAY=:N QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 python a11y_app_child.py

A report of the case "Kalender-Synchronisation fehlt" with nothing described yet; *Weiter* has
been pressed, so the step lists its problems. Prints "ready" and runs until terminated.
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def main() -> int:
    app = QApplication(sys.argv[:1])
    from capture_app import APP_NAME

    app.setApplicationName(APP_NAME)
    from capture_app.core.platform.paths import default_paths
    from capture_app.core.report.model import Report
    from capture_app.core.triage.catalogue import builtin_catalogue
    from capture_app.core.wizard.steps import Step, choose_case
    from capture_app.ui.app import Controller

    controller = Controller(app, default_paths())
    report = Report.new(agent_timezone="Europe/Berlin")
    choose_case(report, builtin_catalogue().get("calendar_sync_missing"))
    controller.store.save(report)
    window = controller.open_wizard(report, Step.DETAILS)
    window.go_next()  # nothing described: the step's problems are listed

    def ready() -> None:
        print("ready", flush=True)

    QTimer.singleShot(500, ready)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
