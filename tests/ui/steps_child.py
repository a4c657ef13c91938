"""The app recording steps on a real X server, driven by test_steps_app_x11.py.

    QT_QPA_PLATFORM=xcb DISPLAY=:N REPORT_CAPTURE_HOME=DIR python steps_child.py COMMANDS

Opens a report, presses *Schritte aufzeichnen* on the evidence step and prints
``{"event": "recording", ...}`` with where the control's Pause and Stopp buttons are on the
desktop. Then it follows the lines appended to the file COMMANDS: ``pause``/``resume``/``stop``
press the control's buttons, ``comment TEXT`` adds a comment, ``state`` tells the recorder's
state, ``close`` closes the wizard, ``export DIR`` presses *In „Schritte bis zum Fehler“
übernehmen* and exports the bundle through the review step into DIR, ``quit`` ends. Each
command answers with one JSON line.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from capture_child import wait_for  # the sibling child script's polling helper
from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

WAIT_S = 30.0


def say(**values) -> None:
    print(json.dumps(values), flush=True)


def main() -> int:
    commands = Path(sys.argv[1])
    app = QApplication(sys.argv[:1])
    from capture_app.core.platform.paths import default_paths
    from capture_app.core.wizard.steps import Step
    from capture_app.ui.app import Controller

    controller = Controller(app, default_paths())
    controller.config.set_user("capture.on_report_start", False)
    window = controller.new_report()
    window.setGeometry(20, 20, 560, 420)
    window.report.summary = "Termin speichern schlägt fehl"
    window.mark_dirty()
    window.go_to(Step.EVIDENCE)
    wait_for(window.isVisible, WAIT_S)
    page = window.page(Step.EVIDENCE)
    page.step_tools.record_button.click()
    session = window.step_session
    if not wait_for(lambda: session.control is not None and session.control.isVisible(), WAIT_S):
        say(event="error", message=session.last_message)
        return 1
    QTest.qWait(300)  # the control is mapped: its place can be read from outside
    control = session.control

    def centre(button) -> list[int]:  # on the desktop, in physical pixels
        point = button.mapToGlobal(button.rect().center())
        ratio = button.devicePixelRatioF()
        return [round(point.x() * ratio), round(point.y() * ratio)]

    say(event="recording", pid=os.getpid(), wizard=window.windowTitle(),
        control=control.windowTitle(), pause=centre(control.pause_button),
        stop=centre(control.stop_button))
    done = {"lines": 0}

    def follow() -> None:
        lines = commands.read_text(encoding="utf-8").splitlines() if commands.exists() else []
        for line in lines[done["lines"]:]:
            done["lines"] += 1
            verb, _, rest = line.partition(" ")
            if verb == "quit":
                app.quit()
                return
            run(verb, rest)
        QTimer.singleShot(100, follow)

    def run(verb: str, rest: str) -> None:
        control = session.control
        if verb in ("pause", "resume"):
            control.pause_button.click()
            say(event=verb, state=session.recorder.state)
        elif verb == "comment":
            session.recorder.comment(rest)
            say(event=verb)
        elif verb == "stop":
            control.stop_button.click()
            say(event=verb, state=session.recorder.state, control_gone=session.control is None,
                steps=len(window.report.steps))
        elif verb == "state":
            recorder = session.recorder
            say(event=verb, state=recorder.state, control_gone=session.control is None,
                indicator=control.indicator.text() if session.control is not None else "")
        elif verb == "close":
            window.close()
            say(event=verb, state=session.recorder.state, control_gone=session.control is None,
                hooks_gone=session.hooks is None)
        elif verb == "export":
            page.step_tools.fill_button.click()
            result = {}
            window.page(Step.REVIEW).export_to(Path(rest), on_done=lambda receipt, error: result.update(
                receipt=receipt, error=error))
            wait_for(lambda: bool(result), WAIT_S)
            receipt = result.get("receipt")
            say(event=verb, error=result.get("error"), steps_field=window.report.description.steps,
                bundle=str(Path(receipt.destination) / receipt.reference) if receipt else "")

    QTimer.singleShot(0, follow)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
